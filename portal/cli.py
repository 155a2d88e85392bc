"""`motcua portal`, `motcua catalog check` and `motcua staff ...`."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import click

from portal.settings import PortalSettings, get_settings

T = TypeVar("T")

DEMO_TOKENS = {"head": "demo-head-token", "clerk": "demo-clerk-token"}
# The console's demo passwords (printed in the README): demo mode only, like the tokens.
DEMO_PASSWORDS = {"head": "demo-head-password", "clerk": "demo-clerk-password"}


def prepare_database(settings: PortalSettings) -> None:
    from portal.db.migrate import upgrade

    upgrade(settings.database_url)


def seed_demo_staff(settings: PortalSettings) -> dict[str, str]:
    """Create the demo's staff accounts once; returns username -> token. Demo mode only:
    their tokens are printed in the README."""
    from sqlalchemy import select

    from portal.db.models import Staff
    from portal.db.session import make_engine, make_sessionmaker
    from portal.services import passwords, staff

    if not settings.is_demo:
        raise click.ClickException("demo staff accounts are created in demo mode only")
    engine = make_engine(settings.database_url)
    with make_sessionmaker(engine)() as db:
        for role, token in DEMO_TOKENS.items():
            username = f"demo_{role}"
            if db.scalar(select(Staff).where(Staff.username == username)) is None:
                name = "Nguyễn Thị Lan" if role == "clerk" else "Trần Văn Minh"
                staff.create_staff(db, username=username, full_name=name, role=role, token=token)
                passwords.set_password(db, username, DEMO_PASSWORDS[role])
        db.commit()
    engine.dispose()
    return {f"demo_{role}": token for role, token in DEMO_TOKENS.items()}


def disable_demo_staff(settings: PortalSettings) -> list[str]:
    """Production: deactivate accounts still holding a demo token (seeded by an older
    start); returns their user names."""
    from portal.db.session import make_engine, make_sessionmaker
    from portal.services import staff

    engine = make_engine(settings.database_url)
    try:
        with make_sessionmaker(engine)() as db:
            names = staff.deactivate_holders_of(db, list(DEMO_TOKENS.values()))
            db.commit()
    finally:
        engine.dispose()
    return names


def check_deployment(settings: PortalSettings) -> None:
    """Refuse a production start with development or short secrets (exit code 1)."""
    from motcua.deployment import InsecureSettings, require_safe_secrets

    try:
        require_safe_secrets(settings)
    except InsecureSettings as exc:
        raise click.ClickException(str(exc)) from exc


def serve(host: str, port: int, *, seed: bool | None, workers: int = 1) -> None:
    import uvicorn

    from portal.api.app import create_app
    from portal.workers import SingleProcessDatabase, require_shared_database, serve_workers

    settings = get_settings()
    check_deployment(settings)
    try:
        require_shared_database(settings.database_url, workers)
    except SingleProcessDatabase as exc:
        raise click.UsageError(str(exc)) from exc
    if seed and not settings.is_demo:
        raise click.ClickException(
            "--seed creates demo staff with the README's tokens: demo mode only "
            "(MOTCUA_ENV=demo). In production create accounts with `motcua staff create`."
        )
    prepare_database(settings)
    if not settings.is_demo:
        for username in disable_demo_staff(settings):
            click.echo(f"warning: {username} held a demo token and was deactivated", err=True)
    # With workers, each worker process builds its own app (portal.workers).
    app = create_app(settings) if workers == 1 else None
    base = f"http://{host}:{port}"
    click.echo(f"Mot Cua portal: {_procedure_count(settings, app)} procedures loaded")
    if app is None:
        _echo_workers(settings, workers)
    click.echo(f"  API:        {base}/v1/procedures")
    click.echo(f"  API docs:   {base}/docs  (OpenAPI at {base}/openapi.json)")
    click.echo(f"  Console:    {base}/staff/  (staff sign in with a password)")
    click.echo(f"  Database:   {settings.database_url}")
    if settings.is_demo:
        click.echo(f"  Bot token:  {settings.bot_service_token}  (send X-Citizen: telegram:<id>)")
    if settings.is_demo and seed is not False:
        for username, token in seed_demo_staff(settings).items():
            role = username.removeprefix("demo_")
            click.echo(f"  Staff {username}: token {token}, password {DEMO_PASSWORDS[role]}")
        click.echo("  Try: motcua staff queue   (PORTAL_URL and STAFF_TOKEN select the portal)")
    if app is None:
        serve_workers(host, port, workers)
        return
    # A request still running after 10 s of shutdown is cut rather than holding the stop.
    # proxy_headers=False: uvicorn would take X-Forwarded-For from any local peer as the
    # client address; the portal applies TRUSTED_PROXIES itself (portal.api.clients).
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level="info",
        timeout_graceful_shutdown=10,
        proxy_headers=False,
    )


def _procedure_count(settings: PortalSettings, app: Any) -> int:
    if app is not None:
        return len(app.state.ctx.catalog)
    from portal.catalog import load_catalog

    return len(load_catalog(settings.catalog_dir))


def _echo_workers(settings: PortalSettings, workers: int) -> None:
    click.echo(f"  Workers:    {workers} processes")
    if not settings.redis_url:
        click.echo(
            "warning: no REDIS_URL: each worker counts the tracking rate limit alone",
            err=True,
        )


@click.group("portal", invoke_without_command=True)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="Worker processes on the port (uvicorn); more than 1 needs PostgreSQL.",
)
@click.option(
    "--seed/--no-seed",
    default=None,
    help="Create the demo staff accounts (default: in demo mode only; never in production).",
)
@click.pass_context
def portal_command(
    ctx: click.Context, host: str, port: int, seed: bool | None, workers: int
) -> None:
    """Serve the ward's back office (migrates the database first)."""
    if ctx.invoked_subcommand is None:
        serve(host, port, seed=seed, workers=workers)


@portal_command.command("purge")
@click.option(
    "--older-than",
    "older_than",
    required=True,
    help="Age of a draft's last change, e.g. 90d, 12w or 36h.",
)
def portal_purge(older_than: str) -> None:
    """Delete cancelled and abandoned drafts (never submitted) not changed for a while,
    with their files, and files in UPLOAD_DIR that no document refers to."""
    from portal.services.context import PortalContext
    from portal.services.retention import parse_age, purge

    try:
        age = parse_age(older_than)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--older-than") from exc
    settings = get_settings()
    check_deployment(settings)  # the keys must be the production ones
    prepare_database(settings)
    ctx = PortalContext.from_settings(settings)
    try:
        done = purge(ctx, older_than=age)
    finally:
        ctx.engine.dispose()
    click.echo(
        f"deleted {done.applications} applications ({done.documents} documents), "
        f"{done.files} files of theirs and {done.orphans} orphan files"
    )


@portal_command.command("reseal")
def portal_reseal() -> None:
    """After a key rotation: seal every answer, phone and file name again with DATA_KEY
    and recompute the lookup hashes with LOOKUP_KEY; then the old keys can go."""
    from portal.services.context import PortalContext
    from portal.services.resealing import reseal

    settings = get_settings()
    check_deployment(settings)  # never reseal with a development key
    prepare_database(settings)
    ctx = PortalContext.from_settings(settings)
    try:
        count = reseal(ctx)
    finally:
        ctx.engine.dispose()
    click.echo(f"resealed {count} applications")


@click.group("catalog")
def catalog_group() -> None:
    """The procedure catalog (YAML data)."""


@catalog_group.command("check")
@click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path))
def catalog_check(folder: Path | None) -> None:
    """Validate every procedure file; print each error with file and line."""
    from portal.catalog import check_catalog, load_catalog

    target = folder or get_settings().catalog_dir
    issues = check_catalog(target) if target else check_catalog(None)
    for issue in issues:
        click.echo(str(issue))
    if issues:
        click.echo(f"{len(issues)} error(s)", err=True)
        sys.exit(1)
    count = len(load_catalog(target))
    click.echo(f"catalog OK: {count} procedures")


# --- staff -----------------------------------------------------------------


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
    from backend_client._client import dumps

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
