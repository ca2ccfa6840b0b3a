"""``webstore products import`` through the real command line, against a real SQLite database."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.conftest import FAST_ARGON2, TEST_SECRET_KEY, fast_settings
from webstore import bootstrap
from webstore.entrypoints.cli.main import main


@pytest.fixture
def env(sqlite_url: str) -> dict[str, str]:
    bootstrap(fast_settings(sqlite_url), migrate=True).close()
    return {
        "WEBSTORE_DATABASE_URL": sqlite_url,
        "WEBSTORE_SECRET_KEY": TEST_SECRET_KEY.decode(),
        **{f"WEBSTORE_{name.upper()}": str(value) for name, value in FAST_ARGON2.items()},
    }


def import_file(env: dict[str, str], path: Path, *options: str) -> Result:
    runner = CliRunner()
    args = ["products", "import", *options, str(path)]
    return runner.invoke(main, args, env=env, catch_exceptions=False)


def in_use(sqlite_url: str) -> str:
    """What the last line of an error says about the database."""
    return f"(database: {sqlite_url.removeprefix('sqlite:///')})"


def catalogue(sqlite_url: str) -> list[tuple[str, str, str, int]]:
    store = bootstrap(fast_settings(sqlite_url), migrate=True)
    return [(p.name, p.description, str(p.price), p.stock) for p in store.list_products().items]


@pytest.mark.parametrize(
    "text",
    [
        "name,price,amount\nRed chair,19.99,5\n",
        "price,name,amount\n19.99,Red chair,5\n",
        "AMOUNT,Description,Name,Price\n5,,Red chair,19.99\n",
    ],
)
def test_a_header_is_matched_by_names_in_any_order(
    env: dict[str, str], tmp_path: Path, sqlite_url: str, text: str
) -> None:
    path = tmp_path / "catalogue.csv"
    path.write_text(text)

    result = import_file(env, path)

    assert (result.exit_code, result.output) == (0, "added 1 product\n")
    assert catalogue(sqlite_url) == [("Red chair", "", "19.99", 5)]


def test_an_unknown_column_is_refused_by_name(
    env: dict[str, str], tmp_path: Path, sqlite_url: str
) -> None:
    path = tmp_path / "catalogue.csv"
    path.write_text("name,colour,price,amount\nRed chair,red,19.99,5\n")

    result = import_file(env, path)

    assert result.exit_code == 1
    assert result.output == (
        'Error: line 1: Unknown column "colour"; the columns are name, description, price, '
        f"amount. {in_use(sqlite_url)}\n"
    )
    assert catalogue(sqlite_url) == []


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("superscript.csv", "Mug,,1.00,²\n".encode(), "line 1: amount: Not a valid integer."),
        (
            "huge.csv",
            b"Mug,,1.00,1\nLamp," + b"x" * (128 * 1024 + 1) + b",1.00,1\n",
            "line 2: A field is longer than 131072 characters.",
        ),
        ("nested.jsonl", b'{"name": ' + b"[" * 100_000 + b"\n",
         "line 1: Not valid JSON: nested too deeply."),
        ("latin1.csv", b"Mug,,1.00,1\n\nChaise,H\xeatre,1.00,1\n",
         "line 3: Not valid UTF-8 text (invalid continuation byte)."),
        ("empty.csv", b"", "The file has no products."),
        ("blank.jsonl", b"\n \n", "The file has no products."),
    ],
)  # fmt: skip
def test_a_broken_file_is_one_line_and_exit_status_one(
    env: dict[str, str], tmp_path: Path, sqlite_url: str, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)

    result = import_file(env, path)

    assert (result.exit_code, result.output) == (1, f"Error: {message} {in_use(sqlite_url)}\n")
    assert catalogue(sqlite_url) == []


def test_every_bad_line_is_reported_up_to_twenty_then_counted(
    env: dict[str, str], tmp_path: Path, sqlite_url: str
) -> None:
    path = tmp_path / "catalogue.csv"
    lines = [f"Lamp {n},,{'free' if n % 2 else '1.00'},1" for n in range(1, 61)]
    path.write_text("name,description,price,amount\n" + "\n".join(lines) + "\n")

    result = import_file(env, path)

    assert result.exit_code == 1
    reported = result.output.splitlines()
    assert reported[0] == "Error: line 2: price: A valid number is required."
    assert reported[19] == "Error: line 40: price: A valid number is required."
    assert reported[20:] == [
        f"Error: 30 lines have errors; the first 20 are listed. {in_use(sqlite_url)}"
    ]
    assert catalogue(sqlite_url) == []


def test_no_progress_bar_is_drawn_when_output_is_not_a_terminal(
    env: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "catalogue.csv"
    path.write_text("".join(f"Item {n},,1.00,1\n" for n in range(3000)))

    result = import_file(env, path)

    assert (result.exit_code, result.output) == (0, "added 3000 products\n")


def run_with_terminal_stderr(args: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    """Run a command whose stderr is a terminal (a pty); its status, stdout and stderr."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=terminal)
    os.close(terminal)
    drawn = bytearray()
    while True:
        ready, _, _ = select.select([controller], [], [], 60)
        assert ready, "the command hung"
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # EIO: the command closed the terminal
            break
        if not chunk:
            break
        drawn += chunk
    os.close(controller)
    output, _ = process.communicate(timeout=60)
    return process.returncode, output.decode(), drawn.decode(errors="replace")


@pytest.mark.slow
@pytest.mark.parametrize(("rows", "bar"), [(3000, True), (10, False)])
def test_a_long_import_draws_a_progress_bar_on_a_terminal(
    env: dict[str, str], tmp_path: Path, sqlite_url: str, rows: int, bar: bool
) -> None:
    path = tmp_path / "catalogue.csv"
    path.write_text("".join(f"Item {n},,1.00,1\n" for n in range(rows)))
    command = [sys.executable, "-m", "webstore", "products", "import", str(path)]

    status, output, drawn = run_with_terminal_stderr(command, {**os.environ, **env})

    assert (status, output) == (0, f"added {rows} products\n")
    assert ("importing products" in drawn and "100%" in drawn) is bar
    assert len(catalogue(sqlite_url)) == rows


def test_a_spreadsheets_semicolon_file_is_imported(
    env: dict[str, str], tmp_path: Path, sqlite_url: str
) -> None:
    path = tmp_path / "catalogue.csv"
    path.write_text("Name;Description;Price;Amount\nRed chair;Beech, painted;19.99;5\n")

    result = import_file(env, path)

    assert (result.exit_code, result.output) == (0, "added 1 product\n")
    assert catalogue(sqlite_url) == [("Red chair", "Beech, painted", "19.99", 5)]


def test_importing_a_file_again_is_refused_naming_what_exists_then_update_changes_it(
    env: dict[str, str], tmp_path: Path, sqlite_url: str
) -> None:
    path = tmp_path / "catalogue.csv"
    path.write_text("name,price,amount\nRed chair,19.99,5\nOak table,349,2\n")
    assert import_file(env, path).output == "added 2 products\n"
    path.write_text("name,price,amount\nRed chair,17.50,9\nOak table,349,1\nLamp,5,3\n")

    again = import_file(env, path)
    updated = import_file(env, path, "--update")

    assert again.exit_code == 1
    assert again.output.splitlines() == [
        'Error: line 2: name: A product named "Red chair" exists already (id 1).',
        'Error: line 3: name: A product named "Oak table" exists already (id 2).',
        "Error: nothing imported: 2 products of the file exist already; import with --update "
        f"to change them {in_use(sqlite_url)}",
    ]
    assert (updated.exit_code, updated.output) == (0, "added 1 product, updated 2\n")
    assert catalogue(sqlite_url) == [
        ("Red chair", "", "17.50", 9),
        ("Oak table", "", "349.00", 1),
        ("Lamp", "", "5.00", 3),
    ]
