"""Load the catalog folder (one YAML file per procedure) and report every error with
its file and line, so a ward clerk editing data can fix it without reading code."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from portal.catalog.catalog import Catalog
from portal.catalog.schema import Procedure

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class CatalogIssue:
    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


class CatalogError(Exception):
    def __init__(self, issues: list[CatalogIssue]) -> None:
        self.issues = issues
        super().__init__("\n".join(str(i) for i in issues))


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key given twice in one mapping (YAML would keep the last)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"the key {key!r} appears twice (first on line {seen[key] + 1})",
                    key_node.start_mark,
                )
            seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)


def _line_of(node: yaml.Node | None, loc: tuple[int | str, ...]) -> int | None:
    """Follow a pydantic error location through the YAML node tree to a line number."""
    if node is None:
        return None
    line = node.start_mark.line + 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            child = next(
                (
                    (k, v)
                    for k, v in node.value
                    if isinstance(k, yaml.ScalarNode) and k.value == part
                ),
                None,
            )
            if child is None:
                return line
            line, node = child[0].start_mark.line + 1, child[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                return line
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def _read(path: Path) -> tuple[Procedure | None, list[CatalogIssue]]:
    name = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [CatalogIssue(name, None, f"cannot read the file: {exc}")]
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        return None, [CatalogIssue(name, line, f"YAML: {exc.problem or exc}")]
    except yaml.YAMLError as exc:
        return None, [CatalogIssue(name, None, f"YAML: {exc}")]
    if not isinstance(data, dict):
        return None, [CatalogIssue(name, 1, "the file must be a mapping of keys to values")]
    try:
        procedure = Procedure.model_validate(data)
    except ValidationError as exc:
        issues = []
        for err in exc.errors():
            loc = tuple(p for p in err["loc"] if isinstance(p, (int, str)))
            # Model-level validators report at the model: drop the trailing tag parts.
            path_text = ".".join(str(p) for p in loc) or "(file)"
            message = err["msg"].removeprefix("Value error, ")
            issues.append(CatalogIssue(name, _line_of(node, loc), f"{path_text}: {message}"))
        return None, issues
    if procedure.slug != path.stem:
        line = _line_of(node, ("slug",))
        return None, [
            CatalogIssue(
                name, line, f"slug {procedure.slug!r} must match the file name {path.stem!r}"
            )
        ]
    return procedure, []


def _scan(folder: Path) -> tuple[list[Procedure], list[CatalogIssue]]:
    if not folder.is_dir():
        return [], [CatalogIssue(str(folder), None, "no such catalog folder")]
    files = sorted([*folder.glob("*.yml"), *folder.glob("*.yaml")])
    if not files:
        return [], [CatalogIssue(str(folder), None, "the catalog folder has no .yml files")]
    procedures: list[Procedure] = []
    issues: list[CatalogIssue] = []
    seen: dict[str, str] = {}
    for path in files:
        procedure, found = _read(path)
        issues += found
        if procedure is None:
            continue
        if procedure.slug in seen:
            issues.append(
                CatalogIssue(
                    path.name, None, f"slug {procedure.slug!r} is also in {seen[procedure.slug]}"
                )
            )
            continue
        seen[procedure.slug] = path.name
        procedures.append(procedure)
    return procedures, issues


def check_catalog(folder: Path | None = None) -> list[CatalogIssue]:
    """Every problem in every file; an empty list means the catalog is valid."""
    return _scan(folder or DATA_DIR)[1]


def load_catalog(folder: Path | None = None) -> Catalog:
    procedures, issues = _scan(folder or DATA_DIR)
    if issues:
        raise CatalogError(issues)
    return Catalog(procedures)
