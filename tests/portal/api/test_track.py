from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from backend_client import NotFoundError, PortalClient, RateLimitedError, ValidationFailedError
from portal.api.ratelimit import SlidingWindow
from tests.support.clock import FrozenClock
from tests.support.forms import sample_answers
from tests.support.images import photo

ANA = "telegram:4001"


async def _code(portal: PortalClient, clock: FrozenClock) -> str:
    proc = await portal.get_procedure("death_registration")
    app = await portal.create_application(ANA, "death_registration")
    await portal.set_answers(ANA, app.id, sample_answers(proc, today=clock().date()))
    for spec in proc.documents:
        if spec.required:
            for _ in range(spec.min_files):
                await portal.upload_document(ANA, app.id, spec.code, photo())
    submitted = await portal.submit(ANA, app.id, "k")
    assert submitted.tracking_code
    return submitted.tracking_code


async def test_lookup_in_any_spelling_shows_nothing_personal(
    portal: PortalClient, clock: FrozenClock, http: httpx.AsyncClient
) -> None:
    code = await _code(portal, clock)
    for spelling in (code, code.lower(), code.replace("-", " "), code.replace("-", "")):
        result = await portal.track(spelling)
        assert result.tracking_code == code
    raw = (await http.get(f"/v1/track/{code}")).json()
    assert set(raw) == {
        "tracking_code",
        "procedure",
        "procedure_name",
        "status",
        "status_label",
        "due_date",
    }


async def test_mistyped_and_unknown_codes(portal: PortalClient, clock: FrozenClock) -> None:
    code = await _code(portal, clock)
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    last = code[-1]
    typo = code[:-1] + alphabet[(alphabet.index(last) + 1) % len(alphabet)]
    with pytest.raises(ValidationFailedError) as err:
        await portal.track(typo)
    assert err.value.code == "code_mistyped"
    with pytest.raises(ValidationFailedError):
        await portal.track("hello")


async def test_enumeration_is_rate_limited(app: FastAPI, portal: PortalClient) -> None:
    app.state.track_limiter = SlidingWindow(limit=3)
    for _ in range(3):
        with pytest.raises((NotFoundError, ValidationFailedError)):
            await portal.track("PX-2026-22222A")
    with pytest.raises(RateLimitedError):
        await portal.track("PX-2026-22222A")


def test_sliding_window_frees_up_after_the_window() -> None:
    window = SlidingWindow(limit=2, window_seconds=60)
    assert window.allow("a", now=0) and window.allow("a", now=1)
    assert not window.allow("a", now=2)
    assert window.allow("b", now=2)
    assert window.allow("a", now=61)
