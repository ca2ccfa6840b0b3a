"""``python -m webstore`` is the ``webstore`` command."""

from webstore.entrypoints.cli.main import main

main()
