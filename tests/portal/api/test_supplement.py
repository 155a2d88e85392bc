"""A supplement request as the portal rules it: exactly the asked papers, old photos of a
re-requested paper neither fill it nor stay after resubmission, answers asked again."""

from __future__ import annotations

import pytest

from backend_client import Application, PortalClient, StaffClient, ValidationFailedError
from tests.support.clock import FrozenClock
from tests.support.forms import sample_answers
from tests.support.images import photo

CITIZEN = "telegram:4242"
ID_CARD = "applicant_id_card"


async def _submitted_birth_registration(portal: PortalClient, clock: FrozenClock) -> Application:
    proc = await portal.get_procedure("birth_registration")
    app = await portal.create_application(CITIZEN, proc.slug)
    await portal.set_answers(CITIZEN, app.id, sample_answers(proc, today=clock().date()))
    for doc in proc.documents:
        for i in range(doc.min_files):
            await portal.upload_document(
                CITIZEN, app.id, doc.code, photo(text=f"cu {doc.code} {i}")
            )
    return await portal.submit(CITIZEN, app.id, f"first-{app.id}")


async def test_new_photos_replace_the_old_ones_of_a_re_requested_paper(
    portal: PortalClient, clerk: StaffClient, clock: FrozenClock
) -> None:
    app = await _submitted_birth_registration(portal, clock)
    draft_rules = {
        r.code: r for r in (await portal.get_application(CITIZEN, app.id)).document_rules
    }
    assert draft_rules == {}  # submitted: nothing to send
    old_ids = [d.id for d in app.documents if d.code == ID_CARD]
    assert len(old_ids) == 2  # the card's maximum

    await clerk.act(app.id, "receive")
    clock.advance(minutes=5)
    asked = await clerk.act(
        app.id, "request-supplement", documents=[ID_CARD], fields=["child_name"], note="Ảnh mờ"
    )
    assert asked.supplement is not None
    assert asked.supplement["documents"] == [ID_CARD]
    assert asked.supplement["fields"] == ["child_name"]
    [rule] = asked.document_rules
    assert (rule.code, rule.min_files, rule.max_files, rule.sides, rule.received) == (
        ID_CARD,
        2,
        2,
        2,
        0,
    )
    assert [m["field"] for m in asked.missing] == [f"documents.{ID_CARD}"]

    clock.advance(minutes=5)
    for side in ("truoc", "sau"):  # refused as "too many files" while old photos counted
        await portal.upload_document(CITIZEN, app.id, ID_CARD, photo(text=f"moi {side}"))
    now = await portal.get_application(CITIZEN, app.id)
    assert now.document_rules[0].received == 2 and now.missing == []
    new_ids = [d.id for d in now.documents if d.code == ID_CARD and d.id not in old_ids]
    assert now.document_rules[0].ids == new_ids

    again = await portal.submit(CITIZEN, app.id, f"again-{app.id}")
    assert again.status == "submitted" and again.tracking_code == app.tracking_code
    card = [d.id for d in again.documents if d.code == ID_CARD]
    assert len(card) == 2 and not set(card) & set(old_ids)
    others = [d for d in again.documents if d.code != ID_CARD]
    assert len(others) == len(app.documents) - 2  # papers not asked for are kept


async def test_a_supplement_names_known_answers_only(
    portal: PortalClient, clerk: StaffClient, clock: FrozenClock
) -> None:
    app = await _submitted_birth_registration(portal, clock)
    await clerk.act(app.id, "receive")
    with pytest.raises(ValidationFailedError):
        await clerk.act(app.id, "request-supplement", fields=["no_such_answer"])
    asked = await clerk.act(app.id, "request-supplement", fields=["child_name"])
    assert asked.document_rules == [] and asked.supplement is not None
    assert asked.supplement["fields"] == ["child_name"]


async def test_a_draft_carries_the_rule_of_each_active_paper(
    portal: PortalClient, clock: FrozenClock
) -> None:
    proc = await portal.get_procedure("birth_registration")
    app = await portal.create_application(CITIZEN, proc.slug)
    app = await portal.set_answers(CITIZEN, app.id, sample_answers(proc, today=clock().date()))
    await portal.upload_document(CITIZEN, app.id, ID_CARD, photo(text="truoc"))
    rules = {r.code: r for r in (await portal.get_application(CITIZEN, app.id)).document_rules}
    assert rules[ID_CARD].received == 1 and rules[ID_CARD].sides == 2
    spec = {d.code: d for d in proc.documents}
    assert set(rules) <= set(spec) and spec[ID_CARD].sides == 2


async def test_an_answer_during_a_supplement_shows_every_paper_and_step_once(
    portal: PortalClient, clerk: StaffClient, clock: FrozenClock
) -> None:
    """The answer and the citizen's read take documents and transitions from one UNION
    ALL statement: each row still once, in order, as the staff's view (the ORM's
    collections) shows them."""
    app = await _submitted_birth_registration(portal, clock)
    await clerk.act(app.id, "receive")
    await clerk.act(app.id, "request-supplement", fields=["child_name"], note="Sai tên")
    answered = await portal.set_answers(CITIZEN, app.id, {"child_name": "Nguyễn Văn An"})
    seen = await portal.get_application(CITIZEN, app.id)
    staff_view = await clerk.get_application(app.id)
    assert len(app.documents) >= 2  # several papers times several steps
    for got in (answered, seen):
        assert got.documents == staff_view.documents == app.documents
        assert got.transitions == staff_view.transitions
        assert [t.to_status for t in got.transitions] == [
            "draft",
            "submitted",
            "received",
            "supplement_requested",
        ]
        assert got.payment == staff_view.payment
        assert got.missing == staff_view.missing
