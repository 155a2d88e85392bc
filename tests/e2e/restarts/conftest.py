"""Private PostgreSQL and Redis servers for the restart tests (never the shared ones)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.private_services import (
    PrivatePostgres,
    PrivateRedis,
    private_postgres,
    private_redis,
)


@pytest.fixture
def pg_server() -> Iterator[PrivatePostgres]:
    with private_postgres() as server:
        yield server


@pytest.fixture
def redis_server() -> Iterator[PrivateRedis]:
    with private_redis() as server:
        yield server
