"""A rotated BOT_DATA_KEY: old rows open with the old key listed, and after a reseal
with the new key alone."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.store import Store, sealed
from bot.store.reseal import reseal
from dialogs import State

NEW = "new-bot-data-key-" + "b" * 32


@pytest.fixture
def restore_key() -> Iterator[None]:
    yield
    sealed.configure("dev-bot-data-key")


async def test_rotation_then_reseal(store: Store, restore_key: None) -> None:
    sealed.configure("dev-bot-data-key")
    await store.save_state("telegram:1", State(answers={"applicant_id": "046150123456"}), 0)
    await store.add_handoff("telegram:1", "user", {"step": "form"})
    sealed.configure(NEW, "dev-bot-data-key")
    assert (await store.load_state("telegram:1")).answers == {"applicant_id": "046150123456"}
    assert reseal(store.engine) == 2
    sealed.configure(NEW)
    assert (await store.load_state("telegram:1")).answers == {"applicant_id": "046150123456"}
    [request] = await store.open_handoffs("telegram:1")
    assert request.summary == {"step": "form"}
    sealed.configure("dev-bot-data-key")
    with pytest.raises(sealed.InvalidToken):
        await store.load_state("telegram:1")
