"""A submitted application made through the real API, for tests that need one."""

from __future__ import annotations

from backend_client import Application, PortalClient
from tests.support.clock import FrozenClock
from tests.support.forms import sample_answers
from tests.support.images import photo


async def submit_sample(
    portal: PortalClient, clock: FrozenClock, slug: str, citizen: str, key: str = "k"
) -> Application:
    """``slug``'s form answered with sample answers, every required paper photographed,
    then submitted."""
    proc = await portal.get_procedure(slug)
    app = await portal.create_application(citizen, slug)
    await portal.set_answers(citizen, app.id, sample_answers(proc, today=clock().date()))
    for spec in proc.documents:
        if spec.required:
            for _ in range(spec.min_files):
                await portal.upload_document(citizen, app.id, spec.code, photo())
    return await portal.submit(citizen, app.id, key)
