"""The bot store: conversation state, chats, processed updates, handoff requests.

The names are imported on first use: the notifier process uses the store's engine and
models only, and must not wait for the repository's imports (the dialog engine, NLU).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.store.migrate import downgrade, upgrade
    from bot.store.repository import LoadedTurn, Seen, StaleStateError, Store

    StaleState = StaleStateError  # the name used in the design notes

_HOME = {
    "downgrade": "bot.store.migrate",
    "upgrade": "bot.store.migrate",
    "StaleStateError": "bot.store.repository",
    "StaleState": "bot.store.repository",
    "Store": "bot.store.repository",
    "LoadedTurn": "bot.store.repository",
    "Seen": "bot.store.repository",
}

__all__ = ["LoadedTurn", "Seen", "StaleState", "StaleStateError", "Store", "downgrade", "upgrade"]


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module 'bot.store' has no attribute {name!r}")
    real = "StaleStateError" if name == "StaleState" else name
    value = getattr(importlib.import_module(_HOME[name]), real)
    globals()[name] = value
    return value
