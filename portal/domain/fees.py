"""The fee of an application, computed from the procedure's fee rule and the answers.

The quote explains itself: its lines say how the amount was reached, in both
languages, and always add up to the amount, so what the citizen reads is what
the bank app asks for.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from kernel.i18n import N_, localized
from portal.catalog.schema import Condition, Fee, PageTier
from portal.domain.money import format_vnd

Channel = Literal["online", "counter"]


@dataclass(frozen=True)
class FeeLine:
    description: dict[str, str]  # {"vi": ..., "en": ...}
    amount: int


@dataclass(frozen=True)
class FeeQuote:
    amount: int
    lines: list[FeeLine] = field(default_factory=list)
    exempt: bool = False
    reason: dict[str, str] | None = None  # why it is exempt, {"vi": ..., "en": ...}
    verify: bool = False  # the ward must still confirm the amount (set by the province)


def quote_fee(
    fee: Fee,
    answers: Mapping[str, object],
    *,
    channel: Channel = "online",
    today: date,
) -> FeeQuote:
    """The fee for ``answers`` (already validated: dates as ISO strings, numbers as
    int), filed through ``channel`` and submitted on ``today``.

    A missing quantity counts as one copy; a missing page count as no pages, so a
    draft without it is quoted at 0 until the page count is known.
    """
    if fee.kind == "free":
        return FeeQuote(0, verify=fee.verify)
    if any(_matches(c, answers, today) for c in fee.exempt_when):
        reason = fee.exempt_reason.model_dump() if fee.exempt_reason else None
        return FeeQuote(0, exempt=True, reason=reason, verify=fee.verify)
    if fee.kind == "fixed":
        lines = _fixed_lines(fee, answers)
    elif fee.kind == "per_page":
        lines = _per_page_lines(fee, _count(answers, fee.pages_field, 0), _copies(fee, answers))
    else:
        lines = _channel_lines(fee, channel)
    return FeeQuote(sum(line.amount for line in lines), lines, verify=fee.verify)


def fee_per_copy(fee: Fee, pages: int) -> int:
    """One copy of ``pages`` pages under a per-page fee: tiers, then the cap."""
    total = sum(count * tier.amount for tier, _first, _last, count in _tier_spans(fee, pages))
    return min(total, fee.cap) if fee.cap is not None else total


def _vnd(amount: int) -> dict[str, str]:
    return {lang: format_vnd(amount, lang) for lang in ("vi", "en")}


def _count(answers: Mapping[str, object], name: str | None, default: int) -> int:
    """A count answer; anything that is not a whole number >= 0 counts as ``default``."""
    value = answers.get(name) if name else None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return default


def _copies(fee: Fee, answers: Mapping[str, object]) -> int:
    return _count(answers, fee.quantity_field, 1)


def _fixed_lines(fee: Fee, answers: Mapping[str, object]) -> list[FeeLine]:
    if fee.quantity_field is None:
        return [FeeLine(localized(N_("Fee for the application")), fee.amount)]
    copies = _copies(fee, answers)
    text = localized(N_("{count} × {unit}"), count=copies, unit=_vnd(fee.amount))
    return [FeeLine(text, copies * fee.amount)]


def _tier_spans(fee: Fee, pages: int) -> list[tuple[PageTier, int, int, int]]:
    """(tier, first page, last page, page count) for the pages each tier prices.

    Tiers are read in catalog order and a page is priced once, by the first tier
    that covers it, so overlapping tiers in the data cannot charge a page twice.
    """
    spans: list[tuple[PageTier, int, int, int]] = []
    priced = 0  # pages 1..priced already have a price
    for tier in sorted(fee.tiers, key=lambda t: t.from_page):
        first = max(tier.from_page, priced + 1, 1)
        last = pages if tier.to_page is None else min(tier.to_page, pages)
        if last >= first:
            spans.append((tier, first, last, last - first + 1))
            priced = last
    return spans


def _per_page_lines(fee: Fee, pages: int, copies: int) -> list[FeeLine]:
    lines: list[FeeLine] = []
    for tier, first, last, count in _tier_spans(fee, pages):
        params: dict[str, object] = {
            "first": first,
            "last": last,
            "count": count,
            "unit": _vnd(tier.amount),
            "copies": copies,
        }
        if first == last:
            message = (
                N_("Page {first}: {unit}")
                if copies == 1
                else N_("Page {first}: {unit} × {copies} copies")
            )
        else:
            message = (
                N_("Pages {first}–{last}: {count} × {unit}")
                if copies == 1
                else N_("Pages {first}–{last}: {count} × {unit} × {copies} copies")
            )
        text = localized(message, **params)
        lines.append(FeeLine(text, count * tier.amount * copies))
    uncapped = sum(line.amount for line in lines)
    capped = fee_per_copy(fee, pages) * copies
    if capped < uncapped:
        assert fee.cap is not None  # only a cap lowers the sum of the tiers
        text = localized(N_("At most {cap} per copy"), cap=_vnd(fee.cap))
        lines.append(FeeLine(text, capped - uncapped))
    return lines


def _channel_lines(fee: Fee, channel: Channel) -> list[FeeLine]:
    assert fee.online is not None and fee.counter is not None  # checked by the schema
    if channel == "online":
        text = localized(N_("Filed online (at the counter: {other})"), other=_vnd(fee.counter))
        return [FeeLine(text, fee.online)]
    return [FeeLine(localized(N_("Filed at the counter")), fee.counter)]


def _matches(cond: Condition, answers: Mapping[str, object], today: date) -> bool:
    """Whether an exemption condition holds. A missing or unreadable answer never
    exempts: the fee is charged unless the answers show it is not due.

    within_days: the date lies 0..N days before ``today``; older_than_days: more
    than N days before ``today``.
    """
    answer = answers.get(cond.field)
    if answer is None or answer == "":
        return False
    if cond.op in ("within_days", "older_than_days"):
        when = _as_date(answer)
        days = cond.value
        if when is None or isinstance(days, bool) or not isinstance(days, int):
            return False
        age = (today - when).days
        return 0 <= age <= days if cond.op == "within_days" else age > days
    options = cond.value if cond.op == "in" and isinstance(cond.value, list) else [cond.value]
    found = any(_same(answer, option) for option in options)
    return not found if cond.op == "ne" else found


_YES = frozenset({"true", "yes", "y", "1", "co", "có"})
_NO = frozenset({"false", "no", "n", "0", "khong", "không"})


def _same(answer: object, expected: object) -> bool:
    # The catalog is YAML (`value: yes` loads as True, `2` as 2) while answers are
    # cleaned strings or ints: a boolean meets a yes/no choice, 2 meets "2".
    if isinstance(expected, bool) or isinstance(answer, bool):
        flag, other = (expected, answer) if isinstance(expected, bool) else (answer, expected)
        if isinstance(other, bool):
            return flag == other
        return str(other).strip().lower() in (_YES if flag else _NO)
    return str(answer).strip() == str(expected).strip()


def _as_date(value: object) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None
