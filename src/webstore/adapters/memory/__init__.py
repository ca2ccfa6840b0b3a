"""In-memory storage: the zero-setup mode of the library, and the fake the tests lean on.

A unit of work holds the store's lock for its whole block (transactions run one at a time),
hands out copies of stored objects, and writes them back only on commit.
"""

from webstore.adapters.memory.tables import InMemoryDatabase
from webstore.adapters.memory.unit_of_work import InMemoryUnitOfWork, InMemoryUnitOfWorkFactory

__all__ = ["InMemoryDatabase", "InMemoryUnitOfWork", "InMemoryUnitOfWorkFactory"]
