"""`motcua staff ...`: accounts in the portal's database, and the queue and actions
through the portal's API (backend_client; PORTAL_URL, STAFF_TOKEN)."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any, TypeVar

import click

from motcua.portal_commands import prepare_database
from portal.settings import get_settings

T = TypeVar("T")


def _run(factory: Callable[[Any], Awaitable[T]]) -> T:
    from backend_client import BackendError, StaffClient

    url = os.environ.get("PORTAL_URL", "http://127.0.0.1:8000")
    token = os.environ.get("STAFF_TOKEN", "")
    if not token:
        raise click.UsageError("Set STAFF_TOKEN to your staff API token.")

    async def go() -> T:
        async with StaffClient(url, token) as client:
            return await factory(client)

    try:
        return asyncio.run(go())
    except BackendError as exc:
        click.echo(f"error: {exc.message.get('vi') or exc} ({exc.code})", err=True)
        for f in exc.fields:
            click.echo(f"  {f.field}: {f.message.get('vi', f.code)}", err=True)
        sys.exit(2)


def _echo(model: Any) -> None:
    from backend_client import dumps

    click.echo(dumps(model))


@click.group("staff")
def staff_group() -> None:
    """Ward staff: accounts, the queue and actions (PORTAL_URL, STAFF_TOKEN)."""


def _read_password(from_stdin: bool) -> str:
    """The console password: the first line of stdin (for scripts), or typed twice at a
    hidden prompt."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


@staff_group.command("create")
@click.argument("username")
@click.option("--name", "full_name", required=True)
@click.option("--role", type=click.Choice(["clerk", "head"]), default="clerk", show_default=True)
@click.option(
    "--password/--no-password",
    "ask_password",
    default=False,
    help="Also ask for a password for the console (/staff/), typed twice.",
)
@click.option("--password-stdin", is_flag=True, help="Read the console password from stdin.")
def staff_create(
    username: str, full_name: str, role: str, ask_password: bool, password_stdin: bool
) -> None:
    """Create a staff account in the portal database and print its token once."""
    from portal.db.session import make_engine, make_sessionmaker
    from portal.services import passwords, staff
    from portal.services.errors import PortalError

    password = _read_password(password_stdin) if ask_password or password_stdin else None
    settings = get_settings()
    prepare_database(settings)
    engine = make_engine(settings.database_url)
    try:
        with make_sessionmaker(engine)() as db:
            _, token = staff.create_staff(db, username=username, full_name=full_name, role=role)
            if password is not None:
                passwords.set_password(db, username, password)
            db.commit()
    except PortalError as exc:
        raise click.ClickException(exc.message["en"]) from exc
    finally:
        engine.dispose()
    click.echo(token)


@staff_group.command("set-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin.")
def staff_set_password(username: str, password_stdin: bool) -> None:
    """Set the password an account signs in to the console (/staff/) with; it lifts a
    lock-out and signs the account out of every browser."""
    from portal.db.session import make_engine, make_sessionmaker
    from portal.services import passwords
    from portal.services.errors import PortalError

    password = _read_password(password_stdin)
    settings = get_settings()
    prepare_database(settings)
    engine = make_engine(settings.database_url)
    try:
        with make_sessionmaker(engine)() as db:
            passwords.set_password(db, username, password)
            db.commit()
    except PortalError as exc:
        raise click.ClickException(exc.message["en"]) from exc
    finally:
        engine.dispose()
    click.echo(f"password set for {username}")


@staff_group.command("rotate-token")
@click.argument("username")
def staff_rotate_token(username: str) -> None:
    """Give an account a new token and print it once; the old token stops working."""
    from portal.db.session import make_engine, make_sessionmaker
    from portal.services import staff
    from portal.services.errors import PortalError

    settings = get_settings()
    prepare_database(settings)
    engine = make_engine(settings.database_url)
    try:
        with make_sessionmaker(engine)() as db:
            token = staff.rotate_token(db, username)
            db.commit()
    except PortalError as exc:
        raise click.ClickException(exc.message["en"]) from exc
    finally:
        engine.dispose()
    click.echo(token)


@staff_group.command("queue")
@click.option("--status")
@click.option("--procedure")
@click.option("--overdue/--not-overdue", default=None)
@click.option("--citizen-id", help="Only applications naming this citizen ID.")
@click.option("--phone", help="Only applications with this phone number.")
def staff_queue(
    status: str | None,
    procedure: str | None,
    overdue: bool | None,
    citizen_id: str | None,
    phone: str | None,
) -> None:
    """List applications waiting for the office, soonest due first."""
    rows = _run(
        lambda c: c.queue(
            status=status,
            procedure=procedure,
            overdue=overdue,
            citizen_id=citizen_id,
            phone=phone,
        )
    )
    for r in rows:
        flag = " QUÁ HẠN" if r.overdue else ""
        click.echo(
            f"{r.tracking_code or '-':16} {r.status:22} {r.procedure:28} "
            f"hạn {r.due_date or '-'}{flag}  {r.applicant or ''}  id={r.id}"
        )
    click.echo(f"{len(rows)} application(s)")


@staff_group.command("show")
@click.argument("app_id", metavar="ID_OR_TRACKING_CODE")
def staff_show(app_id: str) -> None:
    """Everything about one application (JSON)."""
    _echo(_run(lambda c: c.get_application(app_id)))


def _action(name: str, help_text: str, *, with_docs: bool = False) -> None:
    @click.argument("app_id", metavar="ID_OR_TRACKING_CODE")
    @click.option("--note", default=None, help="Note or reason, recorded in the history.")
    def command(
        app_id: str, note: str | None, doc: tuple[str, ...] = (), field: tuple[str, ...] = ()
    ) -> None:
        app = _run(
            lambda c: c.act(app_id, name, note=note, documents=list(doc), fields=list(field))
        )
        click.echo(f"{app.tracking_code}: {app.status}")

    if with_docs:
        command = click.option(
            "--doc", multiple=True, help="Code of a missing document (repeatable)."
        )(command)
        command = click.option(
            "--field", multiple=True, help="Name of an answer to give again (repeatable)."
        )(command)
    staff_group.command(name, help=help_text)(command)


_action("receive", "Receive a submitted application at the office.")
_action("review", "Start reviewing an application.")
_action("request-supplement", "Ask the citizen for missing papers.", with_docs=True)
_action("approve", "Approve (head of office).")
_action("reject", "Refuse, with the reason in --note (head of office).")
_action("result-ready", "The result is ready; say where to collect it in --note.")
_action("complete", "The citizen has received the result.")


@staff_group.command("pay")
@click.argument("app_id", metavar="ID_OR_TRACKING_CODE")
def staff_pay(app_id: str) -> None:
    """Confirm a fee paid in cash at the counter."""
    pay = _run(lambda c: c.confirm_counter_payment(app_id))
    click.echo(f"{pay.reference}: {pay.status} {pay.amount_text['vi']}")


@staff_group.command("stats")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), default=None)
def staff_stats(since: Any, until: Any) -> None:
    """Online share, on-time rate and overdue cases."""
    s = _run(lambda c: c.stats(since.date() if since else None, until.date() if until else None))
    share = f"{s.online_share:.0%}" if s.online_share is not None else "-"
    rate = f"{s.on_time_rate:.0%}" if s.on_time_rate is not None else "-"
    click.echo(f"Hồ sơ đã nộp: {s.submitted}  trực tuyến: {s.online} ({share})")
    click.echo(f"Đã trả kết quả: {s.finished}  đúng hạn: {s.on_time} ({rate})")
    click.echo(f"Quá hạn chưa xong: {len(s.overdue)}")
    for a in s.overdue:
        click.echo(f"  {a.tracking_code} {a.procedure} hạn {a.due_date}")


@staff_group.command("holiday")
@click.argument("day", type=click.DateTime(["%Y-%m-%d"]))
@click.option("--working/--off", required=True, help="A swapped working day, or a day off.")
@click.option("--note", default=None)
def staff_holiday(day: Any, working: bool, note: str | None) -> None:
    """Record a day the government swapped (head of office)."""
    d: date = day.date()
    h = _run(lambda c: c.set_holiday(d, working, note))
    click.echo(f"{h.day}: {'working day' if h.working else 'day off'}")
