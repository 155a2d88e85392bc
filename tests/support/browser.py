"""Real-browser tests: Debian's Chromium driven by Playwright, axe-core, screenshots.

Playwright's own browser download needs its CDN (unreachable here and in CI), so the
system browser is launched by path; `.ci/run` installs it with apt-get. Without it the
browser tests are skipped with the reason, never failed.

Use:

    from tests.support.browser import requires_chromium, live_portal, save_screenshot, ...

    pytestmark = requires_chromium

    def test_x(browser: Browser, app: FastAPI) -> None:
        with live_portal(app) as url:
            page = new_page(browser, MOBILE)
            page.goto(f"{url}/t/...")
            save_screenshot(page, "public-submitted-360")
            assert serious_violations(page, "public-submitted") == []

`browser` is a module fixture (import it into the test module with
`from tests.support.browser import chromium_browser  # noqa: F401`, then ask for
`browser`; the other name keeps ruff's F811 quiet): Playwright's sync API marks
its event loop as running in the main thread while it is open, which would break the
async tests of other modules if it stayed open for the whole session. Browser test
modules hold sync tests only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from motcua.demo import PortalThread

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]

# Stable, git-ignored folder for what a run leaves to look at (screenshots, axe results).
OUTPUT = Path(__file__).resolve().parents[2] / "test-output"
SCREENSHOTS = OUTPUT / "screenshots"
AXE_RESULTS = OUTPUT / "axe"

MOBILE: dict[str, Any] = {
    "viewport": {"width": 360, "height": 740},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}
DESKTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 900}}

requires_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="no /usr/bin/chromium: `apt-get install -y --no-install-recommends chromium` "
    "(.ci/run does it) to run the real-browser tests",
)


@pytest.fixture(scope="module", name="browser")
def chromium_browser() -> Iterator[Any]:
    """One headless Chromium per test module."""
    if not CHROMIUM.exists():
        pytest.skip(requires_chromium.kwargs["reason"])
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield launched
        finally:
            launched.close()
    finally:
        playwright.stop()


@contextmanager
def live_portal(app: FastAPI, port: int | None = None) -> Iterator[str]:
    """Serve `app` over a real socket (uvicorn in a thread); yields its base URL.
    Pass `port` when the app must know its own URL beforehand (PUBLIC_BASE_URL)."""
    thread = PortalThread(app, port=port).start()
    try:
        yield thread.url
    finally:
        thread.stop()


def new_page(browser: Any, device: dict[str, Any], **options: Any) -> Any:
    """A page in a fresh context (no cookies shared between tests)."""
    context = browser.new_context(**device, **options)
    return context.new_page()


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")


def save_screenshot(page: Any, name: str) -> Path:
    """A full-page screenshot at test-output/screenshots/<name>.png (overwritten per run)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{_safe(name)}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def serious_violations(page: Any, name: str) -> list[dict[str, Any]]:
    """Runs axe-core (WCAG 2.0/2.1 A and AA rules) on the page, saves the whole result
    under test-output/axe/<name>.json and returns the serious and critical violations
    (id, impact, help, and the offending nodes' selectors)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page,
        options={"runOnly": {"type": "tag", "values": WCAG_TAGS}},
    )
    AXE_RESULTS.mkdir(parents=True, exist_ok=True)
    (AXE_RESULTS / f"{_safe(name)}.json").write_text(
        json.dumps(results.response, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]],
        }
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def horizontal_overflow(page: Any) -> int:
    """How many CSS pixels the page is wider than its viewport (0 when nothing scrolls
    sideways)."""
    return int(
        page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
    )


def focus_is_visible(page: Any) -> bool:
    """Whether the focused element draws a focus indicator (outline or box-shadow)."""
    return bool(
        page.evaluate(
            """() => {
              const el = document.activeElement;
              if (!el || el === document.body) return false;
              const s = getComputedStyle(el);
              const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
              return outline || (s.boxShadow && s.boxShadow !== 'none');
            }"""
        )
    )
