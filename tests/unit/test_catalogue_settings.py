from __future__ import annotations

import pytest

from webstore.config import Settings
from webstore.errors import ConfigurationError


@pytest.mark.parametrize(("raw", "seconds"), [(None, 5), ("", 5), ("0", 0), (" 60 ", 60)])
def test_the_catalogue_max_age_comes_from_the_environment(raw: str | None, seconds: int) -> None:
    environ = {} if raw is None else {"WEBSTORE_CATALOGUE_MAX_AGE": raw}
    assert Settings.from_env(environ).catalogue_max_age == seconds


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("-1", "must be between 0 and 31536000, not -1"),
        ("31536001", "must be between 0 and 31536000"),
        ("5s", "must be an integer, not '5s'"),
    ],
)
def test_a_bad_catalogue_max_age_is_refused_in_one_line(raw: str, problem: str) -> None:
    with pytest.raises(ConfigurationError, match=f"^WEBSTORE_CATALOGUE_MAX_AGE {problem}"):
        Settings.from_env({"WEBSTORE_CATALOGUE_MAX_AGE": raw})
