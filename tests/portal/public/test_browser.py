"""The public status page in a real browser (Debian's Chromium through Playwright):
a phone camera's decoded receipt QR opens it, every public status renders, axe-core
finds no serious or critical violation, keyboard use and 200 % zoom at 360 px work.
Screenshots at 360 px and 1280 px and the axe results go to test-output/."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
import zxingcpp
from fastapi import FastAPI
from PIL import Image

from backend_client import Application, PortalClient, StaffClient
from portal.domain.tracking import ALPHABET, generate_code
from portal.settings import PortalSettings
from tests.conftest import BOT_TOKEN, CLERK_TOKEN, HEAD_TOKEN, PAYMENT_SECRET
from tests.support.browser import (
    DESKTOP,
    MOBILE,
    OUTPUT,
    chromium_browser,  # noqa: F401 (the `browser` fixture)
    focus_is_visible,
    horizontal_overflow,
    live_portal,
    new_page,
    requires_chromium,
    save_screenshot,
    serious_violations,
)
from tests.support.clock import FrozenClock
from tests.support.databases import sqlite_copy
from tests.support.gateway import signed_callback
from tests.support.processes import free_port
from tests.support.submitted import submit_sample

pytestmark = requires_chromium

T = TypeVar("T")
ANA = "telegram:7301"
# 200 % zoom on a phone 360 px wide lays the page out in 180 CSS pixels.
ZOOMED: dict[str, Any] = {"viewport": {"width": 180, "height": 370}, "device_scale_factor": 4}
# A phone set to Vietnamese (Chromium's own default sends Accept-Language: en-US).
VI = {"locale": "vi-VN"}


@pytest.fixture
def db_url(_sqlite_template: Path, tmp_path: Path) -> str:
    # The browser is what is under test here; the databases are covered elsewhere.
    return sqlite_copy(_sqlite_template, tmp_path)


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def settings(settings: PortalSettings, port: int) -> PortalSettings:
    return settings.model_copy(
        update={
            "public_base_url": f"http://127.0.0.1:{port}",
            "telegram_bot_url": "https://t.me/MotCuaPhuXuanBot",
        }
    )


@pytest.fixture
def url(app: FastAPI, port: int) -> Iterator[str]:
    with live_portal(app, port) as base:
        yield base


def run(make: Callable[[], Awaitable[T]]) -> T:
    """An async API call from these sync tests: Playwright's sync API holds this
    thread's event loop, so the coroutine runs in a thread of its own."""

    async def main() -> T:
        return await make()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, main()).result()


def submit(url: str, clock: FrozenClock, slug: str, citizen: str = ANA) -> Application:
    async def go() -> Application:
        async with PortalClient(url, BOT_TOKEN) as portal:
            return await submit_sample(portal, clock, slug, citizen)

    return run(go)


def act(url: str, app_id: str, action: str, *, head: bool = False, **kw: Any) -> None:
    async def go() -> None:
        async with StaffClient(url, HEAD_TOKEN if head else CLERK_TOKEN) as staff:
            await staff.act(app_id, action, **kw)

    run(go)


def pay(url: str, app: Application) -> None:
    assert app.payment is not None
    body, headers = signed_callback(
        PAYMENT_SECRET,
        reference=app.payment.reference,
        amount=app.payment.amount,
        transaction_id=f"T-{app.id}",
    )
    httpx.post(f"{url}/v1/payments/callback", content=body, headers=headers).raise_for_status()


def save_output(name: str, content: bytes) -> None:
    """The papers as served, beside the screenshots, for a person to look at."""
    path = OUTPUT / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)


def check_page(browser: Any, address: str, name: str, expect: list[str]) -> None:
    """Opens ``address`` at 360 px and 1280 px (screenshots), runs axe on both, and
    checks the texts, the type size and 200 % zoom without sideways scrolling."""
    for device, width in ((MOBILE, 360), (DESKTOP, 1280)):
        page = new_page(browser, device, **VI)
        page.goto(address)
        body = page.inner_text("body")
        for text in expect:
            assert text in body, (name, text)
        size = page.evaluate("() => parseFloat(getComputedStyle(document.body).fontSize)")
        assert size >= 18
        save_screenshot(page, f"public-{name}-{width}")
        assert serious_violations(page, f"public-{name}-{width}") == []
        page.context.close()
    zoomed = new_page(browser, ZOOMED, **VI)
    zoomed.goto(address)
    assert horizontal_overflow(zoomed) == 0, name
    save_screenshot(zoomed, f"public-{name}-360-zoom200")
    zoomed.context.close()


def test_every_public_status_in_the_browser(browser: Any, url: str, clock: FrozenClock) -> None:
    fee = submit(url, clock, "signature_certification")
    code = fee.tracking_code
    assert code and fee.payment
    page_url = f"{url}/t/{code}"
    check_page(
        browser,
        page_url,
        "submitted-fee-due",
        [code, "Đã gửi, chờ phường tiếp nhận", "Chưa nộp", "Thư viện", "Mở trong Telegram"],
    )
    check_page(browser, f"{page_url}?lang=en", "submitted-fee-due-en", ["Not paid yet", "Gallery"])
    pay(url, fee)
    check_page(browser, page_url, "submitted-paid", ["Đã nộp"])
    act(url, fee.id, "receive")
    check_page(browser, page_url, "received", ["Phường đã tiếp nhận hồ sơ"])
    act(url, fee.id, "review")
    act(url, fee.id, "approve", head=True)
    check_page(browser, page_url, "processing", ["Phường đang giải quyết hồ sơ."])
    act(url, fee.id, "result-ready", note="Mời nhận kết quả tại quầy số 2")
    check_page(browser, page_url, "result-ready", ["Đã có kết quả"])
    act(url, fee.id, "complete")
    check_page(browser, page_url, "completed", ["Hồ sơ đã hoàn thành"])

    missing = submit(url, clock, "death_registration", "telegram:7302")
    act(url, missing.id, "receive")
    act(url, missing.id, "request-supplement", documents=["death_notice"], note="Ảnh bị mờ")
    check_page(
        browser, f"{url}/t/{missing.tracking_code}", "supplement-requested", ["Giấy tờ cần gửi lại"]
    )

    refused = submit(url, clock, "elderly_allowance", "telegram:7303")
    act(url, refused.id, "receive")
    act(url, refused.id, "reject", head=True, note="Chưa đủ tuổi hưởng trợ cấp")
    check_page(browser, f"{url}/t/{refused.tracking_code}", "rejected", ["Phường đã từ chối"])


def test_unknown_and_mistyped_codes_get_a_kind_page(
    browser: Any, url: str, clock: FrozenClock
) -> None:
    unknown = generate_code("PX", 2026)
    check_page(browser, f"{url}/t/{unknown}", "unknown-code", ["Không có hồ sơ nào"])
    check_page(browser, f"{url}/t/xin-chao", "not-a-code", ["Đây không giống mã hồ sơ"])
    app = submit(url, clock, "elderly_allowance")
    code = app.tracking_code
    assert code
    wrong = code[:-1] + next(c for c in ALPHABET if c != code[-1])
    check_page(browser, f"{url}/t/{wrong}", "mistyped-code", ["Mã này có vẻ bị gõ nhầm"])

    # Typing the right code into the form, by keyboard only, opens its page.
    page = new_page(browser, MOBILE, **VI)
    page.goto(f"{url}/t/{wrong}")
    page.keyboard.press("Tab")  # the language link
    page.keyboard.press("Tab")  # the code box
    assert page.evaluate("() => document.activeElement.id") == "code"
    assert focus_is_visible(page)
    page.keyboard.press("Control+A")
    page.keyboard.type(code.lower().replace("-", " "))
    page.keyboard.press("Enter")
    page.wait_for_url("**/t/*")
    assert code in page.inner_text("main")
    page.context.close()


def test_the_receipt_qr_opens_the_status_page_without_telegram(
    browser: Any, url: str, clock: FrozenClock
) -> None:
    app = submit(url, clock, "signature_certification")
    code = app.tracking_code
    assert code
    page = new_page(browser, MOBILE, **VI)
    page.goto(f"{url}/t/{code}")
    # The receipt as the page offers it, "photographed" and decoded like a phone camera.
    href = page.get_attribute("a[href$='receipt.png?lang=vi']", "href")
    assert href
    receipt = httpx.get(f"{url}{href}")
    assert receipt.status_code == 200 and receipt.headers["content-type"] == "image/png"
    save_output("papers/receipt.png", receipt.content)
    save_output("papers/receipt.pdf", httpx.get(f"{url}/t/{code}/receipt.pdf").content)
    (scanned,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(receipt.content)))
    assert scanned.text == f"{url}/t/{code}"
    camera = new_page(browser, MOBILE, **VI)
    camera.goto(scanned.text)
    assert code in camera.inner_text("main")
    assert "Đã gửi, chờ phường tiếp nhận" in camera.inner_text("main")
    # The payment card shown on the page scans to the payment.
    card = camera.get_attribute("img.card", "src")
    assert card
    card_png = httpx.get(f"{url}{card}").content
    save_output("papers/payment-card.png", card_png)
    (payload,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(card_png)))
    assert app.payment and payload.text == app.payment.payload
    save_screenshot(camera, "public-opened-from-receipt-qr-360")
    page.context.close()
    camera.context.close()


def test_the_page_is_usable_by_keyboard_with_a_visible_focus(
    browser: Any, url: str, clock: FrozenClock
) -> None:
    app = submit(url, clock, "signature_certification")
    page = new_page(browser, DESKTOP, **VI)
    page.goto(f"{url}/t/{app.tracking_code}")
    reached = []
    for _ in range(12):
        page.keyboard.press("Tab")
        href = page.evaluate("() => document.activeElement.getAttribute('href')")
        if href is None:
            break
        assert focus_is_visible(page), href
        reached.append(href)
    assert any(h.endswith("payment.png?lang=vi") for h in reached)
    assert any(h.endswith("receipt.pdf?lang=vi") for h in reached)
    assert any(h.startswith("https://t.me/MotCuaPhuXuanBot?start=trk_") for h in reached)
    assert any(h.startswith("/t?lang=") for h in reached)
    page.keyboard.press("Shift+Tab")
    save_screenshot(page, "public-keyboard-focus-1280")
    page.context.close()
