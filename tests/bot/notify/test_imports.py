"""A restarted notifier must be sending within a second: its import graph leaves out
aiogram (3.4 s of `import aiogram.types`), the dialog engine, NLU and the portal."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
NOT_IMPORTED = ("aiogram", "dialogs", "nlu", "portal", "bot.store.repository", "bot.telegram")


def imported_by(statement: str) -> set[str]:
    probe = f"{statement}; import sys, json; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.splitlines()[-1]))


def heavy(modules: set[str]) -> list[str]:
    return sorted(
        m for m in modules if any(m == top or m.startswith(top + ".") for top in NOT_IMPORTED)
    )


def test_the_notifier_process_does_not_import_aiogram_nor_the_dialog_engine() -> None:
    modules = imported_by("import bot.notify.__main__, bot.notify.service")
    assert "bot.notify.service" in modules
    assert heavy(modules) == []


def test_the_supervisor_of_several_workers_imports_little_more() -> None:
    assert heavy(imported_by("import bot.notify.workers")) == []
