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
from nlu.evaluation import evaluate, format_report, read_examples


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
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--errors", is_flag=True, help="Also list the misunderstood examples.")
def eval_(path: Path, as_json: bool, errors: bool) -> None:
    """Score intents and entities on a .jsonl file or a folder of them."""
    report = evaluate(get_default_nlu(), read_examples(path))
    if as_json:
        data = report.as_dict()
        if errors:
            data["errors"] = report.errors
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    click.echo(format_report(report))
    if errors:
        click.echo("\nerrors")
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
