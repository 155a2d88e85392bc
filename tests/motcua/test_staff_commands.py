"""`motcua staff set-password` / `create --password-stdin` for the console, and the
staff commands taking a tracking code wherever they take an application id."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest
from click.testing import CliRunner
from fastapi import FastAPI

from backend_client import PortalClient
from motcua.cli import main
from motcua.portal_commands import DEMO_PASSWORDS, disable_demo_staff, seed_demo_staff
from portal.settings import PortalSettings, get_settings
from tests.conftest import BOT_TOKEN, CLERK_TOKEN, HEAD_TOKEN
from tests.portal.console.conftest import sign_in
from tests.support.clock import FrozenClock
from tests.support.forms import sample_answers
from tests.support.images import photo
from tests.support.server import serve


@pytest.fixture(autouse=True)
def _fresh_settings() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


async def test_set_password_then_sign_in(db_url: str, http: httpx.AsyncClient) -> None:
    env = {"DATABASE_URL": db_url}
    runner = CliRunner()
    short = runner.invoke(
        main, ["staff", "set-password", "lan", "--password-stdin"], "short\n", env=env
    )
    assert short.exit_code == 1 and "at least 10 characters" in short.output
    done = runner.invoke(
        main, ["staff", "set-password", "lan", "--password-stdin"], "một mật khẩu dài\n", env=env
    )
    assert done.exit_code == 0, done.output
    assert (await sign_in(http, "lan", "một mật khẩu dài")).status_code == 303
    # Typed twice at a hidden prompt; the new one replaces the old and signs out.
    prompted = runner.invoke(
        main, ["staff", "set-password", "lan"], "other-password-1\nother-password-1\n", env=env
    )
    assert prompted.exit_code == 0, prompted.output
    assert (await http.get("/staff/queue")).status_code == 303  # the session ended
    assert (await sign_in(http, "lan", "một mật khẩu dài")).status_code == 401
    assert (await sign_in(http, "lan", "other-password-1")).status_code == 303
    unknown = runner.invoke(
        main, ["staff", "set-password", "nobody", "--password-stdin"], "whatever-123\n", env=env
    )
    assert unknown.exit_code == 1 and "No staff account" in unknown.output


async def test_create_with_a_password(db_url: str, http: httpx.AsyncClient) -> None:
    result = CliRunner().invoke(
        main,
        ["staff", "create", "hoa", "--name", "Lê Thị Hoa", "--password-stdin"],
        "hoa-password-789\n",
        env={"DATABASE_URL": db_url},
    )
    assert result.exit_code == 0, result.output
    assert (await sign_in(http, "hoa", "hoa-password-789")).status_code == 303
    assert "Lê Thị Hoa" in (await http.get("/staff/queue")).text


async def test_demo_accounts_get_demo_passwords(db_url: str, http: httpx.AsyncClient) -> None:
    seed_demo_staff(PortalSettings(database_url=db_url, motcua_env="demo"))
    response = await sign_in(http, "demo_clerk", DEMO_PASSWORDS["clerk"])
    assert response.status_code == 303
    # A production start deactivates the demo accounts: their passwords open nothing.
    disable_demo_staff(PortalSettings(database_url=db_url, motcua_env="production"))
    assert (await http.get("/staff/queue")).status_code == 303
    refused = await sign_in(http, "demo_head", DEMO_PASSWORDS["head"])
    assert refused.status_code == 401


@pytest.fixture
def served(app: FastAPI) -> Iterator[str]:
    with serve(app) as url:
        yield url


async def _submit(base: str, clock: FrozenClock, slug: str) -> str:
    async with PortalClient(base, BOT_TOKEN) as client:
        proc = await client.get_procedure(slug)
        app = await client.create_application("telegram:8", proc.slug)
        await client.set_answers("telegram:8", app.id, sample_answers(proc, today=clock().date()))
        for spec in proc.documents:
            for _ in range(spec.min_files if spec.required else 0):
                await client.upload_document("telegram:8", app.id, spec.code, photo())
        done = await client.submit("telegram:8", app.id, "k")
        assert done.tracking_code
        return done.tracking_code


def test_staff_commands_take_tracking_codes(served: str, clock: FrozenClock) -> None:
    code = asyncio.run(_submit(served, clock, "signature_certification"))
    clerk = {"PORTAL_URL": served, "STAFF_TOKEN": CLERK_TOKEN}
    head = {"PORTAL_URL": served, "STAFF_TOKEN": HEAD_TOKEN}
    runner = CliRunner()
    typed = code.lower().replace("-", " ")  # as read aloud from a receipt
    shown = runner.invoke(main, ["staff", "show", typed], env=clerk)
    assert shown.exit_code == 0, shown.output
    assert code in shown.output
    for action in ("receive", "review"):
        done = runner.invoke(main, ["staff", action, code], env=clerk)
        assert done.exit_code == 0, done.output
    paid = runner.invoke(main, ["staff", "pay", typed], env=clerk)
    assert paid.exit_code == 0 and "paid" in paid.output
    approved = runner.invoke(main, ["staff", "approve", code], env=head)
    assert approved.exit_code == 0 and "approved" in approved.output
    # A code with a wrong check character names nothing.
    wrong = code[:-1] + ("A" if code[-1] != "A" else "B")
    missing = runner.invoke(main, ["staff", "show", wrong], env=clerk)
    assert missing.exit_code == 2
