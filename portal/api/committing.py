"""Commit only what can be answered: the response body is serialised before the commit,
so a body that cannot be encoded fails the request with nothing written (a 5xx never
follows a write).

Both helpers also end the request's transaction in the route's own thread, so that the
session dependency (``deps.get_db``) closes an idle session on the event loop without a
second trip to the thread pool."""

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


def respond(db: Session, out: BaseModel) -> Response:
    """A reading route's answer: ``out`` serialised once (FastAPI would validate it
    again against the ``response_model``), then the read transaction ended."""
    body = out.model_dump_json().encode()
    end_read(db)
    return Response(body, media_type="application/json")


def end_read(db: Session) -> None:
    """End a route's read-only transaction (its connection back to the pool) while still
    in the route's thread. Committed, not rolled back: a reading route wrote nothing, so
    both end it alike, but psycopg forgets every prepared statement of the connection at a
    ROLLBACK (and sends ``DEALLOCATE ALL`` with the next statement), so on PostgreSQL each
    read would cost the next requests a round trip and their statements' planning."""
    db.commit()
