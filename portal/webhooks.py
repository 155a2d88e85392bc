"""Optional push of the event feed to one consumer (the bot's notifier).

The feed stays the source of truth: the push only wakes a consumer early. It
delivers batches in order from a cursor kept in the database, signs each body
with HMAC-SHA256 (header X-Signature), and backs off exponentially on failure.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging

import httpx
from sqlalchemy import select

from portal.db.models import WebhookCursor
from portal.services import events
from portal.services.context import PortalContext

log = logging.getLogger("portal.webhooks")
CURSOR_NAME = "event_webhook"


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
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.ctx = ctx
        self.url = url
        self.poll_seconds = poll_seconds
        self.batch = batch
        self.max_backoff = max_backoff
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
        backoff = self.poll_seconds
        while True:
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
