from __future__ import annotations

from typing import Any

from babel.numbers import format_decimal

from dialogs.i18n import N_, t


def vnd(amount: int, lang: str) -> str:
    if lang == "vi":
        return f"{format_decimal(amount, locale='vi')} đồng"
    return f"{format_decimal(amount, locale='en')} VND"


def fee_summary(fee: dict[str, Any], lang: str) -> str:
    """One line on what the procedure costs, from the catalog's fee rule."""
    kind = fee.get("kind")
    if kind == "free":
        text = t(lang, N_("Free of charge"))
    elif kind == "fixed":
        text = vnd(int(fee.get("amount", 0)), lang)
        if fee.get("quantity_field"):
            text = t(lang, N_("{amount} per copy"), amount=text)
    elif kind == "per_page":
        tiers = fee.get("tiers") or []
        parts = [
            t(
                lang,
                N_("{amount} per page from page {first}"),
                amount=vnd(int(tier["amount"]), lang),
                first=tier["from_page"],
            )
            for tier in tiers
        ]
        text = "; ".join(parts)
        if fee.get("cap"):
            text += "; " + t(lang, N_("at most {cap} per copy"), cap=vnd(int(fee["cap"]), lang))
    elif kind == "by_channel":
        text = t(
            lang,
            N_("{online} when filed online ({counter} at the counter)"),
            online=vnd(int(fee.get("online") or 0), lang),
            counter=vnd(int(fee.get("counter") or 0), lang),
        )
    else:
        text = "-"
    reason = fee.get("exempt_reason")
    if reason and kind != "free":
        # The catalog phrases it as a sentence: "Free when registered within 60 days..."
        text += f" ({reason.get(lang) or reason.get('vi')})"
    return text


def processing_summary(processing: dict[str, Any], lang: str) -> str:
    if processing.get("kind") == "same_day":
        return t(lang, N_("The same working day (next working day if received after 15:00)"))
    return t(lang, N_("{days} working days"), days=processing.get("days", "?"))
