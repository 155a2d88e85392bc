"""HTTP plumbing: one request with timeouts, retries with backoff, error mapping."""

from __future__ import annotations

import asyncio
import json as jsonlib
import logging
import random
from collections.abc import Mapping
from typing import Any

import aiohttp
import httpx
from httpx_aiohttp import AiohttpTransport

from backend_client._errors import BackendError, RateLimitedError, UnavailableError
from kernel.i18n import N_, localized

log = logging.getLogger("backend_client")

RETRYABLE_STATUS = {429, 502, 503, 504, 500}
# A person is waiting on the other side of the chat: never sit out a longer pause.
MAX_RETRY_AFTER = 5.0


def _seconds(value: str | None) -> float:
    try:
        return float(value) if value else 0.0
    except ValueError:
        return 0.0


class Reply:
    """A portal answer, read whole: what the clients use of it."""

    __slots__ = ("content", "headers", "status_code")

    def __init__(self, status_code: int, headers: Mapping[str, str], content: bytes) -> None:
        self.status_code = status_code
        self.headers = headers  # case-insensitive (aiohttp's or httpx's)
        self.content = content

    def json(self) -> Any:
        return jsonlib.loads(self.content)


class _Retryable(Exception):
    def __init__(self, response: Reply | None, cause: Exception | None = None) -> None:
        self.response = response
        self.cause = cause
        super().__init__(str(cause or response))


def _retry_after(exc: _Retryable) -> float:
    if exc.response is not None:
        return min(_seconds(exc.response.headers.get("Retry-After")), MAX_RETRY_AFTER)
    return 0.0


class _NetworkTransport(AiohttpTransport):
    """httpx over aiohttp, telling "could not connect" (nothing was sent: safe to
    retry any call) apart from a connection lost later, which httpx-aiohttp maps to
    the same ConnectTimeout."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await super().handle_async_request(request)
        except httpx.TransportError as exc:
            if isinstance(exc.__cause__, aiohttp.ClientConnectorError):
                raise httpx.ConnectError(str(exc), request=request) from exc.__cause__
            raise


class Transport:
    """Owns the httpx transport. ``transport`` is the seam tests replace (e.g. an
    ``httpx.ASGITransport`` over the portal app, no socket involved). Over the network
    requests go through aiohttp (already the bot's HTTP stack): a third of httpcore's
    CPU per request, measured in benchmarks/dialogs.py, where the client is on the
    path of most conversation turns."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float = 10.0,
        retries: int = 3,
        backoff: float = 0.2,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.retries = retries
        self.backoff = backoff
        # Requests go straight to the transport, without httpx.AsyncClient: its URL
        # merging, cookie jar, auth and redirect machinery were a third of the client's
        # CPU per call (py-spy, benchmarks/dialogs.py), and the portal uses none of them.
        self._base = base_url.rstrip("/")
        self._headers = {
            "Accept": "*/*",
            "Accept-Encoding": "gzip, deflate",
            "Connection": "keep-alive",
            "Authorization": f"Bearer {token}",
            "User-Agent": "motcua-backend-client",
        }
        self._timeout = httpx.Timeout(timeout, connect=min(timeout, 5.0)).as_dict()
        # What httpx-aiohttp makes of that timeout, built once for the direct path.
        self._aiohttp_timeout = aiohttp.ClientTimeout(
            sock_connect=self._timeout["connect"],
            sock_read=self._timeout["read"],
            connect=self._timeout["pool"],
        )
        self._json_headers = self._headers | {"Content-Type": "application/json"}
        # The network transport, when no test replaced it: requests without files then
        # skip httpx (see _send_direct).
        self._network: _NetworkTransport | None = None
        self._transport: httpx.AsyncBaseTransport
        if transport is None:
            self._transport = self._network = _NetworkTransport()
        else:
            self._transport = transport

    async def aclose(self) -> None:
        await self._transport.aclose()

    async def _send(self, request: httpx.Request) -> Reply:
        response = await self._transport.handle_async_request(request)
        try:
            await response.aread()
        finally:
            await response.aclose()
        return Reply(response.status_code, response.headers, response.content)

    async def _send_direct(
        self,
        network: _NetworkTransport,
        method: str,
        url: str,
        headers: Mapping[str, str],
        body: bytes | None,
        params: Mapping[str, Any] | None,
    ) -> Reply:
        """Over the network, a request without files goes to aiohttp directly, on the
        session the httpx transport uses: building httpx's request and response
        around it, and reading the body as a stream through them, was most of the
        client's own CPU per call (py-spy, benchmarks/dialogs.py). Errors are told
        apart as httpx-aiohttp does (see _NetworkTransport)."""
        if not isinstance(network.client, aiohttp.ClientSession):
            network.client = network.get_client()
        session = network.client
        try:
            async with session.request(
                method,
                url,
                params=params,
                data=body,
                headers=headers,
                allow_redirects=False,
                timeout=self._aiohttp_timeout,
            ) as response:
                content = await response.read()
        except aiohttp.ClientConnectorError as exc:
            raise httpx.ConnectError(str(exc)) from exc
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise httpx.TransportError(str(exc) or type(exc).__name__) from exc
        return Reply(response.status, response.headers, content)

    async def request(
        self,
        method: str,
        path: str,
        *,
        idempotent: bool,
        citizen: str | None = None,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        files: Any = None,
        data: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> Reply:
        """Send once, or several times when it is safe: idempotent calls are retried on
        connection failures, timeouts, 5xx and 429; other calls only when the
        connection failed before anything was sent."""
        network = self._network if files is None and data is None else None
        body: bytes | None = None
        if network is not None and json is not None:
            # As httpx encodes it.
            body = jsonlib.dumps(
                json, ensure_ascii=False, separators=(",", ":"), allow_nan=False
            ).encode()
            all_headers = self._json_headers | dict(headers or {})
        else:
            all_headers = self._headers | dict(headers or {})
        if citizen:
            all_headers["X-Citizen"] = citizen
        url = self._base + path

        async def once() -> Reply:
            try:
                if network is not None:
                    response = await self._send_direct(
                        network, method, url, all_headers, body, params
                    )
                else:
                    response = await self._send(
                        httpx.Request(
                            method,
                            url,
                            json=json,
                            params=params,
                            files=files,
                            data=data,
                            headers=all_headers,
                            extensions={"timeout": self._timeout},
                        )
                    )
            except httpx.ConnectError as exc:
                # Refused or unresolvable: nothing was sent, so any call may be retried.
                # (A ConnectTimeout is not: over aiohttp it may be a connection
                # dropped after the request went out.)
                raise _Retryable(None, exc) from exc
            except httpx.TransportError as exc:
                if idempotent:
                    raise _Retryable(None, exc) from exc
                # It may have been handled: not sent again, and the caller says "busy".
                log.warning("%s %s failed, not retried: %r", method, path, exc)
                raise UnavailableError(status=0, code="unavailable", message=_UNAVAILABLE) from exc
            if idempotent and response.status_code in RETRYABLE_STATUS:
                if _seconds(response.headers.get("Retry-After")) > MAX_RETRY_AFTER:
                    return response  # a long wait is the caller's decision, not ours
                raise _Retryable(response)
            return response

        # A plain loop rather than a retry library: the first attempt, which nearly
        # always succeeds, then costs nothing beyond the request itself.
        attempts = max(1, self.retries + 1)
        for attempt in range(1, attempts + 1):
            try:
                response = await once()
                break
            except _Retryable as exc:
                if attempt == attempts:
                    if exc.response is not None:
                        return _raise_for(exc.response)
                    raise UnavailableError(
                        status=0, code="unavailable", message=_UNAVAILABLE
                    ) from exc
                await asyncio.sleep(max(_retry_after(exc), self._backoff(attempt)))
        return _raise_for(response)

    def _backoff(self, attempt: int) -> float:
        """Exponential with jitter, as tenacity's wait_exponential_jitter: the pause
        after the ``attempt``-th try."""
        return min(self.backoff * 2.0 ** (attempt - 1) + random.uniform(0, self.backoff), 5.0)


_UNAVAILABLE = localized(
    N_("The ward's system is busy or unreachable. Please try again in a few minutes.")
)


def _raise_for(response: Reply) -> Reply:
    if response.status_code < 400:
        return response
    try:
        body = response.json()
    except ValueError:
        body = None
    error = BackendError.from_body(response.status_code, body)
    if isinstance(error, UnavailableError) and not error.message:
        error.message = dict(_UNAVAILABLE)
    if isinstance(error, RateLimitedError) and not error.message:
        error.message = dict(_UNAVAILABLE)
    raise error
