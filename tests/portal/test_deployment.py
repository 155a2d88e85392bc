"""`motcua portal` in production: no development secret, no demo staff; token rotation."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from click.testing import CliRunner

from kernel.deployment import InsecureSettings
from motcua.portal_commands import DEMO_TOKENS, portal_command, seed_demo_staff
from motcua.staff_commands import staff_group
from portal.api.app import create_app
from portal.db.models import Staff
from portal.db.session import make_engine, make_sessionmaker
from portal.services import staff
from portal.settings import PortalSettings, get_settings
from portal.workers import KEEP_ALIVE
from tests.conftest import CLERK_TOKEN


@pytest.fixture(autouse=True)
def _fresh_settings() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """uvicorn.run's arguments instead of a server."""
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append(kw))
    return calls


def _env(tmp_path: Path, *, strong: bool) -> dict[str, str]:
    env = {
        "MOTCUA_ENV": "production",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite3'}",
        "UPLOAD_DIR": str(tmp_path / "uploads"),
    }
    if strong:
        env |= {name.upper(): secrets.token_urlsafe(32) for name in PortalSettings.SECRET_FIELDS}
    return env


def _staff(env: dict[str, str]) -> dict[str, bool]:
    engine = make_engine(env["DATABASE_URL"])
    with make_sessionmaker(engine)() as db:
        rows = {s.username: s.active for s in db.query(Staff)}
    engine.dispose()
    return rows


@pytest.mark.parametrize("var", [f.upper() for f in PortalSettings.SECRET_FIELDS])
def test_production_refuses_to_start_with_a_development_secret(
    tmp_path: Path, served: list[dict[str, Any]], var: str
) -> None:
    env = _env(tmp_path, strong=True)
    del env[var]
    result = CliRunner().invoke(portal_command, [], env=env)
    assert result.exit_code == 1
    assert f"{var} is the development default; set a random value of at least 32 bytes" in (
        result.output
    )
    assert served == []


def test_production_refuses_a_short_secret(tmp_path: Path, served: list[dict[str, Any]]) -> None:
    env = _env(tmp_path, strong=True) | {"PAYMENT_WEBHOOK_SECRET": "short-but-not-default"}
    result = CliRunner().invoke(portal_command, [], env=env)
    assert result.exit_code == 1 and "PAYMENT_WEBHOOK_SECRET is shorter than 32 bytes" in (
        result.output
    )
    assert served == []


def test_the_app_factory_refuses_too(tmp_path: Path) -> None:
    settings = PortalSettings(
        motcua_env="production", database_url=f"sqlite:///{tmp_path / 'p.sqlite3'}"
    )
    with pytest.raises(InsecureSettings, match="BOT_SERVICE_TOKEN"):
        create_app(settings)


def test_production_never_creates_demo_staff(tmp_path: Path, served: list[dict[str, Any]]) -> None:
    env = _env(tmp_path, strong=True)
    refused = CliRunner().invoke(portal_command, ["--seed"], env=env)
    assert refused.exit_code == 1 and "demo mode only" in refused.output
    assert served == []
    started = CliRunner().invoke(portal_command, [], env=env)
    assert started.exit_code == 0, started.output
    assert len(served) == 1
    assert _staff(env) == {}
    for token in [*DEMO_TOKENS.values(), env["BOT_SERVICE_TOKEN"]]:
        assert token not in started.output


def test_a_production_start_disables_demo_accounts_left_by_an_older_start(
    tmp_path: Path, served: list[dict[str, Any]]
) -> None:
    env = _env(tmp_path, strong=True)
    demo = CliRunner().invoke(portal_command, [], env=env | {"MOTCUA_ENV": "demo"})
    assert demo.exit_code == 0 and "demo-head-token" in demo.output
    assert _staff(env) == {"demo_head": True, "demo_clerk": True}
    get_settings.cache_clear()
    started = CliRunner().invoke(portal_command, [], env=env)
    assert started.exit_code == 0, started.output
    assert "demo_head held a demo token and was deactivated" in started.output
    assert _staff(env) == {"demo_head": False, "demo_clerk": False}


def test_seeding_refuses_production_settings(tmp_path: Path) -> None:
    with pytest.raises(Exception, match="demo mode only"):
        seed_demo_staff(PortalSettings(motcua_env="production"))


def test_the_server_ignores_forwarded_headers_itself(
    tmp_path: Path, served: list[dict[str, Any]]
) -> None:
    result = CliRunner().invoke(portal_command, [], env=_env(tmp_path, strong=True))
    assert result.exit_code == 0, result.output
    assert served[0]["proxy_headers"] is False
    assert (served[0]["http"], served[0]["loop"]) == ("httptools", "uvloop")
    assert served[0]["timeout_keep_alive"] == KEEP_ALIVE  # see portal.workers


def test_the_access_log_is_off_unless_asked_for(
    tmp_path: Path, served: list[dict[str, Any]]
) -> None:
    """nginx logs the requests; uvicorn's line per request costs CPU on every call."""
    env = _env(tmp_path, strong=True)
    result = CliRunner().invoke(portal_command, [], env=env)
    assert result.exit_code == 0, result.output
    get_settings.cache_clear()
    result = CliRunner().invoke(portal_command, ["--access-log"], env=env)
    assert result.exit_code == 0, result.output
    assert [call["access_log"] for call in served] == [False, True]


async def test_rotating_a_token_invalidates_the_old_one(
    db_url: str, http: httpx.AsyncClient
) -> None:
    def me(token: str) -> Any:
        return http.get("/v1/staff/me", headers={"Authorization": f"Bearer {token}"})

    assert (await me(CLERK_TOKEN)).status_code == 200
    result = CliRunner().invoke(staff_group, ["rotate-token", "lan"], env={"DATABASE_URL": db_url})
    assert result.exit_code == 0, result.output
    new_token = result.output.strip()
    assert len(new_token) >= 32 and new_token != CLERK_TOKEN
    assert (await me(CLERK_TOKEN)).status_code == 401
    fresh = await me(new_token)
    assert fresh.status_code == 200 and fresh.json()["username"] == "lan"
    unknown = CliRunner().invoke(
        staff_group, ["rotate-token", "nobody"], env={"DATABASE_URL": db_url}
    )
    assert unknown.exit_code == 1 and "No staff account" in unknown.output
    engine = make_engine(db_url)
    with make_sessionmaker(engine)() as db:
        stored = db.query(Staff).filter_by(username="lan").one().token_hash
        assert stored == staff.hash_token(new_token) and new_token not in stored
    engine.dispose()
