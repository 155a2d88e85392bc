"""Who follows which application: the owner (added by the follower at the first event),
and relatives or helpers who subscribe with the tracking code — from the conversation
(the bot's "follow this application" button) or through `Notifier.subscribe`."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol, TypeVar

from sqlalchemy import Engine, or_, select
from sqlalchemy.orm import Session, sessionmaker

from bot.notify.db import Clock, as_utc, utcnow
from bot.notify.models import Subscription

if TYPE_CHECKING:
    from backend_client import TrackResult
    from bot.notify.portal import NotifierPortal

T = TypeVar("T")
Role = Literal["owner", "relative", "helper"]


class Run(Protocol):
    def __call__(self, fn: Callable[[Session], T], /) -> Awaitable[T]: ...


def session_runner(engine: Engine) -> Run:
    """One short transaction in a worker thread (the bot's side; the notifier passes
    its own `Db.run`, whose SQLite lane orders it with the follower's writes)."""
    sessions = sessionmaker(engine, expire_on_commit=False)

    async def run(fn: Callable[[Session], T]) -> T:
        def work() -> T:
            with sessions() as db:
                result = fn(db)
                db.commit()
                return result

        return await asyncio.to_thread(work)

    return run


@dataclass(frozen=True)
class Followed:
    tracking_code: str
    procedure_name: dict[str, str]
    already: bool  # this chat was following it before


class Subscriptions:
    def __init__(self, run: Run, portal: NotifierPortal, clock: Clock = utcnow) -> None:
        self._run = run
        self.portal = portal
        self.clock = clock

    @classmethod
    def over(cls, engine: Engine, portal: NotifierPortal) -> Subscriptions:
        return cls(session_runner(engine), portal)

    async def subscribe(
        self, key: str, tracking_code: str, *, lang: str = "vi", role: Role = "relative"
    ) -> Followed:
        """Follow an application by its tracking code (checked with the portal: raises
        backend_client.NotFoundError for an unknown code, ValidationFailedError for
        a malformed one). Following twice is following once."""
        found: TrackResult = await self.portal.track(tracking_code, key)
        code = found.tracking_code
        now = as_utc(self.clock())

        def fn(db: Session) -> bool:
            # The application id comes with its next event (the lookup does not give it).
            app_id = db.scalar(
                select(Subscription.application_id)
                .where(Subscription.tracking_code == code, Subscription.application_id.is_not(None))
                .limit(1)
            )
            same = Subscription.tracking_code == code
            if app_id is not None:
                # The owner's row may predate the code (a draft has none).
                same = or_(same, Subscription.application_id == app_id)
            known = db.scalar(select(Subscription).where(same, Subscription.key == key).limit(1))
            if known is not None:
                known.lang = lang
                if known.role == "relative":  # never demote the owner or the helper
                    known.role = role
                return True
            db.add(
                Subscription(
                    application_id=app_id,
                    tracking_code=code,
                    key=key,
                    lang=lang,
                    role=role,
                    created_at=now,
                )
            )
            return False

        already = await self._run(fn)
        return Followed(code, dict(found.procedure_name), already)

    async def unsubscribe(self, key: str, tracking_code: str) -> bool:
        found = await self.portal.track(tracking_code, key)
        code = found.tracking_code

        def fn(db: Session) -> bool:
            app_ids = select(Subscription.application_id).where(
                Subscription.tracking_code == code, Subscription.application_id.is_not(None)
            )
            rows = list(
                db.scalars(
                    select(Subscription).where(
                        or_(
                            Subscription.tracking_code == code,
                            Subscription.application_id.in_(app_ids),
                        ),
                        Subscription.key == key,
                    )
                )
            )
            for row in rows:
                db.delete(row)
            return bool(rows)

        return await self._run(fn)

    async def of(self, key: str) -> list[Subscription]:
        def fn(db: Session) -> list[Subscription]:
            query = select(Subscription).where(Subscription.key == key)
            return list(db.scalars(query.order_by(Subscription.id)))

        return await self._run(fn)
