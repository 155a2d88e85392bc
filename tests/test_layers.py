"""Which package may import which (issue #15: one composition root, a kernel).

Every module's imports are read with `ast` (also those inside functions and under
TYPE_CHECKING) and each arrow between the project's packages is checked against
ALLOWED, so a new arrow is a decision made here, not an accident. `motcua/` wires
the parts and nobody imports it; `kernel/` imports none of ours.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("backend_client", "bot", "dialogs", "kernel", "motcua", "nlu", "portal")

# package -> the packages of ours it may import (what is true after the move, no more).
ALLOWED: dict[str, frozenset[str]] = {
    "kernel": frozenset(),
    "backend_client": frozenset({"kernel"}),
    "nlu": frozenset(),
    "portal": frozenset({"kernel"}),
    "dialogs": frozenset({"backend_client", "nlu", "kernel"}),
    "bot": frozenset({"backend_client", "dialogs", "nlu", "kernel"}),
    "motcua": frozenset({"backend_client", "bot", "dialogs", "nlu", "portal", "kernel"}),
}


def modules(package: str) -> Iterator[tuple[str, Path]]:
    """(dotted module name, path) of every module in the package."""
    for path in sorted((ROOT / package).rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("")
        parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
        yield ".".join(parts), path


def imported(module: str, path: Path) -> Iterator[tuple[str, int]]:
    """(absolute dotted name, line) of everything the module imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this module's package
                base = module.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            yield name, node.lineno
            for alias in node.names:  # `from pkg import submodule`
                yield f"{name}.{alias.name}", node.lineno


def arrows() -> Iterator[tuple[str, str, str, str]]:
    """(from package, to package, imported name, where) for every import of ours that
    crosses a package boundary."""
    for package in PACKAGES:
        for module, path in modules(package):
            for name, line in imported(module, path):
                target = name.split(".", 1)[0]
                if target in PACKAGES and target != package:
                    yield package, target, name, f"{path.relative_to(ROOT)}:{line}"


def test_every_package_is_in_the_table() -> None:
    on_disk = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests", "benchmarks"}
    assert on_disk == set(PACKAGES) == set(ALLOWED)


@pytest.mark.parametrize("package", PACKAGES)
def test_only_the_allowed_arrows(package: str) -> None:
    wrong = [
        f"{where}: {package} → {target} ({name})"
        for source, target, name, where in arrows()
        if source == package and target not in ALLOWED[package]
    ]
    assert not wrong, "\n".join(wrong)


def test_the_table_is_strict() -> None:
    """Every allowed arrow is used: a table wider than the code hides the next slip."""
    used = {(source, target) for source, target, _, _ in arrows()}
    unused = [(p, t) for p, targets in ALLOWED.items() for t in targets if (p, t) not in used]
    assert not unused


def test_no_cycle_between_packages() -> None:
    graph: dict[str, set[str]] = {p: set() for p in PACKAGES}
    for source, target, _, _ in arrows():
        graph[source].add(target)
    done: set[str] = set()

    def visit(node: str, path: tuple[str, ...]) -> None:
        assert node not in path, " → ".join([*path, node])
        if node in done:
            return
        for nxt in sorted(graph[node]):
            visit(nxt, (*path, node))
        done.add(node)

    for package in PACKAGES:
        visit(package, ())


def test_nothing_imports_the_composition_root() -> None:
    assert not [where for _, target, _, where in arrows() if target == "motcua"]


def test_no_package_imports_another_packages_private_modules() -> None:
    wrong = [
        f"{where}: {name}"
        for _, _, name, where in arrows()
        if any(part.startswith("_") for part in name.split(".")[1:])
    ]
    assert not wrong, "\n".join(wrong)
