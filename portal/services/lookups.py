"""Finding an application by a citizen ID or phone number while the answers are
sealed: each one is indexed by a keyed hash (``Lookup`` rows), refreshed whenever the
answers or the phone change."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from portal.db.models import Application, Lookup
from portal.db.sealed import lookup
from portal.domain.identifiers import normalize_citizen_id, normalize_phone

# Answers are stored cleaned: citizen IDs as 12 digits, phones as 0 and 9 or 10 digits.
_CITIZEN_ID = re.compile(r"\d{12}")
_PHONE = re.compile(r"0\d{9,10}")


def digests_for(answers: Mapping[str, Any], phone: str | None) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for value in answers.values():
        if isinstance(value, str) and _CITIZEN_ID.fullmatch(value):
            found.add(("citizen_id", lookup("citizen_id", value)))
        elif isinstance(value, str) and _PHONE.fullmatch(value):
            found.add(("phone", lookup("phone", value)))
    if phone:
        found.add(("phone", lookup("phone", phone)))
    return found


def refresh(db: Session, app: Application, had: set[tuple[str, str]] | None = None) -> None:
    """Make the rows those of the answers and phone. ``had``: the digests of the values
    the rows were made from (before this change); when nothing that is hashed changed,
    the rows are not even loaded (most answers are not an ID nor a phone: one
    statement fewer each). ``motcua portal reseal`` recomputes them all."""
    wanted = digests_for(app.answers, app.phone)
    if had is not None and wanted == had:
        return
    # Loading the rows needs no flush first: the answers' UPDATE then joins the one the
    # request's commit makes anyway (one statement less per answer).
    with db.no_autoflush:
        have = {(row.kind, row.digest): row for row in app.lookups}
    for key, row in have.items():
        if key not in wanted:
            app.lookups.remove(row)
    for kind, digest in sorted(wanted - have.keys()):
        app.lookups.append(Lookup(kind=kind, digest=digest))


def matching(kind: str, value: str) -> Select[str]:
    """Ids of the applications holding this citizen ID / phone (typed in any form the
    portal accepts); raises FieldProblem when the value is not one."""
    normal = normalize_citizen_id(value) if kind == "citizen_id" else normalize_phone(value)
    return select(Lookup.application_id).where(
        Lookup.kind == kind, Lookup.digest == lookup(kind, normal)
    )
