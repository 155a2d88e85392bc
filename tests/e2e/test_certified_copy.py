"""A certified copy: the fee counted per page and copy, paid by VietQR through the
bank's signed callback, then "I have paid" confirmed by the bot."""

from __future__ import annotations

import httpx

from backend_client import PortalClient
from portal.domain.vietqr import parse_payload
from portal.settings import PortalSettings
from tests.e2e.conftest import Citizen
from tests.e2e.flows import decode_qr, send_papers, submit, tracking_code
from tests.support.gateway import signed_callback


async def test_certified_copy_fee_paid_by_vietqr(
    citizen: Citizen, portal: PortalClient, http: httpx.AsyncClient, settings: PortalSettings
) -> None:
    await citizen.start()
    await citizen.presses("Tiếng Việt")
    checklist = await citizen.says("chứng thực bản sao giấy tờ")
    assert "Chứng thực bản sao" in checklist[-1]["text"]
    await citizen.presses("Bắt đầu")
    await citizen.presses("Tôi đồng ý")
    await citizen.says("Sổ đỏ")
    asked = await citizen.says("3")
    assert "Bác cần mấy bản sao?" in asked[-1]["text"]
    await citizen.says("2")
    await citizen.says("Lê Thị Mai")
    await citizen.says("0905 123 456")
    review = await send_papers(citizen, [3])
    assert "3 ảnh" in review[-1]["text"]

    done = await submit(citizen)
    code = tracking_code(done)
    photos = [m for m in done if m["method"] == "sendPhoto"]
    assert len(photos) == 2  # the deep-link QR, then the VietQR
    vietqr = photos[1]
    payload = decode_qr(vietqr["photo_bytes"])
    fields = parse_payload(payload)
    # Pages 1-2 at 2,000 and page 3 at 1,000 make 5,000 a copy; two copies.
    assert fields["54"] == "10000"
    assert "10.000" in vietqr["caption"] and "mười nghìn đồng" in vietqr["caption"]

    citizen_key = f"telegram:{citizen.chat_id}"
    [mine] = await portal.my_applications(citizen_key)
    assert mine.tracking_code == code and mine.fee_amount == 10_000 and not mine.paid

    too_early = await citizen.presses("Tôi đã chuyển khoản")
    assert "chưa" in too_early[-1]["text"].lower()  # not arrived yet, try later
    assert too_early[-1]["buttons"]

    payment = await portal.get_payment(citizen_key, mine.id)
    assert payment.payload == payload
    body, headers = signed_callback(
        settings.payment_webhook_secret,
        reference=payment.reference,
        amount=payment.amount,
        transaction_id="FT26068123456",
    )
    response = await http.post("/v1/payments/callback", content=body, headers=headers)
    assert response.status_code == 200

    thanks = await citizen.presses("Tôi đã chuyển khoản")
    assert "Đã nhận được lệ phí" in thanks[-1]["text"]
    assert (await portal.get_application(citizen_key, mine.id)).paid
