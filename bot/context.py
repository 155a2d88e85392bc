"""The read-only facts the engine consults: the catalog (fetched through
backend_client and cached), the NLU, the time and the bot's public link."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime

from backend_client import Backend, BackendError, Procedure
from dialogs import Context
from dialogs.context import Office
from nlu import NLU

log = logging.getLogger(__name__)

REFRESH_SECONDS = 600.0


class ContextProvider:
    def __init__(
        self,
        backend: Backend,
        *,
        nlu: NLU | None = None,
        bot_link: str | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        refresh_seconds: float = REFRESH_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
        office: Office | None = None,
    ) -> None:
        self.backend = backend
        self.office = office or Office()  # the ward office, its hours from OFFICE_HOURS
        self.bot_link = bot_link  # the Telegram channel fills it from getMe when unset
        self.clock = clock
        self.refresh_seconds = refresh_seconds
        self._monotonic = monotonic
        self._nlu = nlu
        self._procedures: dict[str, Procedure] | None = None
        self._fetched_at = 0.0
        self._refreshing = asyncio.Lock()

    @property
    def nlu(self) -> NLU:
        if self._nlu is None:
            from nlu import get_default_nlu

            self._nlu = get_default_nlu()
        return self._nlu

    async def procedures(self) -> dict[str, Procedure]:
        """The cached catalog; refreshed when older than ``refresh_seconds``. When the
        portal cannot be reached, an older copy is kept; with none, the error rises."""
        if self._procedures is not None and not self._stale():
            return self._procedures
        async with self._refreshing:
            if self._procedures is not None and not self._stale():
                return self._procedures
            try:
                self._procedures = await self._fetch()
            except BackendError:
                if self._procedures is None:
                    raise
                log.warning("catalog refresh failed; keeping the copy already loaded")
            self._fetched_at = self._monotonic()
            return self._procedures

    def _stale(self) -> bool:
        return self._monotonic() - self._fetched_at >= self.refresh_seconds

    async def _fetch(self) -> dict[str, Procedure]:
        summaries = await self.backend.list_procedures()
        full = await asyncio.gather(*(self.backend.get_procedure(p.slug) for p in summaries))
        return {p.slug: p for p in full}

    async def get(self) -> Context:
        procedures = await self.procedures()
        # Loading the NLU may train a model once: keep the event loop free meanwhile.
        nlu = self._nlu if self._nlu is not None else await asyncio.to_thread(lambda: self.nlu)
        return Context(
            procedures=procedures,
            nlu=nlu,
            now=self.clock(),
            bot_link=self.bot_link,
            office=self.office,
        )
