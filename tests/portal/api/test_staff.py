from __future__ import annotations

from datetime import date

import pytest

from backend_client import (
    AuthError,
    ConflictError,
    PortalClient,
    StaffClient,
    ValidationFailedError,
)
from tests.support.clock import FrozenClock
from tests.support.forms import sample_answers
from tests.support.images import photo

ANA = "telegram:5001"


async def _submitted(
    portal: PortalClient, clock: FrozenClock, slug: str = "death_registration"
) -> str:
    proc = await portal.get_procedure(slug)
    app = await portal.create_application(ANA, slug)
    await portal.set_answers(ANA, app.id, sample_answers(proc, today=clock().date()))
    for spec in proc.documents:
        if spec.required:
            for _ in range(spec.min_files):
                await portal.upload_document(ANA, app.id, spec.code, photo())
    await portal.submit(ANA, app.id, "k")
    return app.id


async def test_only_allowed_transitions(
    portal: PortalClient, clock: FrozenClock, clerk: StaffClient
) -> None:
    app_id = await _submitted(portal, clock)
    with pytest.raises(ConflictError) as err:
        await clerk.act(app_id, "complete")
    assert err.value.code == "invalid_transition"
    received = await clerk.act(app_id, "receive", note="Đủ giấy tờ")
    assert received.transitions[-1].actor == "staff:lan"
    assert received.transitions[-1].note == "Đủ giấy tờ"


async def test_decisions_belong_to_the_head(
    portal: PortalClient, clock: FrozenClock, clerk: StaffClient, head: StaffClient
) -> None:
    app_id = await _submitted(portal, clock)
    await clerk.act(app_id, "receive")
    await clerk.act(app_id, "review")
    with pytest.raises(AuthError):
        await clerk.act(app_id, "approve")
    with pytest.raises(ValidationFailedError):
        await head.act(app_id, "reject")  # a refusal needs its reason
    rejected = await head.act(app_id, "reject", note="Người mất không cư trú tại phường")
    assert rejected.status == "rejected"


async def test_unpaid_fee_blocks_approval(
    portal: PortalClient, clock: FrozenClock, clerk: StaffClient, head: StaffClient
) -> None:
    app_id = await _submitted(portal, clock, "signature_certification")
    await clerk.act(app_id, "receive")
    await clerk.act(app_id, "review")
    with pytest.raises(ConflictError) as err:
        await head.act(app_id, "approve")
    assert err.value.code == "fee_unpaid"
    await clerk.confirm_counter_payment(app_id)
    assert (await head.act(app_id, "approve")).status == "approved"


async def test_supplement_must_name_known_papers(
    portal: PortalClient, clock: FrozenClock, clerk: StaffClient
) -> None:
    app_id = await _submitted(portal, clock)
    await clerk.act(app_id, "receive")
    with pytest.raises(ValidationFailedError):
        await clerk.act(app_id, "request-supplement", documents=["no_such_paper"])


async def test_queue_overdue_and_stats(
    portal: PortalClient, clock: FrozenClock, clerk: StaffClient, head: StaffClient
) -> None:
    done_id = await _submitted(portal, clock)
    late_id = await _submitted(portal, clock, "signature_certification")
    for step in ("receive", "review"):
        await clerk.act(done_id, step)
    await head.act(done_id, "approve")
    await clerk.act(done_id, "result-ready")
    await clerk.act(done_id, "complete")

    assert {a.id for a in await clerk.queue()} == {done_id, late_id}
    assert [a.id for a in await clerk.queue(status="submitted")] == [late_id]
    assert await clerk.queue(overdue=True) == []

    clock.advance(days=10)
    overdue = await clerk.queue(overdue=True)
    assert [a.id for a in overdue] == [late_id] and overdue[0].overdue
    stats = await head.stats()
    assert stats.submitted == 2 and stats.online_share == 1.0
    assert stats.finished == 1 and stats.on_time_rate == 1.0
    assert [a.id for a in stats.overdue] == [late_id]


async def test_holiday_overrides_move_deadlines(
    portal: PortalClient, clock: FrozenClock, clerk: StaffClient, head: StaffClient
) -> None:
    with pytest.raises(AuthError):
        await clerk.set_holiday(date(2026, 3, 10), working=False)
    await head.set_holiday(date(2026, 3, 10), working=False, note="Nghỉ bù")
    assert [h.day for h in await head.holidays()] == [date(2026, 3, 10)]
    clock.set_local(2026, 3, 9, 16, 0)  # Monday after 15:00; Tuesday is now a day off
    app_id = await _submitted(portal, clock, "signature_certification")
    app = await portal.get_application(ANA, app_id)
    assert app.due_date == date(2026, 3, 11)
    await head.delete_holiday(date(2026, 3, 10))
    assert await head.holidays() == []


async def test_staff_identity(head: StaffClient) -> None:
    me = await head.me()
    assert me.username == "minh" and me.role == "head"
