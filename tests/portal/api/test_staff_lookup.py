"""Staff find submitted applications by citizen ID or phone although the answers are
sealed at rest: through keyed hashes, typed as people type them."""

from __future__ import annotations

import pytest

from backend_client import PortalClient, StaffClient, ValidationFailedError
from tests.support.clock import FrozenClock
from tests.support.forms import sample_answers
from tests.support.images import photo


async def _submitted(portal: PortalClient, clock: FrozenClock, who: str, cid: str) -> str:
    proc = await portal.get_procedure("marital_status_certificate")
    app = await portal.create_application(who, proc.slug, phone="0905 111 222")
    answers = sample_answers(proc, today=clock().date())
    answers["applicant_id"] = cid
    await portal.set_answers(who, app.id, answers)
    for spec in proc.documents:
        if spec.required:
            for _ in range(spec.min_files):
                await portal.upload_document(who, app.id, spec.code, photo())
    await portal.submit(who, app.id, f"k-{who}")
    return app.id


async def test_found_by_citizen_id_or_phone(
    portal: PortalClient, clerk: StaffClient, clock: FrozenClock
) -> None:
    proc = await portal.get_procedure("marital_status_certificate")
    cid = sample_answers(proc, today=clock().date())["applicant_id"]
    mine = await _submitted(portal, clock, "telegram:6001", cid)
    spaced = f"{cid[:3]} {cid[3]} {cid[4:6]} {cid[6:]}"
    assert [a.id for a in await clerk.queue(citizen_id=spaced)] == [mine]
    assert [a.id for a in await clerk.queue(phone="+84 905 111 222")] == [mine]
    other = cid[:-1] + str((int(cid[-1]) + 1) % 10)
    assert await clerk.queue(citizen_id=other) == []
    with pytest.raises(ValidationFailedError) as err:
        await clerk.queue(citizen_id="12345")
    assert err.value.fields[0].field == "citizen_id"
