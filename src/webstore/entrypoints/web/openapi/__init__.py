"""The OpenAPI document, built from the marshmallow schemas, and the docs page."""
