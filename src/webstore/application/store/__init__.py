"""``Webstore``: every use case bound to one set of adapters, for Flask, the CLI and Python code.

``facade`` puts it together from one part per family of use cases (``accounts``,
``catalogue``, ``orders``, ``mail``), each bound to the adapters of ``wiring``.
"""

from webstore.application.store.facade import Webstore

__all__ = ["Webstore"]
