"""`motcua staff help`: the citizens who asked for a person, for a clerk at a terminal.

Without a Telegram support group (the terminal demo, or a ward that has none), a request
for a person is only recorded in the bot store (`handoff_requests`). Here a clerk lists
the open ones with their context, answers one — the answer goes into the notifier's
outbox, so it reaches the citizen's chat like any news (in the terminal or Telegram) —
and closes it. Reads the bot store at BOT_DATABASE_URL."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import click
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.handoff.models import HandoffCase
from bot.notify.db import as_utc, utcnow
from bot.notify.models import PENDING, OutboxMessage
from bot.settings import get_settings
from bot.store import Store
from bot.store.models import HandoffRequest
from kernel.i18n import N_, gettext_

ANSWER_KIND = "help_answer"
# Outbox rows come from feed events (positive ids); a clerk's answer is not one, so it
# takes a negative id of its own: -(request id × 10 000 + its number in the request).
ANSWERS_PER_REQUEST = 10_000

ANSWER = N_("Answer from the ward office: {text}")
ANSWER_FROM = N_("Answer from {name}, of the ward office: {text}")


@dataclass(frozen=True)
class HelpRequest:
    id: int
    key: str
    reason: str
    summary: dict[str, Any]
    created_at: datetime
    case_id: int | None  # relayed to the support group as this case


def open_requests(engine: Engine) -> list[HelpRequest]:
    with sessionmaker(engine)() as db:
        cases = dict(
            db.execute(
                select(HandoffCase.request_id, HandoffCase.id).where(
                    HandoffCase.request_id.is_not(None)
                )
            ).all()
        )
        rows = db.scalars(
            select(HandoffRequest)
            .where(HandoffRequest.status == "open")
            .order_by(HandoffRequest.id)
        )
        return [
            HelpRequest(r.id, r.key, r.reason, dict(r.summary or {}), r.created_at, cases.get(r.id))
            for r in rows
        ]


def _open_request(db: Session, request_id: int) -> HandoffRequest:
    row = db.get(HandoffRequest, request_id)
    if row is None or row.status != "open":
        raise click.ClickException(f"No open help request #{request_id}.")
    return row


def answer(engine: Engine, request_id: int, text: str, name: str | None = None) -> int:
    """Queue the clerk's answer for the citizen's chat; returns the outbox row id."""
    text = text.strip()
    if not text:
        raise click.ClickException("The answer is empty.")
    with sessionmaker(engine)() as db:
        request = _open_request(db, request_id)
        lang = str((request.summary or {}).get("lang") or "vi")
        if name:
            message = gettext_(ANSWER_FROM, lang, name=name, text=text)
        else:
            message = gettext_(ANSWER, lang, text=text)
        earlier = db.scalar(
            select(func.count()).where(
                OutboxMessage.kind == ANSWER_KIND, OutboxMessage.key == request.key
            )
        )
        now = as_utc(utcnow())
        row = OutboxMessage(
            event_id=-(request_id * ANSWERS_PER_REQUEST + int(earlier or 0) + 1),
            application_id=(request.summary or {}).get("app_id"),
            key=request.key,
            kind=ANSWER_KIND,
            payload={"text": message, "buttons": []},
            status=PENDING,
            attempts=0,
            resent=0,
            not_before=now,  # an answer the citizen waits for: no quiet hours
            created_at=now,
        )
        db.add(row)
        db.commit()
        return row.id


def close(engine: Engine, request_id: int) -> None:
    with sessionmaker(engine)() as db:
        _open_request(db, request_id)
        db.execute(
            update(HandoffRequest).where(HandoffRequest.id == request_id).values(status="closed")
        )
        db.commit()


def _describe(request: HelpRequest, store: Store, tz: ZoneInfo) -> str:
    summary = request.summary
    where = " · ".join(
        str(v) for v in (summary.get("procedure"), summary.get("field") or summary.get("flow")) if v
    )
    local = as_utc(request.created_at).astimezone(tz).strftime("%d/%m %H:%M")
    lines = [f"#{request.id}  {local}  {request.key}  ({request.reason})  {where}".rstrip()]
    if request.case_id is not None:
        lines.append(f"    in the support group's topics as case #{request.case_id}")
    state = asyncio.run(store.load_state(request.key))
    for said in state.recent[-2:]:
        lines.append("    › " + " ".join(said.split())[:120])
    return "\n".join(lines)


def _store() -> Store:
    return Store.migrated(get_settings().bot_database_url)


@click.group("help", invoke_without_command=True)
@click.pass_context
def help_group(ctx: click.Context) -> None:
    """Citizens who asked for a person (the bot store at BOT_DATABASE_URL): lists the
    open requests; `answer ID TEXT` writes to the citizen's chat, `close ID` ends one."""
    if ctx.invoked_subcommand is not None:
        return
    store = _store()
    try:
        requests = open_requests(store.engine)
        if not requests:
            click.echo("No citizen is waiting for a person.")
            return
        tz = ZoneInfo(get_settings().office_timezone)
        for request in requests:
            click.echo(_describe(request, store, tz))
        click.echo(
            '\nAnswer: motcua staff help answer ID "text"   Close: motcua staff help close ID'
        )
    finally:
        store.close()


@help_group.command("answer")
@click.argument("request_id", type=int)
@click.argument("text")
@click.option("--name", default=None, help="Your name, shown to the citizen.")
def help_answer(request_id: int, text: str, name: str | None) -> None:
    """Send TEXT to the citizen of request REQUEST_ID (delivered by the notifier)."""
    store = _store()
    try:
        answer(store.engine, request_id, text, name)
    finally:
        store.close()
    click.echo(f"Answer queued for request #{request_id}; it reaches the citizen's chat.")


@help_group.command("close")
@click.argument("request_id", type=int)
def help_close(request_id: int) -> None:
    """Mark request REQUEST_ID as handled."""
    store = _store()
    try:
        close(store.engine, request_id)
    finally:
        store.close()
    click.echo(f"Request #{request_id} closed.")
