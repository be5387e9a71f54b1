"""Web pages for agreements: the list, the detail page and its workflow buttons.

Pages call the same selectors and services as the API. Filters and forms are checked here,
and an error is shown next to its field in the caller's language, with what was typed kept.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import msgspec
from litestar import Controller, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, PathParameter, QueryParameter
from litestar.response import Redirect, Template

from mou import errors
from mou.agreements import schemas, selectors
from mou.agreements.actions import agreement_act, agreement_standing
from mou.agreements.history import agreement_history
from mou.agreements.labels import STAGES
from mou.i18n import N_
from mou.labels import ACTIONS
from mou.meetings import meeting_list
from mou.pages import page, safe_next
from mou.schemas import MAX_LIMIT
from mou.web.params import Caller, PathId

PAGE_SIZE = 20
#: The longest "ending within N days" filter the list accepts (about ten years).
MAX_WITHIN_DAYS = 3660
NOT_A_STAGE = N_("Choose a stage from the list.")
NOT_A_NUMBER = N_("Enter a whole number of days from 1 to 3660.")
NOT_A_DATE = N_("Enter a date as YYYY-MM-DD.")
STALE = N_("Someone changed this agreement since you opened it; this is how it stands now.")
REFUSED = N_("This action is not possible now; this is how the agreement stands.")
HISTORY_ROWS = 200

FilterText = Annotated[str, QueryParameter(max_length=200)]


class ActionForm(msgspec.Struct):
    #: The agreement's version the person saw: a stale one is refused (412), never applied.
    version: Annotated[int, msgspec.Meta(ge=1, le=2**31)]
    comment: Annotated[str, msgspec.Meta(max_length=10_000)] = ""
    signed_on: Annotated[str, msgspec.Meta(max_length=20)] = ""
    organisation_id: Annotated[int, msgspec.Meta(ge=0, le=2**63 - 1)] = 0
    #: Where to go afterwards: the home page approves and comes back.
    next: Annotated[str, msgspec.Meta(max_length=500)] = ""


def list_filters(q: str, stage: str, within: str) -> tuple[dict[str, Any], dict[str, str]]:
    """The list's filters as the selector takes them, and an error per field typed wrong."""
    found: dict[str, Any] = {"q": q.strip() or None, "stage": None, "expiring_within_days": None}
    problems: dict[str, str] = {}
    if stage:
        if stage in STAGES:
            found["stage"] = stage
        else:
            problems["stage"] = NOT_A_STAGE
    if within.strip():
        digits = within.strip()
        if digits.isdigit() and 1 <= int(digits) <= MAX_WITHIN_DAYS:
            found["expiring_within_days"] = int(digits)
        else:
            problems["within"] = NOT_A_NUMBER
    return found, problems


class AgreementPages(Controller):
    include_in_schema = False

    @get("/agreements")
    async def agreements_page(
        self,
        request: Caller,
        q: FilterText = "",
        stage: Annotated[str, QueryParameter(max_length=40)] = "",
        within: Annotated[str, QueryParameter(max_length=10)] = "",
        page_number: Annotated[int, QueryParameter(name="page", ge=1, le=MAX_LIMIT * 1000)] = 1,
    ) -> Template:
        filters, problems = list_filters(q, stage, within)
        found = await selectors.agreement_list(
            user=request.user, limit=PAGE_SIZE, offset=(page_number - 1) * PAGE_SIZE, **filters
        )
        return page(
            request,
            "agreements/index.html",
            {
                "found": found,
                "typed": {"q": q, "stage": stage, "within": within},
                "problems": problems,
                "page_number": page_number,
                "pages": max(1, -(-found.total // PAGE_SIZE)),
                "stages": STAGES,
            },
            status_code=400 if problems else 200,
        )

    @get("/agreements/{agreement_id:int}")
    async def agreement_page(self, request: Caller, agreement_id: PathId) -> Template:
        return await _detail(request, agreement_id)

    @post("/agreements/{agreement_id:int}/actions/{action:str}", status_code=303)
    async def agreement_act_page(
        self,
        request: Caller,
        agreement_id: PathId,
        action: Annotated[str, PathParameter(max_length=20)],
        data: Annotated[ActionForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Redirect | Template:
        if action not in ACTIONS:
            raise errors.NotFound(errors.NOT_FOUND.format(entity="action"))
        signed_on, problems = _signed_on(data.signed_on)
        if problems:
            return await _detail(request, agreement_id, data, action, problems, status_code=422)
        request_data = schemas.ActionRequest(
            comment=data.comment,
            signed_on=signed_on,
            organisation_id=data.organisation_id or None,
        )
        try:
            await agreement_act(
                user=request.user,
                agreement_id=agreement_id,
                action=action,
                expected_version=data.version,
                data=request_data,
            )
        except errors.NotFound:
            raise
        except errors.DomainError as exc:
            return await _refused(request, agreement_id, data, action, exc)
        return Redirect(safe_next(data.next or f"/agreements/{agreement_id}"), status_code=303)


def _signed_on(text: str) -> tuple[dt.date | None, dict[str, str]]:
    if not text.strip():
        return None, {}
    try:
        return dt.date.fromisoformat(text.strip()), {}
    except ValueError:
        return None, {"signed_on": NOT_A_DATE}


async def _refused(
    request: Caller, agreement_id: int, data: ActionForm, action: str, exc: errors.DomainError
) -> Template:
    """The detail page again, saying why: a field's error beside the field, otherwise on top."""
    problems: dict[str, str] = {}
    if isinstance(exc, errors.InvalidInput):
        problems = {error.field: error.message for error in exc.errors}
    elif isinstance(exc, errors.PreconditionFailed):
        problems = {"": STALE}
    else:
        problems = {"": REFUSED, "detail": exc.detail}
    return await _detail(request, agreement_id, data, action, problems, exc.status_code)


async def _detail(
    request: Caller,
    agreement_id: int,
    typed: ActionForm | None = None,
    action: str = "",
    problems: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    user = request.user
    agreement = await selectors.agreement_get(user=user, agreement_id=agreement_id)
    standing = await agreement_standing(user=user, agreement_id=agreement_id)
    history = await agreement_history(
        user=user, agreement_id=agreement_id, limit=HISTORY_ROWS, offset=0
    )
    meetings = await meeting_list(user=user, agreement_id=agreement_id, limit=50, offset=0)
    return page(
        request,
        "agreements/detail.html",
        {
            "agreement": agreement,
            "standing": standing,
            "history": history.items,
            "meetings": meetings.items,
            "organisations": {
                p.organisation_id: p.organisation_short_name for p in agreement.parties
            },
            "typed": typed,
            "acted": action,
            "problems": problems or {},
        },
        status_code=status_code,
    )
