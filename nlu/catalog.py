"""The procedures the NLU knows, read from the catalog: a new procedure needs data only.

Each catalog file (`<catalog>/<slug>.yml`, the portal's) gives the slug, the category,
the names and the aliases. NLU-only words live beside it in `<catalog>/nlu/<slug>.yml`
(optional): more `aliases`, catalog aliases to `ignore` (too ambiguous in a chat
message), and the roles the resolver needs (`extract`/`correction`: the slugs an event's
paper turns into next to "bản sao" or "sửa"; `document: true`: a paper asked for a
purpose is what is meant). The folder is the portal's `CATALOG_DIR` when set.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import yaml

from nlu.normalize import normalize

CATALOG_ENV: Final = "CATALOG_DIR"  # the portal's setting of the same name
NLU_FOLDER: Final = "nlu"
_SUFFIXES: Final = (".yml", ".yaml")
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True, slots=True)
class ProcedureWords:
    slug: str
    category: str
    name_vi: str
    name_en: str
    aliases: tuple[str, ...]  # normalised folded words, space-separated
    extract: str | None = None
    correction: str | None = None
    document: bool = False
    takes_paper: bool = False  # "công chứng giấy khai sinh": the paper named next is its object


def catalog_dir() -> Path:
    """`CATALOG_DIR` when set, else the catalog shipped with the portal package."""
    env = os.environ.get(CATALOG_ENV)
    if env:
        return Path(env)
    # find_spec on the top-level package does not import it (no portal start-up cost).
    spec = importlib.util.find_spec("portal")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the portal package (its catalog data) is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "catalog" / "data"


def _files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in _SUFFIXES)


def catalog_hash(folder: Path | None = None) -> str:
    """Changes whenever a catalog or NLU-alias file changes (part of the model cache key)."""
    folder = folder or catalog_dir()
    digest = hashlib.sha256()
    for path in [*_files(folder), *_files(folder / NLU_FOLDER)]:
        digest.update(path.relative_to(folder).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def phrase_words(text: str) -> str:
    """A name or alias as the engine sees a message: folded, dialect and abbreviations
    resolved, one space between words."""
    return " ".join(w for tok in normalize(text).tokens for w in tok.norm.split())


def _load(path: Path) -> dict[str, Any]:
    doc = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    return doc if isinstance(doc, dict) else {}


def _texts(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [str(v) for v in value.values() if v]
    return [str(value)] if value else []


def read_catalog(folder: Path | None = None) -> tuple[ProcedureWords, ...]:
    """Every procedure of the catalog folder with the words that name it."""
    folder = folder or catalog_dir()
    found: list[ProcedureWords] = []
    for path in _files(folder):
        doc = _load(path)
        slug = str(doc.get("slug") or path.stem)
        extra_path = next(
            (
                folder / NLU_FOLDER / f"{slug}{s}"
                for s in _SUFFIXES
                if (folder / NLU_FOLDER / f"{slug}{s}").is_file()
            ),
            None,
        )
        extra = _load(extra_path) if extra_path else {}
        name = doc.get("name") or {}
        texts = [*_texts(name), *_texts(doc.get("short_name")), *map(str, doc.get("aliases") or [])]
        texts += [str(a) for a in extra.get("aliases") or []]
        ignored = {phrase_words(str(a)) for a in extra.get("ignore") or []}
        aliases: list[str] = []
        for text in texts:
            words = phrase_words(text)
            if words and words not in ignored and words not in aliases:
                aliases.append(words)
        found.append(
            ProcedureWords(
                slug=slug,
                category=str(doc.get("category") or ""),
                name_vi=str(name.get("vi") or slug) if isinstance(name, dict) else slug,
                name_en=str(name.get("en") or slug) if isinstance(name, dict) else slug,
                aliases=tuple(aliases),
                extract=extra.get("extract"),
                correction=extra.get("correction"),
                document=bool(extra.get("document")),
                takes_paper=bool(extra.get("takes_paper")),
            )
        )
    return tuple(found)
