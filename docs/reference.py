"""Build the Python API reference from the docstrings, with pdoc: ``make docs``.

Usage: ``python docs/reference.py OUTPUT_FOLDER``. Only the public modules are documented:
``webstore`` (the facade, what it returns, ``bootstrap``), ``webstore.errors`` and
``webstore.config``; the layers behind them are the project's own business.
"""

from __future__ import annotations

import sys
from pathlib import Path

MODULES = [
    "webstore",  # with the modules its ``__all__`` names: webstore.errors, webstore.config
    "!webstore.adapters",
    "!webstore.application",
    "!webstore.bootstrap",
    "!webstore.domain",
    "!webstore.entrypoints",
]


def build(output: Path) -> Path:
    """Write the reference into ``output``; the page to open."""
    import pdoc
    import pdoc.render

    pdoc.render.configure(docformat="restructuredtext", search=True, show_source=False)
    pdoc.pdoc(*MODULES, output_directory=output)
    return output.resolve() / "index.html"


if __name__ == "__main__":
    page = build(Path(sys.argv[1] if len(sys.argv) > 1 else "build/docs"))
    print(f"the Python API reference: {page}")
