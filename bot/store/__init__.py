"""The bot store: conversation state, chats, processed updates, handoff requests."""

from bot.store.migrate import downgrade, upgrade
from bot.store.repository import LoadedTurn, Seen, StaleStateError, Store

StaleState = StaleStateError  # the name used in the design notes

__all__ = ["LoadedTurn", "Seen", "StaleState", "StaleStateError", "Store", "downgrade", "upgrade"]
