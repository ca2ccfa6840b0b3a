"""The web: the Flask app, the JSON API, its OpenAPI document and the pages."""
