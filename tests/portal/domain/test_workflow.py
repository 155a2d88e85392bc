from __future__ import annotations

from typing import get_args

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.domain.workflow import (
    TERMINAL,
    TRANSITIONS,
    ActorKind,
    CoarseStatus,
    Status,
    TransitionError,
    allowed_targets,
    check_transition,
    coarse_label,
    coarse_status,
    is_terminal,
    status_label,
)

S = Status
ACTORS: tuple[ActorKind, ...] = get_args(ActorKind)

# The brief, written out independently of the module's table.
EXPECTED_EDGES = {
    (S.DRAFT, S.SUBMITTED),
    (S.DRAFT, S.CANCELLED),
    (S.SUBMITTED, S.RECEIVED),
    (S.SUBMITTED, S.REJECTED),
    (S.SUBMITTED, S.CANCELLED),
    (S.RECEIVED, S.IN_REVIEW),
    (S.RECEIVED, S.SUPPLEMENT_REQUESTED),
    (S.RECEIVED, S.REJECTED),
    (S.IN_REVIEW, S.SUPPLEMENT_REQUESTED),
    (S.IN_REVIEW, S.APPROVED),
    (S.IN_REVIEW, S.REJECTED),
    (S.SUPPLEMENT_REQUESTED, S.SUBMITTED),
    (S.SUPPLEMENT_REQUESTED, S.CANCELLED),
    (S.SUPPLEMENT_REQUESTED, S.REJECTED),
    (S.APPROVED, S.RESULT_READY),
    (S.RESULT_READY, S.COMPLETED),
}


def test_status_values() -> None:
    assert [s.value for s in Status] == [
        "draft",
        "submitted",
        "received",
        "in_review",
        "supplement_requested",
        "approved",
        "result_ready",
        "completed",
        "rejected",
        "cancelled",
    ]
    assert Status("in_review") is S.IN_REVIEW
    assert S.DRAFT == "draft"


def test_transition_table_matches_the_rules() -> None:
    edges = {(a, b) for a, targets in TRANSITIONS.items() for b in targets}
    assert edges == EXPECTED_EDGES
    assert set(TRANSITIONS) == set(Status)
    assert all(who for targets in TRANSITIONS.values() for who in targets.values())


def test_terminal_statuses() -> None:
    assert {S.COMPLETED, S.REJECTED, S.CANCELLED} == TERMINAL
    assert is_terminal(S.REJECTED)
    assert not is_terminal(S.RESULT_READY)
    for status in TERMINAL:
        for actor in ACTORS:
            assert allowed_targets(status, actor) == []


@pytest.mark.parametrize(
    ("current", "target", "actor"),
    [
        (S.DRAFT, S.SUBMITTED, "citizen"),
        (S.SUPPLEMENT_REQUESTED, S.SUBMITTED, "citizen"),
        (S.SUBMITTED, S.CANCELLED, "citizen"),
        (S.SUBMITTED, S.RECEIVED, "staff"),
        (S.SUBMITTED, S.RECEIVED, "system"),
        (S.IN_REVIEW, S.APPROVED, "staff"),
        (S.RESULT_READY, S.COMPLETED, "staff"),
        (S.SUPPLEMENT_REQUESTED, S.CANCELLED, "system"),
    ],
)
def test_allowed(current: Status, target: Status, actor: ActorKind) -> None:
    check_transition(current, target, actor)
    assert target in allowed_targets(current, actor)


@pytest.mark.parametrize(
    ("current", "target", "actor"),
    [
        (S.IN_REVIEW, S.APPROVED, "citizen"),  # a citizen cannot approve
        (S.RECEIVED, S.REJECTED, "citizen"),
        (S.SUPPLEMENT_REQUESTED, S.SUBMITTED, "staff"),  # only the citizen resubmits
        (S.RECEIVED, S.IN_REVIEW, "system"),
        (S.SUBMITTED, S.CANCELLED, "staff"),
    ],
)
def test_wrong_actor(current: Status, target: Status, actor: ActorKind) -> None:
    with pytest.raises(TransitionError) as info:
        check_transition(current, target, actor)
    assert info.value.code == "actor_not_allowed"
    assert (info.value.current, info.value.target) == (current, target)
    assert target not in allowed_targets(current, actor)


def test_every_pair_is_decided_by_the_table() -> None:
    for current in Status:
        for target in Status:
            for actor in ACTORS:
                who = TRANSITIONS[current].get(target)
                if who is not None and actor in who:
                    check_transition(current, target, actor)
                    continue
                with pytest.raises(TransitionError) as info:
                    check_transition(current, target, actor)
                expected = "transition_not_allowed" if who is None else "actor_not_allowed"
                assert info.value.code == expected


def test_error_messages_are_localized_and_name_the_statuses() -> None:
    with pytest.raises(TransitionError) as info:
        check_transition(S.COMPLETED, S.IN_REVIEW, "staff")
    message = info.value.message
    assert status_label(S.COMPLETED)["vi"] in message["vi"]
    assert status_label(S.IN_REVIEW)["en"] in message["en"]
    assert message["vi"] != message["en"]

    with pytest.raises(TransitionError) as info:
        check_transition(S.IN_REVIEW, S.APPROVED, "citizen")
    assert "ward staff" in info.value.message["en"]
    assert "cán bộ" in info.value.message["vi"]


def test_labels_are_distinct_and_translated() -> None:
    labels = [status_label(s) for s in Status]
    assert len({label["en"] for label in labels}) == len(Status)
    assert len({label["vi"] for label in labels}) == len(Status)
    for label in labels:
        assert label["vi"] != label["en"]


def test_coarse_status() -> None:
    assert {s: coarse_status(s) for s in Status} == {
        S.DRAFT: "draft",
        S.SUBMITTED: "submitted",  # tracking says "received" only once it is
        S.RECEIVED: "received",
        S.IN_REVIEW: "processing",
        S.APPROVED: "processing",
        S.SUPPLEMENT_REQUESTED: "needs_action",
        S.RESULT_READY: "ready",
        S.COMPLETED: "completed",
        S.REJECTED: "rejected",
        S.CANCELLED: "cancelled",
    }
    for coarse in get_args(CoarseStatus):
        label = coarse_label(coarse)
        assert label["vi"] and label["vi"] != label["en"]


def _reachable(start: Status) -> set[Status]:
    seen, todo = {start}, [start]
    while todo:
        for nxt in TRANSITIONS[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def test_every_status_is_reachable_and_every_path_can_end() -> None:
    assert _reachable(S.DRAFT) == set(Status)
    for status in Status:
        assert _reachable(status) & TERMINAL


@given(st.lists(st.tuples(st.integers(0, 20), st.sampled_from(ACTORS)), max_size=30))
def test_random_walks_only_follow_allowed_moves(moves: list[tuple[int, ActorKind]]) -> None:
    status = S.DRAFT
    for pick, actor in moves:
        options = allowed_targets(status, actor)
        if not options:
            continue
        target = options[pick % len(options)]
        check_transition(status, target, actor)
        status = target
    # Once terminal, nothing moves it again.
    if is_terminal(status):
        assert all(allowed_targets(status, a) == [] for a in ACTORS)
