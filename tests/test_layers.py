"""The package's layers, held: interfaces depend on use cases, use cases on the domain and
persistence, never the other way; the domain imports no framework and no database."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "stockcore"
FRAMEWORKS = ("streamlit", "fastapi", "starlette", "uvicorn", "argparse")


def imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def modules_under(folder: str) -> list[Path]:
    return sorted((PACKAGE / folder).rglob("*.py")) if folder else sorted(PACKAGE.glob("*.py"))


def test_only_the_interfaces_import_the_interfaces_and_their_frameworks() -> None:
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative.startswith("interfaces/") or relative == "__main__.py":
            continue
        for module in imported_modules(path):
            if module.startswith("stockcore.interfaces") or module.split(".")[0] in FRAMEWORKS:
                offenders.append(f"{relative} imports {module}")
    assert offenders == []


def test_the_domain_imports_no_framework_no_database_and_no_use_case() -> None:
    offenders = []
    for path in modules_under("domain"):
        for module in imported_modules(path):
            top = module.split(".")[0]
            outside_domain = module.startswith("stockcore.") and not module.startswith(
                "stockcore.domain"
            )
            if top in (*FRAMEWORKS, "sqlalchemy", "pandas", "alembic") or outside_domain:
                offenders.append(f"{path.name} imports {module}")
    assert offenders == []


def test_persistence_calls_no_use_case() -> None:
    uses = {"inventory", "imports", "forecasting", "replenishment", "accounts", "interfaces"}
    offenders = [
        f"{path.name} imports {module}"
        for path in modules_under("persistence")
        for module in imported_modules(path)
        if module.startswith("stockcore.") and module.split(".")[1] in uses
    ]
    assert offenders == []
