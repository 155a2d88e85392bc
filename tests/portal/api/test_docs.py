"""/docs and /redoc work on an office network without internet: every asset they
reference is served by the portal itself."""

from __future__ import annotations

import re

import httpx
import pytest

SRC = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']|url\s*:\s*["']([^"']+)["']""")


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_docs_pages_load_nothing_from_the_internet(
    http: httpx.AsyncClient, page: str
) -> None:
    response = await http.get(page)
    assert response.status_code == 200
    html = response.text
    assert "https://" not in html and "http://" not in html, html
    referenced = [a or b for a, b in SRC.findall(html)]
    assets = [u for u in referenced if u.endswith((".js", ".css", ".png"))]
    assert any(u.endswith(".js") for u in assets), referenced
    for url in referenced:
        fetched = await http.get(url)
        assert fetched.status_code == 200, url
        assert fetched.content, url
