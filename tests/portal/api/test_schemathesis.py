"""Property-based: generated requests, valid and invalid, for every operation of the
OpenAPI spec, as every role (anonymous, a citizen through the bot's token, a clerk, the
head), on SQLite and on PostgreSQL. Every response must be no 5xx, have a declared status
code and content type, and match its declared schema (issue 10, finding 10).

Each operation gets ``MOTCUA_FUZZ_EXAMPLES`` (default 200) examples per database, the
role drawn for each example, so every role meets every operation. Derandomised: the same
examples on every run."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from backend_client import Procedure
from portal.api.app import create_app
from portal.api.routes.payments import sign
from portal.services import staff
from portal.services.context import PortalContext
from portal.settings import PortalSettings
from tests.conftest import BOT_TOKEN, CLERK_TOKEN, HEAD_TOKEN, PAYMENT_SECRET
from tests.support.databases import PostgresDatabase, sqlite_copy
from tests.support.forms import sample_answers
from tests.support.images import photo

EXAMPLES = int(os.environ.get("MOTCUA_FUZZ_EXAMPLES", "200"))
CITIZEN = "telegram:424242"
# Hypothesis draws the first roles more often: the ones that get past authentication.
ROLES: dict[str, dict[str, str]] = {
    "citizen": {"Authorization": f"Bearer {BOT_TOKEN}", "X-Citizen": CITIZEN},
    "head": {"Authorization": f"Bearer {HEAD_TOKEN}"},
    "clerk": {"Authorization": f"Bearer {CLERK_TOKEN}"},
    "anonymous": {},
}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


class Fuzzed:
    def __init__(self, schema: schemathesis.BaseSchema, app_ids: list[str], reference: str) -> None:
        self.schema = schema
        self.app_ids = app_ids
        self.reference = reference


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def fuzzed(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    _sqlite_template: Path,
) -> Iterator[Fuzzed]:
    folder = tmp_path_factory.mktemp("schemathesis")
    if request.param == "sqlite":
        url = sqlite_copy(_sqlite_template, folder)
    else:
        pg: PostgresDatabase | None = request.getfixturevalue("_postgres")
        if pg is None:
            pytest.skip("no PostgreSQL server reachable at TEST_POSTGRES_URL / 127.0.0.1:5432")
        pg.truncate()
        url = pg.url
    ctx = PortalContext.from_settings(
        PortalSettings(
            database_url=url,
            upload_dir=folder / "uploads",
            bot_service_token=BOT_TOKEN,
            payment_webhook_secret=PAYMENT_SECRET,
            track_rate_per_minute=10**9,
        ),
        clock=lambda: datetime(2026, 3, 9, 2, 0, tzinfo=UTC),
    )
    with ctx.sessions() as db:
        staff.create_staff(db, username="minh", full_name="Minh", role="head", token=HEAD_TOKEN)
        staff.create_staff(db, username="lan", full_name="Lan", role="clerk", token=CLERK_TOKEN)
        db.commit()
    app = create_app(ctx=ctx)
    with TestClient(app) as client:
        app_ids, reference = _seed(client)
    yield Fuzzed(schemathesis.openapi.from_asgi("/openapi.json", app), app_ids, reference)
    ctx.engine.dispose()


def _seed(client: TestClient) -> tuple[list[str], str]:
    """A draft and a submitted application with a fee, so that generated requests also
    reach existing applications, not only 404s."""
    citizen = ROLES["citizen"]
    draft = client.post(
        "/v1/applications", json={"procedure": "birth_registration"}, headers=citizen
    )
    slug = "signature_certification"
    proc = Procedure.model_validate(client.get(f"/v1/procedures/{slug}").json())
    app_id = client.post("/v1/applications", json={"procedure": slug}, headers=citizen).json()["id"]
    answers = sample_answers(proc, today=datetime(2026, 3, 9).date())
    client.patch(f"/v1/applications/{app_id}/answers", json={"answers": answers}, headers=citizen)
    for spec in proc.documents:
        for _ in range(spec.min_files if spec.required else 0):
            client.post(
                f"/v1/applications/{app_id}/documents",
                data={"code": spec.code},
                files={"file": ("p.jpg", photo(), "image/jpeg")},
                headers=citizen,
            )
    submitted = client.post(
        f"/v1/applications/{app_id}/submit", headers={**citizen, "Idempotency-Key": "seed"}
    )
    assert draft.status_code == 201 and submitted.status_code == 200, submitted.text
    return [draft.json()["id"], app_id], submitted.json()["payment"]["reference"]


def test_every_operation_as_every_role(fuzzed: Fuzzed) -> None:
    operations = [result.ok() for result in fuzzed.schema.get_all_operations()]
    assert len(operations) > 20
    for operation in operations:
        _fuzz(operation, fuzzed)


def _fuzz(operation: schemathesis.APIOperation, fuzzed: Fuzzed) -> None:
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    @given(
        case=cases,
        role=st.sampled_from(list(ROLES)),
        known=st.one_of(st.none(), st.sampled_from(fuzzed.app_ids)),
        signed=st.booleans(),
    )
    def check(case: schemathesis.Case, role: str, known: str | None, signed: bool) -> None:
        headers = dict(ROLES[role])
        if known is not None and case.path_parameters and "app_id" in case.path_parameters:
            case.path_parameters["app_id"] = known
        if signed and operation.path == "/v1/payments/callback":
            headers["X-Signature"] = _sign_as_the_gateway(case, fuzzed.reference, known)
        case.call_and_validate(headers=headers, checks=CHECKS)

    check()


def _sign_as_the_gateway(case: schemathesis.Case, reference: str, aim: str | None) -> str:
    """Half of the callbacks carry a valid signature (so their body reaches the payment
    rules), some of those for the seeded fee request."""
    body = case.body
    if aim is not None and isinstance(body, dict) and "reference" in body:
        body = {**body, "reference": reference}
    if isinstance(body, bytes):
        raw = body
    elif isinstance(body, (dict, list, str, int, float, bool)) or body is None:
        raw = json.dumps(body).encode()
    else:  # no body at all: nothing to sign
        return ""
    case.body = raw  # sent as these very bytes
    return sign(PAYMENT_SECRET, raw)
