"""Finding a procedure from the words people type: no diacritics, typos, dialect,
English, whole sentences; and nothing at all for words that are not a procedure."""

from __future__ import annotations

import unicodedata

import pytest

from portal.catalog import MIN_SCORE, Catalog, fold, load_catalog
from portal.catalog.search import phrases, score


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.mark.parametrize(
    ("query", "slug"),
    [
        # the words people actually use (FACTS.md)
        ("công chứng", "certified_copy"),
        ("sao y", "certified_copy"),
        ("giấy độc thân", "marital_status_certificate"),
        ("giay doc than", "marital_status_certificate"),
        ("khai sanh", "birth_registration"),
        ("khai sinh cho con", "birth_registration"),
        ("nhap ho khau", "permanent_residence"),
        ("tách hộ khẩu", "permanent_residence"),
        ("tien gia", "elderly_allowance"),
        ("lương hưu xã hội", "elderly_allowance"),
        ("dang ky tam tru", "temporary_residence"),
        # English
        ("marriage", "marriage_registration"),
        ("birth certificate", "birth_registration"),
        ("notarize", "certified_copy"),
        ("single status", "marital_status_certificate"),
        ("building permit", "construction_permit"),
        ("social pension", "elderly_allowance"),
        # typos, Telex leftovers, word order, spelling variants, capitals
        ("khais sinh", "birth_registration"),
        ("khai snh", "birth_registration"),
        ("giâys khai sinh", "birth_registration"),
        ("ket hun", "marriage_registration"),
        ("tru tam dang ky", "temporary_residence"),
        ("dang ki tam tru", "temporary_residence"),
        ("ĐĂNG KÝ KHAI SINH", "birth_registration"),
        # whole sentences, Hue dialect
        ("tôi muốn làm giấy khai sinh cho cháu", "birth_registration"),
        ("mần giấy khai sinh cho cháu nội", "birth_registration"),
        ("o muốn xin giấy độc thân", "marital_status_certificate"),
        ("lam giay khai tu", "death_registration"),
        ("mo quan", "household_business"),
        ("xin phep xay nha", "construction_permit"),
        ("cai chinh", "civil_status_correction"),
        ("trich luc", "civil_status_extract"),
        ("chung thuc chu ky", "signature_certification"),
    ],
)
def test_finds_the_procedure_first(catalog: Catalog, query: str, slug: str) -> None:
    hits = catalog.search(query)
    assert hits, query
    assert hits[0].procedure.slug == slug, [(h.procedure.slug, h.score) for h in hits]


@pytest.mark.parametrize(
    "query",
    ["asdf", "xyz", "qwerty", "hello", "thoi tiet hom nay", "con meo", "123", "a", "xin chào",
     "bún bò Huế", "ăn cơm chưa", "zzzzzz", "lorem ipsum dolor", "", "  ?! "],
)  # fmt: skip
def test_gibberish_finds_nothing(catalog: Catalog, query: str) -> None:
    assert catalog.search(query) == []


def test_an_exact_alias_scores_one_and_wins(catalog: Catalog) -> None:
    [first, *rest] = catalog.search("công chứng")
    assert first.score == 1.0
    assert all(hit.score < 1.0 for hit in rest)


def test_scores_are_ordered_bounded_and_limited(catalog: Catalog) -> None:
    hits = catalog.search("dang ky", limit=3)
    assert len(hits) == 3
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert all(MIN_SCORE <= h.score <= 1.0 for h in hits)
    assert len({h.procedure.slug for h in hits}) == 3
    assert catalog.search("dang ky", limit=0) == []


def test_decomposed_input_matches_like_composed(catalog: Catalog) -> None:
    query = "Đăng ký tạm trú"
    decomposed = unicodedata.normalize("NFD", query)
    assert catalog.search(decomposed) == catalog.search(query)


def test_every_alias_finds_its_own_procedure_with_a_full_score(catalog: Catalog) -> None:
    for proc in catalog.procedures:
        for phrase in phrases(proc):
            best = catalog.search(phrase, limit=13)
            top = [h for h in best if h.score == 1.0]
            assert proc in [h.procedure for h in top], (proc.slug, phrase)


def test_score_bands() -> None:
    exact = score("khai sinh", "khai sinh")
    inside_query = score(fold("làm giấy khai sinh cho cháu"), "khai sinh")
    inside_alias = score("ho khau", "nhap ho khau")
    typo = score("khais sinh", "khai sinh")
    assert exact == 1.0
    assert 0.9 < inside_query < 1.0
    assert 0.75 < inside_alias <= 0.9
    assert MIN_SCORE <= typo <= 0.85
    assert score("asdf", "khai sinh") < MIN_SCORE
    # A short query must be a whole word of an alias, not any piece of one.
    assert score("ai", "khai sinh") < MIN_SCORE
