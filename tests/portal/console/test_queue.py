"""The queue's filters and its one search box."""

from __future__ import annotations

import httpx
import pytest

from backend_client import PortalClient
from portal.catalog.text import fold
from portal.services import queue_search
from tests.portal.console.conftest import ANA, CLERK_PASSWORD, sign_in, submitted
from tests.support.clock import FrozenClock


async def test_search_by_code_name_and_citizen_id(
    portal: PortalClient, clock: FrozenClock, clerk_client: httpx.AsyncClient
) -> None:
    death_id, death_code = await submitted(portal, clock, "death_registration")
    _, birth_code = await submitted(portal, clock, "birth_registration")
    everything = await clerk_client.get("/staff/queue")
    assert death_code in everything.text and birth_code in everything.text

    death = await portal.get_application(ANA, death_id)
    name = death.answers["deceased_name"]
    citizen_id = death.answers["deceased_id"]
    # A name typed without diacritics, in lower case, finds the sealed answer.
    assert isinstance(name, str)
    by_name = await clerk_client.get(
        "/staff/queue", params={"q": fold(name).split()[-2:][0] + " " + fold(name).split()[-1]}
    )
    assert by_name.status_code == 200
    assert death_code in by_name.text
    by_id = await clerk_client.get(
        "/staff/queue", params={"q": f"{citizen_id[:3]} {citizen_id[3:6]} {citizen_id[6:]}"}
    )
    assert death_code in by_id.text
    other_id = await clerk_client.get("/staff/queue", params={"q": "046099000001"})
    assert death_code not in other_id.text and birth_code not in other_id.text
    nobody = await clerk_client.get("/staff/queue", params={"q": "Hoàng Thị Zzz"})
    assert death_code not in nobody.text and "Không có hồ sơ nào phù hợp" in nobody.text


async def test_filters(
    portal: PortalClient, clock: FrozenClock, clerk_client: httpx.AsyncClient
) -> None:
    _, death_code = await submitted(portal, clock, "death_registration")
    _, birth_code = await submitted(portal, clock, "birth_registration")
    by_proc = await clerk_client.get("/staff/queue", params={"procedure": "birth_registration"})
    assert birth_code in by_proc.text and death_code not in by_proc.text
    by_status = await clerk_client.get("/staff/queue", params={"status": "received"})
    assert birth_code not in by_status.text
    assert (await clerk_client.get("/staff/queue", params={"overdue": "1"})).text.count(
        "/staff/applications/"
    ) == 0
    clock.advance(days=30)
    await sign_in(clerk_client, "lan", CLERK_PASSWORD)  # a month later: a new session
    late = await clerk_client.get("/staff/queue", params={"overdue": "1"})
    assert birth_code in late.text and death_code in late.text
    assert "quá hạn" in late.text
    # Unknown filter values are ignored, never an error page.
    odd = await clerk_client.get("/staff/queue", params={"status": "nope", "procedure": "x"})
    assert odd.status_code == 200


async def test_a_long_queue_says_it_is_cut(
    portal: PortalClient,
    clock: FrozenClock,
    clerk_client: httpx.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(queue_search, "LIMIT", 1)
    await submitted(portal, clock, "death_registration")
    await submitted(portal, clock, "birth_registration")
    page = await clerk_client.get("/staff/queue")
    assert page.text.count("/staff/applications/") == 1
    assert "chỉ hiện 1 hồ sơ đầu" in page.text
