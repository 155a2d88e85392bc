"""The life of an application: its statuses, who may move it where, and the labels
people see.

Transitions (actor kinds that may make each one)::

    draft                -> submitted             citizen, staff (filed at the counter)
    draft                -> cancelled             citizen, system (abandoned drafts)
    submitted            -> received              staff, system (automatic receipt)
    submitted            -> rejected              staff
    submitted            -> cancelled             citizen (withdrawn before receipt)
    received             -> in_review             staff
    received             -> supplement_requested  staff
    received             -> rejected              staff
    in_review            -> supplement_requested  staff
    in_review            -> approved              staff
    in_review            -> rejected              staff
    supplement_requested -> submitted             citizen (papers added, sent again)
    supplement_requested -> cancelled             citizen, system (no answer in time)
    supplement_requested -> rejected              staff
    approved             -> result_ready          staff, system (electronic result)
    result_ready         -> completed             staff (handed over), system (delivered)

completed, rejected and cancelled are terminal.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Final, Literal

from kernel.i18n import LANGUAGES, N_, gettext_, localized

ActorKind = Literal["citizen", "staff", "system"]
CoarseStatus = Literal[
    "draft",
    "submitted",
    "received",
    "processing",
    "needs_action",
    "ready",
    "completed",
    "rejected",
    "cancelled",
]


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RECEIVED = "received"
    IN_REVIEW = "in_review"
    SUPPLEMENT_REQUESTED = "supplement_requested"
    APPROVED = "approved"
    RESULT_READY = "result_ready"
    COMPLETED = "completed"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


_CITIZEN: Final[frozenset[ActorKind]] = frozenset({"citizen"})
_STAFF: Final[frozenset[ActorKind]] = frozenset({"staff"})

TRANSITIONS: Final[Mapping[Status, Mapping[Status, frozenset[ActorKind]]]] = {
    Status.DRAFT: {
        Status.SUBMITTED: frozenset({"citizen", "staff"}),
        Status.CANCELLED: frozenset({"citizen", "system"}),
    },
    Status.SUBMITTED: {
        Status.RECEIVED: frozenset({"staff", "system"}),
        Status.REJECTED: _STAFF,
        Status.CANCELLED: _CITIZEN,
    },
    Status.RECEIVED: {
        Status.IN_REVIEW: _STAFF,
        Status.SUPPLEMENT_REQUESTED: _STAFF,
        Status.REJECTED: _STAFF,
    },
    Status.IN_REVIEW: {
        Status.SUPPLEMENT_REQUESTED: _STAFF,
        Status.APPROVED: _STAFF,
        Status.REJECTED: _STAFF,
    },
    Status.SUPPLEMENT_REQUESTED: {
        Status.SUBMITTED: _CITIZEN,
        Status.CANCELLED: frozenset({"citizen", "system"}),
        Status.REJECTED: _STAFF,
    },
    Status.APPROVED: {Status.RESULT_READY: frozenset({"staff", "system"})},
    Status.RESULT_READY: {Status.COMPLETED: frozenset({"staff", "system"})},
    Status.COMPLETED: {},
    Status.REJECTED: {},
    Status.CANCELLED: {},
}

TERMINAL: Final = frozenset(s for s, targets in TRANSITIONS.items() if not targets)

_LABELS: Final[Mapping[Status, str]] = {
    Status.DRAFT: N_("Draft (not sent yet)"),
    Status.SUBMITTED: N_("Sent, waiting to be received"),
    Status.RECEIVED: N_("Received by the ward"),
    Status.IN_REVIEW: N_("Being processed"),
    Status.SUPPLEMENT_REQUESTED: N_("More papers needed"),
    Status.APPROVED: N_("Approved, result being prepared"),
    Status.RESULT_READY: N_("Result ready"),
    Status.COMPLETED: N_("Completed"),
    Status.REJECTED: N_("Refused"),
    Status.CANCELLED: N_("Cancelled"),
}

# The anonymous tracking lookup shows only these. "approved" stays "processing":
# the paper is not printed yet, and "ready" must never send an elderly person to the
# ward office for nothing.
_COARSE: Final[Mapping[Status, CoarseStatus]] = {
    Status.DRAFT: "draft",
    Status.SUBMITTED: "submitted",  # sent, not yet received: never said to be received
    Status.RECEIVED: "received",
    Status.IN_REVIEW: "processing",
    Status.APPROVED: "processing",
    Status.SUPPLEMENT_REQUESTED: "needs_action",
    Status.RESULT_READY: "ready",
    Status.COMPLETED: "completed",
    Status.REJECTED: "rejected",
    Status.CANCELLED: "cancelled",
}

_COARSE_LABELS: Final[Mapping[CoarseStatus, str]] = {
    "draft": N_("Draft (not sent yet)"),
    "submitted": N_("Sent, waiting to be received"),
    "received": N_("Received by the ward"),
    "processing": N_("Being processed"),
    "needs_action": N_("Waiting for the applicant"),
    "ready": N_("Result ready"),
    "completed": N_("Completed"),
    "rejected": N_("Refused"),
    "cancelled": N_("Cancelled"),
}

_ACTOR_LABELS: Final[Mapping[ActorKind, str]] = {
    "citizen": N_("the applicant"),
    "staff": N_("ward staff"),
    "system": N_("the system"),
}


class TransitionError(Exception):
    """A status change that is not allowed (code ``transition_not_allowed``) or not
    allowed for this kind of actor (code ``actor_not_allowed``)."""

    def __init__(self, code: str, message: dict[str, str], current: Status, target: Status):
        super().__init__(f"{code}: {message.get('en', '')}")
        self.code = code
        self.message = message
        self.current = current
        self.target = target


def status_label(status: Status) -> dict[str, str]:
    return localized(_LABELS[status])


def coarse_status(status: Status) -> CoarseStatus:
    """The public status for the anonymous tracking lookup:

    draft -> draft; submitted -> submitted; received -> received; in_review, approved ->
    processing; supplement_requested -> needs_action; result_ready -> ready;
    completed, rejected, cancelled -> themselves.
    """
    return _COARSE[status]


def coarse_label(coarse: CoarseStatus) -> dict[str, str]:
    """Label of a coarse status; unlike :func:`status_label` it reveals nothing finer."""
    return localized(_COARSE_LABELS[coarse])


def is_terminal(status: Status) -> bool:
    return status in TERMINAL


def allowed_targets(current: Status, actor_kind: ActorKind) -> list[Status]:
    """Where ``actor_kind`` may move an application that is ``current``."""
    return [target for target, who in TRANSITIONS[current].items() if actor_kind in who]


def check_transition(current: Status, target: Status, actor_kind: ActorKind) -> None:
    """Raise :class:`TransitionError` unless ``actor_kind`` may move ``current`` to ``target``."""
    who = TRANSITIONS[current].get(target)
    labels = {"current": status_label(current), "target": status_label(target)}
    if who is None:
        raise TransitionError(
            "transition_not_allowed",
            localized(N_("An application that is “{current}” cannot become “{target}”."), **labels),
            current,
            target,
        )
    if actor_kind not in who:
        actors = {
            lang: ", ".join(gettext_(_ACTOR_LABELS[a], lang) for a in sorted(who))
            for lang in LANGUAGES
        }
        raise TransitionError(
            "actor_not_allowed",
            localized(
                N_("Only {actors} can change an application from “{current}” to “{target}”."),
                actors=actors,
                **labels,
            ),
            current,
            target,
        )
