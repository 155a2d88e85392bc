"""`motcua portal --workers N`: N uvicorn worker processes on one port.

The parent (motcua.portal_commands) checks the secrets, migrates and deactivates demo tokens once;
then uvicorn's supervisor binds the port and starts N processes, each building its own
app with `create_app()` from the same environment (so each has its own engine and pool).
What workers share lives in PostgreSQL (data, console sessions, lock-outs, the event
pusher's leadership) and Redis (the tracking lookup's rate window); what stays in each
process is derived from files or code (catalog, public holidays) and is the same in all.
"""

from __future__ import annotations

from portal.db.session import is_sqlite

APP_FACTORY = "portal.api.app:create_app"
# uvicorn's C HTTP parser and libuv event loop (pinned dependencies): against its
# pure-Python h11 and asyncio's loop they save ~0.2-0.3 ms of CPU per request. Named
# rather than left to "auto", so a missing wheel fails the start instead of quietly
# running slower; "auto" picks the same when they are installed.
HTTP = "httptools"
LOOP = "uvloop"
# uvicorn's access log (a formatted line per request, ~5% of the portal's CPU under the
# bot's load) is off unless `motcua portal --access-log`: nginx in front logs the
# requests that come through it (deploy/nginx/); the bot's and notifiers' direct calls
# (PORTAL_URL) are then logged nowhere but in their errors.
ACCESS_LOG = False
# An idle keep-alive connection is closed by its client first, never by the portal:
# uvicorn's 5 s default is shorter than aiohttp's 15 s (the bot, the notifier) and
# nginx's 60 s for its upstream connections, so a request sent on a connection just
# as the portal closed it was lost ("server disconnected"), and a create or an upload,
# which cannot be sent twice blindly, reached the citizen as "the system is busy".
KEEP_ALIVE = 75


class SingleProcessDatabase(Exception):
    """More than one worker asked for on a database only one process may write."""


def require_shared_database(database_url: str, workers: int) -> None:
    """SQLite is the single-process default: its one write lock and the in-process
    fallbacks are not meant for several workers."""
    if workers > 1 and is_sqlite(database_url):
        raise SingleProcessDatabase(
            f"--workers {workers} needs a PostgreSQL DATABASE_URL: SQLite serves one "
            "portal process (run without --workers, or set DATABASE_URL=postgresql://...)"
        )


def serve_workers(host: str, port: int, workers: int, *, access_log: bool = ACCESS_LOG) -> None:
    """Run uvicorn's supervisor with ``workers`` processes (restarted if one dies)."""
    import uvicorn

    # The same server options as one process (motcua.portal_commands.serve): see there for why.
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        workers=workers,
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
