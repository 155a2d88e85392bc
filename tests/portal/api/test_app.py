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
