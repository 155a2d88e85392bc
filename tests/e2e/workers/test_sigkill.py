"""Issue #15, item 3 (SIGKILL): two bot webhook workers on PostgreSQL and Redis, one
of them SIGKILLed 100 times at random points of scripted conversations and started
again each time, while the other keeps serving. The webhook is answered only after
the turn's commit, so a killed turn is delivered again and run (or resumed from its
checkpoint) by a worker: 0 answers lost (each application's answers are the
script's), 0 duplicate submissions, every conversation reaches its tracking code.

The workers are forked from one process that imported the bot once
(tests/e2e/workers/zygote.py): a kill costs a fork, not seconds of imports. Their
Redis chat lock lives WORKER_LOCK_TTL (10) seconds: a killed worker's chats wait that
long, not the default minute."""

from __future__ import annotations

import asyncio
import os
import random
import time
from pathlib import Path

from backend_client import PortalClient
from tests.e2e.workers.cluster import (
    SECRET,
    Databases,
    Processes,
    Zygote,
    applications,
    chat_ids,
    converse,
    documents,
    environment,
    run_cluster,
    start_portal,
    submissions,
    wait_port,
)
from tests.fakes import FakeTelegram
from tests.fakes.telegram_webhooks import WebhookDeliverer
from tests.support.processes import free_port

KILLS = int(os.environ.get("WORKERS_TEST_KILLS", "100"))
AT_ONCE = 12  # conversations under way while the killing goes on


async def test_a_worker_killed_a_hundred_times_loses_no_answer_and_submits_once(
    tmp_path: Path,
) -> None:
    await run_cluster(tmp_path, _run)


async def _run(tg: FakeTelegram, dbs: Databases, procs: Processes, tmp_path: Path) -> None:
    rng = random.Random(3)
    portal_port = free_port()
    portal_url = f"http://127.0.0.1:{portal_port}"
    env = environment(dbs, tg, portal_url, tmp_path)
    steady, victim = free_port(), free_port()
    urls = [f"http://127.0.0.1:{p}/webhook" for p in (steady, victim)]
    env["WEBHOOK_URL"] = urls[0]
    deliverer = WebhookDeliverer(tg, urls, secret_token=SECRET, seed=3, backoff=0.05)
    await deliverer.start()
    zygote = Zygote(procs, env)
    try:
        await start_portal(procs, env, portal_port, workers=1)
        await zygote.ready()
        await zygote.fork(steady)
        pid = await zygote.fork(victim)
        await asyncio.gather(wait_port(steady, None, 60), wait_port(victim, None, 60))

        [reference_chat] = chat_ids(1, base=7_000_000_000)
        await converse(tg, deliverer, reference_chat, rng)
        reference = await _answers(portal_url, reference_chat)

        chats: list[int] = []
        running: set[asyncio.Task[None]] = set()
        pool = iter(chat_ids(10_000, base=7_200_000_000))

        def more() -> None:
            while len(running) < AT_ONCE:
                chat = next(pool)
                chats.append(chat)
                task = asyncio.create_task(
                    converse(tg, deliverer, chat, random.Random(chat), timeout=900)
                )
                running.add(task)
                task.add_done_callback(running.discard)

        restarts: list[float] = []
        for _ in range(KILLS):
            more()
            await asyncio.sleep(rng.uniform(0.05, 0.5))  # somewhere in a turn, or between
            zygote.kill(pid)
            began = time.monotonic()
            pid = await zygote.fork(victim)
            await wait_port(victim, None, 60)
            restarts.append(time.monotonic() - began)
        await asyncio.gather(*running)
        await deliverer.settled(timeout=120)
        cut = sum(a.status is None for a in deliverer.attempts)
        print(
            f"\n{KILLS} kills over {len(chats)} conversations; {cut} deliveries cut; "
            f"restart (fork to listening) median {sorted(restarts)[len(restarts) // 2]:.2f} s"
        )

        citizens = [f"telegram:{chat}" for chat in chats]
        submitted = submissions(dbs.portal.url)
        assert [submitted[c] for c in citizens] == [1] * len(citizens)  # once, and all
        for chat in chats:
            assert await _answers(portal_url, chat) == reference, chat
        # Not the script's answers, but honest about the rest: a create or an upload
        # resumed after a kill may have reached the portal twice.
        apps = applications(dbs.portal.url)
        drafts = sum(len(apps[c]) - 1 for c in citizens)
        photos = documents(dbs.portal.url)
        extra = sum(n - 1 for c, n in photos.items() if c in set(citizens))
        print(f"left by effects run again: {drafts} unused drafts, {extra} extra photos")
        logs = "".join(procs.log(f"worker-{port}", tail=1 << 30) for port in (steady, victim))
        print(
            f"{logs.count('resuming the turn')} turns resumed from a checkpoint, "
            f"{logs.count('already processed')} repeats dropped"
        )
    finally:
        zygote.stop()
        await deliverer.stop()


async def _answers(portal_url: str, chat: int) -> dict[str, object]:
    citizen = f"telegram:{chat}"
    async with PortalClient(portal_url, "dev-bot-token") as portal:
        mine = await portal.my_applications(citizen)
        [app] = [a for a in mine if a.status == "submitted"]
        full = await portal.get_application(citizen, app.id)
        return dict(full.answers)
