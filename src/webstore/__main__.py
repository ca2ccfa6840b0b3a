"""``python -m webstore`` is the ``webstore`` command."""

from webstore.entrypoints.cli import main

main()
