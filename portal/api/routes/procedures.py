from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from kernel.i18n import N_
from portal.api import presenters, schemas
from portal.api.deps import Ctx
from portal.api.text import PlainText
from portal.catalog import Procedure
from portal.services.errors import NotFound

router = APIRouter(prefix="/v1/procedures", tags=["catalog"])


@router.get("", response_model=list[schemas.ProcedureSummary])
def list_procedures(ctx: Ctx) -> list[schemas.ProcedureSummary]:
    return [presenters.procedure_summary(p) for p in ctx.catalog.procedures]


@router.get("/search", response_model=list[schemas.SearchHitOut])
def search_procedures(
    ctx: Ctx,
    q: Annotated[PlainText, Query(min_length=1, max_length=500)],
    limit: Annotated[int, Query(ge=1, le=13)] = 5,
) -> list[schemas.SearchHitOut]:
    return [
        schemas.SearchHitOut(procedure=presenters.procedure_summary(h.procedure), score=h.score)
        for h in ctx.catalog.search(q, limit=limit)
    ]


@router.get("/{slug}", response_model=Procedure)
def get_procedure(ctx: Ctx, slug: str) -> Procedure:
    if slug not in ctx.catalog:
        raise NotFound(N_("No such procedure: {slug}."), code="unknown_procedure", slug=slug)
    return ctx.catalog.get(slug)
