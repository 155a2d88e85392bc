"""Benchmark the embedded NLU, and Rasa 3.6 DIET trained on the same YAML, side by side.

    python benchmarks/nlu.py                        # our engine (+ Rasa if a venv is found)
    python benchmarks/nlu.py --rasa-url http://127.0.0.1:5005   # a running Rasa server
    python benchmarks/nlu.py --rasa-venv /work/rasa-venv        # train + serve Rasa here

Rasa is never a project dependency: it lives in a throwaway Python 3.10 venv
outside the repository (see benchmarks/README.md). Latency is measured per
parse call on one pinned core; Rasa's includes the local HTTP round trip,
which is how a deployment would call it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nlu.evaluation import Report, evaluate, read_examples  # noqa: E402
from nlu.training_data import BLIND_DIR, DATA_DIR, TEST_DIR, data_files, data_hash  # noqa: E402

DEFAULT_RASA_VENV = Path("/work/rasa-venv")
RASA_CONFIG = """\
recipe: default.v1
language: vi
assistant_id: motcua-nlu-benchmark
pipeline:
  - name: WhitespaceTokenizer
  - name: RegexFeaturizer
  - name: LexicalSyntacticFeaturizer
  - name: CountVectorsFeaturizer
  - name: CountVectorsFeaturizer
    analyzer: char_wb
    min_ngram: 1
    max_ngram: 4
  - name: DIETClassifier
    epochs: 100
    random_seed: 42
  - name: EntitySynonymMapper
"""

_STARTUP_SNIPPET = """
import json, resource, sys, time
t0 = time.perf_counter()
from nlu.engine import EmbeddedNLU
engine = EmbeddedNLU(use_cache={use_cache}, cache_dir={cache_dir!r})
t1 = time.perf_counter()
for line in sys.stdin:
    engine.parse(line)
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"startup": t1 - t0, "rss_mb": rss}}))
"""


def _pin_one_core() -> None:
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})


def _latencies(parse: Any, texts: list[str], rounds: int) -> tuple[float, float]:
    for text in texts[:20]:  # warm-up
        parse(text)
    samples: list[float] = []
    for _ in range(rounds):
        for text in texts:
            t0 = time.perf_counter_ns()
            parse(text)
            samples.append((time.perf_counter_ns() - t0) / 1e6)
    samples.sort()
    p50 = statistics.median(samples)
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))]
    return p50, p99


def _startup(texts: list[str], use_cache: bool, cache_dir: Path) -> dict[str, float]:
    code = _STARTUP_SNIPPET.format(use_cache=use_cache, cache_dir=str(cache_dir))
    out = subprocess.run(
        [sys.executable, "-c", code],
        input="\n".join(texts),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=True,
    )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def bench_embedded(sets: dict[str, list[dict[str, Any]]], rounds: int) -> dict[str, Any]:
    from nlu.engine import EmbeddedNLU

    texts = [r["text"] for rows in sets.values() for r in rows]
    cache_dir = Path(os.environ.get("TMPDIR", "/tmp")) / "motcua-nlu-bench-cache"
    shutil.rmtree(cache_dir, ignore_errors=True)
    trained = _startup(texts, use_cache=True, cache_dir=cache_dir)  # trains and writes cache
    loaded = _startup(texts, use_cache=True, cache_dir=cache_dir)  # loads the cache
    engine = EmbeddedNLU(use_cache=True, cache_dir=cache_dir)
    reports = {name: evaluate(engine, rows) for name, rows in sets.items()}
    p50, p99 = _latencies(engine.parse, texts, rounds)
    return {
        "name": "embedded (this repo)",
        "reports": reports,
        "p50_ms": p50,
        "p99_ms": p99,
        "startup_s": f"{trained['startup']:.2f} train / {loaded['startup']:.2f} cached",
        "rss_mb": f"{trained['rss_mb']:.0f} train / {loaded['rss_mb']:.0f} cached",
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _rss_mb(pid: int) -> float:
    total = 0.0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for p in pids:
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1]) / 1024
    return total


def _rasa_model(venv: Path, workdir: Path) -> Path:
    """Train (once per training-data hash) a Rasa NLU model on nlu/data/*.yml."""
    key = data_hash()
    model = workdir / "models" / f"nlu-{key}.tar.gz"
    if model.exists():
        return model
    data = workdir / "data"
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    for path in data_files(DATA_DIR):
        shutil.copy(path, data / path.name)
    (workdir / "config.yml").write_text(RASA_CONFIG)
    t0 = time.perf_counter()
    subprocess.run(
        [
            str(venv / "bin" / "rasa"),
            "train",
            "nlu",
            "--nlu",
            "data",
            "--config",
            "config.yml",
            "--out",
            "models",
            "--fixed-model-name",
            f"nlu-{key}",
        ],
        cwd=workdir,
        check=True,
    )
    (workdir / "models" / f"nlu-{key}.train_seconds").write_text(f"{time.perf_counter() - t0:.0f}")
    return model


def bench_rasa(
    sets: dict[str, list[dict[str, Any]]],
    rounds: int,
    url: str | None,
    venv: Path | None,
    workdir: Path,
) -> dict[str, Any]:
    from nlu.rasa_client import RasaNLU

    proc: subprocess.Popen[bytes] | None = None
    startup = "n/a (external server)"
    train_note = ""
    rss = "n/a"
    if url is None:
        assert venv is not None
        model = _rasa_model(venv, workdir)
        seconds = model.with_suffix("").with_suffix(".train_seconds")
        if seconds.exists():
            train_note = f" (training took {seconds.read_text()} s)"
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            [
                str(venv / "bin" / "rasa"),
                "run",
                "--enable-api",
                "-m",
                str(model),
                "-i",
                "127.0.0.1",
                "-p",
                str(port),
            ],
            cwd=workdir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    client = RasaNLU(url, timeout=30)
    try:
        if proc is not None:
            deadline = time.time() + 300
            while True:
                try:
                    client.parse("xin chào")
                    break
                except Exception:
                    if time.time() > deadline or proc.poll() is not None:
                        raise
                    time.sleep(0.5)
            startup = f"{time.perf_counter() - t0:.1f} load{train_note}"
        reports = {name: evaluate(client, rows) for name, rows in sets.items()}
        texts = [r["text"] for rows in sets.values() for r in rows]
        p50, p99 = _latencies(client.parse, texts, max(1, rounds // 3))
        if proc is not None:
            rss = f"{_rss_mb(proc.pid):.0f}"
    finally:
        client.close()
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)
    return {
        "name": "Rasa 3.6 DIET (HTTP)",
        "reports": reports,
        "p50_ms": p50,
        "p99_ms": p99,
        "startup_s": startup,
        "rss_mb": rss,
    }


def _style_cell(m: dict[str, float] | None) -> str:
    return f"{m['intent_accuracy']:.0%} / {m['named_procedure_accuracy']:.0%}" if m else "-"


def _pct(value: float, count: int) -> str:
    return f"{value:.1%}" if count else "-"


def table(results: list[dict[str, Any]]) -> str:
    """One row per engine and evaluation set (own split, blind set); speed columns
    are the engine's, measured over both sets together."""
    reports: list[Report] = [rep for r in results for rep in r["reports"].values()]
    styles = sorted({s for rep in reports for s in rep.per_style})
    head = [
        "engine",
        "set",
        "examples",
        "intent acc",
        "macro-F1",
        "procedure (names one)",
        "no procedure (names none)",
        "code acc",
        "p50 ms",
        "p99 ms",
        "start-up s",
        "RSS MB",
    ] + [f"{s}" for s in styles]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in results:
        for set_name, rep in r["reports"].items():
            cells = [
                r["name"],
                set_name,
                str(rep.total),
                f"{rep.intent_accuracy:.1%}",
                f"{rep.macro_f1:.3f}",
                _pct(rep.named_procedure_accuracy, rep.named_total),
                _pct(rep.no_procedure_rate, rep.none_total),
                _pct(rep.code_accuracy, rep.code_total),
                f"{r['p50_ms']:.3f}",
                f"{r['p99_ms']:.3f}",
                str(r["startup_s"]),
                str(r["rss_mb"]),
            ] + [_style_cell(rep.per_style.get(s)) for s in styles]
            lines.append("| " + " | ".join(cells) + " |")
    lines.append("\nper style: intent accuracy / procedure accuracy on the lines that name one")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--test", type=Path, default=TEST_DIR)
    parser.add_argument(
        "--blind", type=Path, default=BLIND_DIR, help="the blind set (skipped when absent)"
    )
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--rasa-url", default=None)
    parser.add_argument("--rasa-venv", type=Path, default=None)
    parser.add_argument("--rasa-workdir", type=Path, default=Path("/work/rasa-work"))
    parser.add_argument("--no-rasa", action="store_true")
    args = parser.parse_args()
    _pin_one_core()
    sets = {"own split": read_examples(args.test)}
    if args.blind.is_dir() and any(args.blind.glob("*.jsonl")):
        sets["blind set"] = read_examples(args.blind)
    results = [bench_embedded(sets, args.rounds)]
    print(table(results), flush=True)
    venv = args.rasa_venv or (
        DEFAULT_RASA_VENV if (DEFAULT_RASA_VENV / "bin" / "rasa").exists() else None
    )
    if not args.no_rasa and (args.rasa_url or venv):
        args.rasa_workdir.mkdir(parents=True, exist_ok=True)
        results.append(bench_rasa(sets, args.rounds, args.rasa_url, venv, args.rasa_workdir))
        print()
        print(table(results))
        a, b = results
        print(f"\nspeed-up (p50): {b['p50_ms'] / a['p50_ms']:.0f}x")


if __name__ == "__main__":
    main()
