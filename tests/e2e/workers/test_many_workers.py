"""Issue #15, item 2: two bot webhook workers (`motcua bot`) and two portal workers
(`motcua portal --workers 2`) on PostgreSQL and Redis, the notifier beside them; 200 typed
conversations whose updates go to a random worker, in bursts, some delivered twice.
No turn lost or run twice (each chat's messages are the reference conversation's,
exactly once), each chat's order kept, each application submitted once, and the
clerk's "received" reaches each chat once."""

from __future__ import annotations

import asyncio
import os
import random
import time
from pathlib import Path

from backend_client import StaffClient
from tests.e2e.workers.cluster import (
    SECRET,
    Databases,
    Processes,
    applications,
    chat_ids,
    converse,
    environment,
    normalized,
    run_cluster,
    start_portal,
    submissions,
    wait_port,
)
from tests.fakes import FakeTelegram
from tests.fakes.telegram_webhooks import WebhookDeliverer, chat_of
from tests.support.processes import free_port

CHATS = int(os.environ.get("WORKERS_TEST_CHATS", "200"))


async def test_two_bot_and_two_portal_workers_lose_nothing_and_repeat_nothing(
    tmp_path: Path,
) -> None:
    await run_cluster(tmp_path, _run)


async def _run(tg: FakeTelegram, dbs: Databases, procs: Processes, tmp_path: Path) -> None:
    rng = random.Random(15)
    portal_port = free_port()
    portal_url = f"http://127.0.0.1:{portal_port}"
    env = environment(dbs, tg, portal_url, tmp_path)
    ports = [free_port(), free_port()]
    urls = [f"http://127.0.0.1:{p}/webhook" for p in ports]
    deliverer = WebhookDeliverer(tg, urls, secret_token=SECRET, seed=15, duplicates=0.05)
    await deliverer.start()
    try:
        await start_portal(procs, env, portal_port, workers=2)
        began = time.monotonic()
        bots = [
            procs.start(
                f"bot-{port}",
                ["-m", "motcua", "bot"],
                {**env, "WEBHOOK_PORT": str(port), "WEBHOOK_URL": url},
            )
            for port, url in zip(ports, urls, strict=True)
        ]
        await asyncio.gather(*(wait_port(p, b, 300) for p, b in zip(ports, bots, strict=True)))
        print(f"\ntwo `motcua bot` workers listening after {time.monotonic() - began:.1f} s")
        procs.start("notifier", ["-m", "bot.notify"], env)

        # The reference: one citizen alone, every reply the script gets.
        [reference_chat] = chat_ids(1, base=7_000_000_000)
        await converse(tg, deliverer, reference_chat, rng)
        reference = normalized(tg.sent_messages(reference_chat))
        assert any("<code>" in line for line in reference), "\n---\n".join(reference)

        chats = chat_ids(CHATS)
        began = time.monotonic()
        await asyncio.gather(
            *(converse(tg, deliverer, chat, random.Random(chat)) for chat in chats)
        )
        await deliverer.settled(timeout=120)
        took = time.monotonic() - began
        print(f"{len(chats)} conversations in {took:.1f} s; {len(deliverer.duplicated)} dup")

        for chat in chats:  # no turn lost, none run twice, in order
            assert normalized(tg.sent_messages(chat)) == reference, chat
        _assert_delivered_in_order(deliverer, chats)
        assert {u for u, url in deliverer.acknowledged} >= set(deliverer.duplicated)
        assert len({url for _, url in deliverer.acknowledged}) == 2  # both workers served

        citizens = {f"telegram:{chat}" for chat in [reference_chat, *chats]}
        assert submissions(dbs.portal.url) == dict.fromkeys(citizens, 1)
        apps = applications(dbs.portal.url)
        for citizen in citizens:
            assert [s for _, s in apps[citizen]].count("submitted") == 1, citizen

        await _clerk_receives(portal_url, len(citizens))
        await _each_told_once(tg, [reference_chat, *chats], len(reference))
    finally:
        await deliverer.stop()


def _assert_delivered_in_order(deliverer: WebhookDeliverer, chats: list[int]) -> None:
    """Each chat's first acknowledgements come in the order of its update ids."""
    # A repeat is acknowledged after later updates: the order is the first delivery's.
    by_chat: dict[int, list[int]] = {}
    firsts: set[int] = set()
    for update_id, _ in deliverer.acknowledged:
        if update_id in firsts:
            continue
        firsts.add(update_id)
        chat = _chat_by_update(deliverer, update_id)
        if chat is not None:
            by_chat.setdefault(chat, []).append(update_id)
    for chat in chats:
        assert by_chat[chat] == sorted(by_chat[chat]), chat


def _chat_by_update(deliverer: WebhookDeliverer, update_id: int) -> int | None:
    for injected in deliverer.fake.injected:
        if injected.update_id == update_id:
            chat = chat_of(injected.update)
            return chat if isinstance(chat, int) else None
    return None


async def _clerk_receives(portal_url: str, expected: int) -> None:
    async with StaffClient(portal_url, "demo-clerk-token") as clerk:
        submitted = []
        while batch := await clerk.queue(status="submitted", limit=100, offset=len(submitted)):
            submitted.extend(batch)
        assert len(submitted) == expected
        for app in submitted:
            await clerk.act(app.id, "receive")


async def _each_told_once(tg: FakeTelegram, chats: list[int], before: int) -> None:
    """The notifier's "received" reaches every chat, and only once."""
    deadline = time.monotonic() + 120
    while any(tg.message_count(chat) < before + 1 for chat in chats):
        assert time.monotonic() < deadline, "some chats were never told"
        await asyncio.sleep(0.2)
    await asyncio.sleep(3)  # a second copy would come within the notifier's next rounds
    for chat in chats:
        messages = tg.sent_messages(chat)
        assert len(messages) == before + 1, chat
        assert "received" in messages[-1]["text"] or "tiếp nhận" in messages[-1]["text"]
