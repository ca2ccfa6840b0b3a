"""The Flask floor: a bare Flask route answering the project's captured bytes.

It runs under the very server code and settings that ``webstore serve`` uses, so the gap between
it and the project is the project's own request path.
"""

from __future__ import annotations

import argparse
import json
import os

from flask import Flask, Response, request

from webstore.entrypoints.server import serve_flask


def create_floor(responses_file: str) -> Flask:
    with open(responses_file, encoding="utf-8") as handle:
        captured = {
            key: (status, body.encode()) for key, (status, body) in json.load(handle).items()
        }
    app = Flask(__name__)

    @app.route("/<path:path>", methods=["GET", "POST"])
    def answer(path: str) -> Response:
        status, body = captured.get(
            f"{request.method} {request.full_path.rstrip('?')}", (404, b'{"detail":"Not found."}')
        )
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
