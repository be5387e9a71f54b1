"""Cursors decode to exactly what was encoded, for the list that gave them, and nothing else."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mou import errors, paging

AWARE = st.datetimes(timezones=st.just(dt.UTC))


@given(at=AWARE, ident=st.integers(min_value=1, max_value=2**31 - 1))
def test_cursor_decodes_to_the_key_it_encoded(at: dt.datetime, ident: int) -> None:
    cursor = paging.cursor_encode("meeting", (at, ident))
    assert paging.cursor_decode("meeting", cursor, (dt.datetime, int)) == (at, ident)


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "%%%",
        paging.cursor_encode("meeting", (5,)),  # another list's
        paging.cursor_encode("agreement", (True,)),  # JSON true is not an id
        paging.cursor_encode("agreement", (5, 6)),  # wrong shape
        paging.cursor_encode("agreement", ("5",)),
        paging.cursor_encode("agreement", (5.5,)),
        paging.cursor_encode("agreement", (2**70,)),  # past any id: no overflow in the database
    ],
)
def test_cursor_refuses_anything_else_naming_cursor(cursor: str) -> None:
    with pytest.raises(errors.InvalidQuery) as refused:
        paging.cursor_decode("agreement", cursor, (int,))
    assert (refused.value.errors[0].field, refused.value.status_code) == ("cursor", 400)


def test_cursor_refuses_a_time_without_its_zone() -> None:
    naive = paging.cursor_encode("meeting", (dt.datetime(2024, 1, 1), 1))
    with pytest.raises(errors.InvalidQuery):
        paging.cursor_decode("meeting", naive, (dt.datetime, int))


def test_page_cut_gives_a_cursor_only_when_more_rows_follow() -> None:
    assert paging.page_cut("x", [1, 2], 2, lambda r: (r,)) == ([1, 2], None)
    rows, cursor = paging.page_cut("x", [1, 2, 3], 2, lambda r: (r,))
    assert rows == [1, 2]
    assert cursor is not None and paging.cursor_decode("x", cursor, (int,)) == (2,)
