"""The figures a ward reports: online share, on-time rate, overdue cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.db.models import Application
from portal.services.context import PortalContext


@dataclass(frozen=True)
class Stats:
    since: date | None
    until: date | None
    submitted: int
    online: int
    online_share: float | None
    finished: int
    on_time: int
    on_time_rate: float | None
    overdue_open: list[Application]
    by_procedure: dict[str, int]


def compute(
    db: Session, ctx: PortalContext, since: date | None = None, until: date | None = None
) -> Stats:
    tz = ZoneInfo(ctx.settings.timezone)
    apps = list(db.scalars(select(Application).where(Application.submitted_at.is_not(None))))

    def local(app: Application) -> date:
        assert app.submitted_at is not None
        return app.submitted_at.astimezone(tz).date()

    apps = [
        a
        for a in apps
        if (since is None or local(a) >= since) and (until is None or local(a) <= until)
    ]
    online = sum(1 for a in apps if a.channel == "online")
    done = [a for a in apps if a.status == "completed" and a.finished_at and a.due_date]
    on_time = sum(
        1
        for a in done
        if a.finished_at and a.due_date and a.finished_at.astimezone(tz).date() <= a.due_date
    )
    today = ctx.today()
    overdue = sorted(
        (a for a in apps if a.finished_at is None and a.due_date and a.due_date < today),
        key=lambda a: a.due_date or today,
    )
    by_proc: dict[str, int] = {}
    for a in apps:
        by_proc[a.procedure] = by_proc.get(a.procedure, 0) + 1
    return Stats(
        since=since,
        until=until,
        submitted=len(apps),
        online=online,
        online_share=online / len(apps) if apps else None,
        finished=len(done),
        on_time=on_time,
        on_time_rate=on_time / len(done) if done else None,
        overdue_open=overdue,
        by_procedure=dict(sorted(by_proc.items())),
    )


@dataclass(frozen=True)
class Group:
    key: str  # a month "2026-03" (by the day submitted, ward time) or a procedure's slug
    submitted: int
    online: int
    finished: int
    on_time: int


def monthly(
    db: Session, ctx: PortalContext, since: date | None = None, until: date | None = None
) -> list[Group]:
    """The figures per month submitted, for the console's charts."""
    return _grouped(db, ctx, since, until, by_month=True)


def per_procedure(
    db: Session, ctx: PortalContext, since: date | None = None, until: date | None = None
) -> list[Group]:
    """The figures per procedure (slug order)."""
    return _grouped(db, ctx, since, until, by_month=False)


def _grouped(
    db: Session, ctx: PortalContext, since: date | None, until: date | None, *, by_month: bool
) -> list[Group]:
    tz = ZoneInfo(ctx.settings.timezone)
    rows: dict[str, list[int]] = {}
    for a in db.scalars(select(Application).where(Application.submitted_at.is_not(None))):
        assert a.submitted_at is not None
        day = a.submitted_at.astimezone(tz).date()
        if (since is not None and day < since) or (until is not None and day > until):
            continue
        counts = rows.setdefault(f"{day:%Y-%m}" if by_month else a.procedure, [0, 0, 0, 0])
        counts[0] += 1
        counts[1] += a.channel == "online"
        if a.status == "completed" and a.finished_at and a.due_date:
            counts[2] += 1
            counts[3] += a.finished_at.astimezone(tz).date() <= a.due_date
    return [Group(key, *c) for key, c in sorted(rows.items())]
