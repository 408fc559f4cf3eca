"""The package's import graph: no circles between marketplace modules, and a matching core free of Flask/SQLAlchemy."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "marketplace"
WEB_LIBRARIES = ("flask", "flask_babel", "flask_login", "flask_wtf", "flask_migrate", "sqlalchemy", "werkzeug",
                 "wtforms", "jinja2")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def all_modules() -> dict[str, Path]:
    return {module_name(path): path for path in PACKAGE.rglob("*.py")}


def imported_names(name: str, path: Path) -> set[str]:
    """Every dotted name `path` imports, at module level or inside functions (absolute, relative resolved)."""
    is_package = path.name == "__init__.py"
    package = name if is_package else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            found.add(source)
            # `from marketplace.services import audit` imports the module marketplace.services.audit.
            found.update(f"{source}.{alias.name}" for alias in node.names)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = all_modules()
    return {name: {target for target in imported_names(name, path) if target in modules and target != name}
            for name, path in modules.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    WHITE, GREY, BLACK = 0, 1, 2
    colour = dict.fromkeys(graph, WHITE)
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        colour[node] = GREY
        stack.append(node)
        for target in sorted(graph[node]):
            if colour[target] == GREY:
                return stack[stack.index(target):] + [target]
            if colour[target] == WHITE and (cycle := visit(target)):
                return cycle
        stack.pop()
        colour[node] = BLACK
        return None

    for node in sorted(graph):
        if colour[node] == WHITE and (cycle := visit(node)):
            return cycle
    return None


def test_the_walker_sees_imports_inside_functions():
    graph = import_graph()
    # app.py registers the blueprints inside create_app; those imports count too.
    assert "marketplace.admin.routes" in graph["marketplace.app"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_no_import_cycle_between_marketplace_modules():
    cycle = find_cycle(import_graph())
    assert cycle is None, " -> ".join(cycle or [])


def test_matching_core_imports_no_web_or_database_library():
    modules = all_modules()
    reached, todo = set(), ["marketplace.matching"]
    while todo:
        name = todo.pop()
        if name in reached:
            continue
        reached.add(name)
        for target in imported_names(name, modules[name]):
            top = target.split(".")[0]
            assert top not in WEB_LIBRARIES, f"{name} imports {target}"
            if target in modules:
                assert target == "marketplace" or target.startswith("marketplace.matching"), f"{name} imports {target}"
                todo.append(target)


def test_importing_matching_loads_neither_flask_nor_sqlalchemy():
    code = ("import sys, marketplace.matching; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in {'flask', 'sqlalchemy', 'werkzeug'}))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_code_translates_through_marketplace_i18n():
    """gettext, ngettext and lazy_gettext come from marketplace.i18n (the catalogue kept per request), not from
    flask_babel (found again for every string): one place, so a new module copies the fast path."""
    slow = {"gettext", "ngettext", "lazy_gettext", "pgettext", "lazy_ngettext", "lazy_pgettext", "_"}
    offenders = []
    for name, path in all_modules().items():
        if name == "marketplace.i18n":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.ImportFrom) and node.module == "flask_babel":
                offenders += [f"{name}: {alias.name}" for alias in node.names if alias.name in slow]
    assert offenders == []
