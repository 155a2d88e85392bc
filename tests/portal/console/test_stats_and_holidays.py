"""The statistics page with its server-drawn charts, and the head's holiday table."""

from __future__ import annotations

import httpx

from backend_client import PortalClient
from tests.portal.console.conftest import csrf_of, submitted
from tests.support.clock import FrozenClock


async def test_statistics_with_charts(
    portal: PortalClient, clock: FrozenClock, clerk_client: httpx.AsyncClient
) -> None:
    await submitted(portal, clock, "death_registration")
    await submitted(portal, clock, "birth_registration")
    page = await clerk_client.get("/staff/stats")
    assert page.status_code == 200
    assert "100%" in page.text  # both filed online
    assert "2026-03" in page.text  # the month's row of figures
    assert page.text.count("1 (100%)") == 2  # per procedure: one each, filed online
    for name in ("monthly", "on-time", "procedures"):
        assert f"/staff/stats/charts/{name}.svg" in page.text
        chart = await clerk_client.get(f"/staff/stats/charts/{name}.svg")
        assert chart.status_code == 200
        assert chart.headers["content-type"].startswith("image/svg+xml")
        assert chart.text.lstrip().startswith("<?xml") and "<svg" in chart.text
        assert "<script" not in chart.text
    limited = await clerk_client.get("/staff/stats", params={"since": "2026-04-01"})
    assert "2026-03" not in limited.text
    assert "since=2026-04-01" in limited.text  # the charts follow the period
    assert (await clerk_client.get("/staff/stats/charts/other.svg")).status_code == 422


async def test_the_head_edits_the_holiday_table(
    head_client: httpx.AsyncClient, clerk_client: httpx.AsyncClient
) -> None:
    page = await head_client.get("/staff/holidays")
    added = await head_client.post(
        "/staff/holidays",
        data={"csrf": csrf_of(page.text), "day": "2026-04-25", "kind": "working", "note": "Làm bù"},
    )
    assert added.status_code == 303
    table = await clerk_client.get("/staff/holidays")
    assert "25/04/2026" in table.text and "Làm bù" in table.text
    # A clerk sees the table but has no form, and a forged POST is refused.
    assert 'action="/staff/holidays"' not in table.text
    refused = await clerk_client.post(
        "/staff/holidays", data={"csrf": csrf_of(table.text), "day": "2026-05-02", "kind": "off"}
    )
    assert refused.status_code == 403
    refused = await clerk_client.post(
        "/staff/holidays/2026-04-25/delete", data={"csrf": csrf_of(table.text)}
    )
    assert refused.status_code == 403
    assert "25/04/2026" in (await head_client.get("/staff/holidays")).text
    # Without the token, even the head's POST does nothing.
    assert (
        await head_client.post("/staff/holidays/2026-04-25/delete", data={"csrf": "x"})
    ).status_code == 403
    page = await head_client.get("/staff/holidays")
    removed = await head_client.post(
        "/staff/holidays/2026-04-25/delete", data={"csrf": csrf_of(page.text)}
    )
    assert removed.status_code == 303
    assert "25/04/2026" not in (await head_client.get("/staff/holidays")).text
    bad = await head_client.post(
        "/staff/holidays", data={"csrf": csrf_of(page.text), "day": "soon", "kind": "off"}
    )
    assert bad.status_code == 422
