from __future__ import annotations

from datetime import date
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


def fee_quote(fee: dict[str, Any], answers: dict[str, Any], today: date) -> int | None:
    """The fee these answers come to, for the review screen; None when the rule needs
    the portal (it quotes the exact amount when the application is submitted)."""
    kind = fee.get("kind")
    exempt = fee.get("exempt_when") or []
    if exempt and all(_exempt(c, answers, today) for c in exempt):
        return 0
    quantity = 1
    if fee.get("quantity_field"):
        try:
            quantity = int(answers.get(fee["quantity_field"]) or 0)
        except (TypeError, ValueError):
            return None
    if kind == "free":
        return 0
    if kind == "fixed":
        return int(fee.get("amount", 0)) * quantity
    if kind == "per_page":
        try:
            pages = int(answers.get(fee.get("pages_field") or "pages") or 0)
        except (TypeError, ValueError):
            return None
        one = 0
        for tier in fee.get("tiers") or []:
            first = int(tier["from_page"])
            last = min(pages, int(tier.get("to_page") or pages))
            one += max(0, last - first + 1) * int(tier["amount"])
        if fee.get("cap"):
            one = min(one, int(fee["cap"]))
        return one * quantity
    return None


def _exempt(cond: dict[str, Any], answers: dict[str, Any], today: date) -> bool:
    """One exemption condition of the catalog's fee rule (dates in ISO form)."""
    value = answers.get(str(cond.get("field")))
    if value is None:
        return False
    op = cond.get("op", "eq")
    if op in ("within_days", "older_than_days"):
        try:
            days = (today - date.fromisoformat(str(value))).days
        except ValueError:
            return False
        limit = int(cond.get("value") or 0)
        return 0 <= days <= limit if op == "within_days" else days > limit
    if op == "ne":
        return str(value) != str(cond.get("value"))
    return str(value) == str(cond.get("value"))
