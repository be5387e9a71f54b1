"""Field types shared by every feature's schemas: bounded ids, texts and pages."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import msgspec

#: Text without the NUL character, which PostgreSQL cannot store. ``mou.http`` refuses NUL in
#: any string of a request body (400, naming the field); query texts carry this pattern.
TEXT_PATTERN = r"^[^\u0000]*$"
#: Database ids are 32-bit serials; anything larger cannot exist and is refused as input.
MAX_ID = 2**31 - 1
Id = Annotated[int, msgspec.Meta(ge=1, le=MAX_ID)]
ShortText = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
OptionalShortText = Annotated[str, msgspec.Meta(max_length=200)]
Title = Annotated[str, msgspec.Meta(min_length=1, max_length=300)]
LongText = Annotated[str, msgspec.Meta(max_length=20_000)]
RequiredLongText = Annotated[str, msgspec.Meta(min_length=1, max_length=20_000)]
Email = Annotated[
    str,
    msgspec.Meta(max_length=254, pattern=r"^$|^[^@\s\u0000]+@[^@\s\u0000]+\.[^@\s\u0000]+$"),
]
Phone = Annotated[str, msgspec.Meta(max_length=40, pattern=r"^[0-9+()\-. ]*$")]

#: The years a date or time sent by a client may fall in, for every date and time field alike:
#: wide enough for any agreement, narrow enough for time zones and renewals to stay in range.
EARLIEST_YEAR = 1900
LATEST_YEAR = 2200
YEAR_OUT_OF_RANGE = f"must be between the years {EARLIEST_YEAR} and {LATEST_YEAR}"


class Input(msgspec.Struct, forbid_unknown_fields=True):
    """Base of every request body: unknown fields are refused, and so is any date or time
    outside ``EARLIEST_YEAR``..``LATEST_YEAR`` (400, naming the field)."""

    def __post_init__(self) -> None:
        for name in self.__struct_fields__:
            value = getattr(self, name)
            if isinstance(value, dt.date) and not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
                # msgspec turns this into a ValidationError; "field `x`" names the field.
                raise ValueError(f"field `{name}` {YEAR_OUT_OF_RANGE}")


DEFAULT_LIMIT = 50
MAX_LIMIT = 200


class Page(msgspec.Struct):
    total: int
    limit: int
    offset: int


def changed_fields(data: msgspec.Struct, renames: dict[str, str] | None = None) -> dict[Any, Any]:
    """The fields a partial update sets (not ``UNSET``), under their column names."""
    renames = renames or {}
    return {
        renames.get(name, name): value
        for name, value in msgspec.structs.asdict(data).items()
        if value is not msgspec.UNSET
    }
