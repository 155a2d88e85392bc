"""Over Zalo: a certified copy with its fee, whose payment card reaches the user as a
photo by a signed, expiring link (a tampered or expired link is refused); and the
status of an application by its typed code and by a photo of its receipt."""

from __future__ import annotations

import io
from urllib.parse import urlsplit

import pytest
from PIL import Image

from backend_client import PortalClient
from bot.zalo import ZaloChannel
from tests.e2e.flows import submitted_via_portal, tracking_code
from tests.e2e.zalo.conftest import ZaloUser, texts
from tests.fakes.zalo_api import FakeZalo
from tests.support.clock import FrozenClock
from tests.support.images import photo


@pytest.fixture(autouse=True)
def same_day(zalo_channel: ZaloChannel, clock: FrozenClock) -> None:
    zalo_channel.runtime.contexts.clock = clock  # type: ignore[union-attr]


async def test_certified_copy_fee_and_payment_card_by_signed_link(
    user: ZaloUser, zalo: FakeZalo, zalo_channel: ZaloChannel, portal: PortalClient
) -> None:
    await user.says("chào")
    await user.says("công chứng giấy tờ")
    await user.says("bắt đầu")
    await user.says("đồng ý")
    await user.says("Sổ đỏ")
    await user.says("ba trang")
    await user.says("hai bản")
    await user.says("Lê Thị Mai")
    await user.says("0905 123 456")
    review = []
    for i in range(3):
        review = await user.photo(photo(text=f"trang {i}"))
    if "Lệ phí" not in texts(review):
        review = await user.says("xong")
    assert "Lệ phí: 10.000 đồng" in texts(review)
    done = await user.says("nộp luôn")
    code = tracking_code(done)
    print(f"\nZalo certified copy: {user.sent} user messages")
    [mine] = await portal.my_applications(f"zalo:{user.chat_id}")
    assert mine.tracking_code == code and mine.fee_amount == 10_000

    photos = [m for m in zalo.sent_messages(user.chat_id) if m["method"] == "sendPhoto"]
    cards = [m for m in photos if "card" in _target(zalo_channel, m["photo"])]
    assert cards, user.transcript(10)
    url = cards[-1]["photo"]
    status, body, content_type = await zalo.fetch(url)
    assert status == 200 and content_type == "image/png"
    assert Image.open(io.BytesIO(body)).size[0] > 200  # a real picture

    # Tampered: another signature, another payload, no signature at all.
    address = urlsplit(url)
    for bad in (
        url[:-3] + ("AAA" if not url.endswith("AAA") else "BBB"),
        url.replace(address.path, address.path[:-2] + "xx"),
        f"{address.scheme}://{address.netloc}{address.path}",
    ):
        status, body, _ = await zalo.fetch(bad)
        assert status == 403 and b"PNG" not in body, bad
    # Expired: the same link an hour and a bit later.
    links = zalo_channel.links
    start = links.now()
    links.now = lambda: start + links.ttl + 5
    try:
        status, _, _ = await zalo.fetch(url)
        assert status == 403
    finally:
        links.now = lambda: start


def _target(channel: ZaloChannel, url: str) -> str:
    address = urlsplit(url)
    query = dict(p.split("=", 1) for p in address.query.split("&"))
    return channel.links.verify(address.path, query.get("exp"), query.get("sig")).data


async def test_status_by_code_and_by_receipt_photo(
    user: ZaloUser, portal: PortalClient, clock: FrozenClock
) -> None:
    code = await submitted_via_portal(portal, f"zalo:{user.chat_id}", clock().date())
    await user.says("xin chào")
    typed = await user.says(code.lower().replace("-", " "))
    assert f"Hồ sơ {code}" in texts(typed)
    [mine] = await portal.my_applications(f"zalo:{user.chat_id}")
    receipt = await portal.get_receipt(f"zalo:{user.chat_id}", mine.id, "vi")
    pictured = await user.photo(receipt)
    assert f"Hồ sơ {code}" in texts(pictured), user.transcript(4)
