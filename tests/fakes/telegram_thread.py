"""Running the fake Bot API in a background thread with its own event loop.

For tests where the bot runs in a subprocess and the test itself is synchronous
(or must not share its loop with the server): every attribute of the fake is
reached through the handle and runs inside the server's loop, so

    with FakeTelegram.run_in_thread() as tg:
        tg.user_sends_text(42, "xin chào")                 # runs in the server loop
        messages = tg.wait_for_messages(42, 1, timeout=10)  # blocks this thread

From async code, `await tg.acall("wait_for_messages", 42, 1)` waits without
blocking the caller's loop.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import copy
import inspect
import threading
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .telegram_api import FakeTelegram


class ThreadedFakeTelegram:
    def __init__(self, fake: FakeTelegram) -> None:
        self.fake = fake
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._serve, name="fake-telegram", daemon=True)
        self._started = threading.Event()
        self._error: BaseException | None = None

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self.fake.start())
        except BaseException as exc:
            self._error = exc
            self._started.set()
            return
        self._started.set()
        self._loop.run_forever()
        self._loop.run_until_complete(self._loop.shutdown_asyncgens())
        self._loop.close()

    def start(self) -> ThreadedFakeTelegram:
        self._thread.start()
        self._started.wait()
        if self._error is not None:
            raise RuntimeError("the fake Telegram server did not start") from self._error
        return self

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        asyncio.run_coroutine_threadsafe(self.fake.stop(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    def __enter__(self) -> ThreadedFakeTelegram:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def api_base(self) -> str:
        return self.fake.api_base

    def _submit(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run `function` in the server loop; returns a concurrent future."""
        if inspect.iscoroutinefunction(function):
            return asyncio.run_coroutine_threadsafe(function(*args, **kwargs), self._loop)
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()

        def run() -> None:
            try:
                future.set_result(function(*args, **kwargs))
            except BaseException as exc:
                future.set_exception(exc)

        self._loop.call_soon_threadsafe(run)
        return future

    def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """Call a method of the fake in its loop and block until it returns."""
        return self._submit(getattr(self.fake, name), *args, **kwargs).result()

    async def acall(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """Like `call`, awaited from another event loop without blocking it."""
        return await asyncio.wrap_future(self._submit(getattr(self.fake, name), *args, **kwargs))

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name == "fake":
            raise AttributeError(name)
        attribute = getattr(self.fake, name)
        if callable(attribute):
            return lambda *args, **kwargs: self._submit(attribute, *args, **kwargs).result()
        # Plain data: copied inside the server loop so it is never seen mid-change.
        return self._submit(lambda: copy.deepcopy(getattr(self.fake, name))).result()
