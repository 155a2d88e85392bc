from __future__ import annotations

import pytest

from portal.api.app import create_app
from portal.domain import calendar
from portal.services.context import PortalContext
from tests.support.clock import FrozenClock


async def test_start_up_computes_this_and_next_years_holidays(
    ctx: PortalContext, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An empty cache, so the years can only come from the start-up.
    monkeypatch.setattr(calendar, "_HOLIDAYS", {})
    clock.set_local(2031, 12, 30, 16)
    app = create_app(ctx=ctx)
    assert calendar._HOLIDAYS == {}
    async with app.router.lifespan_context(app):
        assert set(calendar._HOLIDAYS) == {2031, 2032}


def test_a_route_authenticates_once() -> None:
    """Each of deps' checks authenticates by itself (a level of dependencies fewer): a
    route taking two of them would look a staff token up twice."""
    from fastapi.dependencies.models import Dependant
    from fastapi.routing import APIRoute

    from portal.api import deps
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

    checks = {deps.get_citizen, deps.get_staff, deps.get_feed_reader}

    def calls(dependant: Dependant) -> set[object]:
        found = {dependant.call} & checks
        for sub in dependant.dependencies:
            found |= calls(sub)
        return found

    modules = (applications, citizens, documents, events, papers, payments, procedures)
    routes = [
        r for m in (*modules, staff, track) for r in m.router.routes if isinstance(r, APIRoute)
    ]
    assert len(routes) >= 30
    authenticated = [r for r in routes if calls(r.dependant)]
    assert len(authenticated) > 20
    for route in authenticated:
        assert len(calls(route.dependant)) == 1, route.path
