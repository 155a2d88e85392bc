"""Property-based: generated requests for every operation of the OpenAPI spec, valid and
invalid, as a citizen (through the bot token) and as staff — never a 5xx."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from portal.api.app import create_app
from portal.services import staff
from portal.services.context import PortalContext
from portal.settings import PortalSettings
from tests.conftest import BOT_TOKEN, HEAD_TOKEN
from tests.support.databases import sqlite_copy


@pytest.fixture(scope="module")
def api_schema(
    tmp_path_factory: pytest.TempPathFactory, _sqlite_template: Path
) -> Iterator[schemathesis.BaseSchema]:
    folder = tmp_path_factory.mktemp("schemathesis")
    ctx = PortalContext.from_settings(
        PortalSettings(
            database_url=sqlite_copy(_sqlite_template, folder),
            upload_dir=folder / "uploads",
            bot_service_token=BOT_TOKEN,
            track_rate_per_minute=10**9,
        ),
        clock=lambda: datetime(2026, 3, 9, 2, 0, tzinfo=UTC),
    )
    with ctx.sessions() as db:
        staff.create_staff(db, username="minh", full_name="Minh", role="head", token=HEAD_TOKEN)
        db.commit()
    yield schemathesis.openapi.from_asgi("/openapi.json", create_app(ctx=ctx))
    ctx.engine.dispose()


AS_CITIZEN = {"Authorization": f"Bearer {BOT_TOKEN}", "X-Citizen": "telegram:424242"}
AS_HEAD = {"Authorization": f"Bearer {HEAD_TOKEN}"}


def test_no_server_errors(api_schema: schemathesis.BaseSchema) -> None:
    """Each operation in turn, with hypothesis-generated valid and invalid inputs."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) > 20
    for operation in operations:
        _fuzz(operation, AS_HEAD if operation.path.startswith("/v1/staff") else AS_CITIZEN)


def _fuzz(operation: schemathesis.APIOperation, headers: dict[str, str]) -> None:
    @settings(
        max_examples=20,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    @given(case=operation.as_strategy())
    def check(case: schemathesis.Case) -> None:
        case.call_and_validate(headers=headers, checks=[not_a_server_error])

    check()
