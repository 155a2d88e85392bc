from __future__ import annotations

import os

# The tests use short, readable secrets and demo staff: demo mode for this process and
# the subprocesses it starts. Tests of the production checks set it explicitly.
os.environ["MOTCUA_ENV"] = "demo"

from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from backend_client import PortalClient, StaffClient
from portal.api.app import create_app
from portal.services import staff
from portal.services.context import PortalContext
from portal.settings import PortalSettings
from tests.support.clock import HUE, FrozenClock
from tests.support.databases import (
    PostgresDatabase,
    postgres_reachable,
    sqlite_copy,
    sqlite_template,
)

BOT_TOKEN = "test-bot-token"
HEAD_TOKEN = "test-head-token"
CLERK_TOKEN = "test-clerk-token"
PAYMENT_SECRET = "test-payment-secret"


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return sqlite_template(tmp_path_factory.mktemp("template"))


@pytest.fixture(scope="session")
def _postgres() -> Iterator[PostgresDatabase | None]:
    if not postgres_reachable():
        yield None
        return
    db = PostgresDatabase()
    db.create()
    try:
        yield db
    finally:
        db.drop()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(
    request: pytest.FixtureRequest,
    _sqlite_template: Path,
    tmp_path: Path,
) -> str:
    """Every test that asks for a database runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return sqlite_copy(_sqlite_template, tmp_path)
    pg: PostgresDatabase | None = request.getfixturevalue("_postgres")
    if pg is None:
        pytest.skip("no PostgreSQL server reachable at TEST_POSTGRES_URL / 127.0.0.1:5432")
    pg.truncate()
    return pg.url


@pytest.fixture
def clock() -> FrozenClock:
    # A Monday morning in Hue, away from holidays.
    return FrozenClock(datetime(2026, 3, 9, 9, 0, tzinfo=HUE))


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> PortalSettings:
    return PortalSettings(
        database_url=db_url,
        upload_dir=tmp_path / "uploads",
        bot_service_token=BOT_TOKEN,
        payment_webhook_secret=PAYMENT_SECRET,
        track_rate_per_minute=1000,
    )


@pytest.fixture
def ctx(settings: PortalSettings, clock: FrozenClock) -> Iterator[PortalContext]:
    context = PortalContext.from_settings(settings, clock=clock)
    with context.sessions() as db:
        staff.create_staff(
            db, username="minh", full_name="Trần Văn Minh", role="head", token=HEAD_TOKEN
        )
        staff.create_staff(
            db, username="lan", full_name="Nguyễn Thị Lan", role="clerk", token=CLERK_TOKEN
        )
        db.commit()
    yield context
    context.engine.dispose()


@pytest.fixture
def app(ctx: PortalContext) -> FastAPI:
    return create_app(ctx=ctx)


@pytest.fixture
def transport(app: FastAPI) -> httpx.ASGITransport:
    return httpx.ASGITransport(app=app)


@pytest.fixture
async def http(transport: httpx.ASGITransport) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=transport, base_url="http://portal") as client:
        yield client


@pytest.fixture
async def portal(transport: httpx.ASGITransport) -> AsyncIterator[PortalClient]:
    async with PortalClient("http://portal", BOT_TOKEN, transport=transport, backoff=0.01) as c:
        yield c


@pytest.fixture
async def head(transport: httpx.ASGITransport) -> AsyncIterator[StaffClient]:
    async with StaffClient("http://portal", HEAD_TOKEN, transport=transport) as c:
        yield c


@pytest.fixture
async def clerk(transport: httpx.ASGITransport) -> AsyncIterator[StaffClient]:
    async with StaffClient("http://portal", CLERK_TOKEN, transport=transport) as c:
        yield c
