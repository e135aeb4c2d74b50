"""The shape of the house, read from the code's own imports: no import loop between files, each
package imports only the layers below it, and only the web layer reads the HTTP request.

A failure names the import that breaks the rule: move the code to the layer where it belongs, or
let the lower feature publish an event that the higher one handles (see README, "Organisation du
code")."""
import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "clausematch"

# Bottom to top; a module may import its own package and anything on a lower line.
LAYERS = [
    {"database", "text", "formats", "errors", "config", "spreadsheets", "mail"},
    {"extensions", "vocabulary"},
    {"audit", "notifications", "pagination", "jobs", "versioning", "bulk"},
    {"accounts"},
    {"referential", "inbox"},
    {"contracts"},
    {"settings", "offers", "candidates"},
    {"applications", "directory", "prehire"},
    {"pathways"},
    {"matching"},
    {"reporting", "privacy", "imports"},
    {"scheduler"},
    {"admin", "job_commands", "models"},
    {"cli", "web", "api"},
    {"__init__"},
]
RANK = {part: rank for rank, parts in enumerate(LAYERS) for part in parts}
# What domain code may take from Flask: the application context, never the request's.
APP_CONTEXT_NAMES = {"Flask", "current_app", "has_app_context", "render_template"}


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        name = ".".join(("clausematch", *path.relative_to(PACKAGE).with_suffix("").parts))
        found[name.removesuffix(".__init__")] = path
    return found


MODULES = modules()


def imports_of(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) for every import statement of the file, at any depth."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, [alias.name for alias in node.names]))
    return found


def project_targets(module: str, names: list[str]) -> set[str]:
    """The project's modules an import statement loads: `from pkg import sub` loads pkg.sub."""
    targets = {f"{module}.{name}" for name in names if f"{module}.{name}" in MODULES}
    if module in MODULES and (not names or len(targets) < len(names)):
        targets.add(module)
    return targets


GRAPH = {name: set().union(*(project_targets(m, n) for m, n in imports_of(path))) - {name}
         for name, path in MODULES.items()}


def part_of(module: str) -> str:
    """The package or top-level module of `clausematch` a module belongs to."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def test_every_part_of_the_package_has_a_layer():
    assert {part_of(module) for module in MODULES} <= set(RANK)


def test_no_import_loop_between_files():
    index, low, stack, on_stack, loops = {}, {}, [], set(), []

    def visit(node):  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in GRAPH[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                loops.append(sorted(component))

    for module in GRAPH:
        if module not in index:
            visit(module)
    assert loops == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_only_go_down(module):
    upward = [target for target in GRAPH[module]
              if part_of(target) != part_of(module) and RANK[part_of(target)] >= RANK[part_of(module)]]
    assert upward == [], f"{module} imports a layer that is not below it"


WEB_SIDE = {"web", "api", "__init__", "cli", "extensions"}  # extensions binds Flask-WTF's CSRF to the app


@pytest.mark.parametrize("module", sorted(m for m in MODULES if part_of(m) not in WEB_SIDE))
def test_domain_code_never_reads_the_request(module):
    taken = {name for imported, names in imports_of(MODULES[module]) if imported == "flask" for name in names}
    assert taken <= APP_CONTEXT_NAMES
    assert not any(imported in {"flask_wtf", "wtforms"} or imported.startswith("wtforms.")
                   for imported, _ in imports_of(MODULES[module]))
