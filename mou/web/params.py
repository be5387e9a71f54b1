"""Path and query parameter types the controllers share, and the caller of a request."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from litestar import Request
from litestar.params import PathParameter, QueryParameter

from mou.caller import CurrentUser
from mou.i18n import Language
from mou.schemas import MAX_ID, MAX_LIMIT, TEXT_PATTERN

#: A request whose ``user`` is the authenticated caller.
Caller = Request[CurrentUser, Any, Any]
SearchText = Annotated[
    str | None,
    QueryParameter(max_length=200, pattern=TEXT_PATTERN, description="Text to search for."),
]
OptionalId = Annotated[int | None, QueryParameter(ge=1, le=MAX_ID)]
PathId = Annotated[int, PathParameter(ge=1, le=MAX_ID, description="Integer id.")]
Limit = Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT, description="Page size.")]
Offset = Annotated[
    int,
    QueryParameter(
        ge=0, le=MAX_ID, description="Items to skip, at most 1000; deeper, page with `cursor`."
    ),
]
Cursor = Annotated[
    str | None,
    QueryParameter(
        max_length=500, description="The previous page's `next_cursor`: the page after it."
    ),
]
#: ``exact`` asks for an exact ``total`` where the list would otherwise estimate it.
CountMode = Annotated[
    Literal["exact"] | None,
    QueryParameter(description="`exact`: count every match even where `total` is estimated."),
]
LanguageQuery = Annotated[
    Language, QueryParameter(description="Language of headers and labels: id (default) or en.")
]
