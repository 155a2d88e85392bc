"""What the citizen is told after "delete my data": exactly what was deleted, and what
the ward keeps for submitted applications and for how long (the ``forget_me`` effect's
value, see dialogs/effects.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dialogs.i18n import N_, fmt_date, t


def done_text(lang: str, value: Mapping[str, Any] | None) -> str:
    value = value or {}
    lines = [
        t(
            lang,
            N_(
                "Done. Deleted at the ward's system: {count} unfinished applications with "
                "their answers and photos."
            ),
            count=int(value.get("deleted_applications") or 0),
        ),
        t(
            lang,
            N_(
                "Deleted in this chat: your answers, our recent messages, the applications "
                "you follow and your requests for help. Your consent is withdrawn."
            ),
        ),
    ]
    kept = list(value.get("kept") or [])
    if kept:
        lines.append(
            t(
                lang,
                N_(
                    "The ward office must keep your submitted applications, as the law on "
                    "archives requires, for {years} years after each is finished:"
                ),
                years=int(value.get("retention_years") or 0),
            )
        )
        for app in kept:
            name = (app.get("procedure_name") or {}).get(lang) or ""
            code = app.get("tracking_code") or ""
            if app.get("keep_until"):
                lines.append(
                    t(
                        lang,
                        N_("• {code} {procedure}: kept until {date}"),
                        code=code,
                        procedure=name,
                        date=fmt_date(app["keep_until"], lang),
                    )
                )
            else:
                lines.append(
                    t(
                        lang,
                        N_("• {code} {procedure}: still in progress"),
                        code=code,
                        procedure=name,
                    )
                )
    return "\n".join(lines)
