"""The terminal channel, driven by scripted lines, through a birth registration to
the tracking code, against the real portal."""

from __future__ import annotations

import io
import re
from pathlib import Path

from backend_client import PortalClient, StaffClient
from bot.context import ContextProvider
from bot.effects import EffectRunner, portal_image_fetcher
from bot.files import LocalFiles
from bot.runtime import Runtime
from bot.store import Store
from bot.terminal import Terminal, scripted
from tests.e2e.flows import CODE, decode_qr
from tests.support.images import photo


async def test_birth_registration_in_the_terminal(
    portal: PortalClient, clerk: StaffClient, bot_store: Store, tmp_path: Path
) -> None:
    papers = []
    for name in ("giay-chung-sinh.jpg", "ket-hon.jpg", "cccd-truoc.jpg", "cccd-sau.jpg"):
        path = tmp_path / name
        path.write_bytes(photo(text=name))
        papers.append(str(path))
    lines = [
        "1",  # Tiếng Việt
        "làm giấy khai sinh cho cháu",
        "1",  # Bắt đầu
        "1",  # Tôi đồng ý
        "Nguyễn Thị Minh An",
        "Bé gái",
        "5/3/2026",
        "Bệnh viện Trung ương Huế",
        "Trần Thị Hoa",
        "mùng 5 tháng 3 1995",
        "046.195.123.456",
        "Có ghi tên bố",
        "Nguyễn Văn Bình",
        "Đã đăng ký kết hôn",
        "+84 905 123 456",
        papers[0],
        "1",  # Xong
        papers[1],
        "1",
        papers[2],
        papers[3],
        "1",
        "1",  # Nộp hồ sơ
        "1",  # Có, nộp hồ sơ
        "/quit",
    ]
    runtime = Runtime(
        store=bot_store,
        runner=EffectRunner(portal, LocalFiles(), handoffs=bot_store),
        context_provider=ContextProvider(portal, bot_link="https://t.me/motcua_test_bot"),
    )
    out = io.StringIO()
    await Terminal(
        runtime,
        lines=scripted(lines),
        out=out,
        qr_dir=tmp_path / "qr",
        fetch_image=portal_image_fetcher(portal),  # as `motcua chat` does
    ).run()
    text = out.getvalue()
    assert "trợ lý tự động" in text
    found = re.search(r"Mã hồ sơ của Bác là " + CODE.pattern, text)
    assert found, text[-2000:]
    code = found.group(1)
    [mine] = await portal.my_applications("terminal:local")
    assert mine.tracking_code == code and mine.status == "submitted"
    app = await clerk.get_application(mine.id)
    assert len(app.documents) == 4
    assert app.answers["mother_id"] == "046195123456"
    # The receipt, saved to open; its QR is the public status page.
    [receipt] = list((tmp_path / "qr").glob("*bien-nhan*.png"))
    assert decode_qr(receipt.read_bytes()).endswith(f"/t/{code}")
