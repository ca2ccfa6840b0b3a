"""What ``help()`` and the type checker tell a Python user about the facade."""

from __future__ import annotations

import inspect
import pydoc
import typing

import pytest

import webstore
from webstore import Webstore

PUBLIC = sorted(
    name
    for name, member in vars(Webstore).items()
    if not name.startswith("_") and (callable(member) or isinstance(member, property))
)


def test_the_facade_has_the_methods_the_readme_lists() -> None:
    assert {"place_order", "list_orders", "import_products", "operator"} <= set(PUBLIC)


@pytest.mark.parametrize("name", PUBLIC)
def test_help_shows_a_docstring_for_every_public_method(name: str) -> None:
    doc = inspect.getdoc(getattr(Webstore, name))
    assert doc, f"Webstore.{name} has no docstring"
    shown = pydoc.render_doc(Webstore, renderer=pydoc.plaintext)  # what help(Webstore) prints
    assert doc.splitlines()[0] in shown


@pytest.mark.parametrize("name", [n for n in PUBLIC if callable(getattr(Webstore, n))])
def test_no_parameter_or_result_of_the_facade_is_typed_object(name: str) -> None:
    hints = typing.get_type_hints(getattr(Webstore, name))
    assert hints, f"Webstore.{name} has no annotations"
    assert all(hint is not object for hint in hints.values()), hints


def test_the_types_the_facade_returns_and_takes_are_exported() -> None:
    exported = set(webstore.__all__)
    assert {
        "ProductSnapshot",
        "OrderSnapshot",
        "OrderLine",
        "OrderStatus",
        "OrderCategory",
        "Money",
        "Page",
        "Principal",
        "LoginResult",
        "KeyedOrder",
        "IdempotencyRequest",
        "ProductImage",
        "ImageVariant",
    } <= exported
    for name in exported:
        assert getattr(webstore, name) is not None


def test_the_order_categories_are_discoverable() -> None:
    assert [category.value for category in webstore.OrderCategory] == [
        "completed",
        "uncompleted",
        "cancelled",
        "user",
    ]
