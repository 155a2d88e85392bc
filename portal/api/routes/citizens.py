"""The citizen's own data: erasure ("delete my data", Decree 13/2023/ND-CP)."""

from __future__ import annotations

from fastapi import APIRouter

from kernel.i18n import N_, localized
from portal.api import presenters, schemas
from portal.api.deps import Citizen, Ctx, Db
from portal.services import erasure
from portal.services.errors import Forbidden

router = APIRouter(prefix="/v1/citizens", tags=["citizens"])

_LEGAL_BASIS = N_(
    "Submitted applications are records of the ward office: the law on archives requires "
    "keeping them, which Decree 13/2023/ND-CP exempts from deletion. They are kept "
    "{years} years after they are finished."
)


@router.delete("/me", response_model=schemas.ErasureOut)
def erase_me(ctx: Ctx, db: Db, actor: Citizen) -> schemas.ErasureOut:
    """Delete the calling citizen's drafts and never-submitted applications with their
    answers, documents and files; list the submitted ones the ward keeps."""
    if actor.kind != "citizen":
        raise Forbidden(N_("Only the citizen can delete their own data."), code="citizen_only")
    result = erasure.erase_citizen(db, ctx, actor.id)
    years = ctx.settings.retention_years
    kept = [presenters.kept_application(ctx, a) for a in result.kept]
    db.commit()
    files = erasure.remove_files(result.deleted.paths)
    erasure.empty_sqlite_log(ctx.engine)
    return schemas.ErasureOut(
        deleted_applications=result.deleted.applications,
        deleted_documents=result.deleted.documents,
        deleted_files=files,
        kept=kept,
        retention_years=years,
        legal_basis=localized(_LEGAL_BASIS, years=years),
    )
