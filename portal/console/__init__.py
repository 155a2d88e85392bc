"""The clerk's console: ``/staff/`` pages served by the portal itself, rendered on the
server (Jinja2), working without JavaScript. Sign-in with a password and a server-side
session (``portal/services/console_sessions.py``); every action goes through the same
services as the staff API (``portal/services/staff.py``, ``payments.py``)."""

from __future__ import annotations

from portal.console.app import install

__all__ = ["install"]
