from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Response, UploadFile
from fastapi.responses import FileResponse

from kernel.i18n import N_
from portal.api import schemas
from portal.api.committing import commit_and_respond
from portal.api.deps import AppId, Citizen, Ctx, Db
from portal.api.downloads import attachment
from portal.api.text import PlainText
from portal.services import applications, documents
from portal.services.errors import NotFound, ValidationFailed

router = APIRouter(prefix="/v1/applications/{app_id}/documents", tags=["documents"])


@router.post("", response_model=schemas.DocumentOut, status_code=201)
def upload_document(
    ctx: Ctx,
    db: Db,
    actor: Citizen,
    app_id: AppId,
    code: Annotated[PlainText, Form(min_length=1, max_length=64)],
    file: Annotated[UploadFile, File()],
) -> Response:
    limit = ctx.settings.max_upload_bytes
    # Read one byte past the limit: enough to refuse, never the whole of a huge upload.
    # Plain def: FastAPI has parsed the form (spooled) on the loop; this runs in the pool.
    data = file.file.read(limit + 1)
    if len(data) > limit:
        raise ValidationFailed(
            N_("The file is too large. Please send a photo under {mb} MB."),
            code="too_large",
            mb=limit // (1024 * 1024),
        )
    app = applications.get_for(db, actor, app_id, lock=True)
    doc = documents.attach(db, ctx, app, actor, code=code, filename=file.filename, data=data)
    return commit_and_respond(db, schemas.DocumentOut.model_validate(doc), status_code=201)


@router.get("/{doc_id}", response_class=FileResponse)
def download_document(ctx: Ctx, db: Db, actor: Citizen, app_id: AppId, doc_id: int) -> FileResponse:
    app = applications.get_for(db, actor, app_id)
    doc = documents.find(app, doc_id)
    try:
        return FileResponse(doc.storage_path, media_type=doc.mime, headers=attachment(doc.filename))
    except FileNotFoundError as exc:  # pragma: no cover - storage lost under us
        raise NotFound(N_("No such file."), code="file_missing") from exc


@router.delete("/{doc_id}", status_code=204)
def delete_document(ctx: Ctx, db: Db, actor: Citizen, app_id: AppId, doc_id: int) -> None:
    app = applications.get_for(db, actor, app_id, lock=True)
    documents.remove(db, ctx, app, doc_id)
    db.commit()
