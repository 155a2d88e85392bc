"""The actions a console user may take on an application, by status and role, with
the statuses they lead to (the staff API's, portal/api/routes/staff.py)."""

from __future__ import annotations

from dataclasses import dataclass

from kernel.i18n import N_
from portal.db.models import Application
from portal.domain.workflow import Status, allowed_targets
from portal.services.staff import HEAD_ONLY

ACTIONS: dict[str, Status] = {
    "receive": Status.RECEIVED,
    "review": Status.IN_REVIEW,
    "request-supplement": Status.SUPPLEMENT_REQUESTED,
    "approve": Status.APPROVED,
    "reject": Status.REJECTED,
    "result-ready": Status.RESULT_READY,
    "complete": Status.COMPLETED,
}

_LABELS = {
    "receive": N_("Receive"),
    "review": N_("Start the review"),
    "request-supplement": N_("Ask for more papers"),
    "approve": N_("Approve"),
    "reject": N_("Refuse"),
    "result-ready": N_("Result ready"),
    "complete": N_("Handed over (complete)"),
}

# What the form asks besides the button: a note (required for a refusal), papers and
# answers to give again.
_NOTES = {
    "request-supplement": N_("Note to the citizen (what is missing, in plain words)"),
    "reject": N_("Reason for the refusal (required)"),
    "result-ready": N_("Where and when to collect the result"),
}


@dataclass(frozen=True)
class ActionForm:
    name: str
    label: str  # English message id; the template translates it
    note_label: str | None
    note_required: bool
    supplement: bool


def available_actions(app: Application, role: str) -> list[ActionForm]:
    """Every action the workflow allows staff now; the head's only for the head."""
    targets = set(allowed_targets(Status(app.status), "staff"))
    forms = []
    for name, target in ACTIONS.items():
        if target not in targets or (target in HEAD_ONLY and role != "head"):
            continue
        forms.append(
            ActionForm(
                name=name,
                label=_LABELS[name],
                note_label=_NOTES.get(name),
                note_required=name == "reject",
                supplement=name == "request-supplement",
            )
        )
    return forms
