"""The shell around the pure engine: one turn = load the chat's state, run
``handle``, run the effects it asks for, feed their outcomes back, until no effect
is left. The state is saved at the end of the turn, and before any effect that must
not be lost or repeated blindly (e.g. a submit key is stored before the submit is
sent), so a crash mid-turn resumes from the last checkpoint. Effects that only read,
or write the same thing again when repeated, need no checkpoint: skipping it saves a
database transaction per turn."""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Protocol

import dialogs
from backend_client import BackendError
from bot.context import ContextProvider
from bot.locks import ChatLocks
from bot.store import StaleStateError
from bot.texts import busy, crashed
from dialogs import Context, Effect, EffectResult, Event, Reply, State, Step
from dialogs.engine import OUTBOX
from kernel.i18n import normalize_language

log = logging.getLogger(__name__)

Handle = Callable[[State, Event, Context], Step]

# Safe to run again after a crash with the state of the last checkpoint; any other
# effect (unknown ones included) is preceded by a save.
REPLAYABLE_EFFECTS = frozenset(
    {"save_answers", "load_application", "list_mine", "track", "load_payment", "decode_qr"}
)


class StateStore(Protocol):
    async def load_state(self, key: str) -> State: ...
    async def save_state(self, key: str, state: State, expected_version: int) -> int: ...


class Runner(Protocol):
    async def run(self, effect: Effect, citizen: str) -> EffectResult: ...


class Contexts(Protocol):
    async def get(self) -> Context: ...


class Runtime:
    def __init__(
        self,
        *,
        store: StateStore,
        runner: Runner,
        context_provider: Contexts | ContextProvider,
        engine_handle: Handle = dialogs.handle,
        locks: ChatLocks | None = None,
        max_steps: int = 30,
        stale_retries: int = 3,
    ) -> None:
        self.handle = engine_handle
        self.store = store
        self.runner = runner
        self.contexts = context_provider
        self.locks = locks or ChatLocks()
        self.max_steps = max_steps  # a loop of effects in the engine must not spin forever
        self.stale_retries = stale_retries
        # Chats whose state keeps portal writes made while the portal was down.
        self.waiting: set[str] = set()

    async def process(self, key: str, event: Event, *, lang_hint: str | None = None) -> list[Reply]:
        """Handle one event of chat ``key``; events of one chat are handled in order."""
        try:
            async with self.locks.hold(key):
                return await self.process_locked(key, event, lang_hint=lang_hint)
        except Exception as exc:
            if not _is_lock_timeout(exc):
                raise
            log.warning("chat %s stayed locked too long", key)
            return [busy(normalize_language(lang_hint))]

    async def process_locked(
        self, key: str, event: Event, *, lang_hint: str | None = None
    ) -> list[Reply]:
        """``process`` for a caller that already holds ``self.locks.hold(key)``."""
        lang = normalize_language(lang_hint)
        for _ in range(self.stale_retries):
            try:
                return await self._turn(key, event, lang_hint)
            except StaleStateError:
                # Another worker saved this chat meanwhile: redo the turn on its state.
                log.info("stale state for %s, redoing the turn", key)
            except BackendError as exc:
                # Only the catalog fetch gets here (effects never raise).
                log.warning("no catalog for %s: %s", key, exc)
                return [busy(lang)]
        return [busy(lang)]

    async def _turn(self, key: str, event: Event | None, lang_hint: str | None) -> list[Reply]:
        state = await self.store.load_state(key)
        if state.version == 0 and not state.lang_chosen and lang_hint:
            # First contact: the app's language is the best guess until they choose.
            state.lang = normalize_language(lang_hint)
        ctx = await self.contexts.get()
        replies: list[Reply] = []
        state = await self._deliver_kept(key, state, ctx, replies)
        if event is not None:
            state = await self._run(key, state, ctx, event, replies)
        if state.outbox:
            self.waiting.add(key)
        else:
            self.waiting.discard(key)
        return replies

    async def _deliver_kept(
        self, key: str, state: State, ctx: Context, replies: list[Reply]
    ) -> State:
        """Send the portal writes kept while the portal was down (``state.outbox``), in
        order, each once: a submit with its original idempotency key. The first write the
        portal still cannot take stops the delivery; the rest wait with it."""
        for _ in range(len(state.outbox)):
            if not state.outbox:
                break
            write = state.outbox[0]
            result = await self.runner.run(Effect(write["name"], dict(write["params"])), key)
            if not result.ok and result.error.get("code") == "unavailable":
                break
            delivered = EffectResult(
                effect=OUTBOX + write["name"], ok=result.ok, value=result.value, error=result.error
            )
            state = await self._run(key, state, ctx, delivered, replies)
        return state

    async def _run(
        self, key: str, state: State, ctx: Context, event: Event, replies: list[Reply]
    ) -> State:
        version = state.version
        queue: deque[Event] = deque([event])
        steps = 0
        unsaved = False
        while queue:
            steps += 1
            if steps > self.max_steps:
                log.error("chat %s: more than %d steps in one turn", key, self.max_steps)
                replies.append(crashed(state.lang))
                break
            current = queue.popleft()
            try:
                step = self.handle(state, current, ctx)
            except Exception:
                # Keep the last saved state; the user can try again or ask a person.
                log.exception("engine failed on %s for %s", type(current).__name__, key)
                replies.append(crashed(state.lang))
                break
            state, unsaved = step.state, True
            state.version = version
            replies.extend(step.replies)
            if any(e.name not in REPLAYABLE_EFFECTS for e in step.effects):
                version = state.version = await self.store.save_state(key, state, version)
                unsaved = False
            for effect in step.effects:
                queue.append(await self.runner.run(effect, key))
        if unsaved:
            version = state.version = await self.store.save_state(key, state, version)
        return state

    async def deliver_kept(self, key: str) -> list[Reply]:
        """The background retry: deliver chat ``key``'s kept portal writes now (no
        event from the citizen); the replies (e.g. the submitted application's code)
        are for the caller to send."""
        async with self.locks.hold(key):
            for _ in range(self.stale_retries):
                try:
                    return await self._turn(key, None, None)
                except StaleStateError:
                    log.info("stale state for %s, redoing the delivery", key)
                except BackendError as exc:
                    log.warning("no catalog for %s: %s", key, exc)
                    return []
        return []

    async def retry_kept(self, send: Callable[[str, list[Reply]], Awaitable[None]]) -> int:
        """One round of the background retry over the chats with kept writes (those
        seen by this process); returns how many chats are still waiting."""
        for key in sorted(self.waiting):
            try:
                replies = await self.deliver_kept(key)
            except Exception:
                log.exception("retrying the kept writes of %s failed", key)
                continue
            if replies:
                await send(key, replies)
        return len(self.waiting)


def _is_lock_timeout(exc: Exception) -> bool:
    try:
        from redis.exceptions import LockError
    except ImportError:  # pragma: no cover - redis is a dependency
        return False
    return isinstance(exc, LockError)
