"""The fee of an application, computed from the procedure's fee rule and the answers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from motcua.i18n import N_, localized
from portal.catalog.schema import Fee
from portal.domain.answers import evaluate_condition
from portal.domain.money import format_vnd


@dataclass(frozen=True)
class FeeLine:
    description: dict[str, str]
    amount: int


@dataclass(frozen=True)
class FeeQuote:
    amount: int
    lines: list[FeeLine] = field(default_factory=list)
    exempt: bool = False
    reason: dict[str, str] | None = None
    verify: bool = False


def _count(answers: Mapping[str, object], name: str | None, default: int = 1) -> int:
    if not name:
        return default
    value = answers.get(name)
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        return max(value, 0)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return default


def _vnd(amount: int) -> dict[str, str]:
    return {lang: format_vnd(amount, lang) for lang in ("vi", "en")}


def pages_fee(fee: Fee, pages: int) -> int:
    """One copy's fee: each page priced by the tier it falls in, then capped."""
    total = 0
    for page in range(1, pages + 1):
        for tier in fee.tiers:
            if tier.from_page <= page and (tier.to_page is None or page <= tier.to_page):
                total += tier.amount
                break
    return min(total, fee.cap) if fee.cap is not None else total


def quote_fee(
    fee: Fee,
    answers: Mapping[str, object],
    *,
    channel: Literal["online", "counter"] = "online",
    today: date,
) -> FeeQuote:
    for condition in fee.exempt_when:
        if evaluate_condition(condition, answers, today):
            reason = fee.exempt_reason.model_dump() if fee.exempt_reason else None
            return FeeQuote(0, [], exempt=True, reason=reason, verify=fee.verify)
    if fee.kind == "free":
        return FeeQuote(0, [], verify=fee.verify)
    copies = _count(answers, fee.quantity_field)
    if fee.kind == "fixed":
        amount = fee.amount * copies
        text = localized(N_("{n} × {unit}"), n=copies, unit=_vnd(fee.amount))
        return FeeQuote(amount, [FeeLine(text, amount)], verify=fee.verify)
    if fee.kind == "per_page":
        pages = _count(answers, fee.pages_field, default=0)
        one = pages_fee(fee, pages)
        amount = one * copies
        text = localized(
            N_("{copies} copy(ies) of {pages} page(s): {copies} × {one}"),
            copies=copies,
            pages=pages,
            one=_vnd(one),
        )
        return FeeQuote(amount, [FeeLine(text, amount)], verify=fee.verify)
    # by_channel: online filing costs less than the counter
    assert fee.online is not None and fee.counter is not None
    amount = fee.online if channel == "online" else fee.counter
    text = localized(N_("Filed online") if channel == "online" else N_("Filed at the counter"))
    return FeeQuote(amount, [FeeLine(text, amount)], verify=fee.verify)
