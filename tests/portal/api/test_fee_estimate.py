"""A draft carries the portal's own fee quote, so the bot's review shows the figure the
portal will ask for (a birth registered within 60 days is free), not a guess of its own."""

from __future__ import annotations

from datetime import timedelta

from backend_client import PortalClient
from tests.support.clock import FrozenClock
from tests.support.forms import sample_answers

CITIZEN = "telegram:5151"


async def test_a_recent_birth_is_quoted_free_and_a_late_one_at_the_fee(
    portal: PortalClient, clock: FrozenClock
) -> None:
    proc = await portal.get_procedure("birth_registration")
    app = await portal.create_application(CITIZEN, proc.slug)
    today = clock().date()
    answers = sample_answers(proc, today=today)

    answers["child_dob"] = (today - timedelta(days=10)).strftime("%d/%m/%Y")
    recent = await portal.set_answers(CITIZEN, app.id, answers)
    assert recent.fee_estimate == 0

    answers["child_dob"] = (today - timedelta(days=400)).strftime("%d/%m/%Y")
    late = await portal.set_answers(CITIZEN, app.id, answers)
    assert late.fee_estimate == 8000


async def test_a_submitted_application_has_no_estimate(
    portal: PortalClient, clock: FrozenClock
) -> None:
    proc = await portal.get_procedure("certified_copy")
    app = await portal.create_application(CITIZEN, proc.slug)
    assert app.fee_estimate is not None  # a draft is quoted
    cancelled = await portal.cancel(CITIZEN, app.id, "changed my mind")
    assert cancelled.fee_estimate is None
