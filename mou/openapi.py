"""Make the generated OpenAPI document say what the handlers really answer on error."""

from __future__ import annotations

from litestar import Litestar
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIResponse, Reference, Schema
from litestar.openapi.spec.enums import OpenAPIType

PROBLEM = Schema(
    type=OpenAPIType.OBJECT,
    required=["status", "title", "detail"],
    properties={
        "type": Schema(type=OpenAPIType.STRING),
        "status": Schema(type=OpenAPIType.INTEGER),
        "title": Schema(type=OpenAPIType.STRING),
        "detail": Schema(type=OpenAPIType.STRING),
        "errors": Schema(
            type=OpenAPIType.ARRAY,
            items=Schema(
                type=OpenAPIType.OBJECT,
                required=["field", "message"],
                properties={
                    "field": Schema(type=OpenAPIType.STRING),
                    "message": Schema(type=OpenAPIType.STRING),
                    "source": Schema(type=OpenAPIType.STRING),
                },
            ),
        ),
    },
)

#: Statuses every operation may answer, besides those its handler declares.
COMMON = {
    "400": "Invalid input",
    "401": "Not authenticated",
    "403": "Forbidden",
    "429": "Too many requests",
}
#: Only operations behind a login answer these: no token, or a role the policy refuses.
AUTHENTICATED_ONLY = {"401", "403"}
DESCRIPTIONS = {
    "403": "Forbidden",
    "404": "Not found",
    "409": "Conflict",
    "412": "Precondition failed",
    "422": "Invalid input",
    "428": "Precondition required",
}


def document_problems(app: Litestar) -> None:
    """Every error answer is ``application/problem+json`` with the Problem schema."""
    schema = app.openapi_schema
    components = schema.components
    components.schemas = dict(components.schemas or {})
    components.schemas["Problem"] = PROBLEM
    problem = OpenAPIMediaType(schema=Reference(ref="#/components/schemas/Problem"))
    for path_item in (schema.paths or {}).values():
        for method in ("get", "post", "patch", "put", "delete"):
            operation = getattr(path_item, method, None)
            if operation is None:
                continue
            responses = operation.responses or {}
            public = operation.security == []
            for status, description in COMMON.items():
                if public and status in AUTHENTICATED_ONLY:
                    continue
                responses.setdefault(status, OpenAPIResponse(description=description))
            for status, response in list(responses.items()):
                if status.startswith(("4", "5")) and isinstance(response, OpenAPIResponse):
                    response.description = DESCRIPTIONS.get(status, response.description)
                    response.content = {"application/problem+json": problem}
            operation.responses = responses
