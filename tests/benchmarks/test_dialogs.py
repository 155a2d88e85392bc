"""benchmarks/dialogs.py: its schedules, its latency rule, and a smoke run of the
whole flow (portal, bot and fake Telegram as three processes) on SQLite, so that a
change of the conversation cannot silently break the benchmark's scripted flow."""

from __future__ import annotations

import subprocess
import sys
from itertools import pairwise
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from benchmarks.dialogs import FLOW, User, schedule, turn_latencies

ROOT = Path(__file__).resolve().parents[2]


def test_burst_schedule_is_evenly_spaced() -> None:
    assert schedule(4, 2.0, "burst") == [0.0, 0.5, 1.0, 1.5]


def test_poisson_schedule_is_seeded_and_keeps_the_rate() -> None:
    offsets = schedule(5000, 100.0, "poisson")
    assert offsets == schedule(5000, 100.0, "poisson")
    assert offsets[0] == 0.0 and offsets == sorted(offsets)
    gaps = [b - a for a, b in pairwise(offsets)]
    assert 0.009 < sum(gaps) / len(gaps) < 0.011  # mean gap 1/rate
    assert len(set(round(g, 6) for g in gaps)) > 100  # not a fixed tick


def _log(times: list[tuple[str, float]]) -> Any:
    return SimpleNamespace(chat_log={7: [SimpleNamespace(sender=who, time=t) for who, t in times]})


def test_latency_runs_to_the_last_message_from_the_scheduled_time() -> None:
    user = User(7, echo=False)
    user.injected_at = [0.5, 2.0]  # scheduled; the first was sent late, at 1.0
    user.queued_at = [1.0, 2.0]
    user.steps = [0, 1]
    tg = _log([("user", 1.0), ("bot", 1.1), ("bot", 1.3), ("user", 2.0), ("bot", 2.2)])
    [(s0, first), (s1, second)] = turn_latencies(tg, user)
    assert (s0, s1) == (0, 1)
    assert abs(first - 0.8) < 1e-9  # 0.5 -> 1.3: the wait and the last message
    assert abs(second - 0.2) < 1e-9


def test_the_flow_runs_once_on_sqlite() -> None:
    """One user through the whole certified copy at a tiny rate (about 15 s)."""
    run = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "dialogs.py"),
            "--users",
            "1",
            "--rate",
            "20",
            "--db",
            "sqlite",
            "--no-closed",
            "--no-echo",
            "--no-warm",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    [row] = [line for line in run.stdout.splitlines() if line.startswith("sqlite     motcua")]
    assert row.endswith("1/1"), run.stdout  # submitted: both QR codes came back
    assert f"x {len(FLOW)} turns" in run.stdout
