"""Serving: gunicorn and its gevent worker, request bodies, logs, metrics, the mail sender."""
