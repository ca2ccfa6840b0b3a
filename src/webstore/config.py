"""Settings from the environment (README, "Configuration"); nothing is read at import time."""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Mapping
from dataclasses import dataclass, replace
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import quote, urlsplit

from webstore.application.errors import ConfigurationError
from webstore.domain import values

MEMORY_URL = "memory://"
DEFAULT_MAIL_FROM = "webstore@localhost"
DEFAULT_DATABASE_URL = "sqlite:///webstore.db"
MIN_SECRET_BYTES = 32
LOG_FORMATS = ("text", "json")
_FALSE = {"0", "false", "no", "off", ""}
CATALOGUE_MAX_AGE_LIMIT = 31_536_000  # a year: a listing of what is in stock never lasts longer


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    # Bytes, or text (kept as its UTF-8 bytes): at least MIN_SECRET_BYTES of them.
    secret_key: bytes | str | None = None
    access_token_ttl: int = 300
    refresh_token_ttl: int = 604_800
    cookie_secure: bool = True
    cookie_domain: str | None = None
    refresh_reuse_grace: int = 10
    cors_origins: tuple[str, ...] = ()
    trusted_proxies: int = 0
    # Login throttling: failed logins allowed per username / per client address within the
    # window (seconds); 0 turns that limit off.
    login_failures_per_username: int = 5
    login_failures_per_address: int = 50
    login_failure_window: int = 900
    db_pool_size: int = 5
    db_max_overflow: int = 10
    # PostgreSQL: seconds a statement may run, a request may wait for a pooled connection, and
    # a server's unit of work may wait on the database in all, before it is answered 503.
    db_timeout: int = 10
    argon2_time_cost: int = 3
    argon2_memory_cost: int = 65_536
    argon2_parallelism: int = 4
    # Operations: "text" or "json" log lines; Prometheus metrics at /metrics when enabled.
    log_format: str = "text"
    metrics: bool = False
    metrics_token: str | None = None
    # Seconds a browser, proxy or CDN may reuse a public catalogue answer without asking again.
    catalogue_max_age: int = 5
    # Mail: where it goes (None: the default of the database, see ``mail_url_or_default``),
    # who sends it, which staff addresses hear of new orders, the storefront's address for
    # links in it, and how long a password-reset link lives (seconds).
    mail_url: str | None = None
    mail_from: str = DEFAULT_MAIL_FROM
    staff_email: tuple[str, ...] = ()
    public_url: str | None = None
    password_reset_ttl: int = 3600

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        key = env.get("WEBSTORE_SECRET_KEY")
        origins = env.get("WEBSTORE_CORS_ORIGINS", "")
        return cls(
            database_url=database_url(env.get("WEBSTORE_DATABASE_URL") or DEFAULT_DATABASE_URL),
            secret_key=key.encode() if key else None,
            access_token_ttl=_int(env, "WEBSTORE_ACCESS_TOKEN_TTL", 300, minimum=1),
            refresh_token_ttl=_int(env, "WEBSTORE_REFRESH_TOKEN_TTL", 604_800, minimum=1),
            cookie_secure=env.get("WEBSTORE_COOKIE_SECURE", "1").strip().lower() not in _FALSE,
            cookie_domain=env.get("WEBSTORE_COOKIE_DOMAIN") or None,
            refresh_reuse_grace=_int(env, "WEBSTORE_REFRESH_REUSE_GRACE", 10),
            cors_origins=tuple(o.strip().rstrip("/") for o in origins.split(",") if o.strip()),
            trusted_proxies=_int(env, "WEBSTORE_TRUSTED_PROXIES", 0),
            login_failures_per_username=_int(env, "WEBSTORE_LOGIN_FAILURES_PER_USERNAME", 5),
            login_failures_per_address=_int(env, "WEBSTORE_LOGIN_FAILURES_PER_ADDRESS", 50),
            login_failure_window=_int(env, "WEBSTORE_LOGIN_FAILURE_WINDOW", 900, minimum=1),
            db_pool_size=_int(env, "WEBSTORE_DB_POOL_SIZE", 5, minimum=1),
            db_max_overflow=_int(env, "WEBSTORE_DB_MAX_OVERFLOW", 10),
            db_timeout=_int(env, "WEBSTORE_DB_TIMEOUT", 10, minimum=1, maximum=3600),
            argon2_time_cost=_int(env, "WEBSTORE_ARGON2_TIME_COST", 3, minimum=1),
            argon2_memory_cost=_int(env, "WEBSTORE_ARGON2_MEMORY_COST", 65_536, minimum=8),
            argon2_parallelism=_int(env, "WEBSTORE_ARGON2_PARALLELISM", 4, minimum=1),
            log_format=_log_format(env.get("WEBSTORE_LOG_FORMAT", "")),
            metrics=env.get("WEBSTORE_METRICS", "0").strip().lower() not in _FALSE,
            metrics_token=env.get("WEBSTORE_METRICS_TOKEN") or None,
            catalogue_max_age=_int(
                env, "WEBSTORE_CATALOGUE_MAX_AGE", 5, maximum=CATALOGUE_MAX_AGE_LIMIT
            ),
            mail_url=env.get("WEBSTORE_MAIL_URL") or None,
            mail_from=_mail_from(env.get("WEBSTORE_MAIL_FROM") or DEFAULT_MAIL_FROM),
            staff_email=_addresses(env.get("WEBSTORE_STAFF_EMAIL", "")),
            public_url=_public_url(env.get("WEBSTORE_PUBLIC_URL") or None),
            password_reset_ttl=_int(env, "WEBSTORE_PASSWORD_RESET_TTL", 3600, minimum=60),
        )

    def __post_init__(self) -> None:
        if isinstance(self.secret_key, str):
            object.__setattr__(self, "secret_key", self.secret_key.encode())  # frozen
        elif self.secret_key is not None and not isinstance(self.secret_key, bytes):
            raise ConfigurationError(
                f"secret_key must be bytes or str, not {type(self.secret_key).__name__}."
            )
        if self.argon2_memory_cost < 8 * self.argon2_parallelism:
            raise ConfigurationError(
                "WEBSTORE_ARGON2_MEMORY_COST must be at least 8 times WEBSTORE_ARGON2_PARALLELISM."
            )

    def mail_url_or_default(self) -> str | None:
        """Where mail goes: ``WEBSTORE_MAIL_URL``; else, with SQLite, the folder
        ``<database>.mail`` beside the file, with memory://, memory. ``None`` with
        PostgreSQL: mail waits in the outbox, and nothing sends it until the URL is set."""
        if self.mail_url is not None:
            return self.mail_url
        if self.database_url == MEMORY_URL:
            return MEMORY_URL
        path = sqlite_path(self.database_url)
        if path is None or path == ":memory:":
            return None
        return "file://" + quote(os.path.abspath(path) + ".mail")

    def with_secret_key(self) -> Settings:
        """These settings with a usable key: given, kept beside an SQLite file, or refused."""
        if self.secret_key is not None:
            if len(self.secret_key) < MIN_SECRET_BYTES:
                raise ConfigurationError(
                    f"WEBSTORE_SECRET_KEY must be at least {MIN_SECRET_BYTES} bytes long."
                )
            return self
        if self.database_url == MEMORY_URL:
            return replace(self, secret_key=secrets.token_urlsafe(48).encode())
        path = sqlite_path(self.database_url)
        if path is None:
            raise ConfigurationError(
                "WEBSTORE_SECRET_KEY is not set: every node sharing this database needs the same "
                f"key of at least {MIN_SECRET_BYTES} bytes."
            )
        return replace(self, secret_key=_local_key(Path(path)))


def sqlite_path(url: str) -> str | None:
    """The file an ``sqlite:///`` URL names (``:memory:`` for in-memory), else ``None``."""
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.split("+")[0] != "sqlite":
        return None
    path = rest[1:] if rest.startswith("/") else rest
    return path.split("?")[0] or ":memory:"


def _local_key(database: Path) -> bytes:
    """A key generated once and kept, readable by the owner only, beside the database file.

    Written to a private temporary file and then hard-linked into place, so that processes
    starting together agree on one key and none ever reads a half-written file.
    """
    key_file = database.with_name(database.name + ".secret-key")
    if not key_file.parent.is_dir():
        # Creating folders is the operator's call: a mistyped path must not become a new shop.
        raise ConfigurationError(
            f"cannot use the database: the folder {key_file.parent} does not exist."
        )
    if not key_file.exists():
        draft = key_file.with_name(f"{key_file.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_urlsafe(48).encode())
        try:
            os.link(draft, key_file)
        except FileExistsError:
            pass  # another process won the race: use its key
        finally:
            draft.unlink()
    key = _read_private(key_file).strip()
    if len(key) < MIN_SECRET_BYTES:
        raise ConfigurationError(f"{key_file} holds a key shorter than {MIN_SECRET_BYTES} bytes.")
    return key


def _mail_from(raw: str) -> str:
    """An address, maybe with a name (``Shop <shop@example.com>``), on one line."""
    address = parseaddr(raw)[1]
    if "\r" in raw or "\n" in raw or "@" not in address:
        raise ConfigurationError(
            f"WEBSTORE_MAIL_FROM must be an address such as shop@example.com, not {raw!r}."
        )
    return raw.strip()


def _addresses(raw: str) -> tuple[str, ...]:
    found = []
    for each in (part.strip() for part in raw.split(",")):
        if not each:
            continue
        try:
            found.append(values.email(each))
        except values.InvalidValue:
            raise ConfigurationError(
                f"WEBSTORE_STAFF_EMAIL must be addresses separated by commas, not {each!r}."
            ) from None
    return tuple(found)


def _public_url(raw: str | None) -> str | None:
    """``http(s)://host[:port][/path]``, without its trailing slash."""
    if raw is None:
        return None
    parts = urlsplit(raw.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ConfigurationError(
            f"WEBSTORE_PUBLIC_URL must be the storefront's http(s):// address, not {raw!r}."
        )
    return raw.strip().rstrip("/")


def _log_format(raw: str) -> str:
    value = raw.strip().lower() or "text"
    if value not in LOG_FORMATS:
        raise ConfigurationError(f"WEBSTORE_LOG_FORMAT must be text or json, not {raw!r}.")
    return value


def _read_private(key_file: Path) -> bytes:
    """The key file's bytes, if it is a regular file of ours that nobody else can read.

    Opened without following a symbolic link (a link could point the server at any file);
    checked on the open file itself, so that it cannot be swapped between check and read.
    """
    try:
        fd = os.open(key_file, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError as error:
        if os.path.islink(key_file):
            raise ConfigurationError(
                f"{key_file} is a symbolic link: the secret key must be a regular file."
            ) from None
        raise ConfigurationError(f"{key_file} cannot be read: {error.strerror}.") from None
    with os.fdopen(fd, "rb") as handle:
        status = os.fstat(handle.fileno())
        if not stat.S_ISREG(status.st_mode):
            raise ConfigurationError(f"{key_file} is not a regular file.")
        if status.st_uid != os.geteuid():
            raise ConfigurationError(
                f"{key_file} belongs to user id {status.st_uid}, not to the user running "
                f"the server ({os.geteuid()})."
            )
        if status.st_mode & 0o077:
            mode = stat.S_IMODE(status.st_mode)
            raise ConfigurationError(
                f"{key_file} has mode {mode:04o}: other users could read the secret key "
                f"(chmod 600 {key_file})."
            )
        return handle.read()


def _int(
    env: Mapping[str, str], name: str, default: int, *, minimum: int = 0, maximum: int = 2**31 - 1
) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be an integer, not {raw!r}.") from None
    if not minimum <= value <= maximum:
        raise ConfigurationError(f"{name} must be between {minimum} and {maximum}, not {value}.")
    return value


SUPPORTED_URLS = "sqlite:///PATH, postgresql+psycopg://USER@HOST/DATABASE or memory://"
_SCHEMES = {"sqlite", "sqlite+pysqlite", "postgresql", "postgresql+psycopg"}


def database_url(url: str) -> str:
    """``url`` if this store can use it; otherwise a one-line reason that never echoes it whole
    (it may hold a password)."""
    if url == MEMORY_URL:
        return url
    scheme, sep, rest = url.partition("://")
    problem = None
    if not sep or not scheme:
        problem = "is not a database URL"
    elif scheme == "postgres":
        problem = "names postgres://, which SQLAlchemy does not know: write postgresql://"
    elif scheme not in _SCHEMES:
        problem = f"names {scheme}://, which this store does not support"
    elif scheme.startswith("sqlite") and not rest.startswith("/"):
        problem = "names no SQLite file (sqlite:///relative/path or sqlite:////absolute/path)"
    if problem is not None:
        raise ConfigurationError(f"WEBSTORE_DATABASE_URL {problem}; use {SUPPORTED_URLS}.")
    return url
