"""Signed, expiring image links: a tampered, unsigned or expired one is refused."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from bot.zalo.links import BadLink, MediaLinks
from dialogs import Media


def parts(url: str) -> tuple[str, str, str]:
    address = urlsplit(url)
    query = parse_qs(address.query)
    return address.path, query["exp"][0], query["sig"][0]


def test_a_link_names_its_picture_until_it_expires() -> None:
    now = [1_000_000.0]
    links = MediaLinks("https://motcua.example/", "s" * 32, ttl=600, now=lambda: now[0])
    url = links.url("zalo:42", Media("portal_image", "/v1/applications/A1/payment/card.png"))
    assert url.startswith("https://motcua.example/zalo/media/")
    target = links.verify(*parts(url))
    assert (target.key, target.kind) == ("zalo:42", "portal_image")
    now[0] += 601
    with pytest.raises(BadLink, match="expired"):
        links.verify(*parts(url))


def test_tampering_is_refused() -> None:
    links = MediaLinks("https://x", "secret-one-secret-one-secret-one!")
    path, exp, sig = parts(links.url("zalo:42", Media("qr", "PX-2026-ABC123")))
    other = MediaLinks("https://x", "secret-two-secret-two-secret-two!")
    for bad in (
        (path, str(int(exp) + 3600), sig),  # a later expiry
        (path.replace("/zalo/media/", "/zalo/media/x"), exp, sig),  # another payload
        (path, exp, sig[:-2] + "AA"),
        (path, exp, None),
        (path, None, sig),
    ):
        with pytest.raises(BadLink):
            links.verify(*bad)
    with pytest.raises(BadLink):
        other.verify(path, exp, sig)  # another secret
