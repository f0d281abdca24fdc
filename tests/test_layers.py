"""The import direction of docs/architecture.md, checked on the source: a module that imports
across a layer it must not fails here, with the file and the import named."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# folder (or file) -> top-level packages its modules must never import
FORBIDDEN: dict[str, set[str]] = {
    "pages": {"pinterest_client", "pinterest_sim", "web"},
    "ui": {"pinterest_client", "pinterest_sim", "web"},
    "app.py": {"pinterest_client", "pinterest_sim"},
    "app_shell.py": {"pinterest_client", "pinterest_sim"},
    "dashboard": {"streamlit", "ui", "pages", "web", "starlette"},
    "pinterest_client": {"streamlit", "pinterest_sim", "dashboard", "ui", "pages", "web"},
    "pinterest_sim": {"streamlit", "pinterest_client", "dashboard", "ui", "pages", "web"},
    "web": {"pinterest_sim", "ui", "pages"},
}
# The one exception the architecture names: demo mode builds the in-process simulator.
ALLOWED: set[tuple[str, str]] = {("dashboard/connection.py", "pinterest_sim")}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def _files(place: str) -> list[Path]:
    target = ROOT / place
    return [target] if target.is_file() else sorted(target.rglob("*.py"))


@pytest.mark.parametrize("place", sorted(FORBIDDEN))
def test_layer_imports_only_what_the_architecture_allows(place: str) -> None:
    files = _files(place)
    assert files, f"{place} has no Python files"
    wrong = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in files
        for name in sorted(_imports(path) & FORBIDDEN[place])
        if (str(path.relative_to(ROOT)), name) not in ALLOWED
    ]
    assert wrong == []


def test_the_check_sees_a_forbidden_import(tmp_path: Path) -> None:
    module = tmp_path / "page.py"
    module.write_text("import os\nfrom pinterest_client.bulk import BulkJob\n", encoding="utf-8")
    assert _imports(module) == {"os", "pinterest_client"}


def test_no_test_module_imports_another_test_module_or_a_conftest() -> None:
    """Shared helpers live in support modules: a conftest imported by name loads twice, and a
    test module imported by another runs its tests' setup twice."""
    wrong = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module] if isinstance(node, ast.ImportFrom) and node.module
                     else [])
            for name in names:
                last = name.rsplit(".", 1)[-1]
                if last == "conftest" or last.startswith("test_"):
                    wrong.append(f"{path.relative_to(ROOT)} imports {name}")
    assert wrong == []
