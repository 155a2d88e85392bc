"""Elderly-first rules over every question of every procedure in the real catalog:
short questions, one at a time, always a way forward, buttons within Telegram's limits."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from backend_client import Procedure
from dialogs import Context, State
from dialogs.flows import form, procedure
from dialogs.state import Step
from nlu import get_default_nlu
from portal.catalog import load_catalog

CATALOG = {
    p.slug: Procedure.model_validate(p.model_dump(mode="json")) for p in load_catalog().procedures
}


@pytest.fixture(scope="module")
def full_ctx() -> Context:
    return Context(
        procedures=CATALOG,
        nlu=get_default_nlu(),
        now=datetime(2026, 3, 9, 2, 0, tzinfo=UTC),
        bot_link="https://t.me/MotCuaTestBot",
    )


def _check(step: Step) -> None:
    asks = [r for r in step.replies if r.kind in ("ask", "error")]
    assert len(asks) == 1, "one question at a time"
    ask = asks[0]
    assert len(ask.text) <= 300, ask.text
    assert ask.flat_buttons, "every question offers a way forward"
    for button in ask.flat_buttons:
        assert 0 < len(button.data.encode()) <= 64
        assert len(button.label) <= 64


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("slug", sorted(CATALOG))
def test_every_question_is_short_with_a_way_forward(
    slug: str, lang: str, full_ctx: Context
) -> None:
    proc = CATALOG[slug]
    base = State(greeted=True, lang=lang, procedure=slug, app_id="a" * 32, consent=True)
    for field in proc.fields:
        step = Step(base.model_copy(deep=True))
        form.ask_field(step, full_ctx, field.name)
        _check(step)
        assert step.state.field == field.name
    answers = {f.name: (f.choices[0].value if f.choices else "x") for f in proc.fields}
    for doc in proc.documents:
        step = Step(base.model_copy(deep=True, update={"answers": answers}))
        if any(d.code == doc.code for d in form._docs_todo(step, full_ctx)):
            form.ask_document(step, full_ctx, doc.code)
            _check(step)
    step = Step(base.model_copy(deep=True))
    procedure.checklist(step, full_ctx, slug)
    assert step.replies[-1].flat_buttons
    step = Step(base.model_copy(deep=True))
    procedure.ask_consent(step)
    assert len(step.replies[-1].flat_buttons) >= 2
