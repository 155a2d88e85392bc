"""The public page's address for a tracking code: what every tracking QR encodes."""

from __future__ import annotations

from portal.settings import PortalSettings


def public_url(settings: PortalSettings, code: str) -> str:
    """``PUBLIC_BASE_URL/t/<code>``: any phone camera opens it, no Telegram needed."""
    return f"{settings.public_base_url.rstrip('/')}/t/{code}"
