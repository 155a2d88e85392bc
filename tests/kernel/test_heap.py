"""A server process's start-up heap is frozen out of the garbage collector's walks."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from kernel import heap
from portal.api.app import create_app
from portal.services.context import PortalContext


@pytest.fixture
def thawed() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()  # the other tests' heaps stay collectable


def test_settle_moves_what_lives_now_to_the_permanent_generation(thawed: None) -> None:
    kept = [{"n": i} for i in range(1000)]
    heap.settle()
    assert gc.get_freeze_count() >= len(kept)


def test_the_portal_settles_its_heap_when_it_starts(thawed: None, ctx: PortalContext) -> None:
    assert gc.get_freeze_count() == 0
    with TestClient(create_app(ctx=ctx)) as client:
        assert client.get("/v1/health").status_code == 200
        assert gc.get_freeze_count() > 0
