"""Structured logs: one JSON object per line, each carrying the id of the request it serves.

``logging_configure`` installs the one handler (stderr, JSON) on the root logger and routes
uvicorn's loggers through it. ``request_id_middleware`` wraps the app's ASGI handler: it takes
the client's ``X-Request-ID`` when it matches ``REQUEST_ID_PATTERN`` (else makes one), holds it
in a context variable for every line logged while the request is served, sends it back in the
response header, and logs one access line per request.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import secrets
import sys
import time
from contextvars import ContextVar
from typing import IO, Any

from litestar.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "X-Request-ID"
#: What a client may send as its own request id; anything else is replaced, so a log line
#: never carries a client's newline, quote or megabyte.
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{8,64}")
#: Fields of an access line, passed as ``extra`` and written as JSON fields of their own.
ACCESS_FIELDS = ("method", "path", "status", "duration_ms")

_request_id: ContextVar[str | None] = ContextVar("mou_request_id", default=None)
access_logger = logging.getLogger("mou.access")


def request_id_current() -> str | None:
    """The id of the request being served in this context, or None outside a request."""
    return _request_id.get()


class RequestIdFilter(logging.Filter):
    """Stamps each record with the current request id where it is logged (any thread that
    copied the context, as ``sync_to_thread`` does)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        for field in ACCESS_FIELDS:
            if hasattr(record, field):
                line[field] = getattr(record, field)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def json_log_handler(stream: IO[str] | None = None) -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    handler.mou_json = True  # type: ignore[attr-defined]
    return handler


def logging_configure(level: str) -> None:
    """One JSON handler on the root logger (replacing one installed before: safe to repeat).

    Handlers others installed stay (pytest's capture); uvicorn's own handlers go, so its lines
    are JSON too. Its access log is left off by ``mou serve``: ours carries the request id.
    """
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "mou_json", False)]:
        root.removeHandler(handler)
    root.addHandler(json_log_handler())
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers.clear()
        uvicorn_logger.propagate = True


def request_id_choose(headers: list[tuple[bytes, bytes]]) -> str:
    """The client's id when it is sane, else a new random one."""
    for name, value in headers:
        if name.lower() == b"x-request-id":
            offered = value.decode("latin-1")
            if REQUEST_ID_PATTERN.fullmatch(offered):
                return offered
            break
    return secrets.token_hex(16)


def request_id_middleware(app: ASGIApp) -> ASGIApp:
    """Wrap ``app`` (the whole app, so 404s and errors are covered too)."""

    async def handle(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        method = scope.get("method", "")
        request_id = request_id_choose(list(scope["headers"]))
        token = _request_id.set(request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((REQUEST_ID_HEADER.lower().encode(), request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await app(scope, receive, send_with_id)
        finally:
            duration_ms = round((time.perf_counter() - started) * 1000, 2)
            access_logger.info(
                "%s %s %s",
                method,
                scope["path"],
                status,
                extra={
                    "method": method,
                    "path": scope["path"],
                    "status": status,
                    "duration_ms": duration_ms,
                },
            )
            _request_id.reset(token)

    return handle
