"""The web layer's shape: no blueprint imports another; shared pieces live below the blueprints."""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "marketplace"


def blueprint_packages() -> list[str]:
    """Every package of marketplace/ whose routes.py creates a Blueprint."""
    found = []
    for routes in sorted(PACKAGE.glob("*/routes.py")):
        if "Blueprint(" in routes.read_text(encoding="utf-8"):
            found.append(routes.parent.name)
    return found


def imported_modules(path: Path, package: str) -> set[str]:
    """Every module a file imports, at the top or inside a function, with relative imports resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = f"marketplace.{package}".split(".")[: 2 - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            names.add(module)
            # `from marketplace import companies` imports the package itself
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def cross_blueprint_imports() -> list[str]:
    blueprints = blueprint_packages()
    found = []
    for package in blueprints:
        for path in sorted((PACKAGE / package).rglob("*.py")):
            for module in sorted(imported_modules(path, package)):
                parts = module.split(".")
                if len(parts) >= 2 and parts[0] == "marketplace" and parts[1] in blueprints and parts[1] != package:
                    found.append(f"{path.relative_to(PACKAGE.parent)} imports {module}")
    return found


def test_the_blueprints_are_found():
    assert {"admin", "auth", "companies", "manager", "students", "rounds"} <= set(blueprint_packages())


def test_no_blueprint_imports_another_blueprint():
    assert cross_blueprint_imports() == []


def test_the_check_sees_imports_inside_functions_and_relative_ones(tmp_path, monkeypatch):
    fake = tmp_path / "marketplace"
    for name, text in {
        "alpha/routes.py": "from flask import Blueprint\nbp = Blueprint('alpha', __name__)\n"
                           "def view():\n    from marketplace.beta.forms import Form\n",
        "beta/routes.py": "from flask import Blueprint\nbp = Blueprint('beta', __name__)\nfrom ..alpha import routes\n",
        "beta/forms.py": "import marketplace.forms\n",
    }.items():
        (fake / name).parent.mkdir(parents=True, exist_ok=True)
        (fake / name).write_text(text, encoding="utf-8")
    monkeypatch.setattr(__import__(__name__, fromlist=["PACKAGE"]), "PACKAGE", fake)
    assert cross_blueprint_imports() == [
        "marketplace/alpha/routes.py imports marketplace.beta.forms",
        "marketplace/alpha/routes.py imports marketplace.beta.forms.Form",
        "marketplace/beta/routes.py imports marketplace.alpha",
        "marketplace/beta/routes.py imports marketplace.alpha.routes",
    ]


def test_no_blueprint_defines_its_own_template_filters():
    """Filters and labels are registered once, in templating.py; a filter defined in a blueprint only works
    on pages rendered after that blueprint was imported."""
    offenders = [
        str(path.relative_to(PACKAGE.parent))
        for package in blueprint_packages()
        for path in (PACKAGE / package).rglob("*.py")
        if "app_template_filter" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []
