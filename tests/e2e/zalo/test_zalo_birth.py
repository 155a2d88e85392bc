"""A birth registration over Zalo, typed only (no button exists there), from the
greeting to the tracking code, with photos of the papers; the user's messages are
counted and printed."""

from __future__ import annotations

from typing import Any

import pytest

from backend_client import PortalClient
from bot.zalo import ZaloChannel
from tests.e2e.flows import tracking_code
from tests.e2e.zalo.conftest import ZaloUser, texts
from tests.support.clock import FrozenClock
from tests.support.images import photo

BOUND = 25


@pytest.fixture(autouse=True)
def same_day(zalo_channel: ZaloChannel, clock: FrozenClock) -> None:
    """The bot reads "mùng 5 tháng 3" and quotes the fee on the portal's day."""
    zalo_channel.runtime.contexts.clock = clock  # type: ignore[union-attr]


async def papers(user: ZaloUser, counts: list[int]) -> list[dict[str, Any]]:
    last: list[dict[str, Any]] = []
    for index, n in enumerate(counts):
        for i in range(n):
            last = await user.photo(photo(text=f"giay {index} trang {i}"))
        said = texts(last)
        if f"{index + 2}/{len(counts)}" not in said and "xem lại hồ sơ" not in said:
            last = await user.says("xong")
    return last


async def test_birth_registration_typed_over_zalo(user: ZaloUser, portal: PortalClient) -> None:
    greeting = await user.says("xin chào")
    assert "Bác gõ số hoặc gõ chữ" in texts(greeting)
    card = await user.says("làm giấy khai sinh cho cháu")
    assert "Giấy chứng sinh" in texts(card)
    await user.says("bat dau")
    asked = await user.says("dong y")
    assert "Bước 1/" in texts(asked)
    await user.says("Nguyễn Thị Minh An")
    sex = texts(asked + await user.says("x"))  # an unclear answer: the list is shown again
    assert "1." in sex or "gõ" in sex
    await user.says("2")  # the number of "Bé gái" in the list shown
    await user.says("mung 5 thang 3")
    await user.says("Bệnh viện Trung ương Huế")
    await user.says("Trần Thị Hoa")
    await user.says("5/3/1995")
    await user.says("046 195 123 456")
    await user.says("co")
    await user.says("Nguyễn Văn Bình")
    await user.says("roi")
    asked_papers = await user.says("0905 123 456")
    assert "Giấy chứng sinh" in texts(asked_papers)
    review = await papers(user, [1, 1, 2])
    summary = texts(review)
    assert "05/03/2026" in summary and "Bé gái" in summary
    done = await user.says("nop luon di")
    print(f"\nZalo birth registration, typing only: {user.sent} user messages")
    code = tracking_code(done)
    assert user.sent <= BOUND
    [mine] = await portal.my_applications(f"zalo:{user.chat_id}")
    assert mine.tracking_code == code and mine.status == "submitted"
    app = await portal.get_application(f"zalo:{user.chat_id}", mine.id)
    # "2" picked the second choice of the list shown.
    assert app.answers["child_sex"] == "female" and app.answers["child_dob"] == "2026-03-05"
    assert all(len(m["text"]) <= 2000 for m in user.zalo.sent_messages(user.chat_id))


async def test_a_number_typed_after_a_restart_is_read_by_the_engine(
    user: ZaloUser, zalo_channel: ZaloChannel, portal: PortalClient
) -> None:
    """The list shown is kept in memory only; after a restart the engine reads "2" as
    the second choice of its question, in the same order as the list showed."""
    await user.says("làm giấy khai sinh cho cháu")
    await user.says("bat dau")
    await user.says("dong y")
    asked = await user.says("Nguyễn Thị Minh An")
    assert "1. Bé trai\n2. Bé gái" in texts(asked)
    zalo_channel.sender.menus.clear()  # as after a restart
    answered = await user.says("2")
    assert "Bé gái" in texts(answered) or "sinh" in texts(answered).lower()
    [mine] = await portal.my_applications(f"zalo:{user.chat_id}")
    app = await portal.get_application(f"zalo:{user.chat_id}", mine.id)
    assert app.answers["child_sex"] == "female"
