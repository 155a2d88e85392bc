"""Fixtures of the notifier tests: the real portal in-process (root conftest), a bot
store on SQLite and PostgreSQL (tests/bot/conftest), and the fake Bot API."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import pytest
from aiogram import Bot

from backend_client import Application, PortalClient
from bot.notify import Notifier, NotifySettings
from bot.notify.db import notifier_engine
from bot.store import Store
from bot.telegram.app import create_bot
from tests.fakes.telegram_api import FakeTelegram
from tests.support.clock import FrozenClock
from tests.support.forms import sample_answers
from tests.support.images import MINIMAL_PDF, photo

NewNotifier = Callable[..., Notifier]
Submit = Callable[..., Awaitable[Application]]


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as fake:
        yield fake


@pytest.fixture
async def bot(tg: FakeTelegram) -> AsyncIterator[Bot]:
    b = create_bot("123456:TEST", tg.api_base)
    yield b
    await b.session.close()


@pytest.fixture
def notify_store(bot_db_url: str) -> Iterator[Store]:
    store = Store(notifier_engine(bot_db_url))
    yield store
    store.close()


@pytest.fixture
def notify_settings() -> NotifySettings:
    return NotifySettings(worker="test-worker", backoff_base=0.05, poll_interval=0.05)


@pytest.fixture
async def new_notifier(
    notify_store: Store,
    portal: PortalClient,
    bot: Bot,
    notify_settings: NotifySettings,
    clock: FrozenClock,
) -> AsyncIterator[NewNotifier]:
    """A new Notifier on the same database each call: a restart of the process."""
    made: list[Notifier] = []

    def make(**overrides: Any) -> Notifier:
        settings = notify_settings.model_copy(update=overrides)
        notifier = Notifier(notify_store, portal, bot, settings, clock=clock, idle_poll=0.05)
        made.append(notifier)
        return notifier

    yield make
    for notifier in made:
        await notifier.stop()


@pytest.fixture
def submit(portal: PortalClient, clock: FrozenClock) -> Submit:
    """Submit a complete application (a certified copy by default: it has a fee)."""
    counter = 0

    async def go(
        citizen: str,
        *,
        on_behalf_of: str | None = None,
        lang: str = "vi",
        procedure: str = "certified_copy",
    ) -> Application:
        nonlocal counter
        counter += 1
        proc = await portal.get_procedure(procedure)
        draft = await portal.create_application(
            citizen, proc.slug, on_behalf_of=on_behalf_of, lang=lang
        )
        answers = sample_answers(proc, today=clock().date(), pages=1, copies=1)
        await portal.set_answers(citizen, draft.id, answers)
        for spec in proc.documents:
            if spec.required:
                data = MINIMAL_PDF if spec.accepted == ["pdf"] else photo()
                for _ in range(spec.min_files):
                    await portal.upload_document(citizen, draft.id, spec.code, data)
        return await portal.submit(citizen, draft.id, f"key-{counter}")

    return go
