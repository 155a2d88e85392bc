"""The catalog shipped with the portal: the 13 procedures of Phu Xuan ward, complete
and consistent with the domain facts (fees, times, conditions)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from portal.catalog import CATEGORY_ORDER, Catalog, Procedure, check_catalog, load_catalog
from portal.domain.answers import evaluate_condition

SLUGS = {
    "birth_registration",
    "death_registration",
    "marriage_registration",
    "marital_status_certificate",
    "civil_status_extract",
    "civil_status_correction",
    "certified_copy",
    "signature_certification",
    "permanent_residence",
    "temporary_residence",
    "elderly_allowance",
    "household_business",
    "construction_permit",
}
TODAY = date(2026, 3, 2)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def _each(catalog: Catalog) -> list[Procedure]:
    return list(catalog.procedures)


def test_the_shipped_catalog_has_no_issues() -> None:
    assert [str(i) for i in check_catalog()] == []


def test_exactly_the_thirteen_procedures(catalog: Catalog) -> None:
    assert {p.slug for p in catalog.procedures} == SLUGS
    assert len(catalog) == 13
    assert all(slug in catalog for slug in SLUGS)
    assert "passport" not in catalog


def test_every_procedure_is_complete(catalog: Catalog) -> None:
    for proc in _each(catalog):
        assert proc.name.vi and proc.name.en and proc.short_name, proc.slug
        assert proc.fields and proc.documents, proc.slug
        assert proc.legal_basis and proc.aliases, proc.slug
        assert all(d.help for d in proc.documents), proc.slug  # what a good photo shows
        if proc.fee.verify:
            assert proc.verify, f"{proc.slug}: a fee to verify belongs in its verify list"


def test_labels_are_short_questions(catalog: Catalog) -> None:
    for proc in _each(catalog):
        assert 3 <= len(proc.fields) <= 12, proc.slug
        for field in proc.fields:
            for text in (field.label.vi, field.label.en):
                assert len(text) <= 120 and text.endswith("?"), (proc.slug, field.name, text)


def test_citizen_ids_are_checked_against_a_date_of_birth(catalog: Catalog) -> None:
    for proc in _each(catalog):
        dates = {f.name for f in proc.fields if f.type == "date"}
        for field in proc.fields:
            if field.type == "citizen_id" and dates:
                assert field.dob_field in dates, (proc.slug, field.name)


def test_results_say_where_to_collect(catalog: Catalog) -> None:
    for proc in _each(catalog):
        assert "Phú Xuân" in proc.result.vi and "Phu Xuan" in proc.result.en, proc.slug
        if proc.online_level == "full":  # nothing to fetch in person
            assert "bưu điện" in proc.result.vi or "VNeID" in proc.result.vi, proc.slug


def test_order_is_category_then_slug(catalog: Catalog) -> None:
    keys = [(CATEGORY_ORDER.index(p.category), p.slug) for p in catalog.procedures]
    assert keys == sorted(keys)


def test_get_unknown_slug_raises_key_error(catalog: Catalog) -> None:
    assert catalog.get("certified_copy").category == "certification"
    with pytest.raises(KeyError, match="passport"):
        catalog.get("passport")


def test_birth_is_free_within_60_days_of_the_birth(catalog: Catalog) -> None:
    fee = catalog.get("birth_registration").fee
    assert fee.kind == "fixed" and fee.amount > 0 and fee.verify
    [rule] = fee.exempt_when
    on_time = {rule.field: (TODAY - timedelta(days=60)).isoformat()}
    late = {rule.field: (TODAY - timedelta(days=61)).isoformat()}
    assert rule.field == "child_dob"
    assert evaluate_condition(rule, on_time, TODAY)
    assert not evaluate_condition(rule, late, TODAY)


def test_birth_asks_about_the_marriage_only_when_the_father_is_named(catalog: Catalog) -> None:
    proc = catalog.get("birth_registration")
    fields = {f.name: f for f in proc.fields}
    assert fields["parents_married"].when is not None
    assert fields["father_name"].when is not None
    assert fields["parents_married"].when.field == fields["father_name"].when.field
    marriage = next(d for d in proc.documents if d.code == "marriage_certificate")
    assert marriage.when is not None
    assert (marriage.when.field, marriage.when.value) == ("parents_married", "yes")
    assert fields["mother_id"].dob_field == "mother_dob"


def test_death_is_free_within_15_days(catalog: Catalog) -> None:
    [rule] = catalog.get("death_registration").fee.exempt_when
    assert (rule.op, rule.value) == ("within_days", 15)


def test_certified_copy_fee_tiers(catalog: Catalog) -> None:
    fee = catalog.get("certified_copy").fee
    assert fee.kind == "per_page" and fee.cap == 200_000
    assert [(t.from_page, t.to_page, t.amount) for t in fee.tiers] == [
        (1, 2, 2000),
        (3, None, 1000),
    ]
    assert fee.pages_field and fee.quantity_field
    assert not fee.verify


@pytest.mark.parametrize(
    ("slug", "kind", "amounts"),
    [
        ("civil_status_extract", "fixed", (8000,)),
        ("signature_certification", "fixed", (10_000,)),
        ("permanent_residence", "by_channel", (10_000, 20_000)),
        ("temporary_residence", "by_channel", (7000, 15_000)),
        ("elderly_allowance", "free", ()),
        ("marriage_registration", "free", ()),
    ],
)
def test_fee_rules_from_the_domain_facts(
    catalog: Catalog, slug: str, kind: str, amounts: tuple[int, ...]
) -> None:
    fee = catalog.get(slug).fee
    assert fee.kind == kind
    if kind == "fixed":
        assert (fee.amount,) == amounts
    if kind == "by_channel":
        assert (fee.online, fee.counter) == amounts


def test_extract_fee_counts_copies(catalog: Catalog) -> None:
    proc = catalog.get("civil_status_extract")
    copies = next(f for f in proc.fields if f.name == proc.fee.quantity_field)
    assert copies.type == "number" and copies.min == 1


def test_residence_is_handled_by_the_ward_police(catalog: Catalog) -> None:
    for slug in ("permanent_residence", "temporary_residence"):
        assert "Công an" in catalog.get(slug).agency.vi
