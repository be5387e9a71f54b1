"""JSON endpoints for organisations and people."""

from __future__ import annotations

from litestar import get, patch, post
from litestar.params import FromQuery, JSONBody

from mou import errors
from mou.parties import schemas, selectors, services
from mou.schemas import DEFAULT_LIMIT
from mou.web.bodies import ApiController
from mou.web.openapi import documented
from mou.web.params import Caller, Cursor, Limit, Offset, OptionalId, PathId, SearchText


class OrganisationController(ApiController):
    path = "/api/v1/organisations"
    tags = ["organisations"]

    @post("/", raises=documented(errors.InvalidInput))
    async def organisation_create(
        self, request: Caller, data: JSONBody[schemas.OrganisationCreate]
    ) -> schemas.Organisation:
        return await services.organisation_create(user=request.user, data=data)

    @get("/")
    async def organisation_list(
        self,
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
        cursor: Cursor = None,
        q: SearchText = None,
        kind: FromQuery[schemas.OrganisationKind | None] = None,
    ) -> schemas.OrganisationPage:
        return await selectors.organisation_list(
            limit=limit, offset=offset, cursor=cursor, q=q, kind=kind
        )

    @get("/{organisation_id:int}", raises=documented(errors.NotFound))
    async def organisation_get(self, organisation_id: PathId) -> schemas.Organisation:
        return await selectors.organisation_get(organisation_id=organisation_id)

    @patch("/{organisation_id:int}", raises=documented(errors.NotFound, errors.InvalidInput))
    async def organisation_update(
        self, request: Caller, organisation_id: PathId, data: JSONBody[schemas.OrganisationUpdate]
    ) -> schemas.Organisation:
        return await services.organisation_update(
            user=request.user, organisation_id=organisation_id, data=data
        )


class PersonController(ApiController):
    path = "/api/v1/people"
    tags = ["people"]

    @post("/", raises=documented(errors.InvalidInput))
    async def person_create(
        self, request: Caller, data: JSONBody[schemas.PersonCreate]
    ) -> schemas.Person:
        return await services.person_create(user=request.user, data=data)

    @get("/")
    async def person_list(
        self,
        request: Caller,
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
        cursor: Cursor = None,
        q: SearchText = None,
        organisation_id: OptionalId = None,
    ) -> schemas.PersonPage:
        return await selectors.person_list(
            user=request.user,
            limit=limit,
            offset=offset,
            cursor=cursor,
            q=q,
            organisation_id=organisation_id,
        )

    @get("/{person_id:int}", raises=documented(errors.NotFound))
    async def person_get(self, request: Caller, person_id: PathId) -> schemas.Person:
        return await selectors.person_get(user=request.user, person_id=person_id)

    @patch(
        "/{person_id:int}",
        raises=documented(errors.NotFound, errors.Forbidden, errors.InvalidInput),
    )
    async def person_update(
        self, request: Caller, person_id: PathId, data: JSONBody[schemas.PersonUpdate]
    ) -> schemas.Person:
        return await services.person_update(user=request.user, person_id=person_id, data=data)
