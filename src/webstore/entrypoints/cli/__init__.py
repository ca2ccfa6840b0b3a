"""The ``webstore`` command line."""
