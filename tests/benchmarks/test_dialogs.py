"""benchmarks/dialogs.py: its schedules, its latency rule, its webhook pusher, and
smoke runs of the whole flow (portal, bot and fake Telegram in their own processes) on
SQLite, and with two workers on PostgreSQL and Redis, so that a change of the
conversation cannot silently break the benchmark's scripted flow."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from itertools import pairwise
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from aiohttp import web

from benchmarks.dialogs import (
    ANSWER_STEPS,
    FLOW,
    Row,
    StepCPU,
    User,
    WebhookPusher,
    fine_cpu_seconds,
    portal_server,
    process_tree,
    redis_reachable,
    schedule,
    spent_since,
    turn_latencies,
)
from benchmarks.portal import free_port
from tests.fakes.telegram_api import FakeTelegram
from tests.support.databases import postgres_reachable

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


async def test_the_pusher_keeps_each_chats_order_and_serves_chats_at_once() -> None:
    """A slow answer to one chat holds back that chat's next update only."""
    seen: list[tuple[str, str]] = []
    slow_started = asyncio.Event()

    async def webhook(request: web.Request) -> web.Response:
        update = await request.json()
        text = update["message"]["text"]
        seen.append(("start", text))
        if text == "a1":
            slow_started.set()
            await asyncio.sleep(0.5)
        seen.append(("end", text))
        return web.json_response({})

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        async with FakeTelegram() as tg:
            pusher = await WebhookPusher(tg, f"http://127.0.0.1:{port}/webhook").start()
            try:
                tg.user_sends_text(1, "a1")
                tg.user_sends_text(1, "a2")
                await asyncio.wait_for(slow_started.wait(), 5)
                tg.user_sends_text(2, "b1")
                deadline = time.monotonic() + 5
                while len(seen) < 6 and time.monotonic() < deadline:
                    await asyncio.sleep(0.02)
            finally:
                await pusher.stop()
    finally:
        await runner.cleanup()
    order = [f"{what} {text}" for what, text in seen]
    assert order.index("end b1") < order.index("end a1")  # chat 2 did not wait for chat 1
    assert order.index("end a1") < order.index("start a2")  # chat 1 kept its order
    assert len(order) == 6


def test_process_tree_counts_the_children() -> None:
    """The portal's CPU is its supervisor's and every worker's under it."""
    code = "import subprocess, sys; subprocess.run([sys.executable, '-c', 'input()'])"
    parent = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 10
        while len(process_tree([parent.pid])) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(process_tree([parent.pid])) == 2
    finally:
        parent.communicate(b"\n", timeout=10)


def test_the_answer_turns_are_the_five_form_answers() -> None:
    assert [FLOW[i] for i in ANSWER_STEPS] == [
        ("text", "Sổ đỏ"),
        ("text", "3"),
        ("text", "2"),
        ("text", "Lê Thị Mai"),
        ("text", "0905 123 456"),
    ]


def test_answer_turn_cpu_is_the_mean_over_the_answer_steps_only() -> None:
    row = Row("sqlite", "motcua", 40, 0, 1, 2, 0, 0, 1)
    assert row.answer_cpu() is None  # no --cpu-steps
    nan = float("nan")
    row.steps = [StepCPU(0, 5, 100.0, 0.0, nan, 9.0)]  # /start: not an answer
    row.steps += [StepCPU(i, 5, float(i), 2 * float(i), nan, 1.0) for i in ANSWER_STEPS]
    mean = row.answer_cpu()
    assert mean is not None
    expected = sum(ANSWER_STEPS) / len(ANSWER_STEPS)
    assert (mean.bot, mean.portal, mean.driver) == (expected, 2 * expected, 1.0)
    assert mean.turns == 5 * len(ANSWER_STEPS)


def test_an_optional_press_not_offered_is_skipped_not_sent() -> None:
    """The bot moved on without "Xong": the user's next turn is the submit button."""
    xong = next(i for i, (kind, _) in enumerate(FLOW) if kind == "press?")
    user = User(7, echo=False, step=xong)
    button = {"text": "Nộp hồ sơ", "callback_data": "submit"}
    offered = SimpleNamespace(sender="bot", reply_markup={"inline_keyboard": [[button]]})
    user.skip_unoffered(SimpleNamespace(chat_log={7: [offered]}))  # type: ignore[arg-type]
    assert (user.step, user.sent) == (xong + 1, 0)


def test_fine_cpu_time_of_a_process_grows_with_its_work() -> None:
    before = fine_cpu_seconds(os.getpid())
    sum(i * i for i in range(200_000))
    assert fine_cpu_seconds(os.getpid()) > before > 0


def test_a_thread_that_exits_between_samples_takes_only_its_own_time() -> None:
    """The portal's idle worker threads exit: the step's CPU must not go negative."""
    before = {(1, 1): 5.0, (1, 2): 3.0}
    after = {(1, 1): 6.0, (1, 3): 0.5}  # thread 2 exited, thread 3 started
    assert spent_since(before, after) == 1.5


def test_the_portal_runs_on_what_motcua_portal_names() -> None:
    """uvicorn's protocol and loop as `motcua portal` and its workers pass them."""
    from portal import workers

    assert portal_server() == ["--http", workers.HTTP, "--loop", workers.LOOP]


def run_bench(*args: str) -> str:
    run = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "dialogs.py"), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    return run.stdout


def test_the_flow_runs_once_on_sqlite() -> None:
    """One user through the whole certified copy at a tiny rate, then once more step by
    step for the CPU per step, then the closed loops (about 40 s)."""
    out = run_bench(
        *("--users", "1", "--rate", "20", "--db", "sqlite"),
        *("--no-echo", "--no-warm", "--cpu-steps"),
    )
    [row] = [line for line in out.splitlines() if line.startswith("sqlite     motcua")]
    assert row.split()[2:4] == ["1", "webhook"], out
    assert row.split()[-1] == "1/1", out  # submitted: both QR codes came back
    assert f"x {len(FLOW)} turns" in out
    # Every step of the flow has its line: one turn (the optional "Xong" if offered).
    lines = out.splitlines()
    first = lines.index(next(line for line in lines if "CPU per turn by step" in line))
    steps = lines[first + 2 : first + 2 + len(FLOW)]
    for index, line in enumerate(steps):
        assert line.split()[0].startswith(str(index + 1)), out
        optional = FLOW[index][0] == "press?"
        assert " 1  " in line or (optional and "(not offered)" in line), out
    assert "answer turn CPU (mean of the * steps)" in lines[first + 2 + len(FLOW)], out
    [note] = [line for line in lines if line.startswith("| sqlite | Mot Cua |")]
    answer = note.split("|")[5].split(" / ")  # "bot / portal" ms of the answer turns
    assert len(answer) == 2 and all(float(ms) > 0 for ms in answer), note
    # Capacity: the steady closed loop (a new citizen replacing each who submits) went on
    # past one conversation in its 6 s, and the machine's busy share is a percentage.
    capacity, busy = note.split("|")[7].split()
    assert float(capacity) > len(FLOW) / 6, note
    assert busy.startswith("(") and busy.endswith("%)") and 0 < int(busy[1:-2]) <= 100, note
    assert float(note.split("|")[8]) > 0, note  # the lockstep closed loop


def test_two_workers_on_postgresql_and_redis() -> None:
    """Two bot workers on one port and two portal workers: the flow still completes, and
    the closing-note table says so (about 30 s)."""
    if not postgres_reachable():
        pytest.skip("no PostgreSQL server reachable at TEST_POSTGRES_URL / 127.0.0.1:5432")
    if not redis_reachable("redis://127.0.0.1:6379/0"):
        pytest.skip("no Redis server reachable at 127.0.0.1:6379")
    out = run_bench(
        *("--users", "2", "--rate", "20", "--db", "postgresql", "--workers", "2"),
        *("--no-closed", "--no-echo", "--no-warm"),
    )
    [row] = [line for line in out.splitlines() if line.startswith("postgresql motcua")]
    assert row.split()[2:4] == ["2", "webhook"], out
    assert "2/2" in row.split(), out
    assert "| postgresql | Mot Cua | 2 webhook |" in out
