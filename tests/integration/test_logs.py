"""JSON log lines: every line logged while serving a request carries the id its response shows."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

import mou.app
from mou.logs import REQUEST_ID_HEADER, REQUEST_ID_PATTERN, json_log_handler


@contextlib.contextmanager
def _log_lines() -> Iterator[list[dict[str, Any]]]:
    """The JSON objects the app's log handler writes inside the block, one per line."""
    stream = io.StringIO()
    handler = json_log_handler(stream)
    root = logging.getLogger()
    root.addHandler(handler)
    lines: list[dict[str, Any]] = []
    try:
        yield lines
    finally:
        root.removeHandler(handler)
        lines.extend(json.loads(line) for line in stream.getvalue().splitlines())


async def _failing_readiness() -> str | None:
    raise RuntimeError("the readiness check broke")


async def test_every_line_of_a_request_carries_the_id_of_its_response_header(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A failing handler logs a line of its own (the exception) before the access line.
    monkeypatch.setattr(mou.app, "database_readiness", _failing_readiness)
    with _log_lines() as lines:
        failing, healthy = await asyncio.gather(client.get("/ready"), client.get("/health"))
        logging.getLogger("mou.test").info("outside any request")
    assert (failing.status_code, healthy.status_code) == (500, 200)
    by_id: dict[str | None, list[dict[str, Any]]] = {}
    # The test's own HTTP client (httpx) logs too, outside the app: only the app's lines count.
    for line in (x for x in lines if x["logger"].startswith("mou")):
        by_id.setdefault(line["request_id"], []).append(line)
    failing_id, healthy_id = failing.headers[REQUEST_ID_HEADER], healthy.headers[REQUEST_ID_HEADER]
    assert failing_id != healthy_id
    assert set(by_id) == {failing_id, healthy_id, None}
    assert [(x["logger"], x["level"]) for x in by_id[failing_id]] == [
        ("mou", "ERROR"),
        ("mou.access", "INFO"),
    ]
    assert "the readiness check broke" in by_id[failing_id][0]["exception"]
    access = by_id[healthy_id][0]
    assert {k: access[k] for k in ("method", "path", "status")} == {
        "method": "GET",
        "path": "/health",
        "status": 200,
    }
    assert access["duration_ms"] >= 0
    assert {"time", "level", "logger", "message", "request_id"} <= set(access)
    assert [x["message"] for x in by_id[None]] == ["outside any request"]


async def test_a_sane_client_request_id_is_kept_and_any_other_replaced(
    client: httpx.AsyncClient,
) -> None:
    sane = "edge-4f2a9c_01"
    kept = await client.get("/health", headers={REQUEST_ID_HEADER: sane})
    assert kept.headers[REQUEST_ID_HEADER] == sane
    for insane in ("short", "x" * 65, "has space inside", 'quote"injected"here'):
        replaced = await client.get("/health", headers={REQUEST_ID_HEADER: insane})
        assert replaced.headers[REQUEST_ID_HEADER] != insane
        assert REQUEST_ID_PATTERN.fullmatch(replaced.headers[REQUEST_ID_HEADER])
    missing = await client.get("/no-such-page")
    assert missing.status_code == 404
    assert REQUEST_ID_PATTERN.fullmatch(missing.headers[REQUEST_ID_HEADER])
