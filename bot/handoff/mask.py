"""Masks for what the support group sees: a citizen ID shows as 046******123."""

from __future__ import annotations

import re
from typing import Any

# Citizen IDs (12 digits), old ID cards (9) and phone numbers (10-11): long digit runs.
_DIGITS = re.compile(r"(?<!\d)(\d{3})(\d{3,6})(\d{3})(?!\d)")


def mask_text(text: str) -> str:
    return _DIGITS.sub(lambda m: m.group(1) + "*" * len(m.group(2)) + m.group(3), text)


def mask_value(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}: {mask_value(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(mask_value(v) for v in value)
    return mask_text(str(value))
