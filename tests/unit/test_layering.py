from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import webstore

PACKAGE = Path(webstore.__file__).parent
FRAMEWORKS = {"flask", "sqlalchemy", "jwt", "argon2", "marshmallow", "werkzeug", "alembic", "PIL"}
OUTER_LAYERS = ("webstore.adapters", "webstore.entrypoints")


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path.name} uses a relative import"
            names.add(node.module or "")
    return names


def modules_of(layer: str) -> list[Path]:
    return sorted((PACKAGE / layer).rglob("*.py"))


def is_within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


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


def test_the_layering_check_sees_every_module_it_should() -> None:
    assert len(modules_of("domain")) >= 6
    assert len(modules_of("application")) >= 8
