"""The console in a real browser (Debian's Chromium through Playwright): a clerk signs
in by keyboard, finds an application by its tracking code, asks for a supplement; the
citizen sends the papers again; the head approves, the clerk marks the result ready and
completes it; the citizen's chat (the bot's notifier and the fake Telegram) receives each
change. axe-core on every console page (no serious or critical violation), 200 % zoom at
360 px without sideways scrolling, screenshots at 360 px and 1280 px in test-output/."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest
from fastapi import FastAPI

from backend_client import Application, PortalClient
from bot.notify import Notifier, NotifySettings
from bot.notify.db import notifier_engine
from bot.store import Store, upgrade
from bot.telegram.app import create_bot
from tests.conftest import BOT_TOKEN
from tests.fakes.telegram_api import FakeTelegram
from tests.portal.console.conftest import CLERK_PASSWORD, HEAD_PASSWORD
from tests.support.browser import (
    DESKTOP,
    MOBILE,
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
from tests.support.images import photo
from tests.support.submitted import submit_sample

pytestmark = requires_chromium

T = TypeVar("T")
CHAT = 7401
CITIZEN = f"telegram:{CHAT}"
# 200 % zoom on a phone 360 px wide lays the page out in 180 CSS pixels.
ZOOMED: dict[str, Any] = {"viewport": {"width": 180, "height": 370}, "device_scale_factor": 4}


@pytest.fixture
def db_url(_sqlite_template: Path, tmp_path: Path) -> str:
    # The browser is what is under test here; the databases are covered elsewhere.
    return sqlite_copy(_sqlite_template, tmp_path)


@pytest.fixture
def url(app: FastAPI, passwords_set: None) -> Iterator[str]:
    with live_portal(app) as base:
        yield base


def run(make: Callable[[], Awaitable[T]]) -> T:
    """An async call from these sync tests (Playwright's sync API holds this thread's
    event loop): the coroutine runs in a thread of its own."""

    async def main() -> T:
        return await make()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, main()).result()


def sign_in(page: Any, url: str, username: str, password: str) -> None:
    """By keyboard only: the focus is visible on each field."""
    page.goto(f"{url}/staff/")
    page.wait_for_url("**/staff/login**")
    # From the top: the skip link, the console's name, then the user name box, each
    # with a visible focus.
    page.wait_for_load_state("load")
    expected = (
        "() => document.activeElement.className",
        "() => document.activeElement.textContent",
        "() => document.activeElement.id",
    )
    for script, wanted in zip(
        expected, ("skip", "Trang quản lý Bộ phận Một cửa", "username"), strict=True
    ):
        page.keyboard.press("Tab")
        assert page.evaluate(script) == wanted
        assert focus_is_visible(page)
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "password"
    assert focus_is_visible(page)
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    page.wait_for_url("**/staff/queue")


def check(browser: Any, url: str, path: str, name: str, username: str, password: str) -> None:
    """One console page at 360 px and 1280 px (screenshots, axe) and at 200 % zoom."""
    for device, width in ((MOBILE, 360), (DESKTOP, 1280), (ZOOMED, 180)):
        page = new_page(browser, device)
        sign_in(page, url, username, password)
        page.goto(f"{url}{path}")
        label = f"console-{name}-{'360-zoom200' if width == 180 else width}"
        save_screenshot(page, label)
        assert horizontal_overflow(page) == 0, label
        if width != 180:
            assert serious_violations(page, label) == [], label
        page.context.close()


async def _deliver(url: str, tmp_path: Path, clock: FrozenClock) -> list[dict[str, Any]]:
    """The bot's notifier reads the portal's event feed and sends to the fake Telegram."""
    store_url = f"sqlite:///{tmp_path / 'bot.sqlite3'}"
    upgrade(store_url)
    store = Store(notifier_engine(store_url))
    async with FakeTelegram() as tg:
        bot = create_bot("123456:TEST", tg.api_base)
        try:
            async with PortalClient(url, BOT_TOKEN) as portal:
                settings = NotifySettings(worker="console", backoff_base=0.05, poll_interval=0.05)
                notifier = Notifier(store, portal, bot, settings, clock=clock, idle_poll=0.05)
                await notifier.follower.catch_up()
                await notifier.sender.drain()
            return tg.sent_messages(CHAT)
        finally:
            await bot.session.close()
            store.close()


def test_a_case_worked_in_the_browser(
    browser: Any, url: str, clock: FrozenClock, tmp_path: Path
) -> None:
    async def make() -> Application:
        async with PortalClient(url, BOT_TOKEN) as portal:
            return await submit_sample(portal, clock, "birth_registration", CITIZEN)

    app = run(make)
    code = app.tracking_code
    assert code

    clerk = new_page(browser, DESKTOP)
    sign_in(clerk, url, "lan", CLERK_PASSWORD)
    # The code as read from a paper receipt, lower case and spaced.
    clerk.fill("#q", code.lower().replace("-", " "))
    clerk.press("#q", "Enter")
    clerk.wait_for_url(f"**/staff/applications/{app.id}**")
    assert code in clerk.inner_text("h1")
    assert "Tên của bé" in clerk.inner_text("main")
    images = clerk.locator(".papers img")
    assert images.count() >= 1
    assert clerk.evaluate("(img) => img.naturalWidth", images.first.element_handle()) > 0
    clerk.click("button:has-text('Tiếp nhận')")
    clerk.wait_for_url("**?done=1")
    clock.advance(minutes=5)
    form = clerk.locator("form[action$='/act/request-supplement']")
    form.locator("input[value='applicant_id_card']").check()
    form.locator("input[value='child_name']").check()
    form.locator("textarea").fill("Ảnh căn cước bị mờ, xin chụp lại")
    form.locator("button").click()
    clerk.wait_for_url("**?done=1")
    assert "Ảnh căn cước bị mờ" in clerk.inner_text("main")

    async def resubmit() -> None:
        async with PortalClient(url, BOT_TOKEN) as portal:
            for side in ("truoc", "sau"):
                await portal.upload_document(CITIZEN, app.id, "applicant_id_card", photo(text=side))
            await portal.submit(CITIZEN, app.id, "again")

    clock.advance(minutes=5)
    run(resubmit)
    clerk.reload()
    for label in ("Tiếp nhận", "Bắt đầu xử lý"):
        clerk.click(f"button:has-text('{label}')")
        clerk.wait_for_url("**?done=1")
    assert clerk.locator("form[action$='/act/approve']").count() == 0  # the head's

    head = new_page(browser, DESKTOP)
    sign_in(head, url, "minh", HEAD_PASSWORD)
    head.goto(f"{url}/staff/applications/{app.id}")
    head.click("button:has-text('Phê duyệt')")
    head.wait_for_url("**?done=1")
    head.context.close()

    clerk.reload()
    form = clerk.locator("form[action$='/act/result-ready']")
    form.locator("textarea").fill("Mời nhận tại quầy số 2")
    form.locator("button").click()
    clerk.wait_for_url("**?done=1")
    clerk.click("button:has-text('Đã trả kết quả')")
    clerk.wait_for_url("**?done=1")
    assert "Hoàn thành" in clerk.inner_text(".facts") or "hoàn thành" in clerk.inner_text(".facts")
    save_screenshot(clerk, "console-application-completed-1280")
    # Signing out ends the session: the queue asks for a sign-in again.
    clerk.click("button:has-text('Đăng xuất')")
    clerk.wait_for_url("**/staff/login")
    clerk.goto(f"{url}/staff/queue")
    assert "/staff/login" in clerk.url
    clerk.context.close()

    # The citizen's chat got each change, in order.
    texts = [m["text"] for m in run(lambda: _deliver(url, tmp_path, clock))]
    assert all(code in t for t in texts), texts
    received, supplement, received_again, approved, ready, completed = texts
    assert "đã tiếp nhận" in received and "đã tiếp nhận" in received_again
    assert "cần bổ sung" in supplement and "Ảnh căn cước bị mờ" in supplement
    assert "Tên của bé" in supplement  # the answer asked again, by its short label
    assert "đã được duyệt" in approved
    assert "Mời nhận tại quầy số 2" in ready
    assert "đã hoàn tất" in completed


def test_every_console_page_passes_axe(browser: Any, url: str, clock: FrozenClock) -> None:
    async def make() -> tuple[Application, Application]:
        async with PortalClient(url, BOT_TOKEN) as portal:
            fee = await submit_sample(portal, clock, "signature_certification", CITIZEN)
            other = await submit_sample(portal, clock, "death_registration", "telegram:7402")
            return fee, other

    fee, other = run(make)
    check(browser, url, "/staff/login", "signin", "lan", CLERK_PASSWORD)
    check(browser, url, "/staff/queue", "queue", "lan", CLERK_PASSWORD)
    check(browser, url, f"/staff/applications/{fee.id}", "application-clerk", "lan", CLERK_PASSWORD)
    check(
        browser, url, f"/staff/applications/{other.id}", "application-head", "minh", HEAD_PASSWORD
    )
    check(browser, url, "/staff/stats", "stats", "minh", HEAD_PASSWORD)
    check(browser, url, "/staff/holidays", "holidays-head", "minh", HEAD_PASSWORD)
    check(browser, url, "/staff/holidays", "holidays-clerk", "lan", CLERK_PASSWORD)


def test_the_console_works_without_javascript(browser: Any, url: str, clock: FrozenClock) -> None:
    async def make() -> Application:
        async with PortalClient(url, BOT_TOKEN) as portal:
            return await submit_sample(portal, clock, "signature_certification", CITIZEN)

    app = run(make)
    assert app.tracking_code
    page = new_page(browser, MOBILE, java_script_enabled=False)
    page.goto(f"{url}/staff/queue")
    page.fill("#username", "lan")
    page.fill("#password", CLERK_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/staff/queue")
    page.fill("#q", app.tracking_code)
    page.click("form[role=search] button")
    page.wait_for_url(f"**/staff/applications/{app.id}")
    page.click("button:has-text('Đã thu lệ phí')")
    page.wait_for_url("**?done=1")
    page.click("button:has-text('Tiếp nhận')")
    page.wait_for_url("**?done=1")
    facts = page.inner_text(".facts")
    assert "chờ phường tiếp nhận" not in facts and "tiếp nhận" in facts  # received
    assert "đã nộp" in facts  # the fee
    page.context.close()
