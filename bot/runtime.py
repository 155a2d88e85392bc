"""The shell around the pure engine: one turn = load the chat's state, run
``handle``, run the effects it asks for, feed their outcomes back, until no effect
is left.

The turn transaction: the end of a turn saves the state and marks its update
processed in one transaction (a turn that changed nothing only marks it). Before that
commit a killed worker leaves the update unmarked, so Telegram delivers it again and
the turn runs again; after it, never. An effect that must not be lost or repeated
blindly (create, upload, submit...) is preceded by a checkpoint: the state saved with
a journal of the turn in flight (the effects about to run, the outcomes and replies
so far). A delivery of the same update after a checkpoint resumes the journal instead
of handling the event again: the effects are run again (a submit with the same
idempotency key; a create or an upload may leave an unused draft or photo in the
portal), never the engine's step before them. Effects that only read, or write the
same thing again when repeated, need no checkpoint. The replies are returned, for
the channel to send after the commit: a kill between the commit and the sending can
lose a turn's replies, never send them twice."""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

import dialogs
from backend_client import BackendError
from bot.context import ContextProvider
from bot.locks import ChatLocks
from bot.store import LoadedTurn, Seen, StaleStateError
from bot.texts import busy, crashed
from dialogs import Context, Effect, EffectResult, Event, Reply, State, Step
from dialogs.engine import OUTBOX
from dialogs.replies import Btn, Media
from kernel.i18n import normalize_language

log = logging.getLogger(__name__)

Handle = Callable[[State, Event, Context], Step]

# Safe to run again after a crash with the state of the last checkpoint; any other
# effect (unknown ones included) is preceded by a save.
REPLAYABLE_EFFECTS = frozenset(
    {"save_answers", "load_application", "list_mine", "track", "load_payment", "decode_qr"}
)


UpdateRef = tuple[str, int]  # (channel, update id): what marks an update processed


class StateStore(Protocol):
    async def load_state(self, key: str) -> State: ...
    async def save_state(self, key: str, state: State, expected_version: int) -> int: ...


class TurnStore(Protocol):
    """What bot.store.Store offers beyond a StateStore: the turn transaction."""

    async def load_turn(self, key: str, update: UpdateRef | None = None) -> LoadedTurn: ...

    async def save_turn(
        self,
        key: str,
        state: State,
        expected_version: int,
        *,
        journal: dict[str, Any] | None = None,
        updates: Sequence[UpdateRef] = (),
        chat: Seen | None = None,
    ) -> int: ...

    async def mark_updates(self, updates: Sequence[UpdateRef]) -> None: ...


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
        self.turns: TurnStore = store if hasattr(store, "load_turn") else _PlainTurns(store)  # type: ignore[assignment]
        self.runner = runner
        self.contexts = context_provider
        self.locks = locks or ChatLocks()
        self.max_steps = max_steps  # a loop of effects in the engine must not spin forever
        self.stale_retries = stale_retries
        # Chats whose state keeps portal writes made while the portal was down.
        self.waiting: set[str] = set()

    async def process(
        self,
        key: str,
        event: Event,
        *,
        lang_hint: str | None = None,
        update: UpdateRef | None = None,
    ) -> list[Reply]:
        """Handle one event of chat ``key``; events of one chat are handled in order.
        ``update`` is marked processed by the turn's commit (nothing happens if it
        already was)."""
        try:
            async with self.locks.hold(key):
                return await self.process_locked(key, event, lang_hint=lang_hint, update=update)
        except Exception as exc:
            if not _is_lock_timeout(exc):
                raise
            log.warning("chat %s stayed locked too long", key)
            return [busy(normalize_language(lang_hint))]

    async def process_locked(
        self,
        key: str,
        event: Event,
        *,
        lang_hint: str | None = None,
        update: UpdateRef | None = None,
        loaded: LoadedTurn | None = None,
    ) -> list[Reply]:
        """``process`` for a caller that already holds ``self.locks.hold(key)``.
        ``update`` is marked processed by the turn's commit (nothing happens if it
        already was); ``loaded`` is the turn's load when the caller already did it."""
        lang = normalize_language(lang_hint)
        for attempt in range(self.stale_retries):
            try:
                again = loaded if not attempt else None  # a redone turn reads again
                return await self._turn(key, event, lang_hint, update, again)
            except StaleStateError:
                # Another worker saved this chat meanwhile: redo the turn on its state.
                log.info("stale state for %s, redoing the turn", key)
            except BackendError as exc:
                # Only the catalog fetch gets here (effects never raise).
                log.warning("no catalog for %s: %s", key, exc)
                return [busy(lang)]
        return [busy(lang)]

    async def load(self, key: str, update: UpdateRef | None) -> LoadedTurn:
        """A turn's one read (state, journal, processed?, chats row)."""
        return await self.turns.load_turn(key, update)

    async def _turn(
        self,
        key: str,
        event: Event | None,
        lang_hint: str | None,
        update: UpdateRef | None = None,
        loaded: LoadedTurn | None = None,
    ) -> list[Reply]:
        loaded = loaded or await self.turns.load_turn(key, update)
        if loaded.processed:
            log.info("update %s already processed", update)
            return []
        state = loaded.state
        if state.version == 0 and not state.lang_chosen and lang_hint:
            # First contact: the app's language is the best guess until they choose.
            state.lang = normalize_language(lang_hint)
        ctx = await self.contexts.get()
        turn = _Turn(key, state.version, update, loaded.chat)
        if loaded.journal is not None:
            state = await self._resume(turn, state, ctx, loaded.journal)
            same = update is not None and loaded.journal.get("update") == list(update)
            if same and loaded.journal.get("event_done"):
                event = None  # handled before the worker died: resumed above
        state = await self._deliver_kept(turn, state, ctx)
        if event is not None:
            turn.event_done = True
            state = await self._run(turn, state, ctx, deque([event]))
        await self._commit(turn, state)
        if state.outbox:
            self.waiting.add(key)
        else:
            self.waiting.discard(key)
        return turn.replies

    async def _resume(
        self, turn: _Turn, state: State, ctx: Context, journal: dict[str, Any]
    ) -> State:
        """Carry on the turn a dead worker left at its last checkpoint: its effects run
        again, their outcomes go to the engine, its replies are sent with this turn's."""
        log.info("chat %s: resuming the turn of update %s", turn.key, journal.get("update"))
        turn.journaled = True  # the commit must clear it
        update = journal.get("update")
        if update is not None and tuple(update) != turn.update:
            turn.marks.append((update[0], update[1]))  # that update is done with this commit
        turn.marks.extend((m[0], m[1]) for m in journal.get("marks", []) if tuple(m) != turn.update)
        turn.replies.extend(_reply(r) for r in journal.get("replies", []))
        queue: deque[Event] = deque(EffectResult(**r) for r in journal.get("queue", []))
        for effect in journal.get("effects", []):
            queue.append(await self.runner.run(Effect(effect["name"], effect["params"]), turn.key))
        return await self._run(turn, state, ctx, queue)

    async def _deliver_kept(self, turn: _Turn, state: State, ctx: Context) -> State:
        """Send the portal writes kept while the portal was down (``state.outbox``), in
        order, each once: a submit with its original idempotency key. The first write the
        portal still cannot take stops the delivery; the rest wait with it."""
        for _ in range(len(state.outbox)):
            if not state.outbox:
                break
            write = state.outbox[0]
            result = await self.runner.run(Effect(write["name"], dict(write["params"])), turn.key)
            if not result.ok and result.error.get("code") == "unavailable":
                break
            delivered = EffectResult(
                effect=OUTBOX + write["name"], ok=result.ok, value=result.value, error=result.error
            )
            state = await self._run(turn, state, ctx, deque([delivered]))
        return state

    async def _run(self, turn: _Turn, state: State, ctx: Context, queue: deque[Event]) -> State:
        steps = 0
        while queue:
            steps += 1
            if steps > self.max_steps:
                log.error("chat %s: more than %d steps in one turn", turn.key, self.max_steps)
                turn.replies.append(crashed(state.lang))
                break
            current = queue.popleft()
            try:
                step = self.handle(state, current, ctx)
            except Exception:
                # Keep the last saved state; the user can try again or ask a person.
                log.exception("engine failed on %s for %s", type(current).__name__, turn.key)
                turn.replies.append(crashed(state.lang))
                break
            state, turn.unsaved = step.state, True
            state.version = turn.version
            turn.replies.extend(step.replies)
            if any(e.name not in REPLAYABLE_EFFECTS for e in step.effects):
                await self._checkpoint(turn, state, step.effects, queue)
            for effect in step.effects:
                queue.append(await self.runner.run(effect, turn.key))
        return state

    async def _checkpoint(
        self, turn: _Turn, state: State, effects: list[Effect], queue: deque[Event]
    ) -> None:
        journal = {
            "update": list(turn.update) if turn.update else None,
            "event_done": turn.event_done,
            "marks": [list(m) for m in turn.marks],
            "effects": [{"name": e.name, "params": e.params} for e in effects],
            "queue": [asdict(e) for e in queue if isinstance(e, EffectResult)],
            "replies": [asdict(r) for r in turn.replies],
        }
        turn.version = state.version = await self.turns.save_turn(
            turn.key, state, turn.version, journal=journal, chat=turn.chat
        )
        turn.chat = _seen(state)
        turn.unsaved, turn.journaled = False, True

    async def _commit(self, turn: _Turn, state: State) -> None:
        """The end of the turn: its state (if changed) and its update, in one transaction."""
        updates = [*turn.marks, turn.update] if turn.update else turn.marks
        if turn.unsaved or turn.journaled:
            turn.version = state.version = await self.turns.save_turn(
                turn.key, state, turn.version, updates=updates, chat=turn.chat
            )
        elif updates:
            await self.turns.mark_updates(updates)

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
        seen by this process, and those the store lists: any worker's, across
        restarts); returns how many chats are still waiting."""
        keys = set(self.waiting)
        waiting_chats = getattr(self.store, "waiting_chats", None)
        if waiting_chats is not None:
            keys.update(await waiting_chats())
        for key in sorted(keys):
            try:
                replies = await self.deliver_kept(key)
            except Exception:
                log.exception("retrying the kept writes of %s failed", key)
                continue
            if replies:
                await send(key, replies)
        return len(self.waiting)


@dataclass
class _Turn:
    """What one turn carries between its parts until the commit."""

    key: str
    version: int
    update: UpdateRef | None
    chat: Seen | None
    replies: list[Reply] = field(default_factory=list)
    marks: list[UpdateRef] = field(default_factory=list)  # resumed turns' updates
    unsaved: bool = False
    journaled: bool = False  # a checkpoint's journal is stored: the commit clears it
    event_done: bool = False


class _PlainTurns:
    """The turn transaction over a store that only loads and saves states (a test's
    or a channel's wrapper): no journal, no marks — the channel de-duplicates."""

    def __init__(self, store: StateStore) -> None:
        self.store = store

    async def load_turn(self, key: str, update: UpdateRef | None = None) -> LoadedTurn:
        return LoadedTurn(await self.store.load_state(key), None, False, None)

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
        return await self.store.save_state(key, state, expected_version)

    async def mark_updates(self, updates: Sequence[UpdateRef]) -> None:
        return None


def _seen(state: State) -> Seen:
    return Seen(lang=state.lang, blocked=False, consented=bool(state.consent))


def _reply(data: dict[str, Any]) -> Reply:
    """A reply of a checkpoint's journal, back from its JSON."""
    buttons = tuple(tuple(Btn(**b) for b in row) for row in data.get("buttons", ()))
    media = Media(**data["media"]) if data.get("media") else None
    return Reply(**{**data, "buttons": buttons, "media": media})


def _is_lock_timeout(exc: Exception) -> bool:
    try:
        from redis.exceptions import LockError
    except ImportError:  # pragma: no cover - redis is a dependency
        return False
    return isinstance(exc, LockError)
