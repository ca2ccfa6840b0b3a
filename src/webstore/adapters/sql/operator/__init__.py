"""Operator tools for the SQL database: migrations (Alembic), backups, the listing triggers'
checks."""
