"""The Flask floor: a bare Flask route answering the project's captured bytes.

It runs under the very server code and settings that ``webstore serve`` uses, so the gap between
it and the project is the project's own request path. Its login answers after one Argon2 verify
with the project's default parameters, the one thing a login must spend: the gap there is the
login's other CPU, measured under the same load and concurrency.
"""

from __future__ import annotations

import argparse
import json
import os

from flask import Flask, Response, request

from benchmarks.scenarios import PASSWORD
from webstore.adapters.passwords import Argon2PasswordHasher
from webstore.entrypoints.serve.server import serve_flask

LOGIN = "POST /api/login_view"


def create_floor(responses_file: str) -> Flask:
    with open(responses_file, encoding="utf-8") as handle:
        captured = {
            key: (status, body.encode()) for key, (status, body) in json.load(handle).items()
        }
    app = Flask(__name__)
    hasher = Argon2PasswordHasher()
    stored = hasher.hash(PASSWORD)

    @app.route("/<path:path>", methods=["GET", "POST"])
    def answer(path: str) -> Response:
        key = f"{request.method} {request.full_path.rstrip('?')}"
        status, body = captured.get(key, (404, b'{"detail":"Not found."}'))
        if key == LOGIN:
            hasher.verify(stored, json.loads(request.get_data())["password"])
        return Response(body, status, content_type="application/json")

    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    responses = os.environ["WEBSTORE_BENCH_RESPONSES"]
    serve_flask(
        lambda: create_floor(responses), host="127.0.0.1", port=args.port, workers=args.workers
    )


if __name__ == "__main__":
    main()
