"""``make docs`` builds the Python API reference from the docstrings."""

from __future__ import annotations

import runpy
from pathlib import Path

REFERENCE = Path(__file__).resolve().parents[3] / "docs" / "reference.py"


def test_the_reference_documents_the_facade_its_results_and_its_errors(tmp_path: Path) -> None:
    build = runpy.run_path(str(REFERENCE))["build"]
    build(tmp_path)

    facade = (tmp_path / "webstore.html").read_text(encoding="utf-8")
    errors = (tmp_path / "webstore" / "errors.html").read_text(encoding="utf-8")
    for name in ("place_order", "list_orders", "ProductSnapshot", "OrderCategory", "bootstrap"):
        assert name in facade
    assert "Reserve the stock of every line" in facade  # a docstring, not only a signature
    assert "PrincipalRevoked" in errors and "UnknownProduct" in errors
    assert not (tmp_path / "webstore" / "adapters").exists()
