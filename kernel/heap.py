"""A long-running process's start-up heap, kept out of the garbage collector's walks."""

from __future__ import annotations

import gc

__all__ = ["settle"]


def settle() -> None:
    """Call once a server process has built everything it keeps (modules, the catalog,
    the NLU model, SQLAlchemy's mappers, aiogram's types): those objects live as long as
    the process, yet every full collection the requests trigger would walk them all
    again. Collected once, then moved to the permanent generation (``gc.freeze``, as
    CPython's documentation advises for servers)."""
    gc.collect()
    gc.freeze()
