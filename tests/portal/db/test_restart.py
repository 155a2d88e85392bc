"""The portal on a PostgreSQL that restarts (a private server, never the shared one):
a request that starts while the server is down waits for it, pooled connections the
server ended are replaced, and a database down for longer is a 503 in the usual error
shape, which the bot's client retries."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path

import httpx
import psycopg
import pytest
from sqlalchemy.engine.interfaces import DBAPIConnection

from backend_client import PortalClient
from portal.api.app import create_app
from portal.db import session
from portal.db.migrate import upgrade
from portal.services.context import PortalContext
from portal.settings import PortalSettings
from tests.conftest import BOT_TOKEN, PAYMENT_SECRET
from tests.support.clock import HUE, FrozenClock
from tests.support.private_services import PrivatePostgres, private_postgres

CITIZEN = "telegram:4242"


@pytest.fixture
def pg_server() -> Iterator[PrivatePostgres]:
    with private_postgres() as server:
        yield server


@pytest.fixture
def ctx(pg_server: PrivatePostgres, tmp_path: Path) -> Iterator[PortalContext]:
    upgrade(pg_server.url)
    settings = PortalSettings(
        database_url=pg_server.url,
        upload_dir=tmp_path / "uploads",
        bot_service_token=BOT_TOKEN,
        payment_webhook_secret=PAYMENT_SECRET,
    )
    context = PortalContext.from_settings(
        settings, clock=FrozenClock(datetime(2026, 3, 9, 9, tzinfo=HUE))
    )
    yield context
    context.engine.dispose()


@pytest.fixture
def transport(ctx: PortalContext) -> httpx.ASGITransport:
    return httpx.ASGITransport(app=create_app(ctx=ctx))


@pytest.fixture
async def portal(transport: httpx.ASGITransport) -> AsyncIterator[PortalClient]:
    async with PortalClient("http://portal", BOT_TOKEN, transport=transport) as client:
        yield client


async def test_a_request_made_while_the_server_restarts_waits_for_it(
    pg_server: PrivatePostgres, portal: PortalClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="portal.db.session")
    await portal.create_application(CITIZEN, "birth_registration")
    await asyncio.to_thread(pg_server.stop)
    # A write the client may not repeat: it must not meet the outage at all.
    creating = asyncio.create_task(portal.create_application(CITIZEN, "birth_registration"))
    await asyncio.sleep(0.5)
    assert not creating.done()
    await asyncio.to_thread(pg_server.start)
    await creating
    assert len(await portal.my_applications(CITIZEN)) == 2
    assert any("not accepting connections" in r.message for r in caplog.records)


async def test_pooled_connections_the_server_ended_are_replaced(
    pg_server: PrivatePostgres,
    portal: PortalClient,
    transport: httpx.ASGITransport,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Never idle long enough for the idle ping: the socket's poll alone must see it.
    monkeypatch.setattr(session, "PING_AFTER_IDLE", 3600.0)
    await asyncio.gather(*(portal.my_applications(CITIZEN) for _ in range(5)))
    with psycopg.connect(pg_server.url, autocommit=True) as admin:
        ended = admin.execute(
            "SELECT array_agg(pid) FILTER (WHERE pg_terminate_backend(pid)) "
            "FROM pg_stat_activity WHERE datname = 'test' AND pid <> pg_backend_pid()"
        ).fetchone()
        assert ended is not None and ended[0]
        # As after a restart: the ended backends are gone (their sockets closed).
        for _ in range(200):
            row = admin.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s)", (ended[0],)
            ).fetchone()
            if row is not None and row[0] == 0:
                break
            await asyncio.sleep(0.05)
    async with httpx.AsyncClient(transport=transport, base_url="http://portal") as http:
        headers = {"Authorization": f"Bearer {BOT_TOKEN}", "X-Citizen": CITIZEN}
        for _ in range(5):  # no retries here: each one must succeed at once
            response = await http.post(
                "/v1/applications", json={"procedure": "birth_registration"}, headers=headers
            )
            assert response.status_code == 201, response.text


async def test_a_busy_pooled_connection_is_not_pinged_an_idle_one_is(
    ctx: PortalContext, portal: PortalClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pool pings only a connection idle for a while (or with something to read),
    not one back from the previous request: no SELECT 1 round trip per request."""
    dialect = ctx.engine.dialect
    ping = dialect.do_ping
    pings: list[DBAPIConnection] = []

    def counted(dbapi_conn: DBAPIConnection) -> bool:
        pings.append(dbapi_conn)
        return ping(dbapi_conn)

    monkeypatch.setattr(dialect, "do_ping", counted)
    monkeypatch.setattr(session, "PING_AFTER_IDLE", 3600.0)
    for _ in range(3):
        await portal.my_applications(CITIZEN)
    assert pings == []
    monkeypatch.setattr(session, "PING_AFTER_IDLE", 0.0)
    await portal.my_applications(CITIZEN)
    assert len(pings) == 1


async def test_a_database_down_for_longer_is_a_503_in_the_usual_shape(
    pg_server: PrivatePostgres, transport: httpx.ASGITransport, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(session, "CONNECT_WAIT", 0.3)
    await asyncio.to_thread(pg_server.stop)
    async with httpx.AsyncClient(transport=transport, base_url="http://portal") as http:
        response = await http.get(
            "/v1/applications",
            headers={"Authorization": f"Bearer {BOT_TOKEN}", "X-Citizen": CITIZEN},
        )
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "1"
    error = response.json()["error"]
    assert error["code"] == "unavailable"
    assert "khởi động lại" in error["message"]["vi"] and "restarting" in error["message"]["en"]
