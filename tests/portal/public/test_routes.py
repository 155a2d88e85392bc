"""The public status page over HTTP: every status, languages, kind refusals, nothing
personal, the payment card and receipt downloads."""

from __future__ import annotations

import dataclasses
import io

import httpx
import pytest
import zxingcpp
from fastapi import FastAPI
from PIL import Image

from backend_client import PortalClient, StaffClient
from portal.api.app import create_app
from portal.api.ratelimit import SlidingWindow
from portal.db.models import Application
from portal.domain.tracking import ALPHABET, generate_code
from portal.domain.vietqr import parse_payload
from portal.public.view import choose_language
from portal.services.context import PortalContext
from tests.conftest import PAYMENT_SECRET
from tests.support.clock import FrozenClock
from tests.support.gateway import signed_callback
from tests.support.submitted import submit_sample

ANA = "telegram:7001"
SAMPLE_NAME = "Nguyễn Văn An"  # what tests.support.forms answers to every name question


def _decode(png: bytes) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


@pytest.mark.parametrize(
    ("query", "header", "expected"),
    [
        (None, None, "vi"),
        ("en", "vi-VN", "en"),
        ("vi", "en-US", "vi"),
        (None, "en-US,en;q=0.9", "en"),
        (None, "fr-FR, en;q=0.5, vi;q=0.8", "vi"),
        (None, "fr-FR", "vi"),
        ("xx", "de", "vi"),
    ],
)
def test_language_is_the_query_then_accept_language_then_vietnamese(
    query: str | None, header: str | None, expected: str
) -> None:
    assert choose_language(query, header) == expected


async def test_a_submitted_application_shows_procedure_status_due_date_and_nothing_personal(
    portal: PortalClient, clock: FrozenClock, http: httpx.AsyncClient
) -> None:
    app = await submit_sample(portal, clock, "elderly_allowance", ANA)
    assert app.tracking_code and app.due_date
    page = await http.get(f"/t/{app.tracking_code}")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    assert '<html lang="vi">' in html
    assert app.procedure_name["vi"] in html
    assert "Đã gửi, chờ phường tiếp nhận" in html
    assert app.due_date.strftime("%d/%m/%Y") in html
    assert "Không mất lệ phí" in html
    assert SAMPLE_NAME not in html and "0905" not in html and app.id not in html
    assert "<script" not in html
    english = await http.get(f"/t/{app.tracking_code.lower()}?lang=en")
    assert '<html lang="en">' in english.text and app.procedure_name["en"] in english.text
    accept = await http.get(f"/t/{app.tracking_code}", headers={"Accept-Language": "en-GB"})
    assert '<html lang="en">' in accept.text


async def test_a_draft_is_not_public(
    portal: PortalClient, http: httpx.AsyncClient, ctx: PortalContext
) -> None:
    draft = await portal.create_application(ANA, "elderly_allowance")
    # A draft has no code; even one given a code by hand stays private.
    code = generate_code("PX", 2026)
    with ctx.sessions() as db:
        row = db.get(Application, draft.id)
        assert row is not None and row.status == "draft"
        row.tracking_code = code
        db.commit()
    page = await http.get(f"/t/{code}")
    assert page.status_code == 404
    assert '<form class="lookup"' in page.text
    assert (await http.get(f"/t/{code}/receipt.pdf")).status_code == 404


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("hello", "Đây không giống mã hồ sơ"),
        ("PX-2026-0O1I23", "Đây không giống mã hồ sơ"),
    ],
)
async def test_what_is_not_a_code_gets_the_form_again(
    http: httpx.AsyncClient, typed: str, message: str
) -> None:
    page = await http.get(f"/t/{typed}")
    assert page.status_code == 404
    assert '<form class="lookup"' in page.text and 'role="alert"' in page.text
    assert "Traceback" not in page.text and "detail" not in page.text


async def test_a_mistyped_code_is_told_apart_from_an_unknown_one(
    portal: PortalClient, clock: FrozenClock, http: httpx.AsyncClient
) -> None:
    app = await submit_sample(portal, clock, "elderly_allowance", ANA)
    code = app.tracking_code
    assert code
    wrong = next(c for c in ALPHABET if c != code[-1])
    mistyped = await http.get(f"/t/{code[:-1]}{wrong}?lang=en")
    assert mistyped.status_code == 404
    assert "mistyped" in mistyped.text
    assert f'value="{code[:-1]}{wrong}"' in mistyped.text  # typed back into the form
    form = await http.get("/t", params={"code": code.lower(), "lang": "en"})
    assert form.status_code == 303
    assert form.headers["location"].startswith("/t/")


async def test_markup_typed_into_the_code_is_shown_as_text(http: httpx.AsyncClient) -> None:
    page = await http.get('/t/"><b>x')
    assert page.status_code == 404
    assert "<b>x" not in page.text and "&lt;b&gt;x" in page.text


async def test_lookups_are_rate_limited_like_the_api(app: FastAPI, http: httpx.AsyncClient) -> None:
    app.state.track_limiter = SlidingWindow(limit=3)  # the limiter /v1/track uses
    for _ in range(3):
        assert (await http.get("/t/PX-2026-7Q4K9M")).status_code == 404
    page = await http.get("/t/PX-2026-7Q4K9M")
    assert page.status_code == 429
    assert page.headers["Retry-After"] == "60"
    assert '<form class="lookup"' in page.text
    assert (await http.get("/v1/track/PX-2026-7Q4K9M")).status_code == 429  # one budget


async def test_a_supplement_request_names_what_is_missing_in_plain_words(
    portal: PortalClient, clock: FrozenClock, http: httpx.AsyncClient, clerk: StaffClient
) -> None:
    app = await submit_sample(portal, clock, "death_registration", ANA)
    proc = await portal.get_procedure("death_registration")
    paper = proc.documents[0]
    await clerk.act(app.id, "receive")
    await clerk.act(
        app.id,
        "request-supplement",
        documents=[paper.code],
        note=f"Ảnh giấy của bà {SAMPLE_NAME} bị mờ",
    )
    html = (await http.get(f"/t/{app.tracking_code}")).text
    assert paper.name["vi"] in html
    assert "Đang chờ người nộp hồ sơ bổ sung" in html
    assert SAMPLE_NAME not in html  # the clerk's note goes to the chat only


async def test_a_due_fee_shows_the_payment_card_and_the_one_phone_steps(
    portal: PortalClient, clock: FrozenClock, http: httpx.AsyncClient
) -> None:
    app = await submit_sample(portal, clock, "signature_certification", ANA)
    assert app.payment is not None
    html = (await http.get(f"/t/{app.tracking_code}")).text
    assert f'src="/t/{app.tracking_code}/payment.png?lang=vi"' in html
    assert "Thư viện" in html  # "scan from gallery"
    card = await http.get(f"/t/{app.tracking_code}/payment.png")
    assert card.status_code == 200 and card.headers["content-type"] == "image/png"
    assert _decode(card.content) == [app.payment.payload]
    assert parse_payload(app.payment.payload)["54"] == str(app.payment.amount)

    body, headers = signed_callback(
        PAYMENT_SECRET,
        reference=app.payment.reference,
        amount=app.payment.amount,
        transaction_id="T-public-1",
    )
    assert (await http.post("/v1/payments/callback", content=body, headers=headers)).is_success
    paid = (await http.get(f"/t/{app.tracking_code}")).text
    assert '<strong class="paid">Đã nộp</strong>' in paid
    assert "payment.png" not in paid
    assert (await http.get(f"/t/{app.tracking_code}/payment.png")).status_code == 404


async def test_links_to_the_assistant_only_when_configured(
    portal: PortalClient, clock: FrozenClock, ctx: PortalContext, http: httpx.AsyncClient
) -> None:
    app = await submit_sample(portal, clock, "elderly_allowance", ANA)
    plain = (await http.get(f"/t/{app.tracking_code}")).text
    assert "t.me" not in plain and "Mở trong Zalo" not in plain
    settings = ctx.settings.model_copy(
        update={
            "telegram_bot_url": "https://t.me/MotCuaPhuXuanBot/",
            "zalo_url": "https://zalo.me/123456789",
        }
    )
    linked_app = create_app(ctx=dataclasses.replace(ctx, settings=settings))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=linked_app), base_url="http://portal"
    ) as linked:
        html = (await linked.get(f"/t/{app.tracking_code}")).text
    assert f'href="https://t.me/MotCuaPhuXuanBot?start=trk_{app.tracking_code}"' in html
    assert "Mở trong Telegram" in html
    assert 'href="https://zalo.me/123456789"' in html and "Mở trong Zalo" in html


async def test_the_page_brings_its_own_style_and_allows_nothing_else(
    portal: PortalClient, clock: FrozenClock, http: httpx.AsyncClient
) -> None:
    app = await submit_sample(portal, clock, "elderly_allowance", ANA)
    page = await http.get(f"/t/{app.tracking_code}")
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy
    assert page.headers["referrer-policy"] == "no-referrer"  # the URL holds the code
    assert page.headers["cache-control"] == "no-store"
    css = await http.get("/t-static/public.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert "font-size: 1.25rem" in css.text  # 20 px body type
    assert '<link rel="stylesheet" href="/t-static/public.css">' in page.text


async def test_a_refused_application_asks_for_no_fee(
    portal: PortalClient, clock: FrozenClock, http: httpx.AsyncClient, head: StaffClient
) -> None:
    app = await submit_sample(portal, clock, "signature_certification", ANA)
    await head.act(app.id, "receive")
    await head.act(app.id, "reject", note="Sai thẩm quyền")
    html = (await http.get(f"/t/{app.tracking_code}")).text
    assert "Phường đã từ chối hồ sơ này" in html
    assert "payment.png" not in html and "Nộp lệ phí bằng điện thoại" not in html
    assert (await http.get(f"/t/{app.tracking_code}/payment.png")).status_code == 404
