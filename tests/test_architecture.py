"""The package's layers hold: no import circle in ``simulator/`` and no import from a layer above.

The import graph is read from the source (``ast``), with every import counted wherever it is
written: at the top, inside a function (a lazy import is still a dependency) and under
``TYPE_CHECKING`` (a type from a higher layer is still knowledge of it). docs/architecture.md
("Layers") shows the same table.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from tests.conftest import REPO

PACKAGE = REPO / "simulator"

#: The layers, lowest first: a module may import from its own layer and the ones below it.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("simulator", "simulator.paths"),
    ("simulator.exam",),
    ("simulator.datasets",),
    ("simulator.grading",),
    ("simulator.storage",),
    ("simulator.training",),
    ("simulator.session",),
    ("simulator.colab",),
    ("simulator.report",),
    ("simulator.tui", "simulator.serve"),
    ("simulator.cli",),
    # The top: the authors' stable API re-exports from every layer; ``python -m simulator``.
    ("simulator.authoring", "simulator.__main__"),
)


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imported(name: str, path: Path, known: set[str]) -> Iterator[str]:
    """Every tfexam module that ``name`` imports, wherever in the file the import is written."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # ``from pkg import mod`` imports the module ``pkg.mod``; ``from mod import name``
            # imports ``mod``.
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                for alias in node.names
            ]
        else:
            continue
        yield from (target for target in targets if target in known)


def graph() -> dict[str, set[str]]:
    found = modules()
    known = set(found)
    return {name: set(imported(name, path, known)) - {name} for name, path in found.items()}


def layer(name: str) -> int:
    """The index in :data:`LAYERS` of the entry that is ``name`` or a package above it."""
    best = max(
        (
            (len(prefix), index)
            for index, prefixes in enumerate(LAYERS)
            for prefix in prefixes
            if name == prefix or name.startswith(prefix + ".")
        ),
        default=None,
    )
    assert best is not None, f"{name} is in no layer: add it to LAYERS (and docs/architecture.md)"
    return best[1]


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return sorted(found)


def test_the_graph_sees_every_kind_of_import(tmp_path: Path) -> None:
    """Top-level, relative, in-function and TYPE_CHECKING imports are all edges."""
    source = tmp_path / "simulator" / "report" / "x.py"
    source.parent.mkdir(parents=True)
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "from simulator.session import events\n"
        "from . import values\n"
        "if TYPE_CHECKING:\n"
        "    from simulator.tui.app import ExamApp\n"
        "def f():\n"
        "    import simulator.cli\n"
    )
    known = {"simulator.session.events", "simulator.report.values", "simulator.tui.app"}
    known |= {"simulator.cli", "simulator.session"}
    found = set(imported("simulator.report.x", source, known))
    assert found == known - {"simulator.session"}


def test_cycles_are_found() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(edges) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_every_module_has_a_layer() -> None:
    for name in modules():
        layer(name)
    assert layer("simulator.report.build") > layer("simulator.session.facade")
    assert layer("simulator.authoring") > layer("simulator.cli")


def test_no_import_circle() -> None:
    found = cycles(graph())
    assert not found, "import circles in simulator/:\n" + "\n".join(
        " <-> ".join(component) for component in found
    )


def test_no_upward_import() -> None:
    upward = sorted(
        (source, target)
        for source, targets in graph().items()
        for target in targets
        if layer(target) > layer(source)
    )
    assert not upward, "imports from a higher layer (see docs/architecture.md, Layers):\n" + (
        "\n".join(f"{source} -> {target}" for source, target in upward)
    )
