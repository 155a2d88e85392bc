"""The lane (portal/api/lane.py): the bot's form calls answered without FastAPI's
per-request layers, with the answers FastAPI gives, and everything it does not recognise
as plainly valid left to FastAPI."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from starlette.routing import Match

from backend_client import PortalClient
from portal.api import lane
from portal.services.context import PortalContext
from portal.settings import PortalSettings
from tests.conftest import BOT_TOKEN, CLERK_TOKEN
from tests.support.forms import sample_answers
from tests.support.images import photo

ANA = "telegram:7001"
BOT = {"Authorization": f"Bearer {BOT_TOKEN}", "X-Citizen": ANA}


@pytest.fixture
def taken(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The route functions the lane called, by name."""
    seen: list[str] = []
    real = lane._call

    def spy(endpoint: Callable[..., Any], *args: Any) -> Any:
        seen.append(endpoint.__name__)
        return real(endpoint, *args)

    monkeypatch.setattr(lane, "_call", spy)
    return seen


def the_lane(app: FastAPI) -> lane.Lane:
    layer: Any = app.middleware_stack
    while not isinstance(layer, lane.Lane):
        layer = layer.app
    return layer


class Both:
    """The same request answered by the lane, then by FastAPI alone."""

    def __init__(self, app: FastAPI, http: httpx.AsyncClient) -> None:
        self.app, self.http = app, http

    async def __call__(self, method: str, url: str, **kw: Any) -> tuple[Any, Any]:
        first = await self.http.request(method, url, **kw)
        detour = the_lane(self.app)
        routes, detour.routes = detour.routes, ()
        try:
            second = await self.http.request(method, url, **kw)
        finally:
            detour.routes = routes
        return first, second


def same(a: httpx.Response, b: httpx.Response) -> None:
    assert a.status_code == b.status_code
    assert a.headers.get("content-type") == b.headers.get("content-type")
    assert a.headers.get("x-content-type-options") == b.headers.get("x-content-type-options")
    assert a.content == b.content


async def submitted(portal: PortalClient) -> str:
    proc = await portal.get_procedure("certified_copy")
    app = await portal.create_application(ANA, proc.slug)
    await portal.set_answers(ANA, app.id, sample_answers(proc, today=date(2026, 3, 2)))
    for spec in proc.documents:
        for _ in range(spec.min_files if spec.required else 0):
            await portal.upload_document(ANA, app.id, spec.code, photo())
    await portal.submit(ANA, app.id, uuid.uuid4().hex)
    return app.id


async def test_a_citizens_form_calls_take_the_lane(portal: PortalClient, taken: list[str]) -> None:
    app_id = await submitted(portal)
    assert (await portal.get_application(ANA, app_id)).tracking_code
    assert (await portal.get_receipt(ANA, app_id, "en"))[:4] == b"\x89PNG"
    assert (await portal.get_payment_card(ANA, app_id, "vi"))[:4] == b"\x89PNG"
    assert (await portal.get_payment_qr(ANA, app_id))[:4] == b"\x89PNG"
    assert set(taken) == {
        "create_application",
        "set_answers",
        "submit_application",
        "get_application",
        "get_receipt_png",
        "get_payment_card",
        "get_payment_qr",
    }
    assert "upload_document" not in taken  # multipart: FastAPI's


async def test_the_lane_runs_on_its_few_threads(
    portal: PortalClient, ctx: PortalContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One thread on SQLite (its writes go one at a time), four on PostgreSQL, or as
    many as LANE_THREADS says: every lane call runs on a thread of that pool."""
    sqlite = ctx.settings.database_url.startswith("sqlite")
    size = ctx.settings.lane_thread_count
    assert size == (1 if sqlite else 4)
    threads: set[str] = set()
    real = lane._call

    def spy(endpoint: Callable[..., Any], *args: Any) -> Any:
        threads.add(threading.current_thread().name)
        return real(endpoint, *args)

    monkeypatch.setattr(lane, "_call", spy)
    proc = await portal.get_procedure("certified_copy")
    drafts = [await portal.create_application(f"telegram:{7100 + i}", proc.slug) for i in range(3)]
    await asyncio.gather(
        *(portal.get_application(f"telegram:{7100 + i}", d.id) for i, d in enumerate(drafts))
    )
    pool = lane._pool(size)
    assert threads and all(name.startswith("lane") for name in threads)
    assert {t.name for t in pool._threads} >= threads
    assert pool._max_workers == size
    assert PortalSettings(database_url="sqlite:///var/x.sqlite3").lane_thread_count == 1
    assert PortalSettings(database_url="postgresql+psycopg://x@h/db").lane_thread_count == 4
    assert PortalSettings(lane_threads=8).lane_thread_count == 8


async def test_the_lane_answers_as_fastapi_does(
    app: FastAPI, http: httpx.AsyncClient, portal: PortalClient, taken: list[str]
) -> None:
    app_id = await submitted(portal)
    both = Both(app, http)
    base = f"/v1/applications/{app_id}"
    for url in (
        base,
        base + "/receipt.png",
        base + "/receipt.png?lang=en",
        base + "/payment/card.png?lang=en",
        base + "/payment/qr.png",
        "/v1/applications/no-such-application",
    ):
        taken.clear()
        lane_answer, fastapi_answer = await both("GET", url, headers=BOT)
        assert taken, url
        same(lane_answer, fastapi_answer)
    # Errors the route raises go through the app's own handlers.
    for method, url, kw in (
        ("POST", base + "/submit", {}),  # no Idempotency-Key: 422
        ("PATCH", base + "/answers", {"json": {"answers": {"full_name": "Lê Thị Mai"}}}),
        ("GET", "/v1/applications/no-such-application/receipt.png", {}),
    ):
        taken.clear()
        lane_answer, fastapi_answer = await both(method, url, headers=BOT, **kw)
        assert taken and lane_answer.status_code >= 400, url
        same(lane_answer, fastapi_answer)


async def test_a_draft_and_its_answers_read_alike_on_both_paths(
    app: FastAPI, http: httpx.AsyncClient, taken: list[str]
) -> None:
    both = Both(app, http)
    made = await http.post("/v1/applications", json={"procedure": "certified_copy"}, headers=BOT)
    assert made.status_code == 201 and taken == ["create_application"]
    url = f"/v1/applications/{made.json()['id']}/answers"
    answer = {"answers": {"pages": 3}}
    lane_answer, fastapi_answer = await both("PATCH", url, json=answer, headers=BOT)
    assert lane_answer.status_code == fastapi_answer.status_code == 200
    first, second = lane_answer.json(), fastapi_answer.json()
    assert first["answers"] == second["answers"] == made.json()["answers"] | {"pages": 3}
    assert {k: v for k, v in first.items() if k != "version"} == {
        k: v for k, v in second.items() if k != "version"
    }


@pytest.mark.parametrize(
    ("method", "url", "kw"),
    [
        ("GET", "/v1/applications/bad%00id", {}),  # NUL: no database column may hold it
        ("GET", "/v1/applications/" + "x" * 65, {}),  # longer than an id may be
        ("GET", "/v1/applications/{id}/receipt.png?lang=fr", {}),
        ("GET", "/v1/applications/{id}/payment/card.png?lang=vi&lang=en", {}),
        ("PATCH", "/v1/applications/{id}/answers", {"content": b"{not json"}),
        ("PATCH", "/v1/applications/{id}/answers", {"json": {"answers": {}, "more": 1}}),
        ("PATCH", "/v1/applications/{id}/answers", {"data": {"answers": "x"}}),  # a form
        ("POST", "/v1/applications", {"json": {"procedure": ""}}),
        ("POST", "/v1/applications/{id}/submit", {"headers": {"Idempotency-Key": "a\x7fb"}}),
        ("POST", "/v1/applications/{id}/submit", {"headers": {"Idempotency-Key": "k" * 129}}),
        ("GET", "/v1/applications/{id}", {"headers": {"X-Citizen": "not an identity"}}),
        ("GET", "/v1/applications/{id}", {"headers": {"X-Citizen": ""}}),
        ("GET", "/v1/applications/{id}", {"headers": {"Authorization": "Bearer nope"}}),
        ("GET", "/v1/applications/{id}", {"headers": {"Authorization": f"Bearer {CLERK_TOKEN}"}}),
    ],
)
async def test_what_the_lane_does_not_recognise_goes_to_fastapi(
    app: FastAPI,
    http: httpx.AsyncClient,
    portal: PortalClient,
    taken: list[str],
    method: str,
    url: str,
    kw: dict[str, Any],
) -> None:
    app_id = (await portal.create_application(ANA, "certified_copy")).id
    taken.clear()
    kw = dict(kw)  # the parameters are shared by both databases' runs
    headers = BOT | kw.pop("headers", {})
    if "content" in kw:
        headers["Content-Type"] = "application/json"
    lane_answer, fastapi_answer = await Both(app, http)(
        method, url.replace("{id}", app_id), headers=headers, **kw
    )
    assert taken == []
    same(lane_answer, fastapi_answer)


async def test_a_body_over_the_limit_is_refused_on_the_lane(
    http: httpx.AsyncClient, portal: PortalClient, taken: list[str]
) -> None:
    app_id = (await portal.create_application(ANA, "certified_copy")).id
    taken.clear()
    huge = b'{"answers": {"a": "' + b"x" * 300_000 + b'"}}'
    answer = await http.patch(
        f"/v1/applications/{app_id}/answers",
        content=huge,
        headers=BOT | {"Content-Type": "application/json", "Content-Length": str(len(huge))},
    )
    assert answer.status_code == 413 and taken == []
    assert answer.headers["x-content-type-options"] == "nosniff"


def chosen(routes: list[Any], scope: dict[str, Any]) -> Any:
    """The endpoint FastAPI's router would call (included routers looked into)."""
    for route in routes:
        match, child = route.matches(scope)
        if match == Match.FULL:
            inner = getattr(route, "effective_candidates", None)
            return chosen(inner(), scope) if callable(inner) else child["endpoint"]
    return None


def test_the_lane_routes_are_the_ones_fastapi_would_choose(app: FastAPI) -> None:
    """A request the lane answers is one FastAPI routes to the same function: no route
    declared earlier would take it."""
    for route in lane.hot_routes():
        path = route.pattern.pattern.replace("(?P<app_id>[^/]+)", "abc").replace("\\", "")
        scope = {"type": "http", "method": route.method, "path": path, "root_path": ""}
        assert chosen(app.router.routes, scope) is route.endpoint, path
