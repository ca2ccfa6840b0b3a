"""Ways into the store: the Flask HTTP API (``create_app``) and the command line."""
