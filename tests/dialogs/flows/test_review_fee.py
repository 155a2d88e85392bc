"""The review shows the fee the portal quoted for the draft (exemptions included), not
the engine's own reading of the catalog rule."""

from __future__ import annotations

from backend_client import Procedure
from dialogs import Context
from dialogs.flows import form
from dialogs.state import State, Step

LATE_BIRTH_FEE = {
    "kind": "fixed",
    "amount": 8000,
    "exempt_when": [{"field": "child_dob", "op": "within_days", "value": 60}],
}


def _review(dctx: Context, procedure: Procedure, estimate: int | None) -> str:
    proc = procedure.model_copy(update={"fee": LATE_BIRTH_FEE})
    ctx = Context(procedures={proc.slug: proc}, nlu=dctx.nlu, now=dctx.now)
    # A date the engine cannot read as ISO: only the portal knows it is recent.
    answers = {"child_name": "Lê Thị Hoa", "child_dob": "hôm qua", "parents_married": "no"}
    state = State(procedure=proc.slug, app_id="a1", answers=answers, fee_estimate=estimate)
    step = Step(state)
    form.review(step, ctx)
    return "\n".join(r.text for r in step.replies if r.text)


def test_the_portals_quote_wins(dctx: Context, procedure: Procedure) -> None:
    text = _review(dctx, procedure, estimate=0)
    assert "8.000" not in text
    assert "miễn phí" in text.lower()


def test_without_a_quote_the_catalog_rule_is_read(dctx: Context, procedure: Procedure) -> None:
    assert "8.000" in _review(dctx, procedure, estimate=None)
