"""Gettext catalogs for every user-facing text.

Message ids are the English texts; `locales/<lang>/LC_MESSAGES/*.po` hold the
translations. Every ``*.po`` file of a language is merged into one catalog so
that parts of the project can keep their strings in files of their own. The
``.po`` files are compiled in memory with Babel at first use, so there is no
build step to forget.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Final

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LANGUAGES: Final = ("vi", "en")
DEFAULT_LANGUAGE: Final = "vi"
LOCALES_DIR: Final = Path(__file__).resolve().parent.parent / "locales"


def N_(message: str) -> str:
    """Mark a string for extraction without translating it (gettext convention)."""
    return message


@cache
def translations(lang: str) -> gettext.NullTranslations:
    folder = LOCALES_DIR / lang / "LC_MESSAGES"
    files = sorted(folder.glob("*.po")) if folder.is_dir() else []
    if not files:
        return gettext.NullTranslations()
    merged = Catalog(locale=lang)
    for path in files:
        with path.open("rb") as fh:
            for message in read_po(fh, locale=lang):
                if message.id and message.string and not message.fuzzy:
                    merged.add(message.id, message.string)
    buf = io.BytesIO()
    write_mo(buf, merged)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


def normalize_language(lang: str | None) -> str:
    """Map 'vi-VN', 'en_US', None ... onto a supported language code."""
    if not lang:
        return DEFAULT_LANGUAGE
    code = lang.replace("_", "-").split("-", 1)[0].lower()
    return code if code in LANGUAGES else "en" if code else DEFAULT_LANGUAGE


def gettext_(message: str, lang: str, /, **params: object) -> str:
    """Translate and fill in ``{params}``; a param given as a mapping of language to
    text (e.g. a procedure name ``{"vi": ..., "en": ...}``) is picked per language."""
    lang = normalize_language(lang)
    text = translations(lang).gettext(message)
    if not params:
        return text
    values = {
        k: v.get(lang, next(iter(v.values()))) if isinstance(v, Mapping) else v
        for k, v in params.items()
    }
    return text.format(**values)


def localized(message: str, /, **params: object) -> dict[str, str]:
    """The message in every supported language, e.g. for API error bodies."""
    return {lang: gettext_(message, lang, **params) for lang in LANGUAGES}
