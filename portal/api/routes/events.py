from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from portal.api import schemas
from portal.api.committing import respond
from portal.api.deps import Db, FeedReader
from portal.services import events

router = APIRouter(prefix="/v1/events", tags=["events"])


@router.get("", response_model=schemas.EventsPage)
def list_events(
    db: Db,
    _reader: FeedReader,
    after: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Response:
    rows = events.after(db, after, limit)
    page = schemas.EventsPage(
        events=[schemas.EventOut.model_validate(e) for e in rows],
        next_cursor=rows[-1].id if rows else after,
    )
    return respond(db, page)
