"""The bot store as the runtime's turn store, remembering each chat's language on the
way (the numbered-list hint is written in it) at no extra query."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.store import LoadedTurn, Seen, Store
from dialogs import State

UpdateRef = tuple[str, int]


class LanguageOf:
    """The whole turn transaction of ``Store`` (the state, its checkpoint journal, the
    update marked processed by the same commit), so a Zalo turn is resumed after a crash
    and a repeated message is recognised exactly as a Telegram one."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._langs: dict[str, str] = {}

    def lang(self, key: str) -> str:
        return self._langs.get(key, "vi")

    async def load_state(self, key: str) -> State:
        state = await self.store.load_state(key)
        self._langs[key] = state.lang
        return state

    async def save_state(self, key: str, state: State, expected_version: int) -> int:
        version = await self.store.save_state(key, state, expected_version)
        self._langs[key] = state.lang
        return version

    async def load_turn(self, key: str, update: UpdateRef | None = None) -> LoadedTurn:
        loaded = await self.store.load_turn(key, update)
        self._langs[key] = loaded.state.lang
        return loaded

    async def save_turn(
        self,
        key: str,
        state: State,
        expected_version: int,
        *,
        journal: dict[str, Any] | None = None,
        updates: Sequence[UpdateRef] = (),
        chat: Seen | None = None,
    ) -> int:
        version = await self.store.save_turn(
            key, state, expected_version, journal=journal, updates=updates, chat=chat
        )
        self._langs[key] = state.lang
        return version

    async def mark_updates(self, updates: Sequence[UpdateRef]) -> None:
        await self.store.mark_updates(updates)
