"""JSON endpoints for agreements and their scope items."""

from __future__ import annotations

from typing import Annotated

from litestar import Response, get, patch, post
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.response import Stream

from mou import errors
from mou.agreements import actions, history, schemas, selectors, services, signatories
from mou.agreements.export import agreement_register_export
from mou.http import (
    DEFAULT_LIMIT,
    ApiController,
    Caller,
    IfMatch,
    LanguageQuery,
    Limit,
    Offset,
    OptionalId,
    PathId,
    SearchText,
    documented,
    download,
    etag_headers,
    expected_version,
    extension_of,
)
from mou.tabular import MEDIA_TYPES, Format

ExpiringWithin = Annotated[
    int | None, QueryParameter(ge=0, le=36_500, description="Days from today.")
]


def _with_etag(agreement: schemas.Agreement, status: int = 200) -> Response[schemas.Agreement]:
    return Response(agreement, status_code=status, headers=etag_headers(agreement.version))


class AgreementController(ApiController):
    path = "/api/v1/agreements"
    tags = ["agreements"]

    @post("/", raises=documented(errors.InvalidInput))
    async def agreement_create(
        self, request: Caller, data: JSONBody[schemas.AgreementCreate]
    ) -> Response[schemas.Agreement]:
        created = await services.agreement_create(user=request.user, data=data)
        return _with_etag(created, 201)

    @get("/")
    async def agreement_list(
        self,
        request: Caller,
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
        stage: FromQuery[schemas.Stage | None] = None,
        organisation_id: OptionalId = None,
        q: SearchText = None,
        expiring_within_days: ExpiringWithin = None,
    ) -> schemas.AgreementPage:
        return await selectors.agreement_list(
            user=request.user,
            limit=limit,
            offset=offset,
            stage=stage,
            organisation_id=organisation_id,
            q=q,
            expiring_within_days=expiring_within_days,
        )

    @get(["/export.csv", "/export.xlsx"])
    async def agreement_export(
        self,
        request: Caller,
        stage: FromQuery[schemas.Stage | None] = None,
        organisation_id: OptionalId = None,
        q: SearchText = None,
        expiring_within_days: ExpiringWithin = None,
        lang: LanguageQuery = "id",
    ) -> Stream:
        """The register of the agreements you may see, with the list's filters, streamed as
        CSV (UTF-8) or XLSX; headers and labels in Indonesian, or English with ``lang=en``."""
        fmt: Format = "xlsx" if extension_of(request) == "xlsx" else "csv"
        content = agreement_register_export(
            user=request.user,
            fmt=fmt,
            language=lang,
            stage=stage,
            organisation_id=organisation_id,
            q=q,
            expiring_within_days=expiring_within_days,
        )
        return download(content, media_type=MEDIA_TYPES[fmt], filename=f"agreements.{fmt}")

    @get("/{agreement_id:int}", raises=documented(errors.NotFound))
    async def agreement_get(
        self, request: Caller, agreement_id: PathId
    ) -> Response[schemas.Agreement]:
        return _with_etag(
            await selectors.agreement_get(user=request.user, agreement_id=agreement_id)
        )

    @patch(
        "/{agreement_id:int}",
        raises=documented(
            errors.NotFound,
            errors.InvalidInput,
            errors.Conflict,
            errors.PreconditionFailed,
            errors.PreconditionRequired,
        ),
    )
    async def agreement_update(
        self,
        request: Caller,
        agreement_id: PathId,
        data: JSONBody[schemas.AgreementUpdate],
        if_match: IfMatch = None,
    ) -> Response[schemas.Agreement]:
        updated = await services.agreement_update(
            user=request.user,
            agreement_id=agreement_id,
            expected_version=expected_version(if_match),
            data=data,
        )
        return _with_etag(updated)

    @patch(
        "/{agreement_id:int}/parties/{party_id:int}",
        raises=documented(
            errors.NotFound,
            errors.Forbidden,
            errors.InvalidInput,
            errors.Conflict,
            errors.PreconditionFailed,
            errors.PreconditionRequired,
        ),
    )
    async def party_update(
        self,
        request: Caller,
        agreement_id: PathId,
        party_id: PathId,
        data: JSONBody[schemas.PartyUpdate],
        if_match: IfMatch = None,
    ) -> Response[schemas.Party]:
        """Choose the party's signatory: by users of that party's organisation (or one above
        it) and admins. ``If-Match`` names the agreement's version; the answer's ``ETag`` is
        the new one."""
        party, version = await signatories.party_update(
            user=request.user,
            agreement_id=agreement_id,
            party_id=party_id,
            expected_version=expected_version(if_match),
            data=data,
        )
        return Response(party, headers=etag_headers(version))

    @post(
        "/{agreement_id:int}/actions/{action:str}",
        status_code=200,
        responses={
            201: ResponseSpec(schemas.Agreement, description="renew: the new draft"),
        },
        raises=documented(
            errors.NotFound,
            errors.Forbidden,
            errors.InvalidInput,
            errors.Conflict,
            errors.PreconditionFailed,
            errors.PreconditionRequired,
        ),
    )
    async def agreement_act(
        self,
        request: Caller,
        agreement_id: PathId,
        action: FromPath[schemas.Action],
        if_match: IfMatch = None,
        data: JSONBody[schemas.ActionRequest | None] = None,
    ) -> Response[schemas.Agreement]:
        """Move the agreement through its stages; ``renew`` answers 201 with the new draft."""
        result = await actions.agreement_act(
            user=request.user,
            agreement_id=agreement_id,
            action=action,
            expected_version=expected_version(if_match),
            data=data or schemas.ActionRequest(),
        )
        return _with_etag(result, 201 if action == "renew" else 200)

    @get("/{agreement_id:int}/history", raises=documented(errors.NotFound))
    async def agreement_history(
        self,
        request: Caller,
        agreement_id: PathId,
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
    ) -> schemas.HistoryPage:
        """Stage changes and approvals, oldest first."""
        return await history.agreement_history(
            user=request.user, agreement_id=agreement_id, limit=limit, offset=offset
        )

    @post(
        "/{agreement_id:int}/scope-items",
        raises=documented(errors.NotFound, errors.InvalidInput, errors.Conflict),
    )
    async def scope_item_create(
        self, request: Caller, agreement_id: PathId, data: JSONBody[schemas.ScopeItemCreate]
    ) -> schemas.ScopeItem:
        return await services.scope_item_create(
            user=request.user, agreement_id=agreement_id, data=data
        )


class ScopeItemController(ApiController):
    path = "/api/v1/scope-items"
    tags = ["agreements"]

    @get("/{scope_item_id:int}", raises=documented(errors.NotFound))
    async def scope_item_get(self, request: Caller, scope_item_id: PathId) -> schemas.ScopeItem:
        return await selectors.scope_item_get(user=request.user, scope_item_id=scope_item_id)

    @patch(
        "/{scope_item_id:int}",
        raises=documented(errors.NotFound, errors.InvalidInput, errors.Conflict),
    )
    async def scope_item_update(
        self, request: Caller, scope_item_id: PathId, data: JSONBody[schemas.ScopeItemUpdate]
    ) -> schemas.ScopeItem:
        return await services.scope_item_update(
            user=request.user, scope_item_id=scope_item_id, data=data
        )


class ApprovalController(ApiController):
    path = "/api/v1/approvals"
    tags = ["agreements"]

    @get("/waiting")
    async def approvals_waiting(
        self, request: Caller, limit: Limit = DEFAULT_LIMIT, offset: Offset = 0
    ) -> schemas.WaitingApprovalPage:
        """Agreements in review still waiting for the approval of a party you decide for."""
        return await selectors.approvals_waiting(user=request.user, limit=limit, offset=offset)
