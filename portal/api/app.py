"""The ASGI application factory."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from kernel import heap
from kernel.deployment import require_safe_secrets
from portal import console
from portal.api import bodylimit, docs, errors, lane, schemas
from portal.api.clients import TrustedProxies
from portal.api.ratelimit import make_limiter
from portal.api.routes import (
    applications,
    citizens,
    documents,
    events,
    papers,
    payments,
    procedures,
    staff,
    track,
)
from portal.domain.calendar import preload_holidays
from portal.public.routes import install as install_public_page
from portal.services.context import Clock, PortalContext, system_clock
from portal.settings import PortalSettings, get_settings
from portal.webhooks import EventPusher


def create_app(
    settings: PortalSettings | None = None,
    *,
    ctx: PortalContext | None = None,
    clock: Clock = system_clock,
) -> FastAPI:
    """Build the app. The database must already be migrated (``motcua portal`` does it).
    In production, raises InsecureSettings while a secret is a development default."""
    context = ctx or PortalContext.from_settings(settings or get_settings(), clock=clock)
    require_safe_secrets(context.settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # A due date set in December can fall in next January.
        year = context.today().year
        await asyncio.to_thread(preload_holidays, year, year + 1)
        pusher = EventPusher.start_if_configured(context)
        heap.settle()
        try:
            yield
        finally:
            if pusher is not None:
                await pusher.stop()
            app.state.track_limiter.close()

    app = FastAPI(
        title="Mot Cua portal",
        version="1",
        summary="Core services of the ward's one-stop office",
        lifespan=lifespan,
        docs_url=None,  # served by portal.api.docs with local assets
        redoc_url=None,
    )
    app.state.ctx = context
    app.state.track_limiter = make_limiter(context.settings)
    app.state.trusted_proxies = TrustedProxies(context.settings.trusted_proxies)
    errors.install(app)
    # The bot's frequent calls without FastAPI's per-request layers (inside the body limit).
    app.add_middleware(lane.Lane, portal=app, routes=lane.hot_routes())
    # The body limits and nosniff on every response (portal.api.downloads): one layer.
    bodylimit.install(app, max_upload_bytes=context.settings.max_upload_bytes)
    docs.install(app)

    @app.get("/v1/health", tags=["meta"])
    def health() -> dict[str, str]:
        return {"status": "ok"}

    # The API first: routes are tried in order, and the bot's calls are most requests.
    for module in (
        procedures,
        applications,
        papers,
        documents,
        payments,
        track,
        events,
        staff,
        citizens,
    ):
        app.include_router(module.router, responses=schemas.ERROR_RESPONSES)
    console.install(app)  # the clerk's console, /staff/ (portal/console/)
    install_public_page(app)  # the public status page, /t/{code} (portal/public/)
    return app
