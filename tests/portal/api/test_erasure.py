"""DELETE /v1/citizens/me: a citizen's drafts go with their answers, documents and
files; submitted applications stay, listed with how long the ward keeps them."""

from __future__ import annotations

import httpx
import pytest

from backend_client import NotFoundError, PortalClient, StaffClient
from portal.services.context import PortalContext
from tests.conftest import BOT_TOKEN
from tests.support.clock import FrozenClock
from tests.support.forms import sample_answers
from tests.support.images import photo

ANA = "telegram:3001"
BINH = "telegram:3002"


async def _ready_draft(portal: PortalClient, clock: FrozenClock, who: str) -> str:
    proc = await portal.get_procedure("birth_registration")
    app = await portal.create_application(who, "birth_registration", phone="0905 123 456")
    await portal.set_answers(who, app.id, sample_answers(proc, today=clock().date()))
    for spec in proc.documents:
        if spec.required:
            for _ in range(spec.min_files):
                await portal.upload_document(who, app.id, spec.code, photo())
    return app.id


async def test_drafts_and_their_files_go_submitted_ones_stay(
    portal: PortalClient, clock: FrozenClock, ctx: PortalContext
) -> None:
    submitted_id = await _ready_draft(portal, clock, ANA)
    submitted = await portal.submit(ANA, submitted_id, "k-1")
    draft_id = await _ready_draft(portal, clock, ANA)
    never_sent = await portal.create_application(ANA, "certified_copy")
    await portal.cancel(ANA, never_sent.id)
    other_id = await _ready_draft(portal, clock, BINH)
    uploads = ctx.settings.upload_dir
    assert (uploads / draft_id).is_dir()

    result = await portal.erase_me(ANA)

    assert result.deleted_applications == 2
    assert result.deleted_documents >= 1 and result.deleted_files >= 1
    assert [k.tracking_code for k in result.kept] == [submitted.tracking_code]
    assert result.kept[0].keep_until is None  # still in progress
    assert result.retention_years == ctx.settings.retention_years
    assert str(result.retention_years) in result.legal_basis["vi"]
    assert not (uploads / draft_id).exists()
    for gone in (draft_id, never_sent.id):
        with pytest.raises(NotFoundError):
            await portal.get_application(ANA, gone)
    mine = await portal.my_applications(ANA)
    assert [a.id for a in mine] == [submitted_id]
    # The submitted application keeps its answers and papers; someone else's draft too.
    kept = await portal.get_application(ANA, submitted_id)
    assert kept.answers and kept.documents and (uploads / submitted_id).is_dir()
    assert (await portal.get_application(BINH, other_id)).status == "draft"
    assert (uploads / other_id).is_dir()
    # Asking again deletes nothing more.
    again = await portal.erase_me(ANA)
    assert again.deleted_applications == 0 and len(again.kept) == 1


async def test_kept_until_retention_years_after_it_is_finished(
    portal: PortalClient, clerk: StaffClient, head: StaffClient, clock: FrozenClock
) -> None:
    app_id = await _ready_draft(portal, clock, ANA)
    await portal.submit(ANA, app_id, "k-2")
    await clerk.act(app_id, "receive")
    await head.act(app_id, "reject", note="Thiếu giấy tờ")
    result = await portal.erase_me(ANA)
    [kept] = result.kept
    assert kept.status == "rejected"
    finished = clock().date()
    assert kept.keep_until == finished.replace(year=finished.year + result.retention_years)


async def test_only_a_citizen_can_erase(http: httpx.AsyncClient) -> None:
    bot_alone = await http.delete(
        "/v1/citizens/me", headers={"Authorization": f"Bearer {BOT_TOKEN}"}
    )
    assert bot_alone.status_code == 422
    staff = await http.delete(
        "/v1/citizens/me", headers={"Authorization": "Bearer test-clerk-token"}
    )
    assert staff.status_code == 403
