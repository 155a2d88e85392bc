"""Typing only, pressing no button and no button number: a birth registration, a
certified copy and a marital status certificate from the first /start to the tracking
code, over the fake Telegram Bot API against the real portal. The user's messages are
counted (texts and photos) and printed, so the lead can report them."""

from __future__ import annotations

from typing import Any

import pytest

from backend_client import PortalClient
from bot.telegram import TelegramChannel
from tests.e2e.conftest import Citizen, texts
from tests.e2e.flows import tracking_code
from tests.support.clock import FrozenClock
from tests.support.images import photo

BIRTH_BOUND = 25
COPY_BOUND = 15


@pytest.fixture(autouse=True)
def same_day(channel: TelegramChannel, clock: FrozenClock) -> None:
    """The bot reads "mùng 5 tháng 3" and quotes the fee on the portal's day."""
    channel.contexts.clock = clock


class Typist:
    """A citizen who only types and sends photos; counts every message sent."""

    def __init__(self, citizen: Citizen) -> None:
        self.citizen = citizen
        self.sent = 0

    async def start(self) -> list[dict[str, Any]]:
        self.sent += 1
        return await self.citizen.start()

    async def says(self, text: str) -> list[dict[str, Any]]:
        self.sent += 1
        return await self.citizen.says(text)

    async def photo(self, label: str) -> list[dict[str, Any]]:
        self.sent += 1
        return await self.citizen.sends_photo(photo(text=label))

    async def papers(self, counts: list[int]) -> list[dict[str, Any]]:
        """Photos of each paper in turn; "xong" only when the bot still waits on it."""
        last: list[dict[str, Any]] = []
        for index, n in enumerate(counts):
            for i in range(n):
                last = await self.photo(f"giay {index} trang {i}")
            said = texts(last)
            moved_on = f"{index + 2}/{len(counts)}" in said or "xem lại hồ sơ" in said
            if not moved_on:
                last = await self.says("xong")
        return last


async def test_birth_registration_typed_only(citizen: Citizen, portal: PortalClient) -> None:
    typist = Typist(citizen)
    await typist.start()
    card = await typist.says("làm giấy khai sinh cho cháu")
    assert "Giấy chứng sinh" in texts(card)
    await typist.says("ok bat dau di")
    asked = await typist.says("dong y")
    assert "Bước 1/" in texts(asked)
    await typist.says("Nguyễn Thị Minh An")
    await typist.says("gai")
    await typist.says("mung 5 thang 3")  # a newborn's birthday: this year
    await typist.says("Bệnh viện Trung ương Huế")
    await typist.says("Trần Thị Hoa")
    await typist.says("5/3/1995")
    await typist.says("046 195 123 456")
    await typist.says("co")
    await typist.says("Nguyễn Văn Bình")
    await typist.says("roi")
    papers = await typist.says("0905 123 456")
    assert "Giấy chứng sinh" in texts(papers)
    review = await typist.papers([1, 1, 2])
    summary = texts(review)
    assert "05/03/2026" in summary and "Bé gái" in summary and "miễn phí" in summary
    assert all(len(m.get("text") or "") <= 300 for m in review)
    done = await typist.says("nop luon di")
    code = tracking_code(done)
    print(f"\nbirth registration, typing only: {typist.sent} messages")
    assert typist.sent <= BIRTH_BOUND
    [mine] = await portal.my_applications(f"telegram:{citizen.chat_id}")
    assert mine.tracking_code == code and mine.status == "submitted"
    app = await portal.get_application(f"telegram:{citizen.chat_id}", mine.id)
    assert app.answers["child_dob"] == "2026-03-05" and app.fee_amount == 0


async def test_certified_copy_typed_only(citizen: Citizen, portal: PortalClient) -> None:
    typist = Typist(citizen)
    await typist.start()
    await typist.says("công chứng giấy tờ")
    await typist.says("bắt đầu")
    await typist.says("đồng ý")
    await typist.says("Sổ đỏ")
    await typist.says("ba trang")
    await typist.says("hai bản")
    await typist.says("Lê Thị Mai")
    await typist.says("0905 123 456")
    review = await typist.papers([3])
    assert "Lệ phí: 10.000 đồng" in texts(review)
    done = await typist.says("nộp luôn")
    code = tracking_code(done)
    print(f"\ncertified copy, typing only: {typist.sent} messages")
    assert typist.sent <= COPY_BOUND
    [mine] = await portal.my_applications(f"telegram:{citizen.chat_id}")
    assert mine.tracking_code == code and mine.fee_amount == 10_000
    paid = await typist.says("tôi đã chuyển khoản")  # typed at the payment step
    assert "chưa" in texts(paid).lower()


async def test_marital_status_certificate_typed_only(
    citizen: Citizen, portal: PortalClient
) -> None:
    typist = Typist(citizen)
    await typist.start()
    await typist.says("xin giấy xác nhận độc thân")
    await typist.says("lam luon")
    await typist.says("dong y")
    await typist.says("Lê Văn Tám")
    await typist.says("12/8/1990")
    await typist.says("046 090 123 456")
    await typist.says("chua ket hon lan nao")
    await typist.says("de dang ky ket hon")
    await typist.says("0905 123 456")
    await typist.papers([2])
    done = await typist.says("nộp luôn")
    code = tracking_code(done)
    print(f"\nmarital status certificate, typing only: {typist.sent} messages")
    [mine] = await portal.my_applications(f"telegram:{citizen.chat_id}")
    assert mine.tracking_code == code
