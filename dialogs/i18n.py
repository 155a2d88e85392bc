"""Texts of the conversation: English message ids, Vietnamese through the catalogs."""

from __future__ import annotations

from datetime import date

from babel.dates import format_date

from kernel.i18n import N_, gettext_

__all__ = ["N_", "fmt_date", "t"]


def t(lang: str, message: str, /, **params: object) -> str:
    return gettext_(message, lang, **params)


def fmt_date(value: date | str | None, lang: str) -> str:
    """dd/mm/yyyy for everyone: it is how dates are written on Vietnamese papers."""
    if value is None:
        return "-"
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return format_date(value, "dd/MM/yyyy", locale="vi" if lang == "vi" else "en")
