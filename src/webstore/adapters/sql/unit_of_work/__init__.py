"""The SQLAlchemy unit of work and its factory (``factory.py``), which picks how each one holds
its transaction (``transaction.py``: ``reads.py``, ``grouped.py``, ``plain.py``)."""

from webstore.adapters.sql.unit_of_work.factory import SqlAlchemyUnitOfWorkFactory
from webstore.adapters.sql.unit_of_work.plain import OpenWriters
from webstore.adapters.sql.unit_of_work.work import SqlAlchemyUnitOfWork

__all__ = ["OpenWriters", "SqlAlchemyUnitOfWork", "SqlAlchemyUnitOfWorkFactory"]
