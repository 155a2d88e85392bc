"""Whole conversations reused by several end-to-end tests."""

from __future__ import annotations

import io
import re
from datetime import date
from typing import Any

import zxingcpp
from PIL import Image

from backend_client import PortalClient
from tests.e2e.conftest import Citizen, texts
from tests.support.forms import sample_answers
from tests.support.images import photo

CODE = re.compile(r"\b([A-Z]{2}-\d{4}-[A-Z0-9]{6})\b")


async def choose(citizen: Citizen, label: str) -> list[dict[str, Any]]:
    """Press the reply-keyboard button `label` (what a phone sends: its text)."""
    offered = citizen.keyboard()
    assert label in offered, f"{label!r} not among {offered}"
    return await citizen.says(label)


async def birth_registration_until_papers(citizen: Citizen) -> None:
    """From the first /start to the last form answer, the way a grandmother types."""
    greeting = await citizen.start()
    assert "trợ lý tự động" in greeting[0]["text"]
    await citizen.presses("Tiếng Việt")
    checklist = await citizen.says("làm giấy khai sinh cho cháu")
    assert "Giấy chứng sinh" in checklist[-1]["text"]
    await citizen.presses("Bắt đầu")
    asked = await citizen.presses("Tôi đồng ý")
    assert "Bước 1/" in asked[-1]["text"]
    await citizen.says("Nguyễn Thị Minh An")
    await choose(citizen, "Bé gái")
    await citizen.says("mùng 5 tháng 3 2026")
    await citizen.says("Bệnh viện Trung ương Huế")
    await citizen.says("Trần Thị Hoa")
    await citizen.says("5/3/1995")
    await citizen.says("046 195 123 456")
    await choose(citizen, "Có ghi tên bố")
    await citizen.says("Nguyễn Văn Bình")
    await choose(citizen, "Đã đăng ký kết hôn")
    papers = await citizen.says("+84 905 123 456")
    assert "Giấy chứng sinh" in papers[-1]["text"]


async def send_papers(citizen: Citizen, counts: list[int]) -> list[dict[str, Any]]:
    """Photos for each paper in turn (`counts[i]` photos of paper i), then "Done" (a
    paper with all its photos goes on by itself)."""
    last: list[dict[str, Any]] = []
    for n in counts:
        for i in range(n):
            last = await citizen.sends_photo(photo(text=f"trang {i}"))
            assert "Đã nhận" in texts(last)
        if any("Xong" in label for row in last[-1]["buttons"] for label in row):
            last = await citizen.presses("Xong")
    return last


async def submit(citizen: Citizen) -> list[dict[str, Any]]:
    await citizen.presses("Nộp hồ sơ")
    return await citizen.presses("Có, nộp")


def tracking_code(messages: list[dict[str, Any]]) -> str:
    for m in messages:
        found = CODE.search(m.get("text") or m.get("caption") or "")
        if found:
            return found.group(1)
    raise AssertionError(f"no tracking code in {messages}")


def decode_qr(image: bytes) -> str:
    [barcode] = zxingcpp.read_barcodes(Image.open(io.BytesIO(image)))
    return str(barcode.text)


async def submitted_via_portal(portal: PortalClient, citizen_key: str, today: date) -> str:
    """A birth registration filed straight through the portal API; its tracking code."""
    proc = await portal.get_procedure("birth_registration")
    app = await portal.create_application(citizen_key, proc.slug)
    await portal.set_answers(citizen_key, app.id, sample_answers(proc, today=today))
    for doc in proc.documents:
        for i in range(max(doc.min_files, 1)):
            await portal.upload_document(
                citizen_key, app.id, doc.code, photo(text=str(i)), content_type="image/jpeg"
            )
    submitted = await portal.submit(citizen_key, app.id, f"e2e-{app.id}")
    assert submitted.tracking_code is not None
    return submitted.tracking_code
