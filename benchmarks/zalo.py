"""The Zalo adapter's cost beside the Telegram adapter's: turn latency through each
fake Bot API, the engine replaced by a constant answer, so what is measured is the
channel (receiving, de-duplication, the per-chat queue or aiogram's dispatcher, the
store's load/save, rendering, sending).

    .venv/bin/python benchmarks/zalo.py [--users 50] [--turns 14] [--rate 100]

Both channels run in this process against their fake (tests/fakes, HTTP on loopback),
on a fresh SQLite bot store each, with the same load: `--users` users each sending
`--turns` messages, offered at `--rate` messages per second overall (open loop: a
user's next message goes once its previous one is answered). A turn's latency is from
the update being queued in the fake to the fake holding the bot's answer. The answer
carries two choices (Telegram: an inline keyboard; Zalo: a numbered list). Zalo's
sending limits (ZALO_RATE_PER_SECOND, ZALO_CHAT_RATE) and Telegram's per-chat pacing
are lifted so that the adapters, not the platforms' limits, are compared; `--limits`
keeps Zalo's defaults (10/s overall, 1/s per chat) to show what they cost. Polling:
Telegram long polling (aiogram) against the fake's getUpdates, Zalo's getUpdates
loop likewise.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.settings import BotSettings  # noqa: E402
from bot.store import Store  # noqa: E402
from bot.telegram import TelegramChannel  # noqa: E402
from bot.zalo import ZaloChannel  # noqa: E402
from bot.zalo.api import ZaloApi  # noqa: E402
from dialogs import Btn, Context, Event, Reply, State, Step  # noqa: E402
from tests.fakes import FakeTelegram  # noqa: E402
from tests.fakes.zalo_api import FakeZalo  # noqa: E402

TG_TOKEN = "123456:BENCH"
ZALO_TOKEN = "1:BENCH"


def answer(state: State, event: Event, ctx: Context) -> Step:
    reply = Reply(
        "Dạ, Bác chọn một:",
        buttons=((Btn("Bé trai", "s1:c:m"), Btn("Bé gái", "s1:c:f")),),
        kind="ask",
    )
    return Step(state, [reply], [])


class Contexts:
    """No catalog needed by the constant engine."""

    async def get(self) -> Context:
        return Context(procedures={}, nlu=None, now=datetime.now(UTC))  # type: ignore[arg-type]

    async def procedures(self) -> dict[str, Any]:
        return {}

    bot_link = "https://example.invalid/bot"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


async def drive(
    users: list[Any],
    turns: int,
    rate: float,
    send: Any,
    count: Any,
) -> list[float]:
    """Open loop at `rate`: each tick the next ready user sends; latency per turn."""
    latencies: list[float] = []
    ready: asyncio.Queue[Any] = asyncio.Queue()
    for user in users:
        ready.put_nowait(user)
    remaining = {u: turns for u in users}
    pending: set[asyncio.Task[None]] = set()

    async def one(user: Any) -> None:
        before = count(user)
        start = time.perf_counter()
        send(user, f"tin {turns - remaining[user]}")
        while count(user) <= before:
            await asyncio.sleep(0.001)
        latencies.append((time.perf_counter() - start) * 1000)
        remaining[user] -= 1
        if remaining[user]:
            ready.put_nowait(user)

    total = len(users) * turns
    for _ in range(total):
        user = await ready.get()
        task = asyncio.create_task(one(user))
        pending.add(task)
        task.add_done_callback(pending.discard)
        await asyncio.sleep(1 / rate)
    await asyncio.gather(*pending)
    return latencies


async def telegram(n: int, turns: int, rate: float, folder: Path) -> list[float]:
    async with FakeTelegram() as tg:
        store = Store.migrated(f"sqlite:///{folder / 'tg.sqlite3'}")
        settings = BotSettings(telegram_bot_token=TG_TOKEN, telegram_api_base=tg.api_base)
        channel = TelegramChannel.build(
            settings,
            backend=None,  # type: ignore[arg-type]
            store=store,
            contexts=Contexts(),  # type: ignore[arg-type]
            engine_handle=answer,
        )
        channel.handlers.typing_after = 60.0  # as for a quick turn: no "typing..."
        mark = tg.mark()
        polling = asyncio.create_task(
            channel.dispatcher.start_polling(channel.bot, polling_timeout=1, handle_signals=False)
        )
        await tg.wait_for("setMyCommands", timeout=10, since=mark)
        try:
            return await drive(
                list(range(10_001, 10_001 + n)),
                turns,
                rate,
                lambda u, text: tg.user_sends_text(u, text),
                tg.message_count,
            )
        finally:
            await channel.dispatcher.stop_polling()
            await polling
            await channel.bot.session.close()
            store.close()


async def zalo(n: int, turns: int, rate: float, folder: Path, limits: bool) -> list[float]:
    async with FakeZalo() as fake:
        store = Store.migrated(f"sqlite:///{folder / 'zalo.sqlite3'}")
        extra = {} if limits else {"zalo_rate_per_second": 1e6, "zalo_chat_rate": 1e6}
        settings = BotSettings(zalo_bot_token=ZALO_TOKEN, zalo_api_base=fake.api_base, **extra)
        channel = ZaloChannel.build(
            settings,
            backend=None,  # type: ignore[arg-type]
            store=store,
            api=ZaloApi(ZALO_TOKEN, fake.api_base),
            contexts=Contexts(),  # type: ignore[arg-type]
            engine_handle=answer,
        )
        polling = asyncio.create_task(channel.run_polling(timeout=1))
        try:
            return await drive(
                [f"z{i}" for i in range(n)],
                turns,
                rate,
                lambda u, text: fake.user_sends_text(u, text),
                fake.message_count,
            )
        finally:
            polling.cancel()
            await asyncio.gather(polling, return_exceptions=True)
            await channel.aclose()
            store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--turns", type=int, default=14)
    parser.add_argument("--rate", type=float, default=100.0, help="offered turns per second")
    parser.add_argument("--limits", action="store_true", help="keep Zalo's sending limits")
    args = parser.parse_args()

    async def run() -> None:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            tg = await telegram(args.users, args.turns, args.rate, folder)
            za = await zalo(args.users, args.turns, args.rate, folder, args.limits)
        print(
            f"{args.users} users x {args.turns} turns at {args.rate:g}/s offered, "
            f"constant engine, SQLite store, fakes in this process"
        )
        print(f"{'channel':10} {'turns':>6} {'p50 ms':>8} {'p99 ms':>8}")
        for name, values in (("telegram", tg), ("zalo", za)):
            print(f"{name:10} {len(values):6d} {pct(values, 0.5):8.1f} {pct(values, 0.99):8.1f}")
        print(
            f"zalo/telegram: p50 {pct(za, 0.5) / pct(tg, 0.5):.2f}x, "
            f"p99 {pct(za, 0.99) / pct(tg, 0.99):.2f}x"
        )

    asyncio.run(run())


if __name__ == "__main__":
    main()
