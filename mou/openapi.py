"""Make the generated OpenAPI document say what the handlers really accept and answer."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import msgspec
from litestar import Litestar
from litestar.openapi.spec import (
    OpenAPIMediaType,
    OpenAPIResponse,
    Reference,
    RequestBody,
    Schema,
)
from litestar.openapi.spec.enums import OpenAPIFormat, OpenAPIType

from mou.tabular import MEDIA_TYPES

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


#: "/agreements/{agreement_id:int}" in a route is "/agreements/{agreement_id}" in the document.
_PATH_PARAMETER_TYPE = re.compile(r"\{(\w+):[^}]*\}")


def _body_structs(annotation: Any) -> Iterator[msgspec.inspect.StructType]:
    """The structs a request body of type ``annotation`` is made of, nested ones too."""
    pending: list[msgspec.inspect.Type] = [msgspec.inspect.type_info(annotation)]
    seen: set[type] = set()
    while pending:
        info = pending.pop()
        if isinstance(info, msgspec.inspect.StructType):
            if info.cls in seen:
                continue
            seen.add(info.cls)
            yield info
            pending.extend(field.type for field in info.fields)
        elif isinstance(info, msgspec.inspect.Metadata):
            pending.append(info.type)
        elif isinstance(info, msgspec.inspect.UnionType):
            pending.extend(info.types)
        elif isinstance(info, msgspec.inspect.DictType):
            pending.extend((info.key_type, info.value_type))
        elif isinstance(info, msgspec.inspect.TupleType):
            pending.extend(info.item_types)
        elif item := getattr(info, "item_type", None):
            pending.append(item)


def document_request_bodies(app: Litestar) -> None:
    """Say what the handlers really accept as a body, where Litestar's document does not.

    * A struct that refuses unknown fields (400) says so: ``additionalProperties: false``;
      Litestar leaves ``forbid_unknown_fields`` out, so a client would expect them ignored.
    * A body the handler can do without (``data: ... = None``) is not ``required``; Litestar
      marks every body required.
    """
    document = app.openapi_schema
    closed: set[str] = set()
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            body = handler.parsed_fn_signature.parameters.get("data")
            if body is None:
                continue
            closed.update(
                struct.cls.__name__
                for struct in _body_structs(body.annotation)
                if struct.forbid_unknown_fields
            )
            if not (body.is_optional or body.has_default):
                continue
            path_item = (document.paths or {}).get(_PATH_PARAMETER_TYPE.sub(r"{\1}", route.path))
            for method in handler.http_methods:
                operation = getattr(path_item, method.lower(), None)
                if operation is not None and isinstance(operation.request_body, RequestBody):
                    operation.request_body.required = False
    for name, schema in (document.components.schemas or {}).items():
        if isinstance(schema, Schema) and (schema.title or name) in closed:
            schema.additional_properties = False


def document_downloads(app: Litestar) -> None:
    """Say in the OpenAPI document that a path ending in ``.csv`` or ``.xlsx`` answers that
    file (a streamed response documents itself as JSON otherwise)."""
    for path, path_item in (app.openapi_schema.paths or {}).items():
        media_type = MEDIA_TYPES.get(path.rpartition(".")[2]) if "." in path else None
        operation = path_item.get
        if media_type is None or operation is None:
            continue
        response = (operation.responses or {}).get("200")
        if isinstance(response, OpenAPIResponse):
            binary = Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY)
            response.content = {media_type: OpenAPIMediaType(schema=binary)}
