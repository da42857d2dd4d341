"""The import rule of ARCHITECTURE: ``notifications/`` and ``video/`` use of ``scheduler`` only
``scheduler.extensions`` (the ``db`` object and friends) and ``scheduler.kernel`` (the shared
basics), so that the core can change its models, views and operations without them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ALLOWED = {"scheduler.extensions", "scheduler.kernel"}


def scheduler_imports(source: str) -> set[str]:
    """Every module of ``scheduler`` that ``source`` imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "scheduler":
                names = [f"scheduler.{alias.name}" for alias in node.names]
            else:
                names = [node.module]
        else:
            continue
        found.update(n for n in names if n == "scheduler" or n.startswith("scheduler."))
    return found


def test_the_rule_reader_sees_every_way_of_importing_the_core() -> None:
    source = (
        "import scheduler.models\n"
        "from scheduler import booking\n"
        "from scheduler.kernel import now_utc\n"
        "def later():\n"
        "    from scheduler.web.i18n import localized\n"
        "import notifications.rules\n"
    )
    assert scheduler_imports(source) == {
        "scheduler.models",
        "scheduler.booking",
        "scheduler.kernel",
        "scheduler.web.i18n",
    }


@pytest.mark.parametrize("package", ["notifications", "video"])
def test_package_imports_of_the_core_only_extensions_and_kernel(package: str) -> None:
    modules = sorted((ROOT / package).rglob("*.py"))
    assert modules, f"no modules found under {package}/"
    offending = {
        str(path.relative_to(ROOT)): sorted(scheduler_imports(path.read_text()) - ALLOWED)
        for path in modules
    }
    assert {path: names for path, names in offending.items() if names} == {}
