"""The bot store as the runtime's state store, remembering each chat's language on the
way (the numbered-list hint is written in it) at no extra query."""

from __future__ import annotations

from bot.store import Store
from dialogs import State


class LanguageOf:
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
