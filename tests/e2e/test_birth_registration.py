"""A complete birth registration over Telegram, from /start to the tracking code."""

from __future__ import annotations

from backend_client import PortalClient, StaffClient
from bot.telegram import TelegramChannel
from tests.e2e.conftest import Citizen
from tests.e2e.flows import (
    birth_registration_until_papers,
    decode_qr,
    send_papers,
    submit,
    tracking_code,
)


async def test_birth_registration_from_greeting_to_tracking_code(
    citizen: Citizen, channel: TelegramChannel, portal: PortalClient, clerk: StaffClient
) -> None:
    await birth_registration_until_papers(citizen)
    review = await send_papers(citizen, [1, 1, 2])
    summary = "\n".join(m.get("text") or "" for m in review)  # in messages of <= 300
    # Tolerant parsing, shown back in the one canonical form.
    assert "05/03/2026" in summary and "05/03/1995" in summary
    assert "046195123456" in summary and "0905123456" in summary
    assert "Bé gái" in summary and "Thẻ căn cước của người đi khai (hai mặt): 2 ảnh" in summary

    done = await submit(citizen)
    code = tracking_code(done)
    [qr] = [m for m in done if m["method"] == "sendPhoto"]
    assert code in qr["caption"] and "Ngày hẹn trả kết quả: 09/03/2026" in qr["caption"]
    assert channel.contexts.bot_link == "https://t.me/motcua_test_bot"
    # The receipt: its QR opens the public status page with any phone camera.
    assert decode_qr(qr["photo_bytes"]) == f"http://127.0.0.1:8000/t/{code}"
    assert f"http://127.0.0.1:8000/t/{code}" in qr["caption"]
    assert done[-1]["buttons"]  # a way forward after the end

    [mine] = await portal.my_applications(f"telegram:{citizen.chat_id}")
    assert mine.tracking_code == code and mine.status == "submitted"
    app = await clerk.get_application(mine.id)
    assert app.answers["child_name"] == "Nguyễn Thị Minh An"
    assert app.answers["child_dob"] in ("2026-03-05", "05/03/2026")
    assert app.answers["mother_id"] == "046195123456"
    assert sorted(d.code for d in app.documents) == [
        "applicant_id_card",
        "applicant_id_card",
        "birth_notice",
        "marriage_certificate",
    ]
    assert app.fee_amount == 0  # registered within 60 days of the birth
    queued = await clerk.queue(status="submitted")
    assert [q.tracking_code for q in queued] == [code]
