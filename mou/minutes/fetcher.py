"""The only way a rendering reaches outside its HTML: ``data:`` URLs and the project's static files.

WeasyPrint's default fetcher opens ``file:``, ``http(s):`` and ``ftp:`` URLs, follows redirects
and embeds ``<link rel="attachment">`` targets in the PDF. Minutes carry text that users typed,
so everything but the two sources below is refused, whatever the URL says.
"""

from __future__ import annotations

import base64
import binascii
import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import unquote, unquote_to_bytes, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

from mou.web.templating import STATIC

REFUSED = "refused by the minutes fetcher: {url}"
#: The base URL documents are rendered against: relative URLs resolve into ``static/``.
STATIC_BASE_URL = STATIC.resolve().as_uri() + "/"
#: Larger ``data:`` URLs are refused: nothing mou renders needs one.
MAX_DATA_URL = 512 * 1024


class StaticOnlyFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint ships no types
    """Serves ``data:`` URLs and regular files under ``static/``; refuses everything else.

    Refusals raise ``ValueError``, which WeasyPrint logs and treats as a missing resource, so
    a planted URL costs the document an image, never the rendering. ``refused`` lists them.
    """

    def __init__(self, static: Path = STATIC, **kwargs: Any) -> None:
        super().__init__(allowed_protocols=("data", "file"), allow_redirects=False, **kwargs)
        self.static = static.resolve()
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        scheme = url.split(":", 1)[0].lower()
        if scheme == "data" and len(url) <= MAX_DATA_URL:
            return _data_response(url)
        if scheme == "file":
            path = self._static_file(url)
            if path is not None:
                return URLFetcherResponse(
                    url, path.read_bytes(), {"Content-Type": _mime_type(path)}
                )
        self.refused.append(url[:200])
        raise ValueError(REFUSED.format(url=url[:200]))

    def _static_file(self, url: str) -> Path | None:
        """The file ``url`` names if it is a regular file inside ``static/`` (links resolved)."""
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost") or parts.query:
            return None
        path = Path(unquote(parts.path)).resolve()
        if not path.is_relative_to(self.static) or not path.is_file():
            return None
        return path


def _mime_type(path: Path) -> str:
    return mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def _data_response(url: str) -> URLFetcherResponse:
    """Decode ``data:[<type>][;base64],<payload>`` without a network-capable opener."""
    header, comma, payload = url[5:].partition(",")
    if not comma:
        raise ValueError(REFUSED.format(url=url[:200]))
    media, _, encoding = header.rpartition(";") if header.endswith(";base64") else (header, "", "")
    try:
        body = (
            base64.b64decode(unquote_to_bytes(payload), validate=False)
            if encoding == "base64"
            else unquote_to_bytes(payload)
        )
    except (binascii.Error, ValueError):
        raise ValueError(REFUSED.format(url=url[:200])) from None
    return URLFetcherResponse(url, body, {"Content-Type": media or "text/plain;charset=US-ASCII"})
