"""The values the database accepts (frozen in a migration) are the code's enumerations.

A migration must not change when the code does, so the migration holds its own copy of the
values; this test fails when the two differ: a new value needs a migration replacing the
column's constraint (and this test then reads that migration).
"""

import enum
from typing import Any, get_args

from migrations.mou_2026_12_01t20_00_00_000000 import ENUMERATIONS
from mou.agreements.schemas import AgreementKind, PartyRole, ScopeKind, ScopeStatus, Stage
from mou.caller import Role
from mou.meetings.schemas import (
    ActionStatus,
    Attendance,
    AttendeeRole,
    MeetingKind,
    MeetingMode,
    MinutesStatus,
)
from mou.parties.schemas import OrganisationKind

#: (table, column) -> the type the API's schemas validate that column's values with.
CODE_ENUMERATIONS: dict[tuple[str, str], Any] = {
    ("agreement", "stage"): Stage,
    ("stage_change", "from_stage"): Stage,
    ("stage_change", "to_stage"): Stage,
    ("mou_user", "role"): Role,
    ("organisation", "kind"): OrganisationKind,
    ("agreement", "kind"): AgreementKind,
    ("agreement_party", "role"): PartyRole,
    ("scope_item", "kind"): ScopeKind,
    ("scope_item", "status"): ScopeStatus,
    ("meeting", "kind"): MeetingKind,
    ("meeting", "mode"): MeetingMode,
    ("meeting", "minutes_status"): MinutesStatus,
    ("attendee", "role"): AttendeeRole,
    ("attendee", "attendance"): Attendance,
    ("action_item", "status"): ActionStatus,
}


def enumeration_values(enumeration: Any) -> set[str]:
    """The values of a ``Literal`` type or of an ``Enum`` class."""
    if isinstance(enumeration, type) and issubclass(enumeration, enum.Enum):
        return {member.value for member in enumeration}
    return set(get_args(enumeration))


def test_the_database_accepts_exactly_the_code_enumerations() -> None:
    frozen = {column: set(values) for column, values in ENUMERATIONS.items()}
    current = {column: enumeration_values(kind) for column, kind in CODE_ENUMERATIONS.items()}
    assert frozen == current


def test_every_enumerated_value_is_a_plain_word() -> None:
    # The migration quotes values into SQL as they are: no quote can be in one.
    for values in ENUMERATIONS.values():
        assert all(value.replace("_", "").isalnum() for value in values), values
