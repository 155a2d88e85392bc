"""Request-scoped dependencies: the database session and who is calling."""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Header, Path, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from kernel.i18n import N_
from portal.api.text import PlainText
from portal.services import staff as staff_service
from portal.services.context import PortalContext
from portal.services.errors import Forbidden, Unauthorized, ValidationFailed
from portal.services.identity import CITIZEN_PATTERN, Actor

# An application id as the client wrote it: refused (422) before any query if it holds
# characters no database column may (NUL on PostgreSQL).
AppId = Annotated[PlainText, Path(max_length=64)]


def _ctx(request: Request) -> PortalContext:
    ctx: PortalContext = request.app.state.ctx
    return ctx


async def get_ctx(request: Request) -> PortalContext:
    # async: resolving the context needs no thread-pool hop
    return _ctx(request)


Ctx = Annotated[PortalContext, Depends(get_ctx)]


async def get_db(request: Request) -> AsyncIterator[Session]:
    """One transaction per request: routes commit at their end; anything raised
    before that rolls the whole request back.

    Async, yet nothing here waits on the database from the event loop: a new session
    holds no connection (it connects at its first statement, in the route's thread), and
    one whose route committed (or ended its read, ``committing.respond``) holds none any
    more, so closing it is bookkeeping. Only a session still in a transaction (a route
    that raised, or one that left it open) is closed in the thread pool, where its
    rollback may wait. Two thread-pool hops per request fewer than a plain generator.

    The context comes from the request, not from the ``Ctx`` dependency: FastAPI
    resolves a nested dependency again (cached or not) wherever it appears, and this one
    is in every route's tree twice (the route's own and ``get_actor``'s)."""
    session = _ctx(request).sessions()
    try:
        yield session
    finally:
        if session.in_transaction():
            await run_in_threadpool(session.close)
        else:
            session.close()


# scope="function": the session is closed (its transaction rolled back, row locks
# released) as soon as the route returns or raises, not after the response is sent.
Db = Annotated[Session, Depends(get_db, scope="function")]


async def raw_body(request: Request) -> bytes:
    """The request body as sent (e.g. to check a signature): read on the event loop, so
    that the route that needs it can stay a plain ``def`` running in the thread pool."""
    return await request.body()


RawBody = Annotated[bytes, Depends(raw_body)]


def _bearer(authorization: str | None) -> str:
    if not authorization or not authorization.lower().startswith("bearer "):
        raise Unauthorized(N_("Sign-in is required."), code="missing_token")
    return authorization[7:].strip()


def bot_actor(ctx: PortalContext, authorization: str | None, x_citizen: str | None) -> Actor | None:
    """Who the bot's service token names (a citizen with X-Citizen, else the bot
    itself); None when the token is another one (or missing). Also used by
    ``portal.api.lane``."""
    if not authorization or not authorization.lower().startswith("bearer "):
        return None
    token = authorization[7:].strip()
    if not hmac.compare_digest(token.encode(), ctx.settings.bot_service_token.encode()):
        return None
    if not x_citizen:
        return Actor(kind="system", id="bot")
    if not CITIZEN_PATTERN.match(x_citizen):
        raise ValidationFailed(
            N_("The citizen identity is malformed."), code="bad_citizen_identity"
        )
    return Actor(kind="citizen", id=x_citizen)


async def _authenticate(
    request: Request, db: Session, authorization: str | None, x_citizen: str | None
) -> Actor:
    """The bot's service token plus X-Citizen names a citizen; a staff token names staff.
    Async: the bot's token needs no query (no thread-pool hop for a citizen's request);
    a staff token is looked up in the thread pool."""
    token = _bearer(authorization)
    bot = bot_actor(_ctx(request), authorization, x_citizen)  # not Ctx: see get_db
    if bot is not None:
        return bot
    staff = await run_in_threadpool(staff_service.authenticate, db, token)
    if staff is None:
        raise Unauthorized(N_("This token is not valid."), code="bad_token")
    return staff_service.as_actor(staff)


# Each dependency below authenticates and checks in one step, rather than as a check
# depending on a shared "who is calling" dependency: FastAPI solves every node of the
# tree on each request (its sub-dependencies, its parameters, its cache key), so a level
# fewer is CPU saved on every call. The same headers, so the same OpenAPI. A route
# takes one of them (tests/portal/api/test_app.py): a staff token is looked up once.
Authorization = Annotated[str | None, Header()]
XCitizen = Annotated[str | None, Header()]


async def get_citizen(
    request: Request, db: Db, authorization: Authorization = None, x_citizen: XCitizen = None
) -> Actor:
    actor = await _authenticate(request, db, authorization, x_citizen)
    if actor.kind not in ("citizen", "staff"):
        raise ValidationFailed(
            N_("The citizen identity is missing (X-Citizen header)."),
            code="citizen_required",
        )
    return actor


Citizen = Annotated[Actor, Depends(get_citizen)]


async def get_staff(
    request: Request, db: Db, authorization: Authorization = None, x_citizen: XCitizen = None
) -> Actor:
    actor = await _authenticate(request, db, authorization, x_citizen)
    if not actor.is_staff:
        raise Forbidden(N_("This is for ward staff only."), code="staff_only")
    return actor


StaffActor = Annotated[Actor, Depends(get_staff)]


async def get_feed_reader(
    request: Request, db: Db, authorization: Authorization = None, x_citizen: XCitizen = None
) -> Actor:
    actor = await _authenticate(request, db, authorization, x_citizen)
    if actor.kind == "citizen":
        raise Forbidden(N_("This is for ward staff only."), code="staff_only")
    return actor


FeedReader = Annotated[Actor, Depends(get_feed_reader)]
