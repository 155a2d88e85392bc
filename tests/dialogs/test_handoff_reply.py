"""Asking for a person: one message, with the office hours that are configured."""

from __future__ import annotations

from dataclasses import replace

import pytest

from dialogs import Command, Context, EffectResult, State, Text, handle
from dialogs.context import Office
from dialogs.hours import HoursSpec
from dialogs.state import Step


@pytest.fixture
def saturday_office(dctx: Context) -> Context:
    return replace(dctx, office=Office(hours="mon-sat 08:00-11:30 13:00-16:30"))


def ask_for_a_person(state: State, ctx: Context, text: str = "cho tôi gặp cán bộ") -> Step:
    step = handle(state, Text(text), ctx)
    assert [e.name for e in step.effects] == ["request_human"]
    return step


def test_a_recorded_request_is_one_message_with_the_configured_hours(
    saturday_office: Context,
) -> None:
    step = ask_for_a_person(State(greeted=True, lang_chosen=True), saturday_office)
    done = handle(
        step.state, EffectResult("request_human", True, {"queued": True}), saturday_office
    )
    [reply] = done.replies
    assert "Thứ Hai–Thứ Bảy, 8:00–11:30 và 13:00–16:30" in reply.text
    assert "7:30" not in reply.text  # not the hours once written in the code
    assert saturday_office.office.phone in reply.text
    assert not reply.flat_buttons  # no menu after it


def test_in_english_too(saturday_office: Context) -> None:
    state = State(greeted=True, lang_chosen=True, lang="en")
    step = handle(state, Command("human"), saturday_office)
    done = handle(
        step.state, EffectResult("request_human", True, {"queued": True}), saturday_office
    )
    [reply] = done.replies
    assert "Monday–Saturday, 8:00–11:30 and 13:00–16:30" in reply.text


def test_a_relayed_request_leaves_the_answer_to_the_support_team(dctx: Context) -> None:
    step = ask_for_a_person(State(greeted=True, lang_chosen=True), dctx)
    result = EffectResult("request_human", True, {"queued": True, "relayed": True})
    assert handle(step.state, result, dctx).replies == []


def test_nobody_to_ask_says_to_call_in_one_message(dctx: Context) -> None:
    step = ask_for_a_person(State(greeted=True, lang_chosen=True), dctx)
    for result in (
        EffectResult("request_human", True, {"queued": False}),
        EffectResult("request_human", False, error={"code": "handoff_unavailable"}),
    ):
        [reply] = handle(step.state, result, dctx).replies
        assert dctx.office.phone in reply.text and "gọi" in reply.text


def test_in_the_form_the_question_stays_where_it_was(dctx: Context) -> None:
    state = State(
        greeted=True,
        lang_chosen=True,
        consent=True,
        flow="form",
        procedure="birth_registration",
        app_id="a" * 32,
        field="child_dob",
    )
    step = handle(state, Command("human"), dctx)
    done = handle(step.state, EffectResult("request_human", True, {"queued": True}), dctx)
    assert len(done.replies) == 1
    assert done.state.flow == "form" and done.state.field == "child_dob"


def test_hours_are_described_from_the_setting() -> None:
    spec = HoursSpec.parse("mon-fri 07:30-11:30 13:30-17:00")
    assert spec.describe("vi") == "Thứ Hai–Thứ Sáu, 7:30–11:30 và 13:30–17:00"
    assert spec.describe("en") == "Monday–Friday, 7:30–11:30 and 13:30–17:00"
    assert HoursSpec.parse("sat 08:00-11:00").describe("vi") == "Thứ Bảy, 8:00–11:00"
    for bad in ("", "monday 08:00-11:00", "mon-fri", "mon-fri 8h-11h"):
        with pytest.raises(ValueError):
            HoursSpec.parse(bad)
    with pytest.raises(ValueError):
        Office(hours="weekdays 9-5")
