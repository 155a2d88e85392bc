"""Sign-in, the session cookie, sign-out, lock-out and expiry."""

from __future__ import annotations

import httpx

from portal.services.context import PortalContext
from tests.portal.console.conftest import CLERK_PASSWORD, csrf_of, sign_in
from tests.support.clock import FrozenClock


async def test_pages_need_a_session(browser_like: httpx.AsyncClient) -> None:
    for path in ("/staff/queue", "/staff/stats", "/staff/holidays", "/staff/applications/x"):
        response = await browser_like.get(path)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/staff/login?next=")


async def test_session_cookie_flags(browser_like: httpx.AsyncClient) -> None:
    response = await sign_in(browser_like, "lan", CLERK_PASSWORD, next_url="/staff/stats")
    assert response.status_code == 303
    assert response.headers["location"] == "/staff/stats"
    cookie = next(
        c for c in response.headers.get_list("set-cookie") if c.startswith("motcua_staff=")
    )
    flags = cookie.lower()
    assert "httponly" in flags
    assert "samesite=lax" in flags
    assert "path=/staff" in flags
    assert "secure" not in flags  # plain http in the test
    page = await browser_like.get("/staff/queue")
    assert page.status_code == 200
    assert "Nguyễn Thị Lan" in page.text
    assert page.headers["cache-control"] == "no-store"


async def test_cookie_is_secure_over_https(
    transport: httpx.ASGITransport, passwords_set: None
) -> None:
    async with httpx.AsyncClient(transport=transport, base_url="https://portal") as client:
        response = await sign_in(client, "lan", CLERK_PASSWORD)
    cookie = next(
        c for c in response.headers.get_list("set-cookie") if c.startswith("motcua_staff=")
    )
    assert "secure" in cookie.lower()


async def test_no_open_redirect_after_sign_in(browser_like: httpx.AsyncClient) -> None:
    for target in ("https://evil.example/", "//evil.example/staff/", "/v1/events"):
        response = await sign_in(browser_like, "lan", CLERK_PASSWORD, next_url=target)
        assert response.headers["location"] == "/staff/queue"


async def test_sign_in_form_needs_its_csrf_token(browser_like: httpx.AsyncClient) -> None:
    await browser_like.get("/staff/login")
    for token in ("", "forged"):
        response = await browser_like.post(
            "/staff/login", data={"csrf": token, "username": "lan", "password": CLERK_PASSWORD}
        )
        assert response.status_code == 403
        assert "motcua_staff=" not in response.headers.get("set-cookie", "")


async def test_wrong_password_and_unknown_user(browser_like: httpx.AsyncClient) -> None:
    for username, password in (("lan", "wrong-password"), ("nobody", CLERK_PASSWORD)):
        response = await sign_in(browser_like, username, password)
        assert response.status_code == 401
        assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.text
    assert (await browser_like.get("/staff/queue")).status_code == 303


async def test_lock_out_after_five_failures(
    browser_like: httpx.AsyncClient, clock: FrozenClock
) -> None:
    for _ in range(4):
        assert (await sign_in(browser_like, "lan", "wrong-password")).status_code == 401
    fifth = await sign_in(browser_like, "lan", "wrong-password")
    assert "bị khóa đến" in fifth.text
    # Locked: even the right password is refused for 15 minutes.
    locked = await sign_in(browser_like, "lan", CLERK_PASSWORD)
    assert locked.status_code == 401
    assert "bị khóa đến" in locked.text
    clock.advance(minutes=14)
    assert (await sign_in(browser_like, "lan", CLERK_PASSWORD)).status_code == 401
    clock.advance(minutes=2)
    assert (await sign_in(browser_like, "lan", CLERK_PASSWORD)).status_code == 303


async def test_success_resets_the_failure_count(
    browser_like: httpx.AsyncClient, ctx: PortalContext
) -> None:
    for _ in range(4):
        await sign_in(browser_like, "lan", "wrong-password")
    assert (await sign_in(browser_like, "lan", CLERK_PASSWORD)).status_code == 303
    for _ in range(4):
        await sign_in(browser_like, "lan", "wrong-password")
    assert (await sign_in(browser_like, "lan", CLERK_PASSWORD)).status_code == 303


async def test_sign_out_ends_the_session_on_the_server(clerk_client: httpx.AsyncClient) -> None:
    page = await clerk_client.get("/staff/queue")
    stolen = clerk_client.cookies.get("motcua_staff")
    assert stolen
    # Without the page's token, sign-out is refused too.
    assert (await clerk_client.post("/staff/logout", data={"csrf": "x"})).status_code == 403
    response = await clerk_client.post("/staff/logout", data={"csrf": csrf_of(page.text)})
    assert response.status_code == 303
    assert response.headers["location"] == "/staff/login"
    # The old cookie, replayed, opens nothing.
    clerk_client.cookies.set("motcua_staff", stolen, path="/staff")
    assert (await clerk_client.get("/staff/queue")).status_code == 303


async def test_idle_session_expires(clerk_client: httpx.AsyncClient, clock: FrozenClock) -> None:
    assert (await clerk_client.get("/staff/queue")).status_code == 200
    clock.advance(minutes=50)
    assert (await clerk_client.get("/staff/queue")).status_code == 200  # still in use
    clock.advance(minutes=61)
    response = await clerk_client.get("/staff/queue")
    assert response.status_code == 303
    assert response.headers["location"] == "/staff/login?next=%2Fstaff%2Fqueue"


async def test_session_ends_after_a_working_day(
    clerk_client: httpx.AsyncClient, clock: FrozenClock
) -> None:
    for _ in range(12):  # 708 minutes, each within the idle hour
        clock.advance(minutes=59)
        assert (await clerk_client.get("/staff/queue")).status_code == 200
    clock.advance(minutes=59)
    assert (await clerk_client.get("/staff/queue")).status_code == 303
