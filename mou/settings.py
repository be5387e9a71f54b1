"""One Settings object, read once from the ``MOU_*`` environment variables."""

from __future__ import annotations

import contextlib
import contextvars
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


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
    #: Signs CSRF tokens; every process of one deployment must share it. Empty: a random key
    #: per process (fine for one process, as ``mou demo`` runs).
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


_environment: Settings | None = None
_bound: contextvars.ContextVar[Settings | None] = contextvars.ContextVar(
    "mou_settings", default=None
)


def get_settings() -> Settings:
    """The settings of the app or command running now (``settings_bound``); outside any, the
    environment's, read on first use."""
    global _environment
    bound = _bound.get()
    if bound is not None:
        return bound
    if _environment is None:
        _environment = Settings.from_env()
    return _environment


@contextlib.contextmanager
def settings_bound(settings: Settings) -> Iterator[None]:
    """``get_settings()`` answers ``settings`` in the code inside (and tasks it starts).

    Bound by ``create_app``'s app around each request and its lifespan, and by commands:
    bind the engine with them through ``mou.db.runtime_bound``.
    """
    token = _bound.set(settings)
    try:
        yield
    finally:
        _bound.reset(token)
