"""SQL statements per request on the routes a citizen's conversation calls: counted, so
that a lazy load or an extra round trip creeping back in fails here (issue 15)."""

from __future__ import annotations

from collections.abc import Awaitable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, select

from backend_client import PortalClient
from portal.db.models import Lookup
from portal.db.sealed import lookup
from portal.services.context import PortalContext
from tests.support.images import photo

ANA = "telegram:8001"


class Statements:
    """Every statement the engine sends, in order."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        self.seen.append(" ".join(statement.split())[:120])


@contextmanager
def counting(ctx: PortalContext) -> Iterator[Statements]:
    statements = Statements()
    event.listen(ctx.engine, "before_cursor_execute", statements)
    try:
        yield statements
    finally:
        event.remove(ctx.engine, "before_cursor_execute", statements)


# Most statements a request may send, per route, on either database (the events' advisory
# lock on PostgreSQL included). What they are, for the record (SQLite):
#   create   INSERT application, INSERT transition (its collections need no query)
#   answer   SELECT application, SELECT its documents, transitions and payments (one
#            UNION ALL, for the response), UPDATE it; an answer that is a citizen ID or
#            phone also reads and writes the lookups
#   get      SELECT application, SELECT its documents, transitions and payments
#   upload   SELECT application, documents; UPDATE application; INSERT document
#   submit   SELECT application, documents, a free tracking code, holiday overrides;
#            UPDATE application; INSERT transition, payment; SELECT documents,
#            transitions and payments (response); INSERT events (both in one)
#   again    SELECT application, SELECT its documents, transitions and payments
MOST = {
    "create": 2,
    "answer": 3,
    "answer_phone": 5,
    "upload": 4,
    "get_draft": 2,
    "fee": 1,
    "submit": 10,
    "submit_again": 2,
    "get_submitted": 2,
    "receipt": 1,
    "card": 2,
}


async def test_statements_per_request_of_a_citizens_conversation(
    ctx: PortalContext, portal: PortalClient
) -> None:
    counts: dict[str, int] = {}
    sent: dict[str, list[str]] = {}

    async def step(name: str, call: Awaitable[Any]) -> Any:
        with counting(ctx) as seen:
            result = await call
        counts[name] = max(counts.get(name, 0), len(seen.seen))
        sent[name] = seen.seen
        return result

    app = await step("create", portal.create_application(ANA, "certified_copy"))
    for answer in ({"document_title": "Sổ đỏ"}, {"pages": "3"}, {"copies": "2"}):
        await step("answer", portal.set_answers(ANA, app.id, answer))
    await step("answer_phone", portal.set_answers(ANA, app.id, {"applicant_phone": "0905123456"}))
    await step("answer", portal.set_answers(ANA, app.id, {"applicant_name": "Lê Thị Mai"}))
    await step("upload", portal.upload_document(ANA, app.id, "original_document", photo()))
    await step("get_draft", portal.get_application(ANA, app.id))
    await step("fee", portal.get_fee(ANA, app.id))
    submitted = await step("submit", portal.submit(ANA, app.id, "key-1"))
    await step("submit_again", portal.submit(ANA, app.id, "key-1"))
    await step("get_submitted", portal.get_application(ANA, app.id))
    await step("receipt", portal.get_receipt(ANA, app.id))
    await step("card", portal.get_payment_card(ANA, app.id))

    # The cheaper path still did the whole job.
    assert submitted.tracking_code and submitted.payment is not None
    assert len(submitted.transitions) == 2 and len(submitted.documents) == 1
    over = {name: sent[name] for name, most in MOST.items() if counts[name] > most}
    assert not over, (counts, over)


async def test_the_lookups_follow_a_changed_phone_answer(
    ctx: PortalContext, portal: PortalClient
) -> None:
    """Lookups are read only when an ID or phone answer changes: a changed one still
    replaces its row, and an unrelated answer leaves it."""
    app = await portal.create_application(ANA, "certified_copy")
    await portal.set_answers(ANA, app.id, {"applicant_phone": "0905123456"})
    await portal.set_answers(ANA, app.id, {"pages": "3"})
    assert _digests(ctx, app.id) == {("phone", lookup("phone", "0905123456"))}
    await portal.set_answers(ANA, app.id, {"applicant_phone": "0914 000 111"})
    assert _digests(ctx, app.id) == {("phone", lookup("phone", "0914000111"))}
    await portal.set_answers(ANA, app.id, {"applicant_phone": None})
    assert _digests(ctx, app.id) == set()


def _digests(ctx: PortalContext, app_id: str) -> set[tuple[str, str]]:
    with ctx.sessions() as db:
        rows = db.scalars(select(Lookup).where(Lookup.application_id == app_id))
        return {(row.kind, row.digest) for row in rows}


async def test_a_reading_request_ends_without_a_rollback(
    ctx: PortalContext, portal: PortalClient
) -> None:
    """A read is committed, not rolled back: psycopg forgets every prepared statement of
    the connection at a ROLLBACK (the next statement sends ``DEALLOCATE ALL`` first), so
    each read would cost the following requests a round trip and their planning."""
    app = await portal.create_application(ANA, "certified_copy")
    await portal.set_answers(ANA, app.id, {"pages": "3"})
    ends: list[str] = []
    on_commit = lambda _conn: ends.append("commit")  # noqa: E731
    on_rollback = lambda _conn: ends.append("rollback")  # noqa: E731
    event.listen(ctx.engine, "commit", on_commit)
    event.listen(ctx.engine, "rollback", on_rollback)
    try:
        await portal.get_application(ANA, app.id)
        await portal.get_fee(ANA, app.id)
        await portal.events(after=0)
    finally:
        event.remove(ctx.engine, "commit", on_commit)
        event.remove(ctx.engine, "rollback", on_rollback)
    assert ends == ["commit"] * 3, ends
