"""The layers import inwards only, and the code stays in pieces a reader can take in.

Every import of a module counts, wherever it is written: at the top, inside a function (the
lazy imports that keep start-up cheap; ``ast.walk`` sees them), or under ``TYPE_CHECKING``.
Imports for type hints are held to the same rules as the others: a hint that names an adapter
ties a module to it just as much (mypy follows it, and a refactoring has to as well). An
``importlib.import_module("...")`` call with a literal name counts too.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable
from pathlib import Path

import pytest

import webstore

PACKAGE = Path(webstore.__file__).parent
SOURCE = PACKAGE.parent
FRAMEWORKS = {"flask", "sqlalchemy", "jwt", "argon2", "marshmallow", "werkzeug", "alembic", "PIL"}
OUTER_LAYERS = ("webstore.adapters", "webstore.entrypoints")
FAST_RUNTIME = "webstore.adapters.sql.runtime"
# The composition root: the one place outside the adapters that reaches them.
COMPOSITION_ROOT = "webstore.bootstrap"
MAX_MODULE_LINES = 300
MAX_MODULES_PER_FOLDER = 15  # counting __init__.py


def imported_modules(path: Path) -> set[str]:
    """Every module ``path`` may import: for ``from a.b import c``, both ``a.b`` and ``a.b.c``
    (``c`` may be a module: ``from webstore import adapters`` imports ``webstore.adapters``)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path.name} uses a relative import"
            module = node.module or ""
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names if alias.name != "*")
        elif (name := _module_named_by_import_module(node)) is not None:
            names.add(name)
    return names


def _module_named_by_import_module(node: ast.AST) -> str | None:
    """``a.b`` for ``importlib.import_module("a.b")`` (or ``import_module("a.b")``)."""
    if not isinstance(node, ast.Call) or not node.args:
        return None
    function = node.func
    called = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")
    first = node.args[0]
    if called == "import_module" and isinstance(first, ast.Constant):
        return str(first.value)
    return None


def modules_of(layer: str) -> list[Path]:
    return sorted((PACKAGE / layer).rglob("*.py"))


def every_module() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def dotted_name(path: Path) -> str:
    parts = path.relative_to(SOURCE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def short(path: Path) -> str:
    return path.relative_to(SOURCE).as_posix()


def within_layers(modules: Iterable[str], *packages: str) -> set[str]:
    return {module for module in modules if any(is_within(module, p) for p in packages)}


@pytest.mark.parametrize("path", modules_of("domain"), ids=lambda p: p.name)
def test_the_domain_imports_only_the_standard_library_and_itself(path: Path) -> None:
    foreign = {
        module
        for module in imported_modules(path)
        if module.split(".")[0] not in sys.stdlib_module_names
        and not is_within(module, "webstore.domain")
    }
    assert foreign == set()


@pytest.mark.parametrize("path", modules_of("application"), ids=lambda p: p.name)
def test_the_use_cases_import_no_framework_and_no_adapter(path: Path) -> None:
    forbidden = {
        module
        for module in imported_modules(path)
        if module.split(".")[0] in FRAMEWORKS
        or any(is_within(module, layer) for layer in OUTER_LAYERS)
    }
    assert forbidden == set()


@pytest.mark.parametrize("path", modules_of("entrypoints"), ids=short)
def test_the_entrypoints_reach_the_adapters_only_through_the_composition_root(
    path: Path,
) -> None:
    assert within_layers(imported_modules(path), "webstore.adapters") == set()


@pytest.mark.parametrize(
    "path",
    [path for path in every_module() if not is_within(dotted_name(path), "webstore.adapters.sql")],
    ids=short,
)
def test_only_the_sql_adapters_use_the_fast_runtime(path: Path) -> None:
    assert within_layers(imported_modules(path), FAST_RUNTIME) == set()


@pytest.mark.parametrize("path", modules_of("adapters"), ids=short)
def test_the_adapters_import_neither_the_entrypoints_nor_the_composition_root(
    path: Path,
) -> None:
    imported = imported_modules(path)
    assert within_layers(imported, "webstore.entrypoints", COMPOSITION_ROOT) == set()


@pytest.mark.parametrize("path", every_module(), ids=short)
def test_no_module_is_over_300_lines(path: Path) -> None:
    assert len(path.read_text().splitlines()) <= MAX_MODULE_LINES


def test_no_folder_holds_more_than_15_modules() -> None:
    folders = {path.parent for path in every_module()}
    crowded = {
        short(folder): count
        for folder in folders
        if (count := len(list(folder.glob("*.py")))) > MAX_MODULES_PER_FOLDER
    }
    assert crowded == {}


def test_the_layering_check_sees_every_module_it_should() -> None:
    assert len(modules_of("domain")) >= 6
    assert len(modules_of("application")) >= 8
    assert len(modules_of("entrypoints")) >= 20
    assert len(modules_of("adapters")) >= 20
    names = {dotted_name(path) for path in every_module()}
    assert {"webstore.adapters.sql.runtime", "webstore.entrypoints.cli.database"} <= names


def test_the_import_finder_sees_lazy_type_checking_and_dynamic_imports(tmp_path: Path) -> None:
    module = tmp_path / "sample.py"
    module.write_text(
        "from typing import TYPE_CHECKING\n"
        "import importlib\n"
        "from webstore import adapters\n"
        "if TYPE_CHECKING:\n"
        "    from webstore.adapters.mail import FolderMailer\n"
        "def later() -> None:\n"
        "    from webstore.adapters.sql import engine\n"
        "    importlib.import_module('webstore.adapters.sql.runtime.direct')\n"
    )
    imported = imported_modules(module)
    assert {
        "webstore.adapters",
        "webstore.adapters.mail",
        "webstore.adapters.sql.engine",
        "webstore.adapters.sql.runtime.direct",
    } <= imported
    assert within_layers(imported, FAST_RUNTIME) == {"webstore.adapters.sql.runtime.direct"}
