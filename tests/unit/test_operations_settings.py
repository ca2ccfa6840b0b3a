from __future__ import annotations

import pytest

from webstore.config import Settings
from webstore.errors import ConfigurationError


def test_operations_are_quiet_by_default() -> None:
    settings = Settings.from_env({})
    assert (settings.log_format, settings.metrics, settings.metrics_token) == ("text", False, None)


def test_operations_settings_come_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "WEBSTORE_LOG_FORMAT": " JSON ",
            "WEBSTORE_METRICS": "1",
            "WEBSTORE_METRICS_TOKEN": "scrape-token",
        }
    )
    assert (settings.log_format, settings.metrics, settings.metrics_token) == (
        "json",
        True,
        "scrape-token",
    )


@pytest.mark.parametrize("value", ["0", "false", "off", ""])
def test_metrics_stay_off_for_false_words(value: str) -> None:
    assert Settings.from_env({"WEBSTORE_METRICS": value}).metrics is False


def test_an_unknown_log_format_is_refused_in_one_line() -> None:
    with pytest.raises(ConfigurationError, match="WEBSTORE_LOG_FORMAT must be text or json"):
        Settings.from_env({"WEBSTORE_LOG_FORMAT": "xml"})
