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
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from bot.notify.db import Clock, Db, as_utc, aware, table, utcnow
from bot.notify.messages import KIND_OF_EVENT, URGENT_KINDS, render
from bot.notify.models import NotifierCursor, OutboxMessage, Reminder, Subscription
from bot.notify.settings import NotifySettings

if TYPE_CHECKING:  # the client itself is imported by whoever builds the follower
    from backend_client import Event
    from bot.notify.portal import NotifierPortal

log = logging.getLogger(__name__)

# Chat keys the notifier can write to: a prefix ending in ":" takes a whole channel,
# anything else one chat (the terminal's news follow only its own chat).
CHANNELS = ("telegram:",)
# The channels whose notifiers share one bot store: a reminder is fired once, by
# whichever follower finds it due, so it writes the rows of all of them (each sender
# takes only its own channel's rows).
SHARED_CHANNELS = ("telegram:", "zalo:")
# Once an application reaches one of these, its due date is no longer at risk.
SAFE_STATUSES = frozenset({"approved", "result_ready", "completed", "rejected", "cancelled"})
ENDED = ("application.cancelled", "application.rejected", "application.completed")


class Recipient(NamedTuple):
    """A chat following an application, and why: the owner (or the volunteer who filed
    for a citizen without a chat) or a relative who followed with the code."""

    key: str
    lang: str
    role: str


def reachable(key: str | None, channels: tuple[str, ...] = CHANNELS) -> bool:
    return bool(key) and any(
        str(key).startswith(p) if p.endswith(":") else key == p for p in channels
    )


@dataclass
class Catalog:
    """Procedure and document names per slug, fetched once from the portal."""

    portal: NotifierPortal
    names: dict[str, Mapping[str, str] | str] = field(default_factory=dict)
    documents: dict[str, dict[str, Mapping[str, str]]] = field(default_factory=dict)
    fields: dict[str, dict[str, Mapping[str, str]]] = field(default_factory=dict)

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
            self.fields[slug] = {f.name: f.short_label or f.label for f in proc.fields}

    def render(
        self, kind: str, data: Mapping[str, Any], lang: str, *, follower: bool = False
    ) -> dict[str, Any]:
        slug = str(data.get("procedure") or "")
        docs = self.documents.get(slug, {})
        wanted = [docs.get(str(c), str(c)) for c in data.get("documents") or []]
        labels = self.fields.get(slug, {})
        answers = [labels.get(str(f), str(f)) for f in data.get("fields") or []]
        message = render(
            kind,
            data,
            lang,
            procedure=self.names.get(slug),
            documents=wanted,
            follower=follower,
            answers=answers,
        )
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
                reminders.c.kind == bindparam("reminder_kind"),
                reminders.c.status == "pending",
            )
            .values(status="cancelled")
        )
        subscriptions = db.insert(table(Subscription))
        self.subscription = subscriptions.on_conflict_do_nothing(
            index_elements=["application_id", "key"]
        )


def app_id_of(ev: Event) -> str:
    return str(ev.data.get("application_id") or ev.application_id or "")


@dataclass
class _ReminderState:
    status: str
    params: dict[str, Any] | None = None  # set by this chunk: the whole row to upsert
    cancelled: bool = False  # a stored pending reminder cancelled by this chunk


@dataclass
class _Chunk:
    """What one transaction of the follower reads up front and writes at the end, so
    that a chunk of events costs a handful of statements whatever its size (on
    PostgreSQL every statement is a round trip). Events are still applied one after
    the other, in memory, in feed order."""

    subs: dict[str, list[Recipient]]  # application id → its chats
    orphans: dict[str, list[Subscription]]  # tracking code → subscriptions without an id
    reminders: dict[tuple[str, str], _ReminderState]
    new_subs: list[dict[str, Any]] = field(default_factory=list)
    outbox: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def load(cls, db: Session, events: list[Event]) -> _Chunk:
        app_ids = {a for a in map(app_id_of, events) if a}
        codes = {str(c) for e in events if (c := e.data.get("tracking_code"))}
        cond: ColumnElement[bool] = Subscription.application_id.in_(app_ids)
        if codes:
            orphan = Subscription.tracking_code.in_(codes) & Subscription.application_id.is_(None)
            cond = or_(cond, orphan)
        subs: dict[str, list[Recipient]] = {}
        orphans: dict[str, list[Subscription]] = {}
        for sub in db.scalars(select(Subscription).where(cond).order_by(Subscription.id)):
            if sub.application_id is None:
                orphans.setdefault(str(sub.tracking_code), []).append(sub)
            else:
                recipient = Recipient(sub.key, sub.lang, sub.role)
                subs.setdefault(sub.application_id, []).append(recipient)
        reminders = {
            (r.application_id, r.kind): _ReminderState(r.status)
            for r in db.execute(
                select(Reminder.application_id, Reminder.kind, Reminder.status).where(
                    Reminder.application_id.in_(app_ids)
                )
            )
        }
        return cls(subs, orphans, reminders)

    def set_reminder(
        self, ev: Event, app_id: str, kind: str, due_at: datetime, now: datetime
    ) -> None:
        self.reminders[(app_id, kind)] = _ReminderState(
            "pending",
            params={
                "application_id": app_id,
                "kind": kind,
                "event_id": ev.id,
                "data": ev.data,
                "due_at": as_utc(due_at),
                "created_at": now,
            },
        )

    def cancel(self, app_id: str, kind: str) -> None:
        state = self.reminders.get((app_id, kind))
        if state is not None and state.status == "pending":
            state.status = "cancelled"
            state.cancelled = True

    def write(self, db: Session, statements: _Statements) -> None:
        if self.new_subs:
            db.execute(statements.subscription, self.new_subs)
        db.flush()  # adopted and deleted orphans
        upserts = [
            {**state.params, "status": state.status}
            for state in self.reminders.values()
            if state.params is not None
        ]
        if upserts:
            db.execute(statements.reminder, upserts)
        cancels = [
            {"app_id": app_id, "reminder_kind": kind}
            for (app_id, kind), state in self.reminders.items()
            if state.params is None and state.cancelled
        ]
        if cancels:
            db.execute(statements.cancel, cancels)
        if self.outbox:
            # executemany of one statement built once: SQLAlchemy compiles it once too.
            db.execute(statements.outbox, self.outbox)


class Follower:
    def __init__(
        self,
        db: Db,
        portal: NotifierPortal,
        settings: NotifySettings,
        *,
        clock: Clock = utcnow,
        name: str = "portal",
        on_enqueued: Callable[[], None] | None = None,
        channels: tuple[str, ...] = CHANNELS,
    ) -> None:
        self.db = db
        self.channels = channels
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
        # On SQLite a page is applied a few events per transaction (each moving the
        # cursor past its own events): a transaction holds the only write lock, and the
        # sender's 'sent' marks must not wait behind a whole page.
        size = self.settings.feed_txn_events or (
            4 if self.db.dialect == "sqlite" else len(page.events)
        )
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
        chunk = _Chunk.load(db, events)
        for ev in events:
            try:
                self._event(db, chunk, ev, now)
            except Exception:  # one malformed event must not stop the feed forever
                log.exception("event %s (%s) skipped", ev.id, ev.type)
        chunk.write(db, self._statements)
        row.last_event_id = events[-1].id
        row.updated_at = now
        return len(chunk.outbox)

    def _event(self, db: Session, chunk: _Chunk, ev: Event, now: datetime) -> None:
        data = ev.data
        app_id = app_id_of(ev)
        if not app_id:
            return
        subs = self._subscribers(db, chunk, app_id, data, now)
        self._reminders(chunk, ev, app_id)
        kind = KIND_OF_EVENT.get(ev.type)
        if kind is not None:
            chunk.outbox.extend(self._rows(ev.id, app_id, kind, data, subs, now))

    def _subscribers(
        self, db: Session, chunk: _Chunk, app_id: str, data: Mapping[str, Any], now: datetime
    ) -> list[Recipient]:
        """Every chat following the application, adding the owner
        (or the helper) and adopting relatives who subscribed by tracking code."""
        citizen, helper = data.get("citizen"), data.get("assisted_by")
        # The citizen's own chat when it is one we can write to; else the volunteer
        # who filed the application for them.
        auto = (citizen, "owner") if reachable(citizen, self.channels) else (helper, "helper")
        code = data.get("tracking_code")
        subs = chunk.subs.setdefault(app_id, [])
        known = {r.key for r in subs}
        if reachable(auto[0], self.channels) and auto[0] not in known:
            lang = str(data.get("lang") or "vi")
            chunk.new_subs.append(
                {
                    "application_id": app_id,
                    "tracking_code": code,
                    "key": auto[0],
                    "lang": lang,
                    "role": auto[1],
                    "created_at": as_utc(now),
                }
            )
            subs.append(Recipient(str(auto[0]), lang, auto[1]))
            known.add(str(auto[0]))
        # Relatives who subscribed with the code before any event named the application.
        for orphan in chunk.orphans.pop(str(code), []) if code else []:
            if orphan.key in known:
                db.delete(orphan)
            else:
                orphan.application_id = app_id
                subs.append(Recipient(orphan.key, orphan.lang, orphan.role))
                known.add(orphan.key)
        return subs

    def _rows(
        self,
        event_id: int,
        app_id: str,
        kind: str,
        data: Mapping[str, Any],
        subs: list[Recipient],
        now: datetime,
        channels: tuple[str, ...] | None = None,
    ) -> list[dict[str, Any]]:
        when = not_before(kind, now, self.settings)
        payloads: dict[tuple[str, bool], dict[str, Any]] = {}
        rows = []
        for key, lang, role in subs:
            if not reachable(key, channels or self.channels):
                continue  # another channel's chat: its own notifier writes to it
            # A relative can stop the news from the message itself; the owner is not
            # offered a button that one wrong tap would silence.
            variant = (lang, role == "relative")
            if variant not in payloads:
                payloads[variant] = self.catalog.render(kind, data, lang, follower=variant[1])
            rows.append(
                {
                    "event_id": event_id,
                    "application_id": app_id,
                    "key": key,
                    "kind": kind,
                    "payload": payloads[variant],
                    "status": "pending",
                    "attempts": 0,
                    "resent": 0,
                    "not_before": when,
                    "created_at": as_utc(now),
                }
            )
        return rows

    # --- reminders -------------------------------------------------------------------

    def _reminders(self, chunk: _Chunk, ev: Event, app_id: str) -> None:
        s = self.settings
        at = aware(ev.created_at)
        if ev.type == "payment.requested":
            due = at + timedelta(hours=s.unpaid_reminder_hours)
            chunk.set_reminder(ev, app_id, "reminder_unpaid", due, as_utc(self.clock()))
        elif ev.type == "application.supplement_requested":
            due = at + timedelta(hours=s.supplement_reminder_hours)
            chunk.set_reminder(ev, app_id, "reminder_supplement", due, as_utc(self.clock()))
        if ev.type in ("payment.confirmed", *ENDED):
            chunk.cancel(app_id, "reminder_unpaid")
        if ev.type in ("application.resubmitted", *ENDED):
            chunk.cancel(app_id, "reminder_supplement")
        status, due_date = ev.data.get("status"), ev.data.get("due_date")
        if status in SAFE_STATUSES or ev.type in ENDED:
            chunk.cancel(app_id, "due_at_risk")
        elif due_date:
            day = date.fromisoformat(str(due_date)) - timedelta(days=1)
            due_at = datetime.combine(day, time(s.due_risk_hour), tzinfo=s.zone)
            existing = chunk.reminders.get((app_id, "due_at_risk"))
            if existing is None and due_at <= at:
                # Due tomorrow and sent after the moment to warn (a same-day paper sent in
                # the afternoon): the office has had no time to fall behind, and a warning
                # at once would alarm the citizen who has just sent it.
                pass
            elif existing is None or existing.status == "pending":
                chunk.set_reminder(ev, app_id, "due_at_risk", due_at, as_utc(self.clock()))

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
                subs = db.execute(
                    select(Subscription.key, Subscription.lang, Subscription.role)
                    .where(Subscription.application_id == rem.application_id)
                    .order_by(Subscription.id)
                )
                rows = self._rows(
                    rem.event_id,
                    rem.application_id,
                    rem.kind,
                    rem.data,
                    [Recipient(*row) for row in subs],
                    now,
                    self.channels + SHARED_CHANNELS,
                )
                if rows:
                    db.execute(self._statements.outbox, rows)
                count += len(rows)
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
