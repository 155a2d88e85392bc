"""Status of an application: by a typed code, by the deep link, by a photo of the
receipt's QR code, and from "My applications"."""

from __future__ import annotations

import io

import segno

from backend_client import PortalClient
from tests.e2e.conftest import Citizen, texts
from tests.e2e.flows import submitted_via_portal
from tests.fakes.telegram_api import FakeTelegram
from tests.support.clock import FrozenClock


def qr_png(text: str) -> bytes:
    buf = io.BytesIO()
    segno.make(text, micro=False).save(buf, kind="png", scale=10, border=4)
    return buf.getvalue()


async def test_status_by_code_deep_link_qr_photo_and_my_applications(
    citizen: Citizen, tg: FakeTelegram, portal: PortalClient, clock: FrozenClock
) -> None:
    code = await submitted_via_portal(portal, f"telegram:{citizen.chat_id}", clock().date())
    await citizen.start()
    await citizen.presses("Tiếng Việt")

    typed = await citizen.says(code.lower().replace("-", " "))
    assert f"Hồ sơ {code}" in typed[-1]["text"] and "Đăng ký khai sinh" in typed[-1]["text"]
    assert typed[-1]["buttons"]

    linked = await citizen.start(f"trk_{code}")
    assert f"Hồ sơ {code}" in linked[-1]["text"]

    pictured = await citizen.sends_photo(qr_png(code))
    assert f"Hồ sơ {code}" in pictured[-1]["text"]
    # The receipt's QR (the public page's address) and the old deep-link QR alike.
    for link in (f"http://127.0.0.1:8000/t/{code}", f"https://t.me/motcua_bot?start=trk_{code}"):
        pictured = await citizen.sends_photo(qr_png(link))
        assert f"Hồ sơ {code}" in pictured[-1]["text"], link

    listed = await citizen.presses("Hồ sơ của tôi")
    [[entry], _menu] = listed[-1]["buttons"]
    assert entry.startswith("Đăng ký khai sinh — ")
    opened = await citizen.presses("Đăng ký khai sinh — ")
    assert code in texts(opened)


async def test_a_stranger_with_the_code_sees_only_the_coarse_status(
    citizen: Citizen, tg: FakeTelegram, portal: PortalClient, clock: FrozenClock
) -> None:
    code = await submitted_via_portal(portal, "telegram:99", clock().date())
    await citizen.start(f"trk_{code}")
    shown = citizen.last()["text"]
    assert f"Hồ sơ {code}" in shown
    assert "Nguyễn Văn An" not in shown  # no personal details for someone else
    listed = await citizen.presses("Hồ sơ của tôi")
    assert "chưa có hồ sơ" in listed[-1]["text"]
