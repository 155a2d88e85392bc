"""The runtime with a stand-in engine: ordering, checkpoints before effects, crashes."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from backend_client import UnavailableError
from bot.locks import ChatLocks
from bot.runtime import Runtime
from bot.store import StaleStateError, Store
from dialogs import (
    Button,
    Context,
    Effect,
    EffectResult,
    Event,
    Reply,
    State,
    Step,
    Text,
)
from kernel.i18n import gettext_
from nlu import get_default_nlu

KEY = "telegram:42"


class FixedContext:
    def __init__(self) -> None:
        self.calls = 0

    async def get(self) -> Context:
        self.calls += 1
        return Context(procedures={}, nlu=get_default_nlu(), now=datetime(2026, 3, 9, tzinfo=UTC))


class SlowRunner:
    """Answers every effect after a few random yields, so unlocked turns would interleave."""

    def __init__(self, store: Store | None = None) -> None:
        self.store = store
        self.seen_states: list[State] = []
        self.rng = random.Random(3)

    async def run(self, effect: Effect, citizen: str) -> EffectResult:
        if self.store is not None:
            self.seen_states.append(await self.store.load_state(citizen))
        for _ in range(self.rng.randrange(1, 6)):
            await asyncio.sleep(0)
        return EffectResult(effect=effect.name, ok=True, value={"echo": effect.params["n"]})


def echo_handle(state: State, event: Event, ctx: Context) -> Step:
    """Logs each text, asks for an effect, logs the effect's outcome."""
    step = Step(state.model_copy(deep=True))
    log = step.state.answers.setdefault("log", [])
    if isinstance(event, Text):
        if event.text == "boom":
            raise RuntimeError("engine bug")
        log.append(event.text)
        if event.text.startswith("look"):  # a read: no checkpoint needed before it
            step.effects.append(Effect("track", {"n": event.text}))
        else:
            step.state.submit_key = f"key-{event.text}"
            step.effects.append(Effect("submit", {"n": event.text}))
        step.replies.append(Reply(f"got {event.text}"))
    elif isinstance(event, EffectResult) and event.value["echo"] == "loop":
        step.effects.append(Effect("track", {"n": "loop"}))
    elif isinstance(event, EffectResult):
        log.append(f"done {event.value['echo']}")
        step.replies.append(Reply(f"done {event.value['echo']}"))
    elif isinstance(event, Button) and event.data == "loop":
        step.effects.append(Effect("track", {"n": "loop"}))
    return step


@pytest.fixture
def runtime(sqlite_store: Store) -> Runtime:
    return Runtime(
        store=sqlite_store,
        runner=SlowRunner(sqlite_store),
        context_provider=FixedContext(),
        engine_handle=echo_handle,
    )


async def test_one_turn_runs_effects_and_returns_every_reply(
    runtime: Runtime, sqlite_store: Store
) -> None:
    replies = await runtime.process(KEY, Text("a"))
    assert [r.text for r in replies] == ["got a", "done a"]
    state = await sqlite_store.load_state(KEY)
    assert state.answers["log"] == ["a", "done a"]
    assert state.version == 2  # saved before the submit, and at the end


async def test_a_replayable_effect_needs_no_checkpoint(
    runtime: Runtime, sqlite_store: Store
) -> None:
    replies = await runtime.process(KEY, Text("look"))
    assert [r.text for r in replies] == ["got look", "done look"]
    runner = runtime.runner
    assert isinstance(runner, SlowRunner)
    [seen] = runner.seen_states
    assert seen.version == 0  # nothing saved before the lookup
    state = await sqlite_store.load_state(KEY)
    assert state.answers["log"] == ["look", "done look"]
    assert state.version == 1  # one save for the whole turn


async def test_state_is_saved_before_the_effect_runs(runtime: Runtime, sqlite_store: Store) -> None:
    await runtime.process(KEY, Text("x"))
    runner = runtime.runner
    assert isinstance(runner, SlowRunner)
    [seen] = runner.seen_states
    # The idempotency key was stored before the effect went out.
    assert seen.submit_key == "key-x" and seen.answers["log"] == ["x"]


async def test_events_of_one_chat_are_handled_in_order(
    runtime: Runtime, sqlite_store: Store
) -> None:
    texts = [str(i) for i in range(12)]
    results = await asyncio.gather(*(runtime.process(KEY, Text(t)) for t in texts))
    assert [[r.text for r in replies] for replies in results] == [
        [f"got {t}", f"done {t}"] for t in texts
    ]
    state = await sqlite_store.load_state(KEY)
    assert state.answers["log"] == [x for t in texts for x in (t, f"done {t}")]
    assert state.version == 2 * len(texts)


async def test_different_chats_do_not_wait_for_each_other(
    runtime: Runtime, sqlite_store: Store
) -> None:
    await asyncio.gather(*(runtime.process(f"telegram:{i}", Text("hi")) for i in range(5)))
    for i in range(5):
        assert (await sqlite_store.load_state(f"telegram:{i}")).answers["log"] == ["hi", "done hi"]
    assert not runtime.locks._local  # idle chats are forgotten


async def test_an_engine_crash_keeps_the_state(runtime: Runtime, sqlite_store: Store) -> None:
    await runtime.process(KEY, Text("a"), lang_hint="en")
    before = await sqlite_store.load_state(KEY)
    replies = await runtime.process(KEY, Text("boom"))
    [reply] = replies
    assert reply.text == gettext_(
        "Sorry, something went wrong on our side. Your answers are kept. "
        "Please try again, or press Talk to a person.",
        "en",
    )
    assert {b.data for b in reply.flat_buttons} == {"g:menu", "g:human"}
    assert await sqlite_store.load_state(KEY) == before
    # And the chat carries on.
    again = await runtime.process(KEY, Text("b"))
    assert [r.text for r in again] == ["got b", "done b"]


async def test_the_crash_reply_speaks_vietnamese_by_default(runtime: Runtime) -> None:
    [reply] = await runtime.process(KEY, Text("boom"))
    assert reply.text.startswith("Xin lỗi")


async def test_an_endless_effect_loop_is_cut(runtime: Runtime) -> None:
    runtime.max_steps = 5
    replies = await runtime.process(KEY, Button("loop"))
    assert replies[-1].kind == "error"


async def test_language_hint_only_for_a_new_chat(runtime: Runtime, sqlite_store: Store) -> None:
    await runtime.process(KEY, Text("a"), lang_hint="en-US")
    assert (await sqlite_store.load_state(KEY)).lang == "en"
    await runtime.process(KEY, Text("b"), lang_hint="vi")
    assert (await sqlite_store.load_state(KEY)).lang == "en"
    await runtime.process("telegram:43", Text("a"), lang_hint=None)
    assert (await sqlite_store.load_state("telegram:43")).lang == "vi"


async def test_a_chosen_language_is_not_overridden(runtime: Runtime, sqlite_store: Store) -> None:
    # A state that exists only in memory (version 0) but where the user chose already.
    def chooser(state: State, event: Event, ctx: Context) -> Step:
        return Step(state.model_copy(update={"lang": state.lang}))

    runtime.handle = chooser
    await runtime.process(KEY, Text("a"), lang_hint="en")
    assert (await sqlite_store.load_state(KEY)).lang == "en"


class FlakyStore:
    """Refuses the first save as stale, as if another worker had saved meanwhile."""

    def __init__(self, inner: Store) -> None:
        self.inner = inner
        self.stale_left = 1

    async def load_state(self, key: str) -> State:
        return await self.inner.load_state(key)

    async def save_state(self, key: str, state: State, expected_version: int) -> int:
        if self.stale_left:
            self.stale_left -= 1
            await self.inner.save_state(key, State(answers={"log": ["other"]}), expected_version)
            raise StaleStateError(key, expected_version)
        return await self.inner.save_state(key, state, expected_version)


async def test_a_stale_turn_is_redone_on_the_newer_state(sqlite_store: Store) -> None:
    runtime = Runtime(
        store=FlakyStore(sqlite_store),
        runner=SlowRunner(),
        context_provider=FixedContext(),
        engine_handle=echo_handle,
    )
    replies = await runtime.process(KEY, Text("a"))
    assert [r.text for r in replies] == ["got a", "done a"]
    assert (await sqlite_store.load_state(KEY)).answers["log"] == ["other", "a", "done a"]


class NoCatalog:
    async def get(self) -> Context:
        raise UnavailableError(status=0, code="unavailable")


async def test_no_catalog_means_a_busy_reply(sqlite_store: Store) -> None:
    runtime = Runtime(
        store=sqlite_store,
        runner=SlowRunner(),
        context_provider=NoCatalog(),
        engine_handle=echo_handle,
    )
    [reply] = await runtime.process(KEY, Text("a"), lang_hint="en")
    assert reply.kind == "error" and "busy" in reply.text
    assert (await sqlite_store.load_state(KEY)).version == 0


# --- several workers sharing Redis ---------------------------------------------------


@pytest.fixture
async def redis_client() -> AsyncIterator[Any]:
    import redis.asyncio as aioredis
    from redis.exceptions import ConnectionError as RedisConnectionError

    client = aioredis.from_url("redis://127.0.0.1:6379/0")
    try:
        await client.ping()
    except (RedisConnectionError, OSError):
        await client.aclose()
        pytest.skip("no Redis server reachable at 127.0.0.1:6379")
    yield client
    await client.aclose()


async def test_two_workers_serialise_a_chat_through_redis(
    redis_client: Any, sqlite_store: Store
) -> None:
    prefix = f"motcua:test:{uuid.uuid4().hex}:"
    counting = CountingStore(sqlite_store)

    def worker() -> Runtime:
        # Each worker has its own in-process locks, as separate processes would.
        return Runtime(
            store=counting,
            runner=SlowRunner(),
            context_provider=FixedContext(),
            engine_handle=echo_handle,
            locks=ChatLocks(redis_client, timeout=10, prefix=prefix),
        )

    one, two = worker(), worker()
    texts = [str(i) for i in range(10)]
    await asyncio.gather(
        *((one if i % 2 else two).process(KEY, Text(t)) for i, t in enumerate(texts))
    )
    log = (await sqlite_store.load_state(KEY)).answers["log"]
    # Every turn ran whole, never interleaved with another, and none had to be redone.
    assert sorted(log[0::2], key=int) == texts
    assert log[1::2] == [f"done {t}" for t in log[0::2]]
    assert counting.stale == 0


async def test_without_redis_two_workers_collide(sqlite_store: Store) -> None:
    """The control for the test above: separate in-process locks do not serialise."""
    counting = CountingStore(sqlite_store)
    workers = [
        Runtime(
            store=counting,
            runner=SlowRunner(),
            context_provider=FixedContext(),
            engine_handle=echo_handle,
        )
        for _ in range(2)
    ]
    texts = [str(i) for i in range(10)]
    await asyncio.gather(*(workers[i % 2].process(KEY, Text(t)) for i, t in enumerate(texts)))
    assert counting.stale > 0


class CountingStore:
    def __init__(self, inner: Store) -> None:
        self.inner = inner
        self.stale = 0

    async def load_state(self, key: str) -> State:
        return await self.inner.load_state(key)

    async def save_state(self, key: str, state: State, expected_version: int) -> int:
        try:
            return await self.inner.save_state(key, state, expected_version)
        except StaleStateError:
            self.stale += 1
            raise


async def test_a_lock_held_too_long_gives_a_busy_reply(
    redis_client: Any, sqlite_store: Store
) -> None:
    prefix = f"motcua:test:{uuid.uuid4().hex}:"
    holder = redis_client.lock(prefix + KEY, timeout=30)
    assert await holder.acquire()
    runtime = Runtime(
        store=sqlite_store,
        runner=SlowRunner(),
        context_provider=FixedContext(),
        engine_handle=echo_handle,
        locks=ChatLocks(redis_client, prefix=prefix, blocking_timeout=0.2),
    )
    try:
        [reply] = await runtime.process(KEY, Text("a"))
    finally:
        await holder.release()
    assert reply.kind == "error"
    assert (await sqlite_store.load_state(KEY)).version == 0


# --- writes kept while the portal is down ---------------------------------------------


class DownRunner:
    """The portal: refuses every effect while ``down``; records what it received."""

    def __init__(self) -> None:
        self.down = False
        self.received: list[tuple[str, dict[str, Any]]] = []

    async def run(self, effect: Effect, citizen: str) -> EffectResult:
        if self.down:
            error = {"status": 0, "code": "unavailable", "message": {}, "fields": []}
            return EffectResult(effect=effect.name, ok=False, error=error)
        self.received.append((effect.name, effect.params))
        return EffectResult(effect=effect.name, ok=True, value={"echo": effect.params["n"]})


def keeping_handle(state: State, event: Event, ctx: Context) -> Step:
    """Like the engine: a write the portal could not take goes to the outbox."""
    step = Step(state.model_copy(deep=True))
    s = step.state
    if isinstance(event, Text):
        s.saving = {"n": event.text}
        step.effects.append(Effect("save_answers", {"n": event.text}))
    elif isinstance(event, EffectResult) and event.effect.startswith("outbox:"):
        write = s.outbox.pop(0)
        step.replies.append(Reply(f"delivered {write['params']['n']}"))
    elif isinstance(event, EffectResult) and not event.ok:
        s.outbox.append({"name": event.effect, "params": dict(s.saving or {})})
        step.replies.append(Reply("kept"))
    return step


async def test_kept_writes_go_in_order_once_before_the_next_turn(sqlite_store: Store) -> None:
    runner = DownRunner()
    runtime = Runtime(
        store=sqlite_store,
        runner=runner,
        context_provider=FixedContext(),
        engine_handle=keeping_handle,
    )
    runner.down = True
    for text in ("a", "b"):
        assert [r.text for r in await runtime.process(KEY, Text(text))] == ["kept"]
    assert runtime.waiting == {KEY}
    assert [w["params"]["n"] for w in (await sqlite_store.load_state(KEY)).outbox] == ["a", "b"]
    runner.down = False
    replies = await runtime.process(KEY, Text("c"))
    assert [r.text for r in replies] == ["delivered a", "delivered b"]
    assert [p["n"] for _, p in runner.received] == ["a", "b", "c"]
    assert (await sqlite_store.load_state(KEY)).outbox == [] and runtime.waiting == set()


async def test_the_background_retry_delivers_and_sends(sqlite_store: Store) -> None:
    runner = DownRunner()
    runtime = Runtime(
        store=sqlite_store,
        runner=runner,
        context_provider=FixedContext(),
        engine_handle=keeping_handle,
    )
    runner.down = True
    await runtime.process(KEY, Text("a"))
    sent: list[tuple[str, list[str]]] = []

    async def send(key: str, replies: list[Reply]) -> None:
        sent.append((key, [r.text for r in replies]))

    assert await runtime.retry_kept(send) == 1 and sent == []  # still down: kept
    runner.down = False
    assert await runtime.retry_kept(send) == 0
    assert sent == [(KEY, ["delivered a"])] and runner.received == [("save_answers", {"n": "a"})]
    assert await runtime.retry_kept(send) == 0 and len(runner.received) == 1


async def test_the_background_retry_of_another_worker_finds_the_kept_writes(
    sqlite_store: Store,
) -> None:
    """Kept by one worker (then gone: restarted, or serving other chats), delivered by
    the background retry of another, which never saw the chat: found in the store."""
    down, up = DownRunner(), DownRunner()
    down.down = True
    first = Runtime(
        store=sqlite_store,
        runner=down,
        context_provider=FixedContext(),
        engine_handle=keeping_handle,
    )
    await first.process(KEY, Text("a"))
    assert await sqlite_store.waiting_chats() == [KEY]
    other = Runtime(
        store=sqlite_store, runner=up, context_provider=FixedContext(), engine_handle=keeping_handle
    )
    sent: list[tuple[str, list[str]]] = []

    async def send(key: str, replies: list[Reply]) -> None:
        sent.append((key, [r.text for r in replies]))

    assert await other.retry_kept(send) == 0
    assert sent == [(KEY, ["delivered a"])] and up.received == [("save_answers", {"n": "a"})]
    assert await sqlite_store.waiting_chats() == []
    assert await other.retry_kept(send) == 0 and len(up.received) == 1


class Killed(BaseException):
    """The worker dies here: nothing after this line of the turn runs."""


class DyingRunner(SlowRunner):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []

    async def run(self, effect: Effect, citizen: str) -> EffectResult:
        self.calls.append(effect.name)
        raise Killed


def _runtime(store: Store, runner: SlowRunner) -> Runtime:
    return Runtime(
        store=store, runner=runner, context_provider=FixedContext(), engine_handle=echo_handle
    )


async def test_an_update_killed_before_its_commit_runs_again_and_once_after(
    sqlite_store: Store,
) -> None:
    update = ("telegram", 7)
    await _runtime(sqlite_store, SlowRunner()).process(KEY, Text("look"))  # a first turn
    dying = _runtime(sqlite_store, DyingRunner())
    with pytest.raises(Killed):  # killed during the read effect: no checkpoint, no mark
        await dying.process_locked(KEY, Text("look again"), update=update)
    assert not (await sqlite_store.load_turn(KEY, update)).processed
    runtime = _runtime(sqlite_store, SlowRunner())
    replies = await runtime.process_locked(KEY, Text("look again"), update=update)
    assert [r.text for r in replies] == ["got look again", "done look again"]
    assert await runtime.process_locked(KEY, Text("look again"), update=update) == []
    log = (await sqlite_store.load_state(KEY)).answers["log"]
    assert log == ["look", "done look", "look again", "done look again"]


async def test_a_turn_killed_after_its_checkpoint_is_resumed_not_handled_again(
    sqlite_store: Store,
) -> None:
    update = ("telegram", 8)
    dying = _runtime(sqlite_store, DyingRunner())
    with pytest.raises(Killed):  # after the checkpoint before the submit
        await dying.process_locked(KEY, Text("a"), update=update)
    loaded = await sqlite_store.load_turn(KEY, update)
    assert not loaded.processed and loaded.journal is not None
    assert loaded.state.submit_key == "key-a"
    runtime = _runtime(sqlite_store, SlowRunner())
    replies = await runtime.process_locked(KEY, Text("a"), update=update)
    # The event was handled once (its reply kept in the journal); the submit ran again.
    assert [r.text for r in replies] == ["got a", "done a"]
    after = await sqlite_store.load_turn(KEY, update)
    assert after.processed and after.journal is None
    assert after.state.answers["log"] == ["a", "done a"]
    assert await runtime.process_locked(KEY, Text("a"), update=update) == []


async def test_a_turn_that_changes_nothing_still_marks_its_update(sqlite_store: Store) -> None:
    def nothing(state: State, event: Event, ctx: Context) -> Step:
        return Step(state)

    runtime = Runtime(
        store=sqlite_store,
        runner=SlowRunner(),
        context_provider=FixedContext(),
        engine_handle=nothing,
    )
    update = ("telegram", 9)
    await runtime.process_locked(KEY, Text("x"), update=update)
    assert (await sqlite_store.load_turn(KEY, update)).processed


async def test_a_typed_turn_is_one_read_and_one_write_transaction(sqlite_store: Store) -> None:
    """The turn transaction's cost in the bot store: the chat read once (state,
    processed?, chats row), then the state saved with the update marked, in one commit
    (the chats row untouched while nothing in it changes). On a SQLite file these run
    on the store's own sqlite3 connection (bot.store.inline_sqlite), traced here."""

    def note(state: State, ev: Event, ctx: Context) -> Step:
        step = Step(state.model_copy(deep=True))
        step.state.answers.setdefault("log", []).append(str(ev))
        return step

    runtime = Runtime(
        store=sqlite_store, runner=SlowRunner(), context_provider=FixedContext(), engine_handle=note
    )

    async def turn(n: int) -> None:
        update = ("telegram", n)
        loaded = await runtime.load(KEY, update)
        await runtime.process_locked(KEY, Text(f"t{n}"), update=update, loaded=loaded)

    await turn(1)
    seen: list[str] = []
    assert sqlite_store._inline is not None and sqlite_store._inline.conn is not None
    sqlite_store._inline.conn.set_trace_callback(lambda sql: seen.append(sql.split()[0]))
    await turn(2)
    assert seen == ["SELECT", "BEGIN", "UPDATE", "INSERT", "COMMIT"]
