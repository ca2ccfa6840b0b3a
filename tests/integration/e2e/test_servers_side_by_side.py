"""Two ``webstore serve`` on one host, as one user: neither touches the other's files; and a
worker boots without a warning."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from tests.integration.e2e.running import running


@pytest.mark.slow
def test_two_servers_of_one_user_share_no_control_socket(tmp_path: Path) -> None:
    runtime, home = tmp_path / "runtime", tmp_path / "home"
    runtime.mkdir()
    home.mkdir()
    user = {"XDG_RUNTIME_DIR": str(runtime), "HOME": str(home)}
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"

    with running(f"sqlite:///{tmp_path / 'first.db'}", first_log, workers=1, **user) as first:
        with running(f"sqlite:///{tmp_path / 'second.db'}", second_log, workers=1, **user):
            assert sorted(p.name for p in runtime.iterdir()) == []
            assert sorted(p.name for p in home.iterdir()) == []
        assert requests.get(f"{first.api}/health", timeout=5).status_code == 200

    assert "Control socket" not in first_log.read_text() + second_log.read_text()


@pytest.mark.slow
def test_a_worker_boots_without_a_warning(tmp_path: Path) -> None:
    log = tmp_path / "server.log"

    with running(f"sqlite:///{tmp_path / 'shop.db'}", log, workers=1) as shop:
        assert requests.get(f"{shop.api}/health", timeout=5).status_code == 200

    assert "Booting worker" in log.read_text()
    assert "WARNING" not in log.read_text(), log.read_text()
