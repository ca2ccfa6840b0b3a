"""The repositories of the aggregates, over one session (``sessions.SqlSession``)."""

from webstore.adapters.sql.repositories.login_sessions import SqlAlchemyLoginSessionRepository
from webstore.adapters.sql.repositories.orders import SqlAlchemyOrderRepository
from webstore.adapters.sql.repositories.products import SqlAlchemyProductRepository
from webstore.adapters.sql.repositories.users import SqlAlchemyUserRepository

__all__ = [
    "SqlAlchemyLoginSessionRepository",
    "SqlAlchemyOrderRepository",
    "SqlAlchemyProductRepository",
    "SqlAlchemyUserRepository",
]
