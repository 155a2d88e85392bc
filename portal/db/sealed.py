"""Columns sealed at rest: the answers (names, birth dates, citizen IDs) and the phone
number are stored as Fernet tokens, so neither the database file, its WAL, its free
pages nor a backup holds them in clear.

The column types need the keys when SQLAlchemy binds a value, long after settings were
read: ``configure`` (called by ``PortalContext.from_settings``) sets them for the
process; until then they come from ``get_settings()`` (the migrations, the CLI).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from kernel.sealing import InvalidToken, Sealer, lookup_hash, split_keys
from portal.settings import PortalSettings, get_settings

__all__ = ["InvalidToken", "SealedJSON", "SealedText", "Sealer", "configure", "lookup", "sealer"]

_state: dict[str, Any] = {}


def configure(settings: PortalSettings) -> None:
    _state["sealer"] = Sealer(settings.data_key, split_keys(settings.data_old_keys))
    _state["lookup_key"] = settings.lookup_key


def sealer() -> Sealer:
    if "sealer" not in _state:
        configure(get_settings())
    result: Sealer = _state["sealer"]
    return result


def lookup(kind: str, value: str) -> str:
    """The keyed hash a row is found by (see ``kernel.sealing.lookup_hash``)."""
    if "lookup_key" not in _state:
        configure(get_settings())
    return lookup_hash(str(_state["lookup_key"]), kind, value)


class SealedJSON(TypeDecorator[Any]):
    """A JSON value stored as a Fernet token (text)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else sealer().seal_json(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> Any:
        return None if value is None else sealer().open_json(value)


class SealedText(TypeDecorator[str]):
    """A short text stored as a Fernet token."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else sealer().seal(value.encode())

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else sealer().open(value).decode()
