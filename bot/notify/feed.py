"""The follower: portal event feed → outbox rows, in one transaction with the cursor.

A page of events is applied in one transaction that also moves the cursor past it,
so a crash at any moment either keeps the whole page (rows and cursor) or none of
it: nothing is lost and, with UNIQUE (event_id, key, kind), nothing is doubled.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, or_, select, update
from sqlalchemy.orm import Session

from backend_client import Backend, Event
from bot.notify.db import Clock, Db, as_utc, aware, table, utcnow
from bot.notify.messages import KIND_OF_EVENT, URGENT_KINDS, render
from bot.notify.models import NotifierCursor, OutboxMessage, Reminder, Subscription
from bot.notify.settings import NotifySettings

log = logging.getLogger(__name__)

CHANNELS = ("telegram:",)  # chat keys the notifier can write to
# Once an application reaches one of these, its due date is no longer at risk.
SAFE_STATUSES = frozenset({"approved", "result_ready", "completed", "rejected", "cancelled"})
ENDED = ("application.cancelled", "application.rejected", "application.completed")


def reachable(key: str | None) -> bool:
    return bool(key) and any(str(key).startswith(p) for p in CHANNELS)


@dataclass
class Catalog:
    """Procedure and document names per slug, fetched once from the portal."""

    portal: Backend
    names: dict[str, Mapping[str, str] | str] = field(default_factory=dict)
    documents: dict[str, dict[str, Mapping[str, str]]] = field(default_factory=dict)

    async def load(self, slugs: set[str]) -> None:
        for slug in slugs - self.names.keys():
            try:
                proc = await self.portal.get_procedure(slug)
            except Exception as exc:  # a name is nice to have; the slug will do
                log.warning("procedure %s: %s", slug, exc)
                self.names[slug] = slug
                continue
            self.names[slug] = proc.name
            self.documents[slug] = {d.code: d.name for d in proc.documents}

    def render(self, kind: str, data: Mapping[str, Any], lang: str) -> dict[str, Any]:
        slug = str(data.get("procedure") or "")
        docs = self.documents.get(slug, {})
        wanted = [docs.get(str(c), str(c)) for c in data.get("documents") or []]
        message = render(kind, data, lang, procedure=self.names.get(slug), documents=wanted)
        return message.payload()


def quiet_until(now: datetime, settings: NotifySettings) -> datetime | None:
    """The end of the quiet hours if `now` falls in them, else None."""
    zone = settings.zone
    local = now.astimezone(zone)
    start, end, t = settings.quiet_start, settings.quiet_end, local.time()
    quiet = (t >= start or t < end) if start > end else (start <= t < end)
    if not quiet:
        return None
    day = local.date() if t < end else local.date() + timedelta(days=1)
    return datetime.combine(day, end, tzinfo=zone)


def not_before(kind: str, now: datetime, settings: NotifySettings) -> datetime:
    if kind in URGENT_KINDS:
        return as_utc(now)
    return as_utc(quiet_until(now, settings) or now)


class _Statements:
    """The follower's per-event writes as Core statements built once (no ORM
    bookkeeping, and SQLAlchemy's compiled cache hits every time)."""

    def __init__(self, db: Db) -> None:
        outbox = db.insert(table(OutboxMessage))
        self.outbox = outbox.on_conflict_do_nothing(index_elements=["event_id", "key", "kind"])
        reminder = db.insert(table(Reminder))
        self.reminder = reminder.on_conflict_do_update(
            index_elements=["application_id", "kind"],
            set_={
                "event_id": reminder.excluded.event_id,
                "data": reminder.excluded.data,
                "due_at": reminder.excluded.due_at,
                "status": reminder.excluded.status,
            },
        )
        reminders = table(Reminder)
        self.cancel = (
            update(reminders)
            .where(
                reminders.c.application_id == bindparam("app_id"),
                reminders.c.kind.in_(bindparam("kinds", expanding=True)),
                reminders.c.status == "pending",
            )
            .values(status="cancelled")
        )


class Follower:
    def __init__(
        self,
        db: Db,
        portal: Backend,
        settings: NotifySettings,
        *,
        clock: Clock = utcnow,
        name: str = "portal",
        on_enqueued: Callable[[], None] | None = None,
    ) -> None:
        self.db = db
        self.portal = portal
        self.settings = settings
        self.clock = clock
        self.name = name
        self.catalog = Catalog(portal)
        self._statements = _Statements(db)
        self.on_enqueued = on_enqueued or (lambda: None)

    # --- the feed --------------------------------------------------------------------

    async def cursor(self) -> int:
        def fn(db: Session) -> int:
            row = db.get(NotifierCursor, self.name)
            return row.last_event_id if row else 0

        return await self.db.run(fn)

    async def step(self) -> int:
        """Apply one page of the feed; returns how many events it held."""
        cursor = await self.cursor()
        page = await self.portal.events(after=cursor, limit=self.settings.feed_page)
        if not page.events:
            return 0
        await self.catalog.load({str(e.data.get("procedure")) for e in page.events})
        # A page is applied a few events per transaction (each moving the cursor past
        # its own events): on SQLite a transaction holds the only write lock, and the
        # sender's 'sent' marks must not wait behind a whole page.
        size = max(1, self.settings.feed_txn_events)
        for start in range(0, len(page.events), size):
            chunk = page.events[start : start + size]
            enqueued = await self.db.run(
                functools.partial(self._apply, cursor=cursor, events=chunk)
            )
            if enqueued is None:
                break  # another follower moved the cursor: read the feed again
            cursor = chunk[-1].id
            if enqueued:
                self.on_enqueued()
        return len(page.events)

    async def catch_up(self) -> int:
        """Follow the feed to its end (tests, and after a wake-up)."""
        total = 0
        while n := await self.step():
            total += n
        total += await self.fire_reminders()
        return total

    def _apply(self, db: Session, cursor: int, events: list[Event]) -> int | None:
        """Outbox rows for `events` and the cursor past them; None if the cursor is no
        longer at `cursor` (nothing written)."""
        row = db.get(NotifierCursor, self.name, with_for_update=True)
        if row is None:
            row = NotifierCursor(name=self.name, last_event_id=0, updated_at=as_utc(self.clock()))
            db.add(row)
            db.flush()
        if row.last_event_id != cursor:
            return None  # another follower moved it meanwhile
        now = as_utc(self.clock())
        enqueued = 0
        for ev in events:
            try:
                enqueued += self._event(db, ev, now)
            except Exception:  # one malformed event must not stop the feed forever
                log.exception("event %s (%s) skipped", ev.id, ev.type)
        row.last_event_id = events[-1].id
        row.updated_at = now
        return enqueued

    def _event(self, db: Session, ev: Event, now: datetime) -> int:
        data = ev.data
        app_id = str(data.get("application_id") or ev.application_id or "")
        if not app_id:
            return 0
        subs = self._subscribers(db, app_id, data)
        self._reminders(db, ev, app_id)
        kind = KIND_OF_EVENT.get(ev.type)
        if kind is None:
            return 0
        return self._enqueue(db, ev.id, app_id, kind, data, subs, now)

    def _subscribers(self, db: Session, app_id: str, data: Mapping[str, Any]) -> list[Subscription]:
        citizen, helper = data.get("citizen"), data.get("assisted_by")
        lang = str(data.get("lang") or "vi")
        # The citizen's own chat when it is one we can write to; else the volunteer
        # who filed the application for them.
        auto = (citizen, "owner") if reachable(citizen) else (helper, "helper")
        code = data.get("tracking_code")
        # One query finds the application's subscribers and, by its tracking code, the
        # relatives who subscribed before any event named it (this runs for every
        # event, inside the write transaction: it has to be cheap).
        cond = Subscription.application_id == app_id
        if code:
            cond = or_(
                cond,
                and_(Subscription.tracking_code == code, Subscription.application_id.is_(None)),
            )
        query = select(Subscription).where(cond).order_by(Subscription.id)
        found = list(db.scalars(query))
        known = {s.key for s in found if s.application_id == app_id}
        if reachable(auto[0]) and auto[0] not in known:
            stmt = self.db.insert(table(Subscription)).values(
                application_id=app_id,
                tracking_code=code,
                key=auto[0],
                lang=lang,
                role=auto[1],
                created_at=as_utc(self.clock()),
            )
            db.execute(stmt.on_conflict_do_nothing(index_elements=["application_id", "key"]))
            found = list(db.scalars(query))
            known = {s.key for s in found if s.application_id == app_id}
        orphans = [s for s in found if s.application_id is None]
        for sub in orphans:
            if sub.key in known:
                db.delete(sub)
            else:
                sub.application_id = app_id
                known.add(sub.key)
        if orphans:
            db.flush()
        return [s for s in found if s.application_id == app_id]

    def _enqueue(
        self,
        db: Session,
        event_id: int,
        app_id: str,
        kind: str,
        data: Mapping[str, Any],
        subs: list[Subscription],
        now: datetime,
    ) -> int:
        if not subs:
            return 0
        when = not_before(kind, now, self.settings)
        payloads: dict[str, dict[str, Any]] = {}
        rows = []
        for sub in subs:
            if sub.lang not in payloads:
                payloads[sub.lang] = self.catalog.render(kind, data, sub.lang)
            rows.append(
                {
                    "event_id": event_id,
                    "application_id": app_id,
                    "key": sub.key,
                    "kind": kind,
                    "payload": payloads[sub.lang],
                    "status": "pending",
                    "attempts": 0,
                    "resent": 0,
                    "not_before": when,
                    "created_at": as_utc(now),
                }
            )
        # executemany of one statement built once: SQLAlchemy compiles it once too.
        db.execute(self._statements.outbox, rows)
        return len(rows)

    # --- reminders -------------------------------------------------------------------

    def _set_reminder(
        self, db: Session, ev: Event, app_id: str, kind: str, due_at: datetime
    ) -> None:
        params = {
            "application_id": app_id,
            "kind": kind,
            "event_id": ev.id,
            "data": ev.data,
            "due_at": as_utc(due_at),
            "status": "pending",
            "created_at": as_utc(self.clock()),
        }
        db.execute(self._statements.reminder, [params])

    def _cancel(self, db: Session, app_id: str, *kinds: str) -> None:
        db.execute(self._statements.cancel, {"app_id": app_id, "kinds": list(kinds)})

    def _reminders(self, db: Session, ev: Event, app_id: str) -> None:
        s = self.settings
        at = aware(ev.created_at)
        if ev.type == "payment.requested":
            self._set_reminder(
                db, ev, app_id, "reminder_unpaid", at + timedelta(hours=s.unpaid_reminder_hours)
            )
        elif ev.type == "application.supplement_requested":
            due = at + timedelta(hours=s.supplement_reminder_hours)
            self._set_reminder(db, ev, app_id, "reminder_supplement", due)
        # One UPDATE for whatever this event cancels (never a kind it also sets).
        cancel: list[str] = []
        if ev.type in ("payment.confirmed", *ENDED):
            cancel.append("reminder_unpaid")
        if ev.type in ("application.resubmitted", *ENDED):
            cancel.append("reminder_supplement")
        status, due_date = ev.data.get("status"), ev.data.get("due_date")
        if status in SAFE_STATUSES or ev.type in ENDED:
            cancel.append("due_at_risk")
        elif due_date:
            day = date.fromisoformat(str(due_date)) - timedelta(days=1)
            due_at = datetime.combine(day, time(s.due_risk_hour), tzinfo=s.zone)
            existing = db.scalar(
                select(Reminder.status).where(
                    Reminder.application_id == app_id, Reminder.kind == "due_at_risk"
                )
            )
            if existing is None or existing == "pending":
                self._set_reminder(db, ev, app_id, "due_at_risk", due_at)
        if cancel:
            self._cancel(db, app_id, *cancel)

    async def fire_reminders(self) -> int:
        """Turn reminders that came due into outbox rows; returns how many rows."""
        now = as_utc(self.clock())

        def due(db: Session) -> list[Reminder]:
            return list(
                db.scalars(
                    select(Reminder).where(Reminder.status == "pending", Reminder.due_at <= now)
                )
            )

        reminders = await self.db.run(due)
        if not reminders:
            return 0
        await self.catalog.load({str(r.data.get("procedure")) for r in reminders})

        def fire(db: Session) -> int:
            count = 0
            ids = [r.id for r in reminders]
            for rem in db.scalars(
                select(Reminder)
                .where(Reminder.id.in_(ids), Reminder.status == "pending")
                .with_for_update(skip_locked=True)
            ):
                rem.status = "done"
                if rem.kind == "due_at_risk" and not self._still_at_risk(rem, now):
                    continue
                subs = list(
                    db.scalars(
                        select(Subscription).where(
                            Subscription.application_id == rem.application_id
                        )
                    )
                )
                count += self._enqueue(
                    db, rem.event_id, rem.application_id, rem.kind, rem.data, subs, now
                )
            return count

        count = await self.db.run(fire)
        if count:
            self.on_enqueued()
        return count

    def _still_at_risk(self, rem: Reminder, now: datetime) -> bool:
        # Only "due tomorrow" is worth a message; a reminder found later is stale.
        due_date = date.fromisoformat(str(rem.data["due_date"]))
        return now.astimezone(self.settings.zone).date() < due_date

    # --- the loop --------------------------------------------------------------------

    async def run(self, wake: asyncio.Event) -> None:
        """Follow the feed until cancelled; `wake` (the portal's webhook) cuts a wait short."""
        while True:
            try:
                while await self.step():
                    pass
                await self.fire_reminders()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the portal down, the database busy: try again later
                log.warning("notifier feed: %s", exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), self.settings.poll_interval)
            wake.clear()
