"""Load the catalog folder (one YAML file per procedure) and report every problem in
every file with its line, so a ward clerk editing the data can fix them all in one go
without reading code."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from kernel.i18n import N_
from portal.catalog.catalog import Catalog
from portal.catalog.checks import check_references
from portal.catalog.issues import CatalogError, CatalogIssue
from portal.catalog.schema import Procedure
from portal.catalog.source import Source, SyntaxProblem, duplicate_keys, line_of, locate, parse

DATA_DIR = Path(__file__).resolve().parent / "data"
SUFFIXES = (".yml", ".yaml")

NO_FOLDER = N_("there is no catalog folder here")
NO_FILES = N_("the catalog folder has no .yml files")
UNREADABLE = N_("cannot read the file: {error}")
SYNTAX = N_("YAML syntax error: {problem}")
EMPTY = N_("the file is empty")
NOT_A_MAPPING = N_("the file must be a list of keys (slug:, name:, ...), not a single value")
DUPLICATE_KEY = N_("this key is given twice (first on line {first}); keep only one")
SLUG_NOT_FILENAME = N_("the slug '{slug}' must be the file name without its ending ('{stem}')")
SLUG_TWICE = N_("the slug '{slug}' is also used in {other}")

# Pydantic's error types in words a clerk can act on.
_ERROR_TYPES: Mapping[str, str] = {
    "missing": N_("this key is required"),
    "extra_forbidden": N_("unknown key; check its spelling"),
    "string_type": N_("must be text"),
    "string_too_short": N_("must not be empty"),
    "string_pattern_mismatch": N_(
        "must be a name in lowercase letters, digits and _, starting with a letter"
    ),
    "int_type": N_("must be a whole number"),
    "int_parsing": N_("must be a whole number"),
    "int_from_float": N_("must be a whole number"),
    "bool_type": N_("must be true or false"),
    "bool_parsing": N_("must be true or false"),
    "list_type": N_("must be a list (one '- item' per line)"),
    "dict_type": N_("must be a group of keys (key: value)"),
    "model_type": N_("must be a group of keys (key: value)"),
    "model_attributes_type": N_("must be a group of keys (key: value)"),
    "literal_error": N_("must be one of {expected}"),
}
# The schema's own fixed messages, so they are translated too.
_SCHEMA_MESSAGES: Mapping[str, str] = {
    m: m
    for m in (
        N_("working_days processing needs days >= 1"),
        N_("same_day processing takes no days"),
        N_("per_page fee needs tiers and pages_field"),
        N_("by_channel fee needs online and counter amounts"),
        N_("fixed fee needs a positive amount"),
    )
}


def _dotted(path: Sequence[int | str]) -> str:
    return ".".join(str(part) for part in path)


def _schema_issues(name: str, source: Source, error: ValidationError) -> list[CatalogIssue]:
    issues: list[CatalogIssue] = []
    seen: set[tuple[int, str]] = set()
    for err in error.errors():
        loc = tuple(p for p in err["loc"] if isinstance(p, (int, str)))
        line, depth = locate(source.root, loc)
        # Past the found part, a location names a missing key (keep it) or a member of
        # a union type ('str', 'int', ...: drop it, the line says enough).
        shown = loc[: depth + 1] if err["type"] == "missing" else loc[:depth]
        path = _dotted(shown)
        if (line, path) in seen:  # one union value fails once per member type
            continue
        seen.add((line, path))
        issues.append(_from_pydantic(name, line, path, err))
    return issues


def _from_pydantic(name: str, line: int, path: str, err: ErrorDetails) -> CatalogIssue:
    ctx = err.get("ctx") or {}
    template = _ERROR_TYPES.get(err["type"])
    if template:
        params = {k: v for k, v in ctx.items() if "{" + k + "}" in template}
        if "expected" in params:  # "'a', 'b' or 'c'": the "or" would stay English
            params["expected"] = str(params["expected"]).replace(" or ", ", ")
        return CatalogIssue.of(name, line, template, path, **params)
    message = err["msg"].removeprefix("Value error, ")
    if message in _SCHEMA_MESSAGES:
        return CatalogIssue.of(name, line, _SCHEMA_MESSAGES[message], path)
    # Other wording (pydantic's or the schema's own with names in it): English only.
    return CatalogIssue(name, line, f"{path}: {message}" if path else message)


def _read(path: Path) -> tuple[Procedure | None, list[CatalogIssue], int]:
    """The procedure in one file (None if it has any problem), its problems, and the
    line of its slug."""
    name = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [CatalogIssue.of(name, None, UNREADABLE, error=exc)], 1
    try:
        source = parse(text)
    except SyntaxProblem as exc:
        return None, [CatalogIssue.of(name, exc.line, SYNTAX, problem=exc.problem)], 1
    if source is None:
        return None, [CatalogIssue.of(name, 1, EMPTY)], 1
    data: Any = source.data
    if not isinstance(data, dict):
        return None, [CatalogIssue.of(name, source.root.start_mark.line + 1, NOT_A_MAPPING)], 1

    issues = [
        CatalogIssue.of(name, dup.line, DUPLICATE_KEY, _dotted(dup.path), first=dup.first_line)
        for dup in duplicate_keys(source.root)
    ]
    findings = check_references(data)
    issues += [
        CatalogIssue.of(name, line_of(source.root, f.path), f.template, _dotted(f.path), **f.params)
        for f in findings
    ]
    procedure: Procedure | None = None
    try:
        procedure = Procedure.model_validate(data)
    except ValidationError as exc:
        schema_issues = _schema_issues(name, source, exc)
        if findings:
            # The model's own cross-reference check says the same as the findings,
            # only without a line: keep the findings.
            schema_issues = [i for i in schema_issues if i.path]
        issues += schema_issues
    slug = data.get("slug")
    slug_line = line_of(source.root, ("slug",))
    if isinstance(slug, str) and slug != path.stem:
        issues.append(
            CatalogIssue.of(name, slug_line, SLUG_NOT_FILENAME, "slug", slug=slug, stem=path.stem)
        )
    issues.sort(key=lambda i: i.line or 0)
    return (None if issues else procedure), issues, slug_line


def _files(folder: Path) -> list[Path]:
    return sorted(
        p for p in folder.iterdir() if p.suffix in SUFFIXES and not p.name.startswith(".")
    )


def _scan(folder: Path) -> tuple[list[Procedure], list[CatalogIssue]]:
    if not folder.is_dir():
        return [], [CatalogIssue.of(str(folder), None, NO_FOLDER)]
    files = _files(folder)
    if not files:
        return [], [CatalogIssue.of(str(folder), None, NO_FILES)]
    procedures: list[Procedure] = []
    issues: list[CatalogIssue] = []
    seen: dict[str, str] = {}
    for path in files:
        procedure, found, slug_line = _read(path)
        issues += found
        if procedure is None:
            continue
        if procedure.slug in seen:
            issues.append(
                CatalogIssue.of(
                    path.name,
                    slug_line,
                    SLUG_TWICE,
                    "slug",
                    slug=procedure.slug,
                    other=seen[procedure.slug],
                )
            )
            continue
        seen[procedure.slug] = path.name
        procedures.append(procedure)
    return procedures, issues


def check_catalog(folder: Path | None = None) -> list[CatalogIssue]:
    """Every problem in every file of ``folder`` (default: the packaged catalog); an
    empty list means the catalog loads."""
    return _scan(folder or DATA_DIR)[1]


def load_catalog(folder: Path | None = None) -> Catalog:
    """The catalog in ``folder`` (default: the packaged data); raises CatalogError
    listing every problem when any file is wrong."""
    procedures, issues = _scan(folder or DATA_DIR)
    if issues:
        raise CatalogError(issues)
    return Catalog(procedures)
