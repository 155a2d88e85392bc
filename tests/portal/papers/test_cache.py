"""Papers are drawn once per application and what they show, kept on disk where every
portal worker reads them, and drawn anew when what they show changes."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from backend_client import PortalClient, StaffClient
from portal.papers import cache, drawing, receipt
from portal.papers.cache import cached_paper
from portal.services.context import PortalContext
from tests.support.clock import FrozenClock
from tests.support.submitted import submit_sample

ANA = "telegram:7501"


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How many times each kind of paper was drawn (PNG sheets, PDF receipts, QR codes)."""
    counts: Counter[str] = Counter()
    png, pdf = drawing.Sheet.png, receipt.draw_pdf

    def counted_png(self: drawing.Sheet) -> bytes:
        counts["png"] += 1
        return png(self)

    def counted_pdf(content: receipt.ReceiptContent, tracking_code: str) -> bytes:
        counts["pdf"] += 1
        return pdf(content, tracking_code)

    monkeypatch.setattr(drawing.Sheet, "png", counted_png)
    monkeypatch.setattr(receipt, "draw_pdf", counted_pdf)
    return counts


def _papers(ctx: PortalContext, app_id: str) -> list[str]:
    folder = ctx.settings.upload_dir / app_id / cache.FOLDER
    return sorted(p.name.split(".")[0] + "." + p.suffix[1:] for p in folder.iterdir())


def test_a_second_fetch_reads_the_file_and_a_change_draws_anew(tmp_path: Path) -> None:
    renders: list[str] = []

    def render(text: str) -> bytes:
        renders.append(text)
        return text.encode()

    def fetch(shows: str) -> bytes:
        return cached_paper(tmp_path, "app1", "card-vi.png", shows, lambda: render(shows))

    assert fetch("10.000 đồng, unpaid") == b"10.000 \xc4\x91\xe1\xbb\x93ng, unpaid"
    assert fetch("10.000 đồng, unpaid") == fetch("10.000 đồng, unpaid")
    assert renders == ["10.000 đồng, unpaid"]  # drawn once, read from disk after
    assert fetch("10.000 đồng, paid") == "10.000 đồng, paid".encode()
    assert renders == ["10.000 đồng, unpaid", "10.000 đồng, paid"]
    folder = tmp_path / "app1" / cache.FOLDER
    # The stale card is gone; nothing half-written is left behind.
    assert [p.read_bytes() for p in folder.iterdir()] == ["10.000 đồng, paid".encode()]


def test_each_paper_and_language_has_its_own_file(tmp_path: Path) -> None:
    for name in ("card-vi.png", "card-en.png", "receipt-vi.png", "receipt-vi.pdf"):
        cached_paper(tmp_path, "app1", name, "same", lambda name=name: name.encode())
    for name in ("card-vi.png", "card-en.png", "receipt-vi.png", "receipt-vi.pdf"):
        assert cached_paper(tmp_path, "app1", name, "same", lambda: b"drawn again") == (
            name.encode()
        )


async def test_the_api_draws_each_paper_once(
    portal: PortalClient, clock: FrozenClock, ctx: PortalContext, drawn: Counter[str]
) -> None:
    app = await submit_sample(portal, clock, "signature_certification", ANA)
    card = await portal.get_payment_card(ANA, app.id)
    receipt_png = await portal.get_receipt(ANA, app.id, "vi")
    receipt_pdf = await portal.get_receipt(ANA, app.id, "vi", kind="pdf")
    qr = await portal.get_payment_qr(ANA, app.id)
    assert drawn == {"png": 2, "pdf": 1}
    # Again, as the bot or the public page would: read back, not drawn.
    assert await portal.get_payment_card(ANA, app.id) == card
    assert await portal.get_receipt(ANA, app.id, "vi") == receipt_png
    assert await portal.get_receipt(ANA, app.id, "vi", kind="pdf") == receipt_pdf
    assert await portal.get_payment_qr(ANA, app.id) == qr
    assert drawn == {"png": 2, "pdf": 1}
    assert _papers(ctx, app.id) == ["card-vi.png", "receipt-vi.pdf", "receipt-vi.png", "vietqr.png"]
    # Another language is another paper.
    await portal.get_receipt(ANA, app.id, "en")
    assert drawn == {"png": 3, "pdf": 1}


async def test_a_payment_draws_the_receipt_anew(
    portal: PortalClient,
    clock: FrozenClock,
    ctx: PortalContext,
    clerk: StaffClient,
    drawn: Counter[str],
) -> None:
    app = await submit_sample(portal, clock, "signature_certification", ANA)
    unpaid = await portal.get_receipt(ANA, app.id, "vi")
    unpaid_pdf = await portal.get_receipt(ANA, app.id, "en", kind="pdf")
    assert drawn == {"png": 1, "pdf": 1}
    await clerk.confirm_counter_payment(app.id)
    paid = await portal.get_receipt(ANA, app.id, "vi")
    paid_pdf = await portal.get_receipt(ANA, app.id, "en", kind="pdf")
    assert drawn == {"png": 2, "pdf": 2}  # what it shows changed: drawn anew
    assert paid != unpaid and paid_pdf != unpaid_pdf
    assert await portal.get_receipt(ANA, app.id, "vi") == paid
    assert drawn == {"png": 2, "pdf": 2}
    assert _papers(ctx, app.id) == ["receipt-en.pdf", "receipt-vi.png"]  # the stale ones gone


async def test_a_change_the_paper_does_not_show_keeps_it(
    portal: PortalClient,
    clock: FrozenClock,
    clerk: StaffClient,
    drawn: Counter[str],
) -> None:
    app = await submit_sample(portal, clock, "signature_certification", ANA)
    before = await portal.get_receipt(ANA, app.id, "vi")
    await clerk.act(app.id, "receive")  # the status moves on; the receipt does not show it
    assert await portal.get_receipt(ANA, app.id, "vi") == before
    assert drawn == {"png": 1}
