"""`make demo`'s channel, typing only: the terminal takes the same typed words as
Telegram (no button number anywhere), and a birth registration reaches its tracking
code within the same bound of user lines (texts and photo paths)."""

from __future__ import annotations

import io
import re
from pathlib import Path

from backend_client import PortalClient
from bot.context import ContextProvider
from bot.effects import EffectRunner, portal_image_fetcher
from bot.files import LocalFiles
from bot.runtime import Runtime
from bot.store import Store
from bot.terminal import Terminal, scripted
from tests.e2e.flows import CODE
from tests.support.clock import FrozenClock
from tests.support.images import photo

BIRTH_BOUND = 25


async def test_birth_registration_typed_only_in_the_terminal(
    portal: PortalClient, bot_store: Store, tmp_path: Path, clock: FrozenClock
) -> None:
    papers = []
    for name in ("giay-chung-sinh.jpg", "ket-hon.jpg", "cccd-truoc.jpg", "cccd-sau.jpg"):
        path = tmp_path / name
        path.write_bytes(photo(text=name))
        papers.append(str(path))
    lines = [
        "làm giấy khai sinh cho cháu",
        "ok bat dau di",
        "dong y",
        "Nguyễn Thị Minh An",
        "gai",
        "mung 5 thang 3",
        "Bệnh viện Trung ương Huế",
        "Trần Thị Hoa",
        "5/3/1995",
        "046 195 123 456",
        "co",
        "Nguyễn Văn Bình",
        "roi",
        "0905 123 456",
        papers[0],
        "xong",  # the birth notice may have more pages: the user says it is all
        papers[1],
        "xong",
        papers[2],  # the ID card's two sides: the bot moves on by itself
        papers[3],
        "nop luon di",
    ]
    assert not any(line.strip().isdigit() for line in lines)  # no button numbers
    provider = ContextProvider(portal, bot_link="https://t.me/motcua_test_bot", clock=clock)
    runtime = Runtime(
        store=bot_store,
        runner=EffectRunner(portal, LocalFiles(), handoffs=bot_store),
        context_provider=provider,
    )
    out = io.StringIO()
    await Terminal(
        runtime,
        lines=scripted([*lines, "/quit"]),
        out=out,
        qr_dir=tmp_path / "qr",
        fetch_image=portal_image_fetcher(portal),
    ).run()
    text = out.getvalue()
    found = re.search(r"Mã hồ sơ của Bác là " + CODE.pattern, text)
    assert found, text[-3000:]
    print(f"\nbirth registration in the terminal, typing only: {len(lines)} lines")
    assert len(lines) <= BIRTH_BOUND
    [mine] = await portal.my_applications("terminal:local")
    assert mine.tracking_code == found.group(1) and mine.status == "submitted"
    assert "miễn phí" in text  # the review shows the portal's quote
