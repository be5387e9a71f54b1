"""Domain exceptions. Services raise these; ``mou.app`` maps them to HTTP in one place."""

from __future__ import annotations

from dataclasses import dataclass

from mou.i18n import N_


class DomainError(Exception):
    """Base of every error a service raises on purpose."""

    status_code = 400
    title = "Bad request"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


@dataclass(frozen=True, slots=True)
class FieldError:
    field: str
    message: str


class InvalidInput(DomainError):
    """Input that parsed but cannot be accepted (an id that does not exist, dates out of order)."""

    status_code = 422
    title = "Invalid input"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.errors = [FieldError(field, message)]


class InvalidQuery(InvalidInput):
    """A query parameter that parsed but cannot be used (an edited cursor, too deep an offset)."""

    status_code = 400


class NotFound(DomainError):
    """Absent, or not visible to the caller: both answer the same."""

    status_code = 404
    title = "Not found"


class NotAuthenticated(DomainError):
    status_code = 401
    title = "Not authenticated"


class Forbidden(DomainError):
    status_code = 403
    title = "Forbidden"


class Conflict(DomainError):
    """Not allowed in the current state (stage, a duplicate, a locked record)."""

    status_code = 409
    title = "Conflict"


class PreconditionFailed(DomainError):
    status_code = 412
    title = "Precondition failed"


class PreconditionRequired(DomainError):
    status_code = 428
    title = "Precondition required"


class TooManyRequests(DomainError):
    status_code = 429
    title = "Too many attempts"

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class Unavailable(DomainError):
    """The storage underneath cannot take the request now; nothing of it was kept."""

    status_code = 503
    title = "Service unavailable"

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class DatabaseUnavailable(Unavailable):
    title = "Database unavailable"


class StorageFull(Unavailable):
    title = "Storage full"


NOT_FOUND = "No such {entity}."
STALE_VERSION = "The {entity} has changed since version {expected}; it is now at version {actual}."
IF_MATCH_REQUIRED = 'Send If-Match: "<version>" with the version you last read.'
IF_MATCH_WEAK = 'If-Match compares strongly: send "<version>", not a weak W/"<version>".'
BAD_CREDENTIALS = N_("Wrong username or password.")
TOO_MANY_ATTEMPTS = N_("Too many failed logins; try again in {seconds} seconds.")
DUPLICATE = "A {entity} with this {field} already exists."
DATABASE_UNAVAILABLE = "The database is unavailable; nothing was saved. Try again shortly."
STORAGE_FULL = "The storage is full; nothing was saved. Try again later."
