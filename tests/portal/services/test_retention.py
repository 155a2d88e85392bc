"""`motcua portal purge --older-than`: old drafts and never-submitted cancelled
applications go with their files, orphan files go, submitted applications stay."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from backend_client import NotFoundError, PortalClient
from motcua.cli import main
from portal.services.context import PortalContext
from portal.services.retention import parse_age, purge
from portal.settings import PortalSettings, get_settings
from tests.support.clock import FrozenClock
from tests.support.forms import sample_answers
from tests.support.images import photo

ANA = "telegram:5001"


async def _photographed_draft(portal: PortalClient, clock: FrozenClock) -> str:
    proc = await portal.get_procedure("birth_registration")
    app = await portal.create_application(ANA, "birth_registration")
    await portal.set_answers(ANA, app.id, sample_answers(proc, today=clock().date()))
    for spec in proc.documents:
        if spec.required:
            for _ in range(spec.min_files):
                await portal.upload_document(ANA, app.id, spec.code, photo())
    return app.id


def _orphan(root: Path, name: str, *, age: timedelta) -> Path:
    path = root / "gone-application" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"left behind")
    then = time.time() - age.total_seconds()
    os.utime(path, (then, then))
    return path


async def test_old_drafts_and_orphans_go_submitted_and_recent_ones_stay(
    portal: PortalClient, clock: FrozenClock, ctx: PortalContext
) -> None:
    abandoned = await _photographed_draft(portal, clock)
    submitted = await _photographed_draft(portal, clock)
    await portal.submit(ANA, submitted, "k-1")
    never_sent = await portal.create_application(ANA, "certified_copy")
    # The frozen clock must move: an unchanged updated_at lets its onupdate default
    # stamp the real time.
    clock.advance(minutes=1)
    await portal.cancel(ANA, never_sent.id)
    clock.advance(days=91)
    recent = await portal.create_application(ANA, "certified_copy")
    uploads = ctx.settings.upload_dir
    # A rendered paper is named by no document: the sweep leaves it (portal.papers.cache).
    await portal.get_receipt(ANA, submitted)
    (paper,) = (uploads / submitted / "papers").iterdir()
    then = time.time() - timedelta(days=2).total_seconds()
    os.utime(paper, (then, then))
    old_orphan = _orphan(uploads, "a.jpg", age=timedelta(days=2))
    young_orphan = _orphan(uploads, ".upload-in-progress", age=timedelta(minutes=1))

    done = purge(ctx, older_than=timedelta(days=90))

    assert (done.applications, done.orphans) == (2, 1)
    assert done.documents >= 1 and done.files >= 1
    for gone in (abandoned, never_sent.id):
        with pytest.raises(NotFoundError):
            await portal.get_application(ANA, gone)
    assert not (uploads / abandoned).exists() and not old_orphan.exists()
    assert young_orphan.exists()  # perhaps an upload whose row is not committed yet
    assert (await portal.get_application(ANA, submitted)).documents
    assert any((uploads / submitted).iterdir())
    assert paper.exists()
    assert (await portal.get_application(ANA, recent.id)).status == "draft"


def test_ages() -> None:
    assert parse_age("90d") == timedelta(days=90)
    assert parse_age("12w") == timedelta(weeks=12) and parse_age(" 36h ") == timedelta(hours=36)
    for bad in ("90", "0d", "-3d", "3 months", ""):
        with pytest.raises(ValueError):
            parse_age(bad)


@pytest.fixture
def env_settings(settings: PortalSettings, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("UPLOAD_DIR", str(settings.upload_dir))
    monkeypatch.setenv("MOTCUA_ENV", "demo")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


async def test_the_command_prints_its_counts(
    portal: PortalClient, clock: FrozenClock, ctx: PortalContext, env_settings: None
) -> None:
    # The frozen clock is in March 2026: to the command's real clock these are old.
    await _photographed_draft(portal, clock)
    submitted = await _photographed_draft(portal, clock)
    await portal.submit(ANA, submitted, "k-2")
    result = CliRunner().invoke(main, ["portal", "purge", "--older-than", "90d"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("deleted 1 applications (")
    assert "0 orphan files" in result.output
    assert [a.id for a in await portal.my_applications(ANA)] == [submitted]
    refused = CliRunner().invoke(main, ["portal", "purge", "--older-than", "soon"])
    assert refused.exit_code == 2 and "90d" in refused.output


def test_production_keys_are_required(env_settings: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOTCUA_ENV", "production")
    get_settings.cache_clear()
    for command in (["purge", "--older-than", "90d"], ["reseal"]):
        result = CliRunner().invoke(main, ["portal", *command])
        assert result.exit_code == 1 and "DATA_KEY" in result.output, result.output
