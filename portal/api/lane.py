"""The bot's most frequent calls, answered without FastAPI's per-request machinery.

Every turn of a citizen's form is one of a handful of requests from the bot (create a
draft, answer, read it back, submit, fetch the receipt and the payment card). Measured
on the portal, FastAPI's layers around such a request (dependency solving, header and
path validation through pydantic fields, the thread-pool hop through anyio, the
telemetry and exit-stack wrappers) cost about twice the route's own work. This ASGI
layer answers those requests itself: it binds the same parameters with the same
validators, calls the **same route function** in a worker thread with a session of its
own, and maps what it raises through the app's own exception handlers, so the answer is
the one FastAPI would give. The routes stay declared with FastAPI (OpenAPI, docs, every
other caller) and anything the lane does not recognise as plainly valid (another token
than the bot's, a malformed id, a body that does not validate, a content type it does not
expect) goes on to FastAPI untouched, which then gives its usual answer or error.

It sits inside the body-limit layer (limits and nosniff apply to it as to every route)
and is tested against FastAPI's own path (tests/portal/api/test_lane.py)."""

from __future__ import annotations

import asyncio
import json
import re
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from fastapi import FastAPI
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portal.api import deps, schemas
from portal.api.text import plain
from portal.services.context import PortalContext
from portal.services.errors import PortalError
from portal.services.identity import Actor

# What a route function receives besides ctx, db and actor.
Params = dict[str, Any]
# Binds a request's path parameters, query string, headers and body to the route's other
# parameters; None when anything is not plainly valid (FastAPI then handles it).
Binder = Callable[[dict[str, str], bytes, dict[bytes, bytes], bytes], Params | None]


@dataclass(frozen=True)
class LaneRoute:
    method: str
    pattern: re.Pattern[str]
    endpoint: Callable[..., Response]
    bind: Binder


def app_id(value: str) -> str | None:
    """An application id as ``deps.AppId`` accepts it (plain text, at most 64)."""
    if len(value) > 64:
        return None
    try:
        return plain(value)
    except ValueError:
        return None


def json_body(model: type[BaseModel], headers: dict[bytes, bytes], body: bytes) -> Any:
    """The body as FastAPI reads it for a JSON body parameter (``json.loads``, then the
    model in Python mode), or None."""
    kind = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
    if kind != b"application/json":
        return None
    try:
        return model.model_validate(json.loads(body))
    except (ValueError, ValidationError):
        return None


def lang_query(query: bytes) -> Params | None:
    """``?lang=vi|en`` (the papers' ``Lang``), defaulting to vi; anything else: None."""
    pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True)
    if not pairs:
        return {"lang": "vi"}
    if len(pairs) == 1 and pairs[0][0] == "lang" and pairs[0][1] in ("vi", "en"):
        return {"lang": pairs[0][1]}
    return None


class Lane:
    """ASGI middleware: the routes of ``routes`` for the bot's citizens, the rest to
    ``app``. ``portal`` is the FastAPI app (its state and exception handlers)."""

    def __init__(self, app: ASGIApp, *, portal: FastAPI, routes: Iterable[LaneRoute]) -> None:
        self.app = app
        self.portal = portal
        self.routes = tuple(routes)
        self._guarded: ASGIApp | None = None
        self._threads: ThreadPoolExecutor | None = None  # _pool's, at the first call

    def _handlers(self) -> ASGIApp:
        # Built at the first request: every exception handler is registered by then.
        if self._guarded is None:
            handlers = {
                k: v for k, v in self.portal.exception_handlers.items() if k not in (500, Exception)
            }
            self._guarded = ExceptionMiddleware(self._answer, handlers=handlers)
        return self._guarded

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("root_path"):
            await self.app(scope, receive, send)  # (a mount point: FastAPI's routing)
            return
        method, path = scope["method"], scope["path"]
        for route in self.routes:
            if route.method == method:
                found = route.pattern.fullmatch(path)
                if found is not None:
                    break
        else:
            await self.app(scope, receive, send)
            return
        headers: dict[bytes, bytes] = {}
        for name, value in scope["headers"]:  # lower-case; a repeated one: the first,
            headers.setdefault(name, value)  # as Starlette's Headers.get reads it
        actor = _bot_citizen(_ctx(self.portal), headers)
        body = await _read(receive) if method != "GET" else b""
        params = None
        if actor is not None:
            params = route.bind(found.groupdict(), scope["query_string"], headers, body)
        if params is None:
            await self.app(scope, _replay(body, receive), send)
            return
        scope["motcua.lane"] = (route.endpoint, actor, params)
        await self._handlers()(scope, receive, send)

    async def _answer(self, scope: Scope, receive: Receive, send: Send) -> None:
        endpoint, actor, params = scope["motcua.lane"]
        ctx = _ctx(self.portal)
        loop = asyncio.get_running_loop()
        if self._threads is None:
            self._threads = _pool(ctx.settings.lane_thread_count)
        response = await loop.run_in_executor(self._threads, _call, endpoint, ctx, actor, params)
        await response(scope, receive, send)


_POOLS: dict[int, ThreadPoolExecutor] = {}
_POOLS_GUARD = threading.Lock()


def _pool(threads: int) -> ThreadPoolExecutor:
    """The lane's threads, one pool per process and size (every app built in it shares
    it), few on purpose (settings.lane_threads): each request's work holds the
    interpreter's lock, so more threads do not answer more, they take turns at it, and
    the switching cost about a third more CPU per request and starved the event loop
    that reads the requests (see the setting)."""
    pool = _POOLS.get(threads)
    if pool is None:
        with _POOLS_GUARD:
            pool = _POOLS.get(threads)
            if pool is None:
                pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="lane")
                _POOLS[threads] = pool
    return pool


def _call(
    endpoint: Callable[..., Response], ctx: PortalContext, actor: Actor, params: Params
) -> Response:
    """The route, in a worker thread, with a session closed as soon as it returns or
    raises (``deps.get_db``'s contract: a route that raised is rolled back)."""
    db: Session = ctx.sessions()
    try:
        return endpoint(ctx=ctx, db=db, actor=actor, **params)
    finally:
        db.close()


def _ctx(portal: FastAPI) -> PortalContext:
    ctx: PortalContext = portal.state.ctx
    return ctx


def _bot_citizen(ctx: PortalContext, headers: dict[bytes, bytes]) -> Actor | None:
    """A citizen named by the bot (its service token and a well-formed X-Citizen), as
    ``deps.get_citizen`` reads them; anything else is FastAPI's to answer."""
    authorization = headers.get(b"authorization")
    citizen = headers.get(b"x-citizen")
    if authorization is None or citizen is None:
        return None
    try:
        actor = deps.bot_actor(ctx, authorization.decode("latin-1"), citizen.decode("latin-1"))
    except PortalError:
        return None  # a malformed X-Citizen: FastAPI's path answers it
    return actor if actor is not None and actor.kind == "citizen" else None


async def _read(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break  # a disconnect: FastAPI's path sees it again on its own receive
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """The body already read, then whatever comes next from the client."""
    sent = False

    async def again() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return again


def _app_id_only(
    path: dict[str, str], _q: bytes, _h: dict[bytes, bytes], _b: bytes
) -> Params | None:
    key = app_id(path["app_id"])
    return None if key is None else {"app_id": key}


def _with_lang(
    path: dict[str, str], query: bytes, _h: dict[bytes, bytes], _b: bytes
) -> Params | None:
    key, lang = app_id(path["app_id"]), lang_query(query)
    return None if key is None or lang is None else {"app_id": key, **lang}


def _answers(
    path: dict[str, str], _q: bytes, headers: dict[bytes, bytes], body: bytes
) -> Params | None:
    key, parsed = app_id(path["app_id"]), json_body(schemas.AnswersIn, headers, body)
    return None if key is None or parsed is None else {"app_id": key, "body": parsed}


def _create(
    _p: dict[str, str], _q: bytes, headers: dict[bytes, bytes], body: bytes
) -> Params | None:
    parsed = json_body(schemas.CreateApplicationIn, headers, body)
    return None if parsed is None else {"body": parsed}


def _submit(
    path: dict[str, str], _q: bytes, headers: dict[bytes, bytes], _b: bytes
) -> Params | None:
    key = app_id(path["app_id"])
    raw = headers.get(b"idempotency-key")
    if key is None:
        return None
    if raw is None:
        return {"app_id": key, "idempotency_key": None}
    value = raw.decode("latin-1")
    if len(value) > 128:
        return None
    try:
        return {"app_id": key, "idempotency_key": plain(value)}
    except ValueError:
        return None


def _route(method: str, path: str, endpoint: Callable[..., Response], bind: Binder) -> LaneRoute:
    pattern = re.compile(re.escape(path).replace(re.escape("{app_id}"), "(?P<app_id>[^/]+)"))
    return LaneRoute(method, pattern, endpoint, bind)


def hot_routes() -> list[LaneRoute]:
    """The bot's calls on a citizen's form turns, most frequent first."""
    from portal.api.routes import applications, papers

    base = "/v1/applications"
    return [
        _route("PATCH", base + "/{app_id}/answers", applications.set_answers, _answers),
        _route("GET", base + "/{app_id}", applications.get_application, _app_id_only),
        _route("POST", base, applications.create_application, _create),
        _route("POST", base + "/{app_id}/submit", applications.submit_application, _submit),
        _route("GET", base + "/{app_id}/receipt.png", papers.get_receipt_png, _with_lang),
        _route("GET", base + "/{app_id}/payment/card.png", papers.get_payment_card, _with_lang),
        _route("GET", base + "/{app_id}/payment/qr.png", applications.get_payment_qr, _app_id_only),
    ]
