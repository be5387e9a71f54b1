"""Files the browser saves: streamed with a file name, chosen by the path's extension."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from litestar import Request
from litestar.response import Stream


def download(content: AsyncIterator[bytes] | bytes, *, media_type: str, filename: str) -> Stream:
    """A streamed file the browser saves as ``filename``."""
    body = content if not isinstance(content, bytes) else iter([content])
    return Stream(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def extension_of(request: Request[Any, Any, Any]) -> str:
    """The file extension the request's path ends in ("csv" for ``.../export.csv``)."""
    return request.url.path.rpartition(".")[2]
