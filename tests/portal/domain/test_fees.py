from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.catalog.catalog import Catalog
from portal.catalog.loader import load_catalog
from portal.catalog.schema import Condition, Fee, PageTier, Text
from portal.domain.fees import FeeQuote, fee_per_copy, quote_fee

TODAY = date(2026, 11, 27)

# Circular 226/2016/TT-BTC as given in FACTS.md.
CERTIFIED_COPY = Fee(
    kind="per_page",
    pages_field="pages",
    quantity_field="copies",
    tiers=[
        PageTier(from_page=1, to_page=2, amount=2000),
        PageTier(from_page=3, amount=1000),
    ],
    cap=200_000,
)
RESIDENCE = Fee(kind="by_channel", online=10_000, counter=20_000)
BIRTH = Fee(
    kind="fixed",
    amount=8000,
    exempt_when=[Condition(field="child_dob", op="within_days", value=60)],
    exempt_reason=Text(vi="đăng ký trong 60 ngày", en="registered within 60 days"),
    verify=True,
)


def _copy(pages: int, copies: int = 1) -> FeeQuote:
    return quote_fee(CERTIFIED_COPY, {"pages": pages, "copies": copies}, today=TODAY)


def _sums_up(quote: FeeQuote) -> bool:
    return sum(line.amount for line in quote.lines) == quote.amount


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.mark.parametrize(
    ("pages", "copies", "amount"),
    [
        (1, 1, 2000),
        (2, 1, 4000),
        (3, 1, 5000),
        (10, 2, 2 * (4000 + 8000)),
        (250, 1, 200_000),
        (250, 3, 600_000),
        (198, 1, 200_000),  # 4,000 + 196 × 1,000 reaches the cap exactly
        (199, 1, 200_000),
    ],
)
def test_certified_copy_examples(pages: int, copies: int, amount: int) -> None:
    quote = _copy(pages, copies)
    assert quote.amount == amount
    assert not quote.exempt and quote.reason is None
    assert _sums_up(quote)


def test_certified_copy_lines_explain_the_tiers() -> None:
    quote = _copy(10, 2)
    assert [line.amount for line in quote.lines] == [8000, 16_000]
    assert quote.lines[0].description["en"] == "Pages 1–2: 2 × 2,000 VND × 2 copies"
    assert quote.lines[1].description["en"] == "Pages 3–10: 8 × 1,000 VND × 2 copies"
    assert quote.lines[0].description["vi"] == "Trang 1–2: 2 trang × 2.000 đồng × 2 bản"


def test_a_single_page_and_a_single_copy_read_simply() -> None:
    quote = _copy(3)
    assert [line.description["en"] for line in quote.lines] == [
        "Pages 1–2: 2 × 2,000 VND",
        "Page 3: 1,000 VND",
    ]


def test_the_cap_is_a_line_of_its_own() -> None:
    quote = _copy(250, 2)
    assert quote.amount == 400_000
    cap = quote.lines[-1]
    assert cap.amount == 400_000 - 2 * (4000 + 248 * 1000)
    assert cap.description["en"] == "At most 200,000 VND per copy"
    assert _sums_up(quote)


def test_the_catalog_certified_copy_fee_follows_the_examples(catalog: Catalog) -> None:
    fee = catalog.get("certified_copy").fee
    answers = {"pages": 10, "copies": 2}
    assert quote_fee(fee, answers, today=TODAY).amount == 24_000
    assert quote_fee(fee, {"pages": 250, "copies": 1}, today=TODAY).amount == 200_000


def test_count_answers_may_arrive_as_digit_strings() -> None:
    assert quote_fee(CERTIFIED_COPY, {"pages": "3", "copies": "2"}, today=TODAY).amount == 10_000


def test_a_draft_without_the_page_count_costs_nothing_yet() -> None:
    quote = quote_fee(CERTIFIED_COPY, {}, today=TODAY)
    assert quote.amount == 0 and quote.lines == []


def test_overlapping_tiers_never_charge_a_page_twice() -> None:
    fee = Fee(
        kind="per_page",
        pages_field="pages",
        tiers=[
            PageTier(from_page=1, to_page=5, amount=3000),
            PageTier(from_page=3, amount=1000),
        ],
    )
    assert fee_per_copy(fee, 7) == 5 * 3000 + 2 * 1000


@given(
    pages=st.integers(min_value=0, max_value=600),
    more=st.integers(min_value=0, max_value=600),
    copies=st.integers(min_value=1, max_value=50),
)
def test_per_page_fee_grows_with_pages_and_stays_under_the_cap(
    pages: int, more: int, copies: int
) -> None:
    fewer, larger = _copy(pages, copies), _copy(pages + more, copies)
    assert fewer.amount <= larger.amount
    assert larger.amount <= 200_000 * copies
    assert larger.amount == copies * fee_per_copy(CERTIFIED_COPY, pages + more)
    assert _sums_up(fewer) and _sums_up(larger)
    assert all(line.amount != 0 for line in larger.lines)


def test_residence_online_is_cheaper_than_the_counter() -> None:
    online = quote_fee(RESIDENCE, {}, channel="online", today=TODAY)
    counter = quote_fee(RESIDENCE, {}, channel="counter", today=TODAY)
    assert (online.amount, counter.amount) == (10_000, 20_000)
    assert online.lines[0].description["en"] == "Filed online (at the counter: 20,000 VND)"
    assert counter.lines[0].description["vi"] == "Nộp tại quầy"


def test_channel_defaults_to_online(catalog: Catalog) -> None:
    fee = catalog.get("permanent_residence").fee
    assert quote_fee(fee, {}, today=TODAY).amount == 10_000


@pytest.mark.parametrize(
    ("days_old", "exempt"),
    [(0, True), (1, True), (60, True), (61, False), (400, False)],
)
def test_birth_registration_is_free_within_60_days(days_old: int, exempt: bool) -> None:
    dob = (TODAY - timedelta(days=days_old)).isoformat()
    quote = quote_fee(BIRTH, {"child_dob": dob}, today=TODAY)
    assert quote.exempt is exempt
    assert quote.verify is True
    if exempt:
        assert quote.amount == 0 and quote.lines == []
        assert quote.reason == {"vi": "đăng ký trong 60 ngày", "en": "registered within 60 days"}
    else:
        assert quote.amount == 8000 and quote.reason is None
        assert quote.lines[0].description["en"] == "Fee for the application"


def test_an_unreadable_or_missing_date_does_not_exempt() -> None:
    for answers in ({}, {"child_dob": ""}, {"child_dob": "not a date"}, {"child_dob": 5}):
        assert quote_fee(BIRTH, answers, today=TODAY).amount == 8000


def test_a_date_after_today_is_not_within_days_before_it() -> None:
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    assert quote_fee(BIRTH, {"child_dob": tomorrow}, today=TODAY).exempt is False


def test_catalog_birth_and_death_exemptions(catalog: Catalog) -> None:
    birth = catalog.get("birth_registration").fee
    recent = (TODAY - timedelta(days=10)).isoformat()
    late = (TODAY - timedelta(days=90)).isoformat()
    assert quote_fee(birth, {"child_dob": recent}, today=TODAY).exempt
    assert quote_fee(birth, {"child_dob": late}, today=TODAY).amount == birth.amount > 0
    death = catalog.get("death_registration").fee
    assert quote_fee(death, {"date_of_death": recent}, today=TODAY).amount == 0
    assert quote_fee(death, {"date_of_death": late}, today=TODAY).amount > 0


def _exempt_if(cond: Condition, answers: dict[str, str | int]) -> bool:
    fee = Fee(kind="fixed", amount=5000, exempt_when=[cond])
    return quote_fee(fee, answers, today=TODAY).exempt


def test_older_than_days() -> None:
    cond = Condition(field="dob", op="older_than_days", value=365 * 80)
    assert _exempt_if(cond, {"dob": "1940-01-01"})
    assert not _exempt_if(cond, {"dob": "1990-01-01"})


def test_eq_ne_in_conditions() -> None:
    eq = Condition(field="group", op="eq", value="poor_household")
    ne = Condition(field="group", op="ne", value="poor_household")
    in_ = Condition(field="group", op="in", value=["poor_household", "disabled"])
    assert _exempt_if(eq, {"group": "poor_household"})
    assert not _exempt_if(eq, {"group": "other"})
    assert _exempt_if(ne, {"group": "other"}) and not _exempt_if(ne, {"group": "poor_household"})
    assert _exempt_if(in_, {"group": "disabled"}) and not _exempt_if(in_, {"group": "other"})
    assert not _exempt_if(ne, {})  # no answer, no exemption


def test_catalog_booleans_meet_yes_no_answers_and_numbers_meet_digits() -> None:
    assert _exempt_if(Condition(field="veteran", value=True), {"veteran": "yes"})
    assert not _exempt_if(Condition(field="veteran", value=True), {"veteran": "no"})
    assert _exempt_if(Condition(field="veteran", value=False), {"veteran": "no"})
    assert _exempt_if(Condition(field="children", value=3), {"children": "3"})
    assert _exempt_if(Condition(field="children", value="3"), {"children": 3})


def test_any_exemption_condition_is_enough() -> None:
    fee = Fee(
        kind="fixed",
        amount=5000,
        exempt_when=[
            Condition(field="a", value="x"),
            Condition(field="b", value="y"),
        ],
    )
    assert quote_fee(fee, {"b": "y"}, today=TODAY).exempt
    assert not quote_fee(fee, {"a": "y", "b": "x"}, today=TODAY).exempt


def test_fixed_fee_times_the_quantity(catalog: Catalog) -> None:
    fee = Fee(kind="fixed", amount=8000, quantity_field="copies", verify=True)
    quote = quote_fee(fee, {"copies": 3}, today=TODAY)
    assert quote.amount == 24_000 and quote.verify
    assert quote.lines[0].description == {"vi": "3 × 8.000 đồng", "en": "3 × 8,000 VND"}
    assert quote_fee(fee, {}, today=TODAY).amount == 8000  # quantity not given yet: one
    extract = catalog.get("civil_status_extract").fee
    assert quote_fee(extract, {"copies": 2}, today=TODAY).amount == 2 * extract.amount


def test_free_is_free_and_not_an_exemption() -> None:
    quote = quote_fee(Fee(kind="free"), {"anything": 1}, today=TODAY)
    assert quote == FeeQuote(0, [], exempt=False, reason=None, verify=False)


def test_every_catalog_fee_can_be_quoted(catalog: Catalog) -> None:
    for procedure in catalog.procedures:
        for channel in ("online", "counter"):
            quote = quote_fee(procedure.fee, {}, channel=channel, today=TODAY)
            assert quote.amount >= 0 and _sums_up(quote), procedure.slug
            assert quote.verify == procedure.fee.verify
