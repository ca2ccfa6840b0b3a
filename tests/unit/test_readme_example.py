from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"
SECTION = "## Use it from Python"


def python_example() -> str:
    """The first ```python block after the line that opens the section."""
    if not README.exists() or SECTION not in README.read_text(encoding="utf-8"):
        pytest.skip(f"README.md has no {SECTION!r} section yet")
    after = README.read_text(encoding="utf-8").split(SECTION, 1)[1]
    block = re.search(r"^```python\n(.*?)^```", after, re.DOTALL | re.MULTILINE)
    assert block is not None, f"no ```python block follows {SECTION!r} in README.md"
    return block.group(1)


def test_the_readme_example_is_ten_lines_at_most() -> None:
    assert len(python_example().strip().splitlines()) <= 10


def test_the_readme_example_runs_and_prints_what_its_comment_promises() -> None:
    code = python_example()
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, str(README), "exec"), {"__name__": "readme_example"})
    promised = re.search(r"^print\(.*#\s*(.+)$", code, re.MULTILINE)
    if promised is not None:
        assert printed.getvalue().strip() == promised.group(1).strip()
    else:
        assert printed.getvalue().strip()
