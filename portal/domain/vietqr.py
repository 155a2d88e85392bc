"""VietQR (NAPAS 247) payment payloads: EMVCo merchant-presented QR with CRC-16.

The payload is what any Vietnamese banking app scans to fill in the bank, the
account, the amount and the message of a transfer. Field layout per FACTS.md;
the tests reproduce its worked example byte for byte.
"""

from __future__ import annotations

import binascii
import re
import unicodedata
from typing import Final

from kernel.qr import qr_png as _qr_png

GUID: Final = "A000000727"  # NAPAS
SERVICE_TO_ACCOUNT: Final = "QRIBFTTA"  # transfer to an account number
CURRENCY_VND: Final = "704"
COUNTRY: Final = "VN"
PURPOSE_MAX: Final = 25
REFERENCE_MAX: Final = 25

# Shown to staff configuring the ward's account; the payload only needs the BIN.
BANK_BINS: Final[dict[str, str]] = {
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

_BIN = re.compile(r"\d{6}")
_ACCOUNT = re.compile(r"[A-Za-z0-9]{1,19}")
_REFERENCE = re.compile(rf"[A-Za-z0-9\-]{{1,{REFERENCE_MAX}}}")
_TAG = re.compile(r"\d{4}")


def crc16_ccitt_false(data: bytes) -> int:
    """CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, no final xor).

    The standard library's ``binascii.crc_hqx`` is this CRC when started at 0xFFFF.
    """
    return binascii.crc_hqx(data, 0xFFFF)


def ascii_text(text: str, limit: int = PURPOSE_MAX) -> str:
    """A transfer message banks accept: plain ASCII without diacritics ("Lệ phí
    đăng ký" -> "Le phi dang ky"), other symbols as spaces, at most ``limit`` long."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    text = re.sub(r"[^A-Za-z0-9 .\-]", " ", text)
    return re.sub(r"\s+", " ", text).strip()[:limit].strip()


def _tlv(tag: str, value: str) -> str:
    if len(value) > 99:
        raise ValueError(f"field {tag} is longer than 99 characters")
    return f"{tag}{len(value):02d}{value}"


def build_payload(
    bank_bin: str,
    account: str,
    amount: int | None,
    purpose: str,
    reference: str | None = None,
) -> str:
    """The QR payload for a transfer of ``amount`` VND (``None``: the payer types the
    amount, a static QR) to ``account`` at the bank ``bank_bin``.

    ``purpose`` becomes the transfer message (diacritics stripped, cut to 25
    characters); ``reference`` (letters, digits, '-', at most 25) is carried as the
    bill reference for reconciliation and is never altered, so it is validated.
    """
    if not _BIN.fullmatch(bank_bin):
        raise ValueError("the bank BIN must be 6 digits")
    if not _ACCOUNT.fullmatch(account):
        raise ValueError("the account number must be 1 to 19 letters or digits")
    if amount is not None and (
        isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount < 10**13
    ):
        raise ValueError("the amount must be a positive whole number of dong, at most 13 digits")
    if reference is not None and not _REFERENCE.fullmatch(reference):
        raise ValueError(f"the reference must be 1 to {REFERENCE_MAX} letters, digits or '-'")

    beneficiary = _tlv("00", bank_bin) + _tlv("01", account)
    merchant = _tlv("00", GUID) + _tlv("01", beneficiary) + _tlv("02", SERVICE_TO_ACCOUNT)
    additional = _tlv("05", reference) if reference else ""
    message = ascii_text(purpose)
    if message:
        additional += _tlv("08", message)

    body = _tlv("00", "01") + _tlv("01", "11" if amount is None else "12")
    body += _tlv("38", merchant) + _tlv("53", CURRENCY_VND)
    if amount is not None:
        body += _tlv("54", str(amount))
    body += _tlv("58", COUNTRY)
    if additional:
        body += _tlv("62", additional)
    body += "6304"
    return body + f"{crc16_ccitt_false(body.encode('ascii')):04X}"


def _parse_tlv(data: str, where: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    i = 0
    while i < len(data):
        head = data[i : i + 4]
        if not _TAG.fullmatch(head):
            raise ValueError(f"{where}: malformed field at position {i}")
        tag, size = head[:2], int(head[2:])
        value = data[i + 4 : i + 4 + size]
        if len(value) != size:
            raise ValueError(f"{where}: field {tag} is cut short")
        if tag in fields:
            raise ValueError(f"{where}: field {tag} appears twice")
        fields[tag] = value
        i += 4 + size
    return fields


def parse_payload(payload: str) -> dict[str, str]:
    """The fields of a payload after checking its structure and CRC.

    Top-level fields by tag ("54": amount); the nested ones of the merchant
    account (38) and additional data (62) also under dotted keys: "38.00" GUID,
    "38.01.00" bank BIN, "38.01.01" account, "38.02" service, "62.08" purpose,
    "62.05" reference. Raises ``ValueError`` on any malformed payload.
    """
    if not payload.isascii():
        raise ValueError("a payload is plain ASCII")
    if len(payload) < 12 or payload[-8:-4] != "6304":
        raise ValueError("no CRC field at the end")
    crc = payload[-4:]
    if not re.fullmatch(r"[0-9A-Fa-f]{4}", crc):
        raise ValueError("the CRC is not four hex digits")
    if int(crc, 16) != crc16_ccitt_false(payload[:-4].encode("ascii")):
        raise ValueError("CRC mismatch: the payload was altered or misread")
    fields = _parse_tlv(payload, "payload")
    tags = list(fields)
    if tags[0] != "00" or fields["00"] != "01":
        raise ValueError("the payload does not start with format indicator 01")
    if tags[-1] != "63":
        raise ValueError("the CRC is not a field of its own at the end")
    for tag in ("38", "62"):
        if tag in fields:
            for sub, value in _parse_tlv(fields[tag], f"field {tag}").items():
                fields[f"{tag}.{sub}"] = value
    if "38.01" in fields:
        for sub, value in _parse_tlv(fields["38.01"], "field 38.01").items():
            fields[f"38.01.{sub}"] = value
    return fields


def qr_png(payload: str, scale: int = 8) -> bytes:
    """The payload as a PNG QR code (error correction M, the standard quiet zone of 4)."""
    return _qr_png(payload, scale=scale)
