"""Optional push of the event feed to one consumer (the bot's notifier).

The feed stays the source of truth: the push only wakes a consumer early. It
delivers batches in order from a cursor kept in the database, signs each body
with HMAC-SHA256 (header X-Signature), and backs off exponentially on failure.

Every portal worker starts a pusher, but only one pushes at a time (`Leadership`):
on PostgreSQL the holder of a session advisory lock, taken on a connection of its
own, so the lock goes with that worker's connection when the worker dies and a
standby takes over within `standby_seconds`. Delivery is at least once: a leader
killed between the consumer's answer and saving the cursor leaves that batch to be
pushed again by the next one (the consumer goes by event id).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import os

import httpx
from sqlalchemy import Connection, Engine, select, text

from portal.db.models import WebhookCursor
from portal.services import events
from portal.services.context import PortalContext

log = logging.getLogger("portal.webhooks")
CURSOR_NAME = "event_webhook"
# Any fixed number, not the event feed's own (portal.services.events): the session
# advisory lock whose holder is the one worker that pushes.
LEADER_LOCK = 7_205_319
# The leader's lock connection is named so an operator (and the tests) can see who
# pushes: SELECT application_name FROM pg_stat_activity WHERE application_name LIKE ...
LEADER_APP_NAME = "motcua-event-pusher"


class Leadership:
    """Whether this process may push. On PostgreSQL, held while a dedicated connection
    holds `pg_try_advisory_lock(key)`; on SQLite (one process by design) always."""

    def __init__(self, engine: Engine, key: int = LEADER_LOCK) -> None:
        self.engine = engine
        self.key = key
        self.shared = engine.dialect.name == "postgresql"
        self._conn: Connection | None = None

    def acquire(self) -> bool:
        """Try once to lead (blocking I/O: call in a thread)."""
        if not self.shared:
            return True
        if self._conn is not None:
            return self.still_held()
        conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        conn.detach()  # its own connection: closed for real, never handed to a request
        try:
            conn.execute(
                text("SELECT set_config('application_name', :n, false)"),
                {"n": f"{LEADER_APP_NAME} pid={os.getpid()}"},
            )
            won = bool(conn.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": self.key}))
        except Exception:
            conn.invalidate()
            conn.close()
            raise
        if not won:
            conn.close()
            return False
        self._conn = conn
        return True

    def still_held(self) -> bool:
        """False once the lock connection is gone (database restarted, network cut): a
        session lock dies with its session, so someone else may lead by now."""
        if not self.shared:
            return True
        if self._conn is None:
            return False
        try:
            self._conn.execute(text("SELECT 1"))
            return True
        except Exception as exc:
            log.warning("event webhook: lost the leader's connection (%s)", exc)
            self._drop(invalidate=True)
            return False

    def release(self) -> None:
        if self._conn is None:
            return
        try:
            self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self.key})
            self._drop(invalidate=False)
        except Exception:
            self._drop(invalidate=True)

    def _drop(self, *, invalidate: bool) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            if invalidate:
                conn.invalidate()
            conn.close()
        except Exception:  # the connection is gone either way
            log.debug("closing the leader's connection failed", exc_info=True)


def signature(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class EventPusher:
    def __init__(
        self,
        ctx: PortalContext,
        url: str,
        *,
        poll_seconds: float = 1.0,
        batch: int = 100,
        max_backoff: float = 60.0,
        standby_seconds: float = 2.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.ctx = ctx
        self.url = url
        self.poll_seconds = poll_seconds
        self.batch = batch
        self.max_backoff = max_backoff
        self.standby_seconds = standby_seconds
        self.leadership = Leadership(ctx.engine)
        self._client = httpx.AsyncClient(timeout=10.0, transport=transport)
        self._task: asyncio.Task[None] | None = None
        self.failures = 0

    @classmethod
    def start_if_configured(cls, ctx: PortalContext) -> EventPusher | None:
        if not ctx.settings.event_webhook_url:
            return None
        pusher = cls(ctx, ctx.settings.event_webhook_url)
        pusher.start()
        return pusher

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="event-webhook")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await asyncio.to_thread(self.leadership.release)
        await self._client.aclose()

    def _load(self) -> tuple[int, list[dict[str, object]]]:
        with self.ctx.sessions() as db:
            row = db.scalar(select(WebhookCursor).where(WebhookCursor.name == CURSOR_NAME))
            cursor = row.last_event_id if row else 0
            rows = events.after(db, cursor, self.batch)
            return cursor, [
                {
                    "id": e.id,
                    "type": e.type,
                    "application_id": e.application_id,
                    "data": e.data,
                    "created_at": e.created_at.isoformat(),
                }
                for e in rows
            ]

    def _save(self, last_id: int) -> None:
        with self.ctx.sessions() as db:
            row = db.get(WebhookCursor, CURSOR_NAME)
            if row is None:
                db.add(WebhookCursor(name=CURSOR_NAME, last_event_id=last_id))
            else:
                row.last_event_id = max(row.last_event_id, last_id)
            db.commit()

    async def push_once(self) -> int:
        """Deliver one batch; returns how many events were delivered (0 when idle)."""
        _, batch = await asyncio.to_thread(self._load)
        if not batch:
            return 0
        body = json.dumps({"events": batch}, ensure_ascii=False).encode()
        sig = signature(self.ctx.settings.event_webhook_secret, body)
        response = await self._client.post(
            self.url,
            content=body,
            headers={"Content-Type": "application/json", "X-Signature": sig},
        )
        response.raise_for_status()
        last = batch[-1]["id"]
        assert isinstance(last, int)
        await asyncio.to_thread(self._save, last)
        return len(batch)

    async def _run(self) -> None:
        """Stand by until this worker leads, push while it does, stand by again."""
        while True:
            try:
                leading = await asyncio.to_thread(self.leadership.acquire)
            except Exception as exc:  # the database is away: try again later
                log.warning("event webhook: cannot reach the database (%s)", exc)
                leading = False
            if not leading:
                await asyncio.sleep(self.standby_seconds)
                continue
            log.info("event webhook: worker pid=%s pushes to %s", os.getpid(), self.url)
            try:
                await self._lead()
            finally:
                await asyncio.to_thread(self.leadership.release)

    async def _lead(self) -> None:
        """Push until cancelled or until the leadership is lost."""
        backoff = self.poll_seconds
        while True:
            # One round trip per round: pushing after losing the lock would race the
            # new leader and deliver a batch twice.
            if not await asyncio.to_thread(self.leadership.still_held):
                return
            try:
                sent = await self.push_once()
                self.failures = 0
                backoff = self.poll_seconds
                if sent:
                    continue
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.failures += 1
                backoff = min(self.max_backoff, max(self.poll_seconds, backoff * 2))
                log.warning("event webhook failed (%s); retrying in %.1fs", exc, backoff)
                await asyncio.sleep(backoff)
                continue
            await asyncio.sleep(self.poll_seconds)
