"""`motcua nlu ...`: parse messages and evaluate the NLU from the command line."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import TextIO

import click

from nlu import get_default_nlu
from nlu.engine import EmbeddedNLU, default_cache_dir
from nlu.evaluation import Report, evaluate, format_report, format_side_by_side, read_examples
from nlu.training_data import BLIND_DIR, TEST_DIR


@click.group(name="nlu")
def nlu() -> None:
    """Understand citizens' messages: intents and entities."""


@nlu.command()
@click.argument("text", required=False)
@click.option(
    "--jsonl",
    "jsonl",
    type=click.File("r", encoding="utf-8"),
    help="Lines with a 'text' field ('-' for stdin).",
)
@click.option("--lang", "lang_hint", default=None, help="Language hint (vi, en).")
def parse(text: str | None, jsonl: TextIO | None, lang_hint: str | None) -> None:
    """Print the Rasa-shaped parse of TEXT, or of every line of --jsonl as JSON lines."""
    engine = get_default_nlu()
    if jsonl is not None:
        for line in jsonl:
            if line.strip():
                row = json.loads(line)
                result = engine.parse(row["text"], row.get("lang") or lang_hint)
                click.echo(json.dumps(result, ensure_ascii=False))
        return
    if text is None:
        raise click.UsageError("give TEXT or --jsonl FILE")
    click.echo(json.dumps(engine.parse(text, lang_hint), ensure_ascii=False, indent=2))


@nlu.command(name="eval")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report(s) as JSON.")
@click.option(
    "--errors", is_flag=True, help="Also list the misunderstood examples (never the blind set's)."
)
def eval_(paths: tuple[Path, ...], as_json: bool, errors: bool) -> None:
    """Score intents and entities on .jsonl files or folders of them.

    With no PATH: the own test split and the blind set (nlu/data/blind/, when present)
    side by side. Several PATHs are also shown side by side.
    """
    targets = list(paths) or [TEST_DIR, *([BLIND_DIR] if _has_rows(BLIND_DIR) else [])]
    engine = get_default_nlu()
    reports = {_set_name(p): evaluate(engine, read_examples(p)) for p in targets}
    if as_json:
        data: dict[str, object] = {}
        for (name, report), path in zip(reports.items(), targets, strict=True):
            entry = report.as_dict()
            if errors and not _is_blind(path):
                entry["errors"] = report.errors
            data[name] = entry
        only = next(iter(data.values()))
        click.echo(json.dumps(only if len(data) == 1 else data, ensure_ascii=False, indent=2))
        return
    if len(reports) == 1:
        click.echo(format_report(next(iter(reports.values()))))
    else:
        click.echo(format_side_by_side(reports))
    if errors:
        for (name, report), path in zip(reports.items(), targets, strict=True):
            _echo_errors(name, report, blind=_is_blind(path))


def _has_rows(path: Path) -> bool:
    return path.is_dir() and any(path.glob("*.jsonl"))


def _is_blind(path: Path) -> bool:
    blind = BLIND_DIR.resolve()
    resolved = path.resolve()
    return resolved == blind or blind in resolved.parents


def _set_name(path: Path) -> str:
    if path.resolve() == TEST_DIR.resolve():
        return "own split"
    if _is_blind(path):
        return "blind set"
    return path.name


def _echo_errors(name: str, report: Report, blind: bool) -> None:
    click.echo(f"\nerrors, {name}")
    if blind:
        # Rules tuned to single blind lines would make the set flatter us like the own split.
        click.echo("  (not listed for the blind set: look at the aggregates only)")
        return
    for err in report.errors:
        click.echo(f"  {err['expected']} -> {err['predicted']}: {err['text']}")


@nlu.command()
@click.option("--force", is_flag=True, help="Retrain even when a cached model exists.")
def train(force: bool) -> None:
    """Train the embedded model into its cache (e.g. while building a deployment image)."""
    started = time.perf_counter()
    if force:
        for old in default_cache_dir().glob("model-*.pkl"):
            old.unlink()
    EmbeddedNLU()
    click.echo(f"ready in {time.perf_counter() - started:.2f} s, cache: {default_cache_dir()}")


if __name__ == "__main__":
    sys.exit(nlu())
