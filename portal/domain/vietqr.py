"""VietQR (NAPAS 247) payment payloads: EMVCo merchant-presented QR with CRC-16.

Checked against the worked example in FACTS.md (see the tests). The payload is
what any Vietnamese banking app scans to fill in the bank, account, amount and
message of a transfer.
"""

from __future__ import annotations

import io
import re
import unicodedata
from typing import Final

import segno

GUID: Final = "A000000727"
SERVICE_TO_ACCOUNT: Final = "QRIBFTTA"
BANK_BINS: Final = {
    "Vietcombank": "970436",
    "VietinBank": "970415",
    "BIDV": "970418",
    "Agribank": "970405",
    "Techcombank": "970407",
    "MB": "970422",
    "ACB": "970416",
    "VPBank": "970432",
    "TPBank": "970423",
    "Sacombank": "970403",
}


def crc16_ccitt_false(data: bytes) -> int:
    """CRC-16/CCITT-FALSE: poly 0x1021, init 0xFFFF, no reflection, no final xor."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def _tlv(tag: str, value: str) -> str:
    if len(value) > 99:
        raise ValueError(f"field {tag} is longer than 99 characters")
    return f"{tag}{len(value):02d}{value}"


def ascii_purpose(text: str, limit: int = 25) -> str:
    """Transfer messages must be plain ASCII: strip diacritics (đ -> d), keep it short."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    text = re.sub(r"[^A-Za-z0-9 .\-]", " ", text)
    return re.sub(r"\s+", " ", text).strip()[:limit].strip()


def build_payload(
    bank_bin: str,
    account: str,
    amount: int | None,
    purpose: str,
    reference: str | None = None,
) -> str:
    if not re.fullmatch(r"\d{6}", bank_bin):
        raise ValueError("the bank BIN has 6 digits")
    if not re.fullmatch(r"[A-Za-z0-9]{1,19}", account):
        raise ValueError("the account number has 1 to 19 letters or digits")
    if amount is not None and not (0 < amount < 10**13):
        raise ValueError("the amount must be a positive whole number of dong")
    beneficiary = _tlv("00", bank_bin) + _tlv("01", account)
    merchant = _tlv("00", GUID) + _tlv("01", beneficiary) + _tlv("02", SERVICE_TO_ACCOUNT)
    additional = ""
    if reference:
        additional += _tlv("05", ascii_purpose(reference))
    message = ascii_purpose(purpose)
    if message:
        additional += _tlv("08", message)
    body = _tlv("00", "01") + _tlv("01", "12" if amount else "11") + _tlv("38", merchant)
    body += _tlv("53", "704")
    if amount:
        body += _tlv("54", str(amount))
    body += _tlv("58", "VN")
    if additional:
        body += _tlv("62", additional)
    body += "6304"
    return body + f"{crc16_ccitt_false(body.encode('ascii')):04X}"


def _parse_tlv(data: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    i = 0
    while i < len(data):
        if i + 4 > len(data) or not data[i + 2 : i + 4].isdigit():
            raise ValueError(f"malformed field at position {i}")
        tag, size = data[i : i + 2], int(data[i + 2 : i + 4])
        value = data[i + 4 : i + 4 + size]
        if len(value) != size:
            raise ValueError(f"field {tag} is cut short")
        fields[tag] = value
        i += 4 + size
    return fields


def parse_payload(payload: str) -> dict[str, str]:
    """Top-level fields of a payload after checking its CRC; nested ones as '38.01.00'."""
    if len(payload) < 8 or payload[-8:-4] != "6304":
        raise ValueError("no CRC field at the end")
    expected = f"{crc16_ccitt_false(payload[:-4].encode('ascii')):04X}"
    if payload[-4:].upper() != expected:
        raise ValueError("CRC mismatch")
    fields = _parse_tlv(payload)
    for tag in ("38", "62"):
        if tag in fields:
            for sub, value in _parse_tlv(fields[tag]).items():
                fields[f"{tag}.{sub}"] = value
    if "38.01" in fields:
        for sub, value in _parse_tlv(fields["38.01"]).items():
            fields[f"38.01.{sub}"] = value
    return fields


def qr_png(payload: str, scale: int = 8) -> bytes:
    buf = io.BytesIO()
    segno.make(payload, error="m", micro=False).save(buf, kind="png", scale=scale, border=4)
    return buf.getvalue()
