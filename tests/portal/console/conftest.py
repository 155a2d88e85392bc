"""Console fixtures: staff passwords, a signed-in browser-like client (cookies kept),
and a submitted application."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest

from backend_client import PortalClient
from portal.services import passwords
from portal.services.context import PortalContext
from tests.support.clock import FrozenClock
from tests.support.forms import sample_answers
from tests.support.images import photo

CLERK_PASSWORD = "lan-password-123"
HEAD_PASSWORD = "minh-password-456"
ANA = "telegram:5001"

_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "no CSRF field on the page"
    return found.group(1)


@pytest.fixture
def passwords_set(ctx: PortalContext) -> None:
    with ctx.sessions() as db:
        passwords.set_password(db, "lan", CLERK_PASSWORD)
        passwords.set_password(db, "minh", HEAD_PASSWORD)
        db.commit()


@pytest.fixture
async def browser_like(
    transport: httpx.ASGITransport, passwords_set: None
) -> AsyncIterator[httpx.AsyncClient]:
    """A client that keeps cookies like a browser, not signed in."""
    async with httpx.AsyncClient(transport=transport, base_url="http://portal") as client:
        yield client


async def sign_in(
    client: httpx.AsyncClient, username: str, password: str, next_url: str = ""
) -> httpx.Response:
    page = await client.get("/staff/login")
    data = {"csrf": csrf_of(page.text), "username": username, "password": password}
    if next_url:
        data["next"] = next_url
    return await client.post("/staff/login", data=data)


@pytest.fixture
async def clerk_client(browser_like: httpx.AsyncClient) -> httpx.AsyncClient:
    response = await sign_in(browser_like, "lan", CLERK_PASSWORD)
    assert response.status_code == 303, response.text
    return browser_like


@pytest.fixture
async def head_client(
    transport: httpx.ASGITransport, passwords_set: None
) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=transport, base_url="http://portal") as client:
        response = await sign_in(client, "minh", HEAD_PASSWORD)
        assert response.status_code == 303, response.text
        yield client


async def submitted(
    portal: PortalClient, clock: FrozenClock, slug: str = "death_registration"
) -> tuple[str, str]:
    """A submitted application: (id, tracking code)."""
    proc = await portal.get_procedure(slug)
    app = await portal.create_application(ANA, slug)
    await portal.set_answers(ANA, app.id, sample_answers(proc, today=clock().date()))
    for spec in proc.documents:
        if spec.required:
            for _ in range(spec.min_files):
                await portal.upload_document(ANA, app.id, spec.code, photo())
    done = await portal.submit(ANA, app.id, "k-" + slug)
    assert done.tracking_code
    return app.id, done.tracking_code
