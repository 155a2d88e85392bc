"""Who is asking, for rate limits: the client's address behind trusted proxies only,
and the citizen the bot vouches for.

X-Forwarded-For is believed only when the direct peer is one of TRUSTED_PROXIES (none
by default), and then only up to the right-most address that is not a trusted proxy:
everything left of it was written by the client and proves nothing.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Iterable

from starlette.requests import Request

from portal.services.identity import CITIZEN_PATTERN
from portal.settings import PortalSettings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class TrustedProxies:
    def __init__(self, entries: Iterable[str] = ()) -> None:
        # A mistyped entry stops the start-up rather than silently trusting nothing.
        self.networks: tuple[Network, ...] = tuple(
            ipaddress.ip_network(e, strict=False) for e in entries
        )

    def __contains__(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in net for net in self.networks)


def client_address(request: Request, trusted: TrustedProxies) -> str:
    peer = request.client.host if request.client else "unknown"
    if peer not in trusted:
        return peer
    hops = [
        hop.strip()
        for header in request.headers.getlist("x-forwarded-for")
        for hop in header.split(",")
        if hop.strip()
    ]
    for hop in reversed(hops):
        if hop not in trusted:
            return hop
    return hops[0] if hops else peer


def vouched_citizen(request: Request, settings: PortalSettings) -> str | None:
    """The X-Citizen of a request carrying the bot's service token, else None."""
    citizen = request.headers.get("x-citizen")
    authorization = request.headers.get("authorization", "")
    if not citizen or authorization[:7].lower() != "bearer ":
        return None
    token = authorization[7:].strip().encode()
    if not hmac.compare_digest(token, settings.bot_service_token.encode()):
        return None
    return citizen if CITIZEN_PATTERN.match(citizen) else None


def rate_limit_key(request: Request, settings: PortalSettings, trusted: TrustedProxies) -> str:
    """The bot's lookups count per citizen (all of them come from the bot's address);
    anyone else's per client address."""
    citizen = vouched_citizen(request, settings)
    if citizen is not None:
        return f"citizen:{citizen}"
    return f"addr:{client_address(request, trusted)}"
