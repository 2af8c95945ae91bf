"""The package's import graph: no cycles, and no stage imports a later one.

Every ``import`` counts, also those inside functions (they still run, and a cycle hidden in a function
body breaks the moment someone moves the import to the top). Imports under ``if TYPE_CHECKING:`` never
run and are ignored. A small AST walk instead of a dependency: the whole rule fits on one screen.
"""

from __future__ import annotations

import ast
from pathlib import Path

from newsflow_testkit import REPO

PACKAGE = REPO / "include" / "newsflow"

#: Layers from the bottom up: a module may import its own layer and those below it, never above.
#: Foundations first, then the stages in the DAG's order, then what orchestrates or reads them.
LAYERS: list[tuple[str, ...]] = [
    ("newsflow.errors", "newsflow.version", "newsflow.lake.objectstore"),
    ("newsflow.schemas", "newsflow.lake", "newsflow.runtime.lazyimport"),
    ("newsflow.config",),
    ("newsflow.ingest",),
    ("newsflow.clean",),
    ("newsflow.enrich",),
    ("newsflow.validate",),
    ("newsflow.reader",),
    ("newsflow.report",),
    ("newsflow.steps",),
    ("newsflow.runtime.preload",),
    ("newsflow", "newsflow.evaluate", "newsflow.summary", "newsflow.dictionary"),
]


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _type_checking_only(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return True
    return False


def imports_of(path: Path, modules: set[str]) -> set[str]:
    """newsflow modules ``path`` imports at run time (``from pkg import name`` counts the submodule)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    this = module_name(path)
    package = this if path.name == "__init__.py" else this.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if _type_checking_only(node, parents):
            continue
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]
        else:
            continue
        found.update(n for n in names if n.split(".")[0] == "newsflow" and n != this)
    return {n for n in found if n in modules}


def graph() -> dict[str, set[str]]:
    files = sorted(PACKAGE.rglob("*.py"))
    modules = {module_name(p) for p in files}
    return {module_name(p): imports_of(p, modules) for p in files}


def layer_of(module: str) -> int:
    best, best_len = -1, -1
    for index, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best_len:
                best, best_len = index, len(prefix)
    assert best >= 0, f"{module} belongs to no layer: add it to LAYERS"
    return best


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt):], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_walk_sees_imports_inside_functions() -> None:
    edges = graph()
    assert "newsflow.clean.parse" in edges["newsflow.steps"]  # imported inside clean_and_segment only
    assert "newsflow.lake.store" in edges["newsflow.steps"]


def test_the_package_has_no_import_cycle() -> None:
    assert find_cycle(graph()) is None, f"import cycle: {' -> '.join(find_cycle(graph()) or [])}"


def test_the_cycle_finder_reports_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_no_module_imports_a_later_stage() -> None:
    upward = [f"{mod} (layer {layer_of(mod)}) imports {dep} (layer {layer_of(dep)})"
              for mod, deps in graph().items() for dep in sorted(deps) if layer_of(dep) > layer_of(mod)]
    assert not upward, "\n".join(upward)


def test_the_object_store_module_is_a_leaf() -> None:
    assert graph()["newsflow.lake.objectstore"] == set()


def test_only_the_lake_decides_where_data_lives() -> None:
    offenders = [str(p.relative_to(REPO)) for p in PACKAGE.rglob("*.py")
                 if "is_remote" in p.read_text() and "lake" not in p.relative_to(PACKAGE).parts]
    assert not offenders, offenders
