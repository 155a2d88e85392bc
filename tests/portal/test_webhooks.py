from __future__ import annotations

import json

import httpx
import pytest
from sqlalchemy import select

from backend_client import PortalClient
from portal.db.models import Application
from portal.services import events
from portal.services.context import PortalContext
from portal.webhooks import EventPusher, Leadership, signature

SECRET = "dev-event-secret"


async def test_push_delivers_in_order_signed_and_resumes_from_its_cursor(
    ctx: PortalContext, portal: PortalClient
) -> None:
    received: list[int] = []
    fail_next = True

    def receiver(request: httpx.Request) -> httpx.Response:
        nonlocal fail_next
        assert request.headers["X-Signature"] == signature(SECRET, request.content)
        if fail_next:
            fail_next = False
            return httpx.Response(503)
        received.extend(e["id"] for e in json.loads(request.content)["events"])
        return httpx.Response(204)

    for n in range(3):
        await portal.create_application(f"telegram:{n}", "death_registration")
    with ctx.sessions() as db:
        for app in db.scalars(select(Application).order_by(Application.created_at)):
            events.append(db, ctx, "application.test", app)
        db.commit()

    first = EventPusher(ctx, "http://bot/hook", batch=2, transport=httpx.MockTransport(receiver))
    with pytest.raises(httpx.HTTPStatusError):
        await first.push_once()
    assert await first.push_once() == 2
    await first.stop()

    # A new pusher (after a restart) continues from the persisted cursor.
    second = EventPusher(ctx, "http://bot/hook", batch=2, transport=httpx.MockTransport(receiver))
    assert await second.push_once() == 1
    assert await second.push_once() == 0
    await second.stop()
    assert received == [1, 2, 3]


async def test_one_pusher_leads_at_a_time_on_postgresql(ctx: PortalContext) -> None:
    """Each portal worker has a pusher; on PostgreSQL only the lock holder pushes and
    another takes over once it lets go. SQLite is one process: it always leads."""
    first = Leadership(ctx.engine)
    second = Leadership(ctx.engine)
    try:
        assert first.acquire()
        if ctx.engine.dialect.name != "postgresql":
            assert second.acquire()
            return
        assert not second.acquire()
        assert first.still_held() and not second.still_held()
        first.release()
        assert not first.still_held()
        assert second.acquire()
        assert not first.acquire()
    finally:
        first.release()
        second.release()
