"""One Settings object, read once from the ``MOU_*`` environment variables."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

#: Shortest MOU_SECRET_KEY production mode accepts (``secrets.token_urlsafe(48)`` gives 64).
SECRET_KEY_MIN_LENGTH = 32
#: The placeholder in ``.env.example``: long enough, but public, so never a secret.
EXAMPLE_SECRET_KEY = "replace-with-the-output-of-secrets-token-urlsafe-48"  # noqa: S105
_HOW_TO_MAKE_ONE = (
    "production mode (MOU_DEV false) needs a secret of at least {minimum} characters, the same "
    "in every process: python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"
)
SECRET_KEY_MISSING = "MOU_SECRET_KEY is not set: " + _HOW_TO_MAKE_ONE
SECRET_KEY_EXAMPLE = "MOU_SECRET_KEY is the public example from .env.example: " + _HOW_TO_MAKE_ONE
SECRET_KEY_SHORT = "MOU_SECRET_KEY has only {length} characters: " + _HOW_TO_MAKE_ONE


@dataclass(frozen=True, slots=True)
class Settings:
    #: ``sqlite:///path`` or ``postgresql://user@host:port/db``.
    database_url: str = "sqlite:///var/mou.sqlite"
    #: Development mode: cookies without ``Secure``, debug pages off regardless.
    dev: bool = False
    #: Public base URL, printed in minutes footers for verification links.
    base_url: str = "http://127.0.0.1:8000"
    host: str = "127.0.0.1"
    port: int = 8000
    #: Connections kept open per process (SQLite readers/writers or PostgreSQL pool size).
    db_pool_size: int = 8
    #: Seconds a SQLite writer waits for the write lock before giving up.
    sqlite_busy_timeout: float = 30.0
    #: Lifetime of API tokens issued by ``POST /auth/token``, in hours.
    token_ttl_hours: int = 12
    log_level: str = "INFO"
    #: Seconds between the app's runs of the agreement tick (activation, expiry); 0: never.
    tick_seconds: float = 3600.0
    #: Failed logins allowed within the window: per (username, client address), per username
    #: from all addresses together, and per client address for all usernames together.
    login_failures_per_user_address: int = 5
    login_failures_per_user: int = 20
    login_failures_per_address: int = 20
    login_window_seconds: int = 900
    #: Days an address where a user signed in stays exempt from that user's per-username limit.
    login_trusted_days: int = 30
    #: The longest lifetime of a token from ``POST /api/v1/tokens``, in days.
    token_max_days: int = 90
    #: Signs CSRF tokens; every process of one deployment must share it. Required in production
    #: mode (see ``secret_key_problem``); in dev mode empty means a random key per process.
    secret_key: str = ""
    #: Lifetime of a web session, in hours.
    session_ttl_hours: int = 12
    #: IANA time zone whose calendar date is "today" for agreement dates (start, end, expiry).
    timezone: str = "Asia/Jakarta"
    #: Proxies whose ``X-Forwarded-For`` is believed (addresses or CIDRs); none by default, so
    #: a client cannot pick the address its logins are counted against.
    trusted_proxies: tuple[str, ...] = ()
    #: Minutes renderer processes per app process: at most this many PDFs render at once.
    render_workers: int = 2
    #: Seconds one render may take; past it the render is refused as too large (422).
    render_time_limit_seconds: float = 60.0
    #: Address space of one renderer process, in MiB; 0: no limit.
    render_memory_limit_mb: int = 2048
    #: CPU niceness of the renderers: under load, API calls go first.
    render_niceness: int = 10

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite:")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ

        def flag(name: str, default: bool) -> bool:
            raw = env.get(name)
            return default if raw is None else raw.strip().lower() in {"1", "true", "yes", "on"}

        defaults = cls()
        return cls(
            database_url=env.get("MOU_DATABASE_URL", defaults.database_url),
            dev=flag("MOU_DEV", defaults.dev),
            base_url=env.get("MOU_BASE_URL", defaults.base_url).rstrip("/"),
            host=env.get("MOU_HOST", defaults.host),
            port=int(env.get("MOU_PORT", defaults.port)),
            db_pool_size=int(env.get("MOU_DB_POOL_SIZE", defaults.db_pool_size)),
            sqlite_busy_timeout=float(
                env.get("MOU_SQLITE_BUSY_TIMEOUT", defaults.sqlite_busy_timeout)
            ),
            token_ttl_hours=int(env.get("MOU_TOKEN_TTL_HOURS", defaults.token_ttl_hours)),
            log_level=env.get("MOU_LOG_LEVEL", defaults.log_level),
            tick_seconds=float(env.get("MOU_TICK_SECONDS", defaults.tick_seconds)),
            login_failures_per_user_address=int(
                env.get(
                    "MOU_LOGIN_FAILURES_PER_USER_ADDRESS", defaults.login_failures_per_user_address
                )
            ),
            login_failures_per_user=int(
                env.get("MOU_LOGIN_FAILURES_PER_USER", defaults.login_failures_per_user)
            ),
            login_failures_per_address=int(
                env.get("MOU_LOGIN_FAILURES_PER_ADDRESS", defaults.login_failures_per_address)
            ),
            login_window_seconds=int(
                env.get("MOU_LOGIN_WINDOW_SECONDS", defaults.login_window_seconds)
            ),
            login_trusted_days=int(env.get("MOU_LOGIN_TRUSTED_DAYS", defaults.login_trusted_days)),
            token_max_days=int(env.get("MOU_TOKEN_MAX_DAYS", defaults.token_max_days)),
            secret_key=env.get("MOU_SECRET_KEY", defaults.secret_key),
            session_ttl_hours=int(env.get("MOU_SESSION_TTL_HOURS", defaults.session_ttl_hours)),
            timezone=env.get("MOU_TIMEZONE", defaults.timezone),
            trusted_proxies=tuple(
                item.strip()
                for item in env.get("MOU_TRUSTED_PROXIES", "").split(",")
                if item.strip()
            ),
            render_workers=int(env.get("MOU_RENDER_WORKERS", defaults.render_workers)),
            render_time_limit_seconds=float(
                env.get("MOU_RENDER_TIME_LIMIT_SECONDS", defaults.render_time_limit_seconds)
            ),
            render_memory_limit_mb=int(
                env.get("MOU_RENDER_MEMORY_LIMIT_MB", defaults.render_memory_limit_mb)
            ),
            render_niceness=int(env.get("MOU_RENDER_NICENESS", defaults.render_niceness)),
        )


def secret_key_problem(settings: Settings) -> str | None:
    """Why the app must not start with these settings' secret, or None when it may.

    Dev mode takes any key (empty: a random one per process); production mode refuses a
    missing, example or short key, since anyone who knows it can forge CSRF tokens.
    """
    key = settings.secret_key
    if settings.dev:
        return None
    if not key:
        return SECRET_KEY_MISSING.format(minimum=SECRET_KEY_MIN_LENGTH)
    if key == EXAMPLE_SECRET_KEY:
        return SECRET_KEY_EXAMPLE.format(minimum=SECRET_KEY_MIN_LENGTH)
    if len(key) < SECRET_KEY_MIN_LENGTH:
        return SECRET_KEY_SHORT.format(length=len(key), minimum=SECRET_KEY_MIN_LENGTH)
    return None


_current: Settings | None = None


def get_settings() -> Settings:
    """The process's settings, read from the environment on first use."""
    global _current
    if _current is None:
        _current = Settings.from_env()
    return _current


def use_settings(settings: Settings) -> None:
    """Fix the process's settings before anything reads them (``mou demo`` picks its database)."""
    global _current
    if "mou.db" in sys.modules:
        raise RuntimeError("settings are fixed once the database engine exists")
    _current = settings
