"""Anonymous lookup by tracking code: procedure, coarse status, due date; nothing personal."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy import select

from kernel.i18n import N_
from portal.api import presenters, schemas
from portal.api.clients import rate_limit_key
from portal.api.deps import Ctx
from portal.api.ratelimit import Limiter
from portal.db.models import Application
from portal.domain.tracking import is_valid_code, normalize_code
from portal.services.context import PortalContext
from portal.services.errors import NotFound, TooManyRequests, ValidationFailed

router = APIRouter(prefix="/v1/track", tags=["tracking"])


def _lookup(ctx: PortalContext, canonical: str) -> schemas.TrackOut | None:
    with ctx.sessions() as db:
        app = db.scalar(select(Application).where(Application.tracking_code == canonical))
        return presenters.track(ctx, app) if app is not None else None


@router.get("/{code}", response_model=schemas.TrackOut)
def track(ctx: Ctx, request: Request, code: str) -> schemas.TrackOut:
    """The busiest public endpoint. Plain def: FastAPI runs it in the thread pool, one
    hop for the limiter (which may ask Redis) and the one query it makes. Limited per
    citizen for the bot's lookups, per client address for anyone else's."""
    limiter: Limiter = request.app.state.track_limiter
    key = rate_limit_key(request, ctx.settings, request.app.state.trusted_proxies)
    if not limiter.hit(key):
        raise TooManyRequests(N_("Too many lookups. Please wait a minute and try again."))
    canonical = normalize_code(code, default_prefix=ctx.settings.ward_code)
    if canonical is None:
        raise ValidationFailed(
            N_("This does not look like a tracking code. It looks like PX-2026-7Q4K9M."),
            code="not_a_code",
        )
    if not is_valid_code(canonical):
        raise ValidationFailed(
            N_("This code seems mistyped. Please check each character."),
            code="code_mistyped",
        )
    found = _lookup(ctx, canonical)
    if found is None:
        raise NotFound(N_("No application has this code."), code="unknown_code")
    return found
