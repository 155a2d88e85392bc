"""Key rotation: after `motcua portal reseal` the old DATA_KEY and LOOKUP_KEY can go."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text

from backend_client import PortalClient
from portal.db import sealed
from portal.db.models import Application
from portal.services import lookups
from portal.services.context import PortalContext
from portal.services.resealing import reseal
from portal.settings import PortalSettings
from tests.support.images import photo

NEW_KEY = "new-data-key-" + "n" * 32
NEW_LOOKUP = "new-lookup-key-" + "l" * 32


@pytest.fixture
def restore_keys() -> Iterator[None]:
    yield
    sealed.configure(PortalSettings())


async def test_after_a_reseal_only_the_new_keys_are_needed(
    portal: PortalClient, ctx: PortalContext, restore_keys: None
) -> None:
    app = await portal.create_application("telegram:7001", "marital_status_certificate")
    await portal.set_answers("telegram:7001", app.id, {"applicant_id": "046150123456"})
    proc = await portal.get_procedure("marital_status_certificate")
    await portal.upload_document(
        "telegram:7001", app.id, proc.documents[0].code, photo(), filename="cccd.jpg"
    )
    with ctx.engine.connect() as conn:
        before = conn.execute(text("SELECT answers FROM applications")).scalar_one()

    sealed.configure(
        PortalSettings(data_key=NEW_KEY, data_old_keys="dev-data-key", lookup_key=NEW_LOOKUP)
    )
    assert reseal(ctx) == 1

    sealed.configure(PortalSettings(data_key=NEW_KEY, lookup_key=NEW_LOOKUP))
    with ctx.sessions() as db:
        row = db.get(Application, app.id)
        assert row is not None and row.answers == {"applicant_id": "046150123456"}
        assert row.documents[0].filename == "cccd.jpg"
        assert list(db.scalars(lookups.matching("citizen_id", "046150123456"))) == [app.id]
    with ctx.engine.connect() as conn:
        assert conn.execute(text("SELECT answers FROM applications")).scalar_one() != before
    # The old key alone opens nothing any more.
    sealed.configure(PortalSettings())
    with ctx.sessions() as db, pytest.raises(sealed.InvalidToken):
        db.get(Application, app.id)
