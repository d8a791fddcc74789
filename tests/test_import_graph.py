"""No two modules of the apps import each other, directly or round a loop.

A lazy import inside a function is still an edge: it only hides the loop until the day the
import moves to the top of the file, or runs before the other module has finished loading.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("publishing", "analytics")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def app_modules() -> dict[str, Path]:
    modules = {}
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if {"migrations", "tests"} & set(path.relative_to(ROOT).parts):
                continue
            modules[module_name(path)] = path
    return modules


def imported_names(path: Path, module: str, modules: dict[str, Path]) -> set[str]:
    """The project modules the file imports, relative imports made absolute."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names = set()
    for node in run_time_nodes(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:  # `from . import tasks` imports a module; `from .models import X` does not
                names.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base)
    return {project_module(name, modules) for name in names} - {None, module}


def run_time_nodes(tree: ast.AST):
    """Every node except those under `if TYPE_CHECKING:`, which are never imported when the code runs."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test) in {"TYPE_CHECKING", "typing.TYPE_CHECKING"}:
            yield from (child for branch in node.orelse for child in [branch, *run_time_nodes(branch)])
            continue
        yield node
        yield from run_time_nodes(node)


def project_module(name: str, modules: dict[str, Path]) -> str | None:
    """The app module `name` means (`publishing.models.Status` is publishing.models), or None."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    # The apps' own __init__.py files are empty, so an edge to one could not close a loop.
    return name if name and name not in APPS else None


def import_graph() -> dict[str, set[str]]:
    modules = app_modules()
    return {module: imported_names(path, module, modules) for module, path in modules.items()}


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One loop through each strongly connected group of modules (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(group)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [loop_within(graph, group) for group in groups]


def loop_within(graph: dict[str, set[str]], group: set[str]) -> list[str]:
    """A shortest path from the group's first module back to itself, staying inside the group."""
    start = min(group)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for target in sorted(graph[node] & group):
                if target == start:
                    return [*paths[node], start]
                if target not in paths:
                    paths[target] = [*paths[node], target]
                    following.append(target)
        frontier = following
    raise AssertionError(f"no loop found in {sorted(group)}")


def test_the_graph_sees_relative_lazy_and_submodule_imports_but_not_type_hints(tmp_path):
    source = tmp_path / "dialog.py"
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "from .models import Status\n"
        "from . import tasks\n"
        "if TYPE_CHECKING:\n"
        "    from .api import Hint\n"
        "def later():\n"
        "    from analytics.scheduling import free_slots\n"
    )
    modules = dict.fromkeys(("publishing.models", "publishing.tasks", "publishing.api"), tmp_path)
    modules["analytics.scheduling"] = tmp_path
    assert imported_names(source, "publishing.dialog", modules) == {
        "publishing.models",
        "publishing.tasks",
        "analytics.scheduling",
    }


def test_a_loop_is_named_module_by_module():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycles(graph) == [["a", "b", "c", "a"]]


def test_no_modules_import_each_other():
    loops = find_cycles(import_graph())
    assert not loops, "import loops:\n" + "\n".join(" -> ".join(loop) for loop in loops)
