"""`motcua portal` (serve, purge, reseal) and `motcua catalog check`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from kernel.deployment import InsecureSettings, require_safe_secrets
from portal.settings import PortalSettings, get_settings

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
    try:
        require_safe_secrets(settings)
    except InsecureSettings as exc:
        raise click.ClickException(str(exc)) from exc


def serve(
    host: str,
    port: int,
    *,
    seed: bool | None,
    workers: int = 1,
    access_log: bool = False,
) -> None:
    import uvicorn

    from portal.api.app import create_app
    from portal.workers import (
        HTTP,
        KEEP_ALIVE,
        LOOP,
        SingleProcessDatabase,
        require_shared_database,
        serve_workers,
    )

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
        serve_workers(host, port, workers, access_log=access_log)
        return
    # A request still running after 10 s of shutdown is cut rather than holding the stop.
    # proxy_headers=False: uvicorn would take X-Forwarded-For from any local peer as the
    # client address; the portal applies TRUSTED_PROXIES itself (portal.api.clients).
    # The access log is off by default: see portal.workers.ACCESS_LOG.
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level="info",
        timeout_graceful_shutdown=10,
        timeout_keep_alive=KEEP_ALIVE,
        proxy_headers=False,
        http=HTTP,
        loop=LOOP,
        access_log=access_log,
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
@click.option(
    "--access-log/--no-access-log",
    default=False,
    show_default=True,
    help="uvicorn's line per request (off: the reverse proxy logs requests).",
)
@click.pass_context
def portal_command(
    ctx: click.Context,
    host: str,
    port: int,
    seed: bool | None,
    workers: int,
    access_log: bool,
) -> None:
    """Serve the ward's back office (migrates the database first)."""
    if ctx.invoked_subcommand is None:
        serve(host, port, seed=seed, workers=workers, access_log=access_log)


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
