"""After a key rotation (ARCHITECTURE.md, "Personal data at rest"): every sealed value
is sealed again with the current DATA_KEY and every lookup hash recomputed with the
current LOOKUP_KEY, so the old keys can be dropped. ``motcua portal reseal``."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import attributes, selectinload

from portal.db.models import Application
from portal.services import lookups
from portal.services.context import PortalContext

BATCH = 200


def reseal(ctx: PortalContext) -> int:
    """Returns how many applications were rewritten. One transaction per batch; run it
    while the portal is idle (an application edited meanwhile conflicts and the batch is
    rolled back: run it again)."""
    done = 0
    after = ""
    while True:
        with ctx.sessions() as db:
            batch = list(
                db.scalars(
                    select(Application)
                    .where(Application.id > after)
                    .order_by(Application.id)
                    .limit(BATCH)
                    .options(selectinload(Application.documents), selectinload(Application.lookups))
                )
            )
            if not batch:
                return done
            for app in batch:
                # Marked changed: written again, hence sealed with the first key.
                attributes.flag_modified(app, "answers")
                attributes.flag_modified(app, "phone")
                for doc in app.documents:
                    attributes.flag_modified(doc, "filename")
                app.lookups.clear()
                db.flush()
                lookups.refresh(db, app)
            db.commit()
            done += len(batch)
            after = batch[-1].id
