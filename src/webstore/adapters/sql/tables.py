"""The tables (Alembic's target); ``orm.py`` maps the domain's classes onto them."""

from __future__ import annotations

from sqlalchemy import (
    CHAR,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from webstore.adapters.sql.columns import Id, MoneyType, Stock, UtcDateTime
from webstore.domain.orders import OrderStatus

# Named constraints, so that a later migration can drop or alter them by name on every database.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# A short string (not a native enum type), so adding a status later is one CHECK to replace.
Status = Enum(
    OrderStatus,
    native_enum=False,
    length=16,
    values_callable=lambda statuses: [status.value for status in statuses],
)

users = Table(
    "users",
    metadata,
    Column("id", Id, primary_key=True),
    Column("username", String(150), nullable=False),
    # Text: NFKC and case folding may make the key longer than the 150-character username.
    Column("username_key", Text, nullable=False),
    Column("email", String(254), nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("is_superuser", Boolean, nullable=False),
    Column("is_active", Boolean, nullable=False),
    Column("date_joined", UtcDateTime, nullable=False),
    # values.search_key of the username and of the email: staff searches compare them.
    Column("username_search_key", Text, nullable=False),
    Column("email_search_key", Text, nullable=False),
    Index("ix_users_username_key", "username_key", unique=True),
)

products = Table(
    "products",
    metadata,
    Column("id", Id, primary_key=True),
    Column("name", String(200), nullable=False),
    # values.search_key(name): searches compare it, so every database matches the same names.
    Column("name_key", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("price", MoneyType, nullable=False),
    Column("amount", Stock, nullable=False),
    Column("is_active", Boolean, nullable=False),
    CheckConstraint("price > 0", name="price_positive"),
    CheckConstraint("amount >= 0", name="amount_not_negative"),
)

orders = Table(
    "orders",
    metadata,
    Column("id", Id, primary_key=True),
    Column("user_id", Id, ForeignKey("users.id"), nullable=False),
    Column("address", String(500), nullable=False),
    Column("phone", String(32), nullable=False),
    Column("status", Status, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    CheckConstraint("status IN ('pending', 'completed', 'cancelled')", name="status"),
)
# One index per listing of get_order, each in the listing's own order (newest first).
Index("ix_orders_newest", orders.c.created_at.desc(), orders.c.id.desc())
Index("ix_orders_user_newest", orders.c.user_id, orders.c.created_at.desc(), orders.c.id.desc())
Index("ix_orders_status_newest", orders.c.status, orders.c.created_at.desc(), orders.c.id.desc())

order_lines = Table(
    "order_lines",
    metadata,
    Column("order_id", Id, ForeignKey("orders.id"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("product_id", Id, ForeignKey("products.id"), nullable=False),
    Column("product_name", String(200), nullable=False),
    Column("amount", Integer, nullable=False),
    Column("price", MoneyType, nullable=False),
    PrimaryKeyConstraint("order_id", "position"),
    # place_order merges lines naming one product; the key both enforces that and serves
    # the "lines of these orders" lookup.
    UniqueConstraint("order_id", "product_id"),
    CheckConstraint("amount > 0", name="amount_positive"),
    CheckConstraint("price > 0", name="price_positive"),
)

login_sessions = Table(
    "login_sessions",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("user_id", Id, ForeignKey("users.id"), nullable=False, index=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("token_hash", String(128), nullable=False),
    Column("generation", Integer, nullable=False),
    Column("previous_token_hash", String(128)),
    Column("rotated_at", UtcDateTime),
    Column("revoked_at", UtcDateTime),
)

# Failed logins, one row per counter (a username's or an address's digest); the use case counts
# the latest ones of a key, and prunes by age.
login_failures = Table(
    "login_failures",
    metadata,
    Column("id", Id, primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("key", CHAR(64), nullable=False),
    Column("failed_at", UtcDateTime, nullable=False),
    CheckConstraint("kind IN ('username', 'address')", name="kind"),
    Index("ix_login_failures_kind_key_failed_at", "kind", "key", "failed_at"),
    Index("ix_login_failures_failed_at", "failed_at"),
)

# What a user's first request with an Idempotency-Key got; the primary key is what
# makes a second order for one key impossible, whatever the application does.
idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("user_id", Id, ForeignKey("users.id"), nullable=False),
    Column("key", String(255), nullable=False),
    Column("fingerprint", CHAR(64), nullable=False),
    Column("payload", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("user_id", "key"),
    Index("ix_idempotency_keys_created_at", "created_at"),
)


# Products' pictures, one row per stored copy: every node of a cluster serves every picture
# from the database, with no folder to share. The bytes come last, so that reading the other
# columns (what listings name) never touches them.
product_images = Table(
    "product_images",
    metadata,
    Column("product_id", Id, ForeignKey("products.id"), nullable=False),
    Column("size", Integer, nullable=False),  # the longest side it was fitted within
    Column("digest", CHAR(64), nullable=False),  # SHA-256 of data, hexadecimal
    Column("content_type", String(32), nullable=False),
    Column("width", Integer, nullable=False),
    Column("height", Integer, nullable=False),
    Column("byte_size", Integer, nullable=False),
    Column("data", LargeBinary, nullable=False),
    PrimaryKeyConstraint("product_id", "size"),
    CheckConstraint("width > 0 AND height > 0", name="dimensions_positive"),
    CheckConstraint("byte_size > 0", name="byte_size_positive"),
)

# Mail stored in the transaction of the change it reports; sent and settled after its commit.
# (status, due_at) serves a sender's "what is due", settled_at the pruning of old messages.
outbox = Table(
    "outbox",
    metadata,
    Column("id", Id, primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("recipient", Text, nullable=False),
    Column("subject", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("due_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime),
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text),
    Column("settled_at", UtcDateTime),
    CheckConstraint("status IN ('pending', 'sent', 'failed')", name="status"),
    CheckConstraint("attempts >= 0", name="attempts_not_negative"),
    Index("ix_outbox_status_due_at", "status", "due_at"),
    Index("ix_outbox_settled_at", "settled_at"),
)

# Password-reset links by the SHA-256 of their token (the token is only ever in the mail).
password_resets = Table(
    "password_resets",
    metadata,
    Column("token_hash", CHAR(64), primary_key=True),
    Column("user_id", Id, ForeignKey("users.id"), nullable=False, index=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False, index=True),
    Column("used_at", UtcDateTime),
)


# One row: a number that every change to which products are listed, or to any of their columns
# but the stock, replaces in the same transaction with a fresh random one (database triggers,
# see migrations 0006, 0007 and 0030), so that a worker can tell with one cheap read whether a
# listing it encoded earlier, without stock, is still the truth.
# ``written_by``: on PostgreSQL, the transaction that wrote the row (see listing_triggers.py).
catalogue_version = Table(
    "catalogue_version",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("version", BigInteger, nullable=False),
    Column("written_by", BigInteger, nullable=True),
    CheckConstraint("id = 1", name="single_row"),
)

# Versions of order listings, drawn afresh by triggers on orders and order lines: a user's id
# for that user's orders (a user without a row: nothing is kept). Every customer's orders have
# no version since migration 0030 (every checkout would write it): they are not kept.
order_versions = Table(
    "order_versions",
    metadata,
    Column("scope", Id, primary_key=True, autoincrement=False),
    Column("version", BigInteger, nullable=False),
    Column("written_by", BigInteger, nullable=True),
)
