"""The portal served over a real TCP socket (uvicorn in a thread), for tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import FastAPI

from motcua.demo import PortalThread


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    thread = PortalThread(app).start()
    try:
        yield thread.url
    finally:
        thread.stop()
