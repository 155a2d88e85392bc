"""CPU to draw and encode the papers the bot fetches after a submit: the payment card and
the receipt PNGs (portal/papers), each application's own fields varying (tracking code,
transfer content, amount, dates) as they do in production, the shared lines warm.

    .venv/bin/python benchmarks/papers.py [--papers 80]

Prints process CPU time per paper (time.process_time, so other load on the machine
matters less than for wall time), split into drawing and PNG encoding, and the PNG size.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from portal.papers import card, receipt
from portal.papers.card import CardContent
from portal.papers.drawing import Sheet
from portal.papers.receipt import ReceiptContent

T = TypeVar("T")
PROCEDURES = (
    "Chứng thực bản sao từ bản chính giấy tờ, văn bản",
    "Chứng thực chữ ký",
    "Đăng ký khai sinh",
)


def _code(i: int) -> str:
    return f"HS-2611-{300001 + i:06d}"


def cards(n: int) -> Iterator[CardContent]:
    for i in range(n):
        ref = _code(i).replace("-", "") + " LE PHI"
        amount = (10_000, 20_000, 50_000, 100_000)[i % 4]
        yield CardContent(
            ward="Phường Phú Xuân, thành phố Huế",
            title="THẺ NỘP LỆ PHÍ",
            amount=f"{amount:,} đồng".replace(",", "."),
            words="(mười nghìn đồng)",
            payload=(
                "00020101021238570010A000000727012700069704150113001234567890208QRIBFTTA"
                f"53037045405{amount}5802VN6229{len(ref) + 4:02d}08{len(ref):02d}{ref}6304{i:04d}"
            ),
            hint="Quét bằng ứng dụng ngân hàng bất kỳ (VietQR)",
            fields=[
                ("Người nhận", "UBND PHUONG PHU XUAN"),
                ("Ngân hàng", "VietinBank"),
                ("Số tài khoản", "0011001234567"),
                ("Nội dung chuyển khoản", ref),
                ("Mã hồ sơ", _code(i)),
                ("Thủ tục", PROCEDURES[i % 3]),
            ],
        )


def receipts(n: int) -> Iterator[ReceiptContent]:
    for i in range(n):
        yield ReceiptContent(
            ward="Phường Phú Xuân, thành phố Huế",
            title="GIẤY BIÊN NHẬN HỒ SƠ",
            qr_text=f"http://127.0.0.1:8000/t/{_code(i)}",
            qr_hint="Quét mã này bằng camera điện thoại để xem hồ sơ đang được xử lý đến đâu.",
            fields=[
                ("Thủ tục", PROCEDURES[i % 3]),
                ("Mã hồ sơ", _code(i)),
                ("Ngày nộp", f"{1 + i % 28:02d}/11/2026"),
                ("Ngày hẹn trả kết quả", f"{1 + (i + 3) % 28:02d}/12/2026"),
                ("Lệ phí", f"{(10, 20, 50)[i % 3]}.000 đồng — chưa nộp"),
            ],
            bring_title="Khi đến nhận kết quả, mang theo",
            bring=[
                "giấy biên nhận này (bản in hoặc trên điện thoại);",
                "căn cước của người nộp hồ sơ;",
                "bản sao đã được chứng thực",
            ],
        )


def measure(name: str, draw: Callable[[T], Sheet], contents: list[T]) -> None:
    """Each paper drawn then encoded, one after the other, as the portal does."""
    for content in contents[:3]:  # the fonts loaded, the shared lines drawn once
        draw(content).png()
    drawing = encoding = 0.0
    size = 0
    for content in contents[3:]:
        start = time.process_time()
        sheet = draw(content)
        drawn = time.process_time()
        size += len(sheet.png())
        encoding += time.process_time() - drawn
        drawing += drawn - start
    n = len(contents) - 3
    draw_ms, png_ms = 1000 * drawing / n, 1000 * encoding / n
    print(
        f"{name:8} draw {draw_ms:5.2f} ms  png {png_ms:5.2f} ms  total {draw_ms + png_ms:5.2f}"
        f" ms  {size // n} B"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--papers", type=int, default=80, help="papers of each kind")
    args = parser.parse_args()
    measure("card", card.draw, list(cards(args.papers + 3)))
    measure("receipt", receipt.draw, list(receipts(args.papers + 3)))


if __name__ == "__main__":
    main()
