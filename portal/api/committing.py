"""Commit only what can be answered: the response body is serialised before the commit,
so a body that cannot be encoded fails the request with nothing written (a 5xx never
follows a write)."""

from __future__ import annotations

from fastapi import Response
from pydantic import BaseModel
from sqlalchemy.orm import Session


def commit_and_respond(db: Session, out: BaseModel, status_code: int = 200) -> Response:
    """Serialise ``out`` (the route's response model), then commit, then send those bytes.
    Returning a Response skips FastAPI's own serialisation; the route's ``response_model``
    still documents the body."""
    body = out.model_dump_json().encode()
    db.commit()
    return Response(body, status_code=status_code, media_type="application/json")
