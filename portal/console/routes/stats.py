"""The figures the ward reports, with charts drawn on the server."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from kernel.i18n import N_
from portal.api.deps import Ctx, Db
from portal.console import views, web
from portal.services import stats

router = APIRouter()

Day = Annotated[date | None, Query()]


def _pct(value: float | None) -> str:
    return f"{value:.0%}" if value is not None else "—"


def _row(name: str, group: stats.Group) -> dict[str, str | int]:
    return {
        "name": name,
        "submitted": group.submitted,
        "online": group.online,
        "online_share": _pct(group.online / group.submitted if group.submitted else None),
        "finished": group.finished,
        "on_time": _pct(group.on_time / group.finished if group.finished else None),
    }


@router.get("/staff/stats")
def stats_page(
    request: Request,
    ctx: Ctx,
    db: Db,
    clerk: web.ClerkDep,
    since: Day = None,
    until: Day = None,
) -> Response:
    s = stats.compute(db, ctx, since, until)
    months = stats.monthly(db, ctx, since, until)
    procedures = stats.per_procedure(db, ctx, since, until)
    query = urlencode({k: v.isoformat() for k, v in (("since", since), ("until", until)) if v})
    return web.page(
        request,
        "stats.html",
        {
            "s": s,
            "online_share": _pct(s.online_share),
            "on_time_rate": _pct(s.on_time_rate),
            "months": [_row(m.key, m) for m in months],
            "by_procedure": sorted(
                (_row(views.procedure_name(ctx, g.key), g) for g in procedures),
                key=lambda row: (-int(row["submitted"]), str(row["name"])),
            ),
            "overdue": [
                {
                    "id": a.id,
                    "code": a.tracking_code or "—",
                    "procedure": views.procedure_name(ctx, a.procedure),
                    "due": a.due_date,
                    "status": views.status_text(a.status),
                }
                for a in s.overdue_open
            ],
            "since": since,
            "until": until,
            "query": f"?{query}" if query else "",
        },
        clerk=clerk,
    )


@router.get("/staff/stats/charts/{name}.svg")
def chart(
    ctx: Ctx,
    db: Db,
    _clerk: web.ClerkDep,
    name: Literal["monthly", "on-time", "procedures"],
    since: Day = None,
    until: Day = None,
) -> Response:
    # Imported here: matplotlib costs each portal worker ~40 MB and 0.5 s of CPU to start,
    # and only the head's statistics page draws with it.
    from portal.console import charts

    months = stats.monthly(db, ctx, since, until)
    labels = [m.key for m in months]
    if name == "monthly":
        svg = charts.monthly_bars(
            labels,
            [m.online for m in months],
            [m.submitted - m.online for m in months],
            (web.tr(N_("online")), web.tr(N_("at the counter"))),
        )
    elif name == "on-time":
        svg = charts.rate_line(
            labels,
            [m.on_time / m.finished if m.finished else None for m in months],
            web.tr(N_("finished on time")),
        )
    else:
        s = stats.compute(db, ctx, since, until)
        ranked = sorted(s.by_procedure.items(), key=lambda kv: -kv[1])
        svg = charts.horizontal_bars(
            [views.procedure_name(ctx, k) for k, _ in ranked], [v for _, v in ranked]
        )
    return Response(
        svg,
        media_type="image/svg+xml",
        headers={
            "Cache-Control": "private, no-store",
            "Content-Security-Policy": "default-src 'none'",
        },
    )
