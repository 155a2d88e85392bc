"""DejaVu Sans from the installed matplotlib wheel (full Vietnamese coverage)."""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path

from PIL import ImageFont


@cache
def font_path(bold: bool = False) -> Path:
    # Located without importing matplotlib (its import costs far more than a lookup).
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("matplotlib is not installed: it ships the DejaVu Sans font")
    folder = Path(next(iter(spec.submodule_search_locations))) / "mpl-data" / "fonts" / "ttf"
    path = folder / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
    if not path.is_file():
        raise RuntimeError(f"font missing: {path}")
    return path


@cache
def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_path(bold)), size)
