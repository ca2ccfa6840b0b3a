"""Serving the Flask app with gunicorn, configured in code rather than by a config file."""

from __future__ import annotations

import gc
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from webstore.config import Settings


class WebstoreServer(BaseApplication):  # type: ignore[misc]  # gunicorn ships no type hints
    """A gunicorn application whose workers each build their own app (and database pool)."""

    def __init__(self, settings: Settings, options: dict[str, Any]) -> None:
        self._settings = settings
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        from webstore.entrypoints.flask_app import create_app

        app = create_app(self._settings)
        # Everything built so far lives as long as the worker: keep it out of the collector's
        # full passes, which a listing of a thousand orders would otherwise trigger repeatedly.
        gc.freeze()
        return app


def run_gunicorn(settings: Settings, *, host: str, port: int, workers: int) -> None:
    """Serve until interrupted; gunicorn handles signals, worker restarts and graceful stops."""
    options = {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": 4,
        "accesslog": "-",
        "errorlog": "-",
        "timeout": 30,
        "graceful_timeout": 10,
        "proc_name": "webstore",
    }
    WebstoreServer(settings, options).run()
