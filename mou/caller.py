"""Who the caller is: the roles, the role sets the policy and the workflow name, and
``CurrentUser``, the authenticated caller every service and selector receives.

Pure data (no I/O): the stage machine imports it. The caller's organisation sets are computed
by ``mou.policy`` on first use and kept on the ``CurrentUser`` instance, which lives for one
request (authentication builds a new one for each), so a request asks the database once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal


class Role(StrEnum):
    """The role a user holds; the values are the strings the API and the database use."""

    ADMIN = "admin"
    MANAGER = "manager"
    LIAISON = "liaison"
    VIEWER = "viewer"


#: The role the stage machine knows the service itself by (the periodic job, ``mou tick``).
#: No user holds it: it is not a ``Role``.
SYSTEM: Literal["system"] = "system"

ADMIN = frozenset({Role.ADMIN})
MANAGERS = frozenset({Role.ADMIN, Role.MANAGER})
WRITERS = frozenset({Role.ADMIN, Role.MANAGER, Role.LIAISON})
READERS = frozenset({Role.ADMIN, Role.MANAGER, Role.LIAISON, Role.VIEWER})
PUBLIC: frozenset[Role] = frozenset()


@dataclass(slots=True)
class OrganisationSets:
    """The caller's organisation sets, each filled by ``mou.policy`` on first use.

    ``related``: the caller's organisation, those above and those below it (what they see).
    ``managed``: the caller's organisation and those below it (what they decide for).
    """

    related: frozenset[int] | None = None
    managed: frozenset[int] | None = None


@dataclass(frozen=True, slots=True)
class CurrentUser:
    """The authenticated caller, as every service and selector receives it.

    One instance per request: its organisation sets are computed once and kept, so code that
    holds one longer (commands, tests) sees the organisation tree as it was at first use.
    """

    id: int
    username: str
    role: Role
    organisation_id: int
    person_id: int | None
    locale: str
    #: The API token this request came with; None for a web session or the system.
    token_id: int | None = None
    organisations: OrganisationSets = field(
        default_factory=OrganisationSets, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        # Rows and callers pass the stored string; an unknown role fails here, not later.
        object.__setattr__(self, "role", Role(self.role))

    @property
    def actor_id(self) -> int | None:
        """The id audit events record; None for the system itself."""
        return self.id or None

    @classmethod
    def system(cls) -> CurrentUser:
        """The system acting on its own (commands, periodic jobs): sees everything."""
        return cls(
            id=0, username="system", role=Role.ADMIN, organisation_id=0, person_id=None, locale="id"
        )
