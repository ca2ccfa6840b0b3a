"""``make docs`` builds the Python API reference from the docstrings."""

from __future__ import annotations

import re
import runpy
import subprocess
import sys
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


def test_the_reference_lists_the_public_modules_and_says_where_it_is(tmp_path: Path) -> None:
    built = subprocess.run(
        [sys.executable, str(REFERENCE), str(tmp_path / "docs")],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip

    assert built.returncode == 0, built.stderr
    assert built.stdout == f"the Python API reference: {tmp_path / 'docs' / 'index.html'}\n"
    assert (tmp_path / "docs" / "index.html").is_file()
    facade = (tmp_path / "docs" / "webstore.html").read_text(encoding="utf-8")
    submodules = facade.split("<h2>Submodules</h2>")[1].split("</ul>")[0]
    assert re.findall(r"<li><a [^>]*>(\w+)</a></li>", submodules) == ["config", "errors"]
