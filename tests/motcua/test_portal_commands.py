"""The `motcua` command line: catalog check and the clerk's commands against a live portal."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi import FastAPI

from backend_client import PortalClient
from motcua.cli import main
from portal.catalog.loader import DATA_DIR
from tests.conftest import BOT_TOKEN, CLERK_TOKEN
from tests.support.clock import FrozenClock
from tests.support.forms import sample_answers
from tests.support.images import photo
from tests.support.server import serve


def test_catalog_check_passes_on_the_shipped_catalog() -> None:
    result = CliRunner().invoke(main, ["catalog", "check"])
    assert result.exit_code == 0, result.output
    assert "13 procedures" in result.output


def test_catalog_check_reports_every_error_with_file_and_line(tmp_path: Path) -> None:
    shutil.copy(DATA_DIR / "certified_copy.yml", tmp_path / "certified_copy.yml")
    text = (DATA_DIR / "signature_certification.yml").read_text(encoding="utf-8")
    (tmp_path / "signature_certification.yml").write_text(
        text.replace("online_level: partial", "online_level: sometimes"), encoding="utf-8"
    )
    (tmp_path / "broken.yml").write_text("slug: broken\nname: {vi: a\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["catalog", "check", str(tmp_path)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    wrong_line = next(
        n for n, line in enumerate(text.splitlines(), 1) if line.startswith("online_level")
    )
    assert any(
        line.startswith(f"signature_certification.yml:{wrong_line}: online_level") for line in lines
    ), lines
    assert any(line.startswith("broken.yml:") for line in lines), lines
    assert not any(line.startswith("certified_copy.yml") for line in lines)


@pytest.fixture
def served(app: FastAPI) -> Iterator[str]:
    with serve(app) as url:
        yield url


async def _submit(base: str, clock: FrozenClock) -> str:
    async with PortalClient(base, BOT_TOKEN) as client:
        proc = await client.get_procedure("death_registration")
        app = await client.create_application("telegram:8", proc.slug)
        await client.set_answers("telegram:8", app.id, sample_answers(proc, today=clock().date()))
        for spec in proc.documents:
            for _ in range(spec.min_files if spec.required else 0):
                await client.upload_document("telegram:8", app.id, spec.code, photo())
        await client.submit("telegram:8", app.id, "k")
        return app.id


def test_a_clerk_works_the_queue_from_the_terminal(served: str, clock: FrozenClock) -> None:
    app_id = asyncio.run(_submit(served, clock))
    env = {"PORTAL_URL": served, "STAFF_TOKEN": CLERK_TOKEN}
    runner = CliRunner()
    queue = runner.invoke(main, ["staff", "queue"], env=env)
    assert queue.exit_code == 0 and app_id in queue.output
    received = runner.invoke(main, ["staff", "receive", app_id, "--note", "Đủ"], env=env)
    assert received.exit_code == 0 and "received" in received.output
    refused = runner.invoke(main, ["staff", "approve", app_id], env=env)
    assert refused.exit_code == 2  # clerks do not approve
    wrong = runner.invoke(main, ["staff", "queue"], env={"PORTAL_URL": served, "STAFF_TOKEN": "x"})
    assert wrong.exit_code == 2


def test_an_idle_connection_is_left_for_its_client_to_close() -> None:
    """uvicorn's own default closed a connection idle for 5 s, while the bot's aiohttp
    keeps one for 15 s: a request sent as the portal closed it was lost. A connection
    idle past those 5 s still carries the next request (portal.workers.KEEP_ALIVE)."""
    import socket
    import time

    from motcua.demo import PortalThread

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        length = [(b"content-length", b"2")]
        await send({"type": "http.response.start", "status": 200, "headers": length})
        await send({"type": "http.response.body", "body": b"ok"})

    server = PortalThread(app).start()
    try:
        with socket.create_connection((server.host, server.port), timeout=5) as conn:
            request = b"GET / HTTP/1.1\r\nHost: portal\r\n\r\n"
            for pause in (0.0, 5.5):
                time.sleep(pause)
                conn.sendall(request)
                answer = conn.recv(4096)
                assert answer.startswith(b"HTTP/1.1 200") and answer.endswith(b"ok"), answer
    finally:
        server.stop()
