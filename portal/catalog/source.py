"""A catalog file read twice over: as plain data for validation, and as the YAML node
tree that remembers where every key and item sits, so that any problem found in the
data can be reported on the line a clerk has to edit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml

Path = Sequence[int | str]  # keys and list indexes from the document root


@dataclass(frozen=True)
class Source:
    data: Any
    root: yaml.Node


@dataclass(frozen=True)
class DuplicateKey:
    path: tuple[int | str, ...]
    line: int  # of the repeated key, 1-based
    first_line: int


class SyntaxProblem(Exception):
    def __init__(self, line: int | None, problem: str) -> None:
        super().__init__(problem)
        self.line = line
        self.problem = problem


def parse(text: str) -> Source | None:
    """The data and node tree of a one-document YAML text; None when it is empty.

    Raises SyntaxProblem with the line of the first YAML error.
    """
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None
        data = loader.construct_document(root)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = "; ".join(p for p in (exc.context, exc.problem) if p) or str(exc)
        raise SyntaxProblem(mark.line + 1 if mark else None, problem) from exc
    except yaml.YAMLError as exc:
        raise SyntaxProblem(None, str(exc)) from exc
    finally:
        loader.dispose()
    return Source(data, root)


def duplicate_keys(node: yaml.Node, path: tuple[int | str, ...] = ()) -> list[DuplicateKey]:
    """Every key given twice in one mapping (plain YAML silently keeps the last)."""
    found: list[DuplicateKey] = []
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key, value in node.value:
            line = key.start_mark.line + 1
            if isinstance(key, yaml.ScalarNode):
                if key.value in seen:
                    found.append(DuplicateKey((*path, key.value), line, seen[key.value]))
                else:
                    seen[key.value] = line
            found += duplicate_keys(value, (*path, str(key.value)))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            found += duplicate_keys(item, (*path, index))
    return found


def locate(root: yaml.Node, path: Path) -> tuple[int, int]:
    """The line (1-based) of the deepest part of ``path`` present in the file, and how
    many parts of ``path`` were found there (the rest are missing from the file)."""
    node = root
    line = node.start_mark.line + 1
    for depth, part in enumerate(path):
        if isinstance(node, yaml.MappingNode):
            # The last occurrence of a key is the one whose value counts.
            pairs = [(k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode)]
            match = [(k, v) for k, v in pairs if k.value == str(part)]
            if not match:
                return line, depth
            key, node = match[-1]
            line = key.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if not 0 <= part < len(node.value):
                return line, depth
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line, depth
    return line, len(path)


def line_of(root: yaml.Node, path: Path) -> int:
    return locate(root, path)[0]
