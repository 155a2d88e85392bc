"""Scoring an NLU against labelled JSONL files (the test split in nlu/data/test/)."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol


class _Parser(Protocol):
    def parse(self, text: str, lang_hint: str | None = None) -> dict[str, Any]: ...


@dataclass
class Report:
    total: int = 0
    intent_correct: int = 0
    procedure_correct: int = 0
    code_total: int = 0
    code_correct: int = 0
    named_total: int = 0  # lines whose label names a procedure
    named_correct: int = 0
    none_total: int = 0  # lines whose label names none
    none_correct: int = 0  # ... for which no procedure was extracted
    per_intent: dict[str, dict[str, float]] = field(default_factory=dict)
    per_style: dict[str, dict[str, float]] = field(default_factory=dict)
    confusions: list[tuple[str, str, int]] = field(default_factory=list)
    macro_f1: float = 0.0
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def intent_accuracy(self) -> float:
        return self.intent_correct / self.total if self.total else 0.0

    @property
    def procedure_accuracy(self) -> float:
        return self.procedure_correct / self.total if self.total else 0.0

    @property
    def named_procedure_accuracy(self) -> float:
        return self.named_correct / self.named_total if self.named_total else 1.0

    @property
    def no_procedure_rate(self) -> float:
        return self.none_correct / self.none_total if self.none_total else 1.0

    @property
    def code_accuracy(self) -> float:
        return self.code_correct / self.code_total if self.code_total else 1.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "examples": self.total,
            "intent_accuracy": round(self.intent_accuracy, 4),
            "intent_macro_f1": round(self.macro_f1, 4),
            "procedure_accuracy": round(self.procedure_accuracy, 4),
            "named_procedure_accuracy": round(self.named_procedure_accuracy, 4),
            "no_procedure_rate": round(self.no_procedure_rate, 4),
            "tracking_code_accuracy": round(self.code_accuracy, 4),
            "per_intent": self.per_intent,
            "per_style": self.per_style,
            "confusions": [
                {"expected": e, "predicted": p, "count": n} for e, p, n in self.confusions
            ],
        }


def read_examples(path: Path) -> list[dict[str, Any]]:
    """Lines of one .jsonl file, or of every .jsonl file in a folder."""
    files = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
    rows: list[dict[str, Any]] = []
    for file in files:
        for line in file.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rows.append(json.loads(line))
    return rows


def entity_value(result: dict[str, Any], entity: str) -> str | None:
    values = [e["value"] for e in result.get("entities", []) if e.get("entity") == entity]
    return str(values[-1]) if values else None


def evaluate(nlu: _Parser, rows: Iterable[dict[str, Any]]) -> Report:
    report = Report()
    pairs: Counter[tuple[str, str]] = Counter()
    # per style: (intent ok, procedure ok, label names a procedure)
    styles: dict[str, list[tuple[bool, bool, bool]]] = defaultdict(list)
    for row in rows:
        result = nlu.parse(row["text"])
        predicted = result["intent"]["name"]
        expected = row["intent"]
        intent_ok = predicted == expected
        proc_ok = entity_value(result, "procedure") == row.get("procedure")
        named = row.get("procedure") is not None
        report.total += 1
        report.intent_correct += intent_ok
        report.procedure_correct += proc_ok
        if named:
            report.named_total += 1
            report.named_correct += proc_ok
        else:
            report.none_total += 1
            report.none_correct += proc_ok
        if row.get("tracking_code"):
            report.code_total += 1
            report.code_correct += entity_value(result, "tracking_code") == row["tracking_code"]
        pairs[(expected, predicted)] += 1
        styles[row.get("style") or "-"].append((intent_ok, proc_ok, named))
        if not (intent_ok and proc_ok):
            report.errors.append(
                {
                    "text": row["text"],
                    "expected": [expected, row.get("procedure")],
                    "predicted": [predicted, entity_value(result, "procedure")],
                }
            )
    labels = sorted({e for e, _ in pairs} | {p for _, p in pairs})
    f1s = []
    for label in labels:
        tp = pairs[(label, label)]
        fp = sum(n for (e, p), n in pairs.items() if p == label and e != label)
        fn = sum(n for (e, p), n in pairs.items() if e == label and p != label)
        support = tp + fn
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        if support:
            f1s.append(f1)
        report.per_intent[label] = {
            "support": support,
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
        }
    report.macro_f1 = sum(f1s) / len(f1s) if f1s else 0.0
    for style, marks in sorted(styles.items()):
        named_marks = [p for _, p, n in marks if n]
        report.per_style[style] = {
            "examples": len(marks),
            "intent_accuracy": round(sum(i for i, _, _ in marks) / len(marks), 4),
            "procedure_accuracy": round(sum(p for _, p, _ in marks) / len(marks), 4),
            "named_procedure_accuracy": round(
                sum(named_marks) / len(named_marks) if named_marks else 1.0, 4
            ),
        }
    report.confusions = sorted(
        ((e, p, n) for (e, p), n in pairs.items() if e != p), key=lambda t: (-t[2], t[0], t[1])
    )
    return report


def format_report(report: Report) -> str:
    lines = [
        f"examples             {report.total}",
        f"intent accuracy      {report.intent_accuracy:.2%}",
        f"intent macro-F1      {report.macro_f1:.4f}",
        f"procedure accuracy   {report.procedure_accuracy:.2%}",
        f"  naming one         {report.named_procedure_accuracy:.2%} ({report.named_total} lines)",
        f"  none extracted     {report.no_procedure_rate:.2%} of {report.none_total} naming none",
        f"tracking code acc.   {report.code_accuracy:.2%} ({report.code_total} codes)",
        "",
        f"{'intent':<22}{'support':>8}{'prec':>8}{'recall':>8}{'f1':>8}",
    ]
    for label, m in report.per_intent.items():
        lines.append(
            f"{label:<22}{int(m['support']):>8}{m['precision']:>8.2f}{m['recall']:>8.2f}{m['f1']:>8.2f}"
        )
    lines += ["", f"{'style':<22}{'examples':>9}{'intent':>9}{'procedure':>11}"]
    for style, m in report.per_style.items():
        lines.append(
            f"{style:<22}{int(m['examples']):>9}{m['intent_accuracy']:>9.2%}"
            f"{m['procedure_accuracy']:>11.2%}"
        )
    lines += ["", "confusion pairs (expected -> predicted: count)"]
    lines += [f"  {e} -> {p}: {n}" for e, p, n in report.confusions] or ["  none"]
    return "\n".join(lines)


def format_side_by_side(reports: dict[str, Report]) -> str:
    """Aggregate figures of several sets in columns (e.g. the own split and the blind set).

    Only aggregates: the blind set's single lines are never shown (nobody tunes to them).
    """
    names = list(reports)
    width = max(14, *(len(n) + 2 for n in names))

    def row(label: str, cells: list[str]) -> str:
        return f"{label:<34}" + "".join(f"{c:>{width}}" for c in cells)

    def pct(value: float, count: int) -> str:
        return f"{value:.1%}" if count else "-"

    reps = list(reports.values())
    lines = [
        row("measure", names),
        row("examples", [str(r.total) for r in reps]),
        row("intent accuracy", [pct(r.intent_accuracy, r.total) for r in reps]),
        row("intent macro-F1", [f"{r.macro_f1:.3f}" for r in reps]),
        row(
            "procedure, lines naming one",
            [pct(r.named_procedure_accuracy, r.named_total) for r in reps],
        ),
        row(
            "no procedure, lines naming none",
            [pct(r.no_procedure_rate, r.none_total) for r in reps],
        ),
        row("tracking code", [pct(r.code_accuracy, r.code_total) for r in reps]),
    ]
    styles = sorted({s for r in reps for s in r.per_style})
    lines += ["", row("per style: intent / procedure*", names)]
    for style in styles:
        cells = []
        for r in reps:
            m = r.per_style.get(style)
            cells.append(
                f"{m['intent_accuracy']:.0%} / {m['named_procedure_accuracy']:.0%}" if m else "-"
            )
        lines.append(row(f"  {style}", cells))
    lines.append("  * procedure accuracy on the style's lines that name one")
    intents = sorted({i for r in reps for i in r.per_intent})
    lines += ["", row("per intent: F1 (support)", names)]
    for intent in intents:
        cells = []
        for r in reps:
            m = r.per_intent.get(intent)
            cells.append(f"{m['f1']:.2f} ({int(m['support'])})" if m else "-")
        lines.append(row(f"  {intent}", cells))
    for name, r in reports.items():
        lines += ["", f"confusion pairs, {name} (expected -> predicted: count)"]
        lines += [f"  {e} -> {p}: {n}" for e, p, n in r.confusions] or ["  none"]
    return "\n".join(lines)
