"""JSON request bodies held to their declared types exactly."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request
from litestar.exceptions import ValidationException
from litestar.types import BeforeRequestHookHandler

from mou.web.problems import field_of

NUL_IN_TEXT = "must not contain the NUL character (\\u0000)"
#: No request body of this API nests deeper than a few levels; far deeper ones are refused
#: before anything walks them (900 levels used to end in a RecursionError and a 500).
MAX_BODY_DEPTH = 32
TOO_DEEP = f"nested deeper than {MAX_BODY_DEPTH} levels"


class _Refused(ValueError):
    """A decoded body refused before conversion, naming the field and why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(field)
        self.field = field
        self.message = message


def _evened(value: Any, path: str = "", depth: int = 0) -> Any:
    """The decoded body, ready for a strict conversion: a whole-number float becomes an int
    (JSON Schema counts ``1.0`` as an integer; msgspec's strict mode does not), text with a
    NUL character is refused (PostgreSQL cannot store it; SQLite would), and so is nesting
    deeper than ``MAX_BODY_DEPTH``."""
    if isinstance(value, str):
        if "\x00" in value:
            raise _Refused(path or "body", NUL_IN_TEXT)
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list | dict) and depth >= MAX_BODY_DEPTH:
        raise _Refused(path or "body", TOO_DEEP)
    if isinstance(value, list):
        return [_evened(item, f"{path}[{index}]", depth + 1) for index, item in enumerate(value)]
    if isinstance(value, dict):
        return {
            key: _evened(item, f"{path}.{key}" if path else key, depth + 1)
            for key, item in value.items()
        }
    return value


def _body_error(field: str, message: str) -> ValidationException:
    error = {"key": field, "message": message, "source": "body"}
    return ValidationException(f"{field}: {message}", extra=[error])


async def strict_json_body(request: Request[Any, Any, Any]) -> None:
    """Refuse a JSON body that does not match its type exactly (400, naming the field).

    Litestar converts bodies leniently (``strict=False``, for query strings' sake): ``0`` would
    pass for ``false``, ``"7"`` for ``7`` and a number of seconds for a datetime, none of which
    the OpenAPI document allows. This ``before_request`` hook checks the body strictly first.
    """
    field = request.route_handler.parsed_fn_signature.parameters.get("data")
    if field is None:
        return
    body = await request.body()
    if not body:
        if field.is_optional or field.has_default:
            return
        raise _body_error("body", "Send a JSON body.")
    try:
        value = _evened(msgspec.json.decode(body))
    except (msgspec.DecodeError, UnicodeDecodeError) as exc:
        raise _body_error("body", f"Not JSON: {exc}") from None
    except RecursionError:
        # msgspec's own limit, far beyond MAX_BODY_DEPTH: the same refusal.
        raise _body_error("body", TOO_DEEP) from None
    except _Refused as exc:
        raise _body_error(exc.field, exc.message) from None
    try:
        msgspec.convert(value, field.annotation, strict=True)
    except msgspec.ValidationError as exc:
        message = str(exc)
        raise _body_error(field_of("", message), message.split(" - at `$")[0]) from None


class ApiController(Controller):
    """A JSON API controller: request bodies are held to their declared types exactly."""

    before_request: BeforeRequestHookHandler | None = strict_json_body
