"""Rendered papers kept on disk, so each is drawn once per application and what it shows.

A paper (the payment card, the receipt, the VietQR picture) costs tens of milliseconds
of CPU to draw and encode, and the bot fetches it after every submit; drawing it on each
request was most of the portal's CPU per turn. The file lives in the application's own
folder under UPLOAD_DIR (``<app id>/papers/``), which every portal worker already shares
for the documents, and goes with that folder when the application is erased.

The file's name carries a digest of everything drawn on it (the texts, the QR payload,
the language, the format) and of the drawing code itself, so a change of what it shows
(a payment made, a fee changed, a status moved on, a new layout) names another file: it
is drawn anew and the stale one removed. Nothing has to remember to invalidate it."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from functools import cache
from importlib.metadata import version
from pathlib import Path

from kernel import qr

FOLDER = "papers"
_SOURCES = ("drawing.py", "card.py", "receipt.py", "fonts.py", "cache.py")


@cache
def layout_digest() -> str:
    """The drawing code and the libraries that draw: a new layout names new files."""
    h = hashlib.sha256(f"{version('pillow')}|{version('fpdf2')}|{version('segno')}".encode())
    here = Path(__file__).parent
    for path in [*(here / name for name in _SOURCES), Path(qr.__file__)]:
        h.update(path.read_bytes())
    return h.hexdigest()


def paper_path(upload_dir: Path, app_id: str, name: str, shows: str) -> Path:
    """Where the paper ``name`` (``stem.ext``, one dot: ``card-vi.png``) of an application
    lives while it shows ``shows``."""
    digest = hashlib.sha256(f"{layout_digest()}\0{name}\0{shows}".encode()).hexdigest()[:24]
    stem, ext = name.split(".")
    return upload_dir / app_id / FOLDER / f"{stem}.{digest}.{ext}"


def cached_paper(
    upload_dir: Path, app_id: str, name: str, shows: str, render: Callable[[], bytes]
) -> bytes:
    """The paper ``name`` from disk, or ``render()`` written there first. ``shows`` is
    everything the paper shows (its digest names the file). Two workers drawing the
    same paper at once write the same bytes: each replaces the file atomically."""
    path = paper_path(upload_dir, app_id, name, shows)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    data = render()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _remove_stale(path)
    return data


def _remove_stale(current: Path) -> None:
    """Older versions of the same paper (what it showed has changed)."""
    stem, _, ext = current.name.split(".")
    for other in current.parent.glob(f"{stem}.*.{ext}"):
        if other != current:
            other.unlink(missing_ok=True)
