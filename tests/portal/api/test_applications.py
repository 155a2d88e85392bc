from __future__ import annotations

import httpx
import pytest

from backend_client import (
    ConflictError,
    NotFoundError,
    PortalClient,
    ValidationFailedError,
)
from tests.conftest import BOT_TOKEN
from tests.support.clock import FrozenClock
from tests.support.forms import sample_answers
from tests.support.images import photo

ANA = "telegram:1001"
BINH = "telegram:1002"


async def _ready_draft(portal: PortalClient, clock: FrozenClock, slug: str, who: str = ANA) -> str:
    proc = await portal.get_procedure(slug)
    app = await portal.create_application(who, slug)
    await portal.set_answers(who, app.id, sample_answers(proc, today=clock().date()))
    for spec in proc.documents:
        if spec.required:
            for _ in range(spec.min_files):
                await portal.upload_document(who, app.id, spec.code, photo())
    return app.id


async def test_unknown_procedure_is_404(portal: PortalClient) -> None:
    with pytest.raises(NotFoundError) as err:
        await portal.create_application(ANA, "moon_landing")
    assert err.value.code == "unknown_procedure"
    assert err.value.message["vi"] and err.value.message["en"]


async def test_every_field_error_comes_back_together(portal: PortalClient) -> None:
    proc = await portal.get_procedure("birth_registration")
    app = await portal.create_application(ANA, "birth_registration")
    by_type = {f.type: f.name for f in proc.fields}
    bad = {by_type["date"]: "31/02/2020", "no_such_field": "x"}
    if "citizen_id" in by_type:
        bad[by_type["citizen_id"]] = "12345"
    with pytest.raises(ValidationFailedError) as err:
        await portal.set_answers(ANA, app.id, bad)
    fields = {f.field for f in err.value.fields}
    assert set(bad) <= fields
    for f in err.value.fields:
        assert f.message["vi"] and f.message["en"]
    unchanged = await portal.get_application(ANA, app.id)
    assert unchanged.answers == {}  # nothing half-written


async def test_other_citizens_cannot_see_an_application(portal: PortalClient) -> None:
    app = await portal.create_application(ANA, "death_registration")
    with pytest.raises(NotFoundError):
        await portal.get_application(BINH, app.id)
    with pytest.raises(NotFoundError):
        await portal.set_answers(BINH, app.id, {})
    assert [a.id for a in await portal.my_applications(ANA)] == [app.id]
    assert await portal.my_applications(BINH) == []


async def test_submit_needs_everything_and_is_idempotent(
    portal: PortalClient, clock: FrozenClock
) -> None:
    empty = await portal.create_application(ANA, "signature_certification")
    with pytest.raises(ValidationFailedError) as err:
        await portal.submit(ANA, empty.id, "k")
    assert err.value.code == "incomplete"
    assert any(f.field.startswith("documents.") for f in err.value.fields)

    app_id = await _ready_draft(portal, clock, "signature_certification")
    first = await portal.submit(ANA, app_id, "same-key")
    second = await portal.submit(ANA, app_id, "same-key")
    assert first.tracking_code == second.tracking_code
    assert len([t for t in second.transitions if t.to_status == "submitted"]) == 1
    with pytest.raises(ConflictError):
        await portal.submit(ANA, app_id, "another-key")
    with pytest.raises(ConflictError):
        await portal.set_answers(ANA, app_id, {})


async def test_submit_requires_an_idempotency_key(http: httpx.AsyncClient) -> None:
    created = await http.post(
        "/v1/applications",
        json={"procedure": "death_registration"},
        headers={"Authorization": f"Bearer {BOT_TOKEN}", "X-Citizen": ANA},
    )
    response = await http.post(
        f"/v1/applications/{created.json()['id']}/submit",
        headers={"Authorization": f"Bearer {BOT_TOKEN}", "X-Citizen": ANA},
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_required"


async def test_due_date_follows_the_afternoon_cutoff(
    portal: PortalClient, clock: FrozenClock
) -> None:
    # signature_certification is a same-day procedure.
    clock.set_local(2026, 3, 10, 14, 30)  # Tuesday before 15:00
    morning = await portal.submit(
        ANA, await _ready_draft(portal, clock, "signature_certification"), "a"
    )
    clock.set_local(2026, 3, 13, 16, 0)  # Friday after 15:00 -> Monday
    late = await portal.submit(
        ANA, await _ready_draft(portal, clock, "signature_certification"), "b"
    )
    assert str(morning.due_date) == "2026-03-10"
    assert str(late.due_date) == "2026-03-16"


async def test_cancel_a_draft(portal: PortalClient) -> None:
    app = await portal.create_application(ANA, "death_registration")
    cancelled = await portal.cancel(ANA, app.id, "Tôi nhầm thủ tục")
    assert cancelled.status == "cancelled"
    with pytest.raises(ConflictError):
        await portal.cancel(ANA, app.id)


async def test_volunteer_files_for_a_citizen(portal: PortalClient) -> None:
    app = await portal.create_application(
        "telegram:777", "elderly_allowance", on_behalf_of="telegram:555"
    )
    assert app.citizen == "telegram:555" and app.assisted_by == "telegram:777"
    assert [a.id for a in await portal.my_applications("telegram:555")] == [app.id]
    assert (await portal.get_application("telegram:777", app.id)).id == app.id
