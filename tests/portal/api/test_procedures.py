from __future__ import annotations

import httpx

from backend_client import PortalClient

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


async def test_catalog_lists_the_13_procedures(portal: PortalClient) -> None:
    procedures = await portal.list_procedures()
    assert {p.slug for p in procedures} == SLUGS
    for p in procedures:
        assert p.name["vi"] and p.name["en"]


async def test_detail_has_form_and_documents(portal: PortalClient) -> None:
    proc = await portal.get_procedure("birth_registration")
    assert proc.fields and proc.documents and proc.result["vi"]


async def test_search_without_diacritics(portal: PortalClient) -> None:
    assert (await portal.search_procedures("công chứng"))[0].procedure.slug == "certified_copy"
    hits = await portal.search_procedures("giay doc than")
    assert hits[0].procedure.slug == "marital_status_certificate"


async def test_openapi_is_served(http: httpx.AsyncClient) -> None:
    spec = (await http.get("/openapi.json")).json()
    assert "/v1/procedures" in spec["paths"] and "/v1/track/{code}" in spec["paths"]
