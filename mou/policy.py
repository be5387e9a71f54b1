"""Who may do what: the roles each route admits, and which records a caller may see.

Two rules, each in one place:

* ``ROUTE_ROLES`` names, for every route handler of the app, the roles that may call it
  (``PUBLIC`` for routes that need no login). ``mou.web.guard`` enforces it on every request,
  and the app refuses to start when a route has no entry or an entry names no route
  (``mou.web.guard.policy_check``), so a renamed or forgotten handler cannot ship, open or
  closed.
* Outside ``admin``, a caller sees an agreement only when one of its parties is the caller's
  organisation, one above it or one below it; everything hanging off an agreement (scope
  items, meetings, attendees, minutes) follows the agreement. A record the caller may not see
  is reported exactly like one that does not exist.
* People are seen more narrowly: the directory (``/people``, with email and phone) holds the
  caller's own organisation tree only, and only users of a person's organisation or one above
  it change that person or choose that organisation's signatory (``managed_organisations``).
"""

from __future__ import annotations

from typing import Any

from piccolo.columns import Column
from piccolo.columns.combination import WhereRaw

from mou import errors
from mou.agreements.tables import Agreement
from mou.caller import ADMIN, MANAGERS, PUBLIC, READERS, WRITERS, CurrentUser, Role
from mou.parties.tables import Organisation, Person

ROUTE_ROLES: dict[str, frozenset[Role]] = {
    "health": PUBLIC,
    "ready": PUBLIC,
    "login_page": PUBLIC,
    "login": PUBLIC,
    "logout": READERS,
    "language_set": READERS,
    "home_page": READERS,
    "agreements_page": READERS,
    "agreement_page": READERS,
    "agreement_act_page": WRITERS,
    "auth_token": PUBLIC,
    "token_create": READERS,
    "token_list": READERS,
    "token_revoke": READERS,
    "me": READERS,
    "user_create": ADMIN,
    "user_list": ADMIN,
    "user_get": ADMIN,
    "user_update": ADMIN,
    "organisation_create": ADMIN,
    "organisation_update": ADMIN,
    "organisation_list": READERS,
    "organisation_get": READERS,
    "person_create": WRITERS,
    "person_update": WRITERS,
    "person_list": READERS,
    "person_get": READERS,
    "agreement_create": WRITERS,
    "agreement_list": READERS,
    "agreement_get": READERS,
    "agreement_update": WRITERS,
    "agreement_act": WRITERS,
    "party_update": WRITERS,
    "agreement_history": READERS,
    "agreement_export": READERS,
    "approvals_waiting": MANAGERS,
    "scope_item_create": WRITERS,
    "scope_item_get": READERS,
    "scope_item_update": WRITERS,
    "meeting_create": WRITERS,
    "meeting_list": READERS,
    "meeting_get": READERS,
    "meeting_update": WRITERS,
    "meeting_calendar": READERS,
    "attendance_export": READERS,
    "action_item_export": READERS,
    "calendar_feed_create": READERS,
    "calendar_feed_list": READERS,
    "calendar_feed_revoke": READERS,
    "calendar_feed": PUBLIC,
    "attendee_add": WRITERS,
    "attendee_link": WRITERS,
    "point_add": WRITERS,
    "decision_add": WRITERS,
    "action_item_add": WRITERS,
    "action_item_get": READERS,
    "action_item_update": WRITERS,
    "minutes_finalize": WRITERS,
    "minutes_versions": READERS,
    "minutes_pdf": READERS,
    "minutes_verify": PUBLIC,
    # Each caller's own notifications: the selectors filter by the caller, whatever the role.
    "notification_list": READERS,
    "notification_read": READERS,
    "email_preferences": READERS,
    "email_preferences_update": READERS,
    "mail_failures": ADMIN,
}

# The caller's organisation with every organisation above and below it, in one statement
# that runs unchanged on SQLite and PostgreSQL.
_RELATED_SQL = """
WITH RECURSIVE up(id, parent) AS (
    SELECT id, parent FROM organisation WHERE id = {}
    UNION SELECT o.id, o.parent FROM organisation o JOIN up ON o.id = up.parent
), down(id) AS (
    SELECT id FROM organisation WHERE id = {}
    UNION SELECT o.id FROM organisation o JOIN down ON o.parent = down.id
)
SELECT id FROM up UNION SELECT id FROM down
"""


async def related_organisations(user: CurrentUser) -> frozenset[int] | None:
    """Organisations whose agreements ``user`` sees; None for admins, who see everything.

    Asked of the database once per ``CurrentUser`` (one request), then kept on it.
    """
    if user.role == Role.ADMIN:
        return None
    if user.organisations.related is None:
        rows = await Organisation.raw(_RELATED_SQL, user.organisation_id, user.organisation_id)
        user.organisations.related = frozenset(int(row["id"]) for row in rows)
    return user.organisations.related


def agreements_of_sql(organisations: frozenset[int], agreement_id: str) -> tuple[str, list[int]]:
    """The visibility rule in plain SQL: the agreement whose id is the SQL expression
    ``agreement_id`` has one of ``organisations`` as a party. The statement and its arguments.

    A correlated ``EXISTS``: one probe of the (agreement, organisation) index per agreement read,
    so a single record costs the same in any archive, and a list read newest first stops after
    its page. An ``IN (subquery)`` makes SQLite build the caller's whole set first (44 ms
    against 0.01 ms for one record at 100k agreements, bench/scale.py).
    """
    ids = sorted(organisations) or [0]
    marks = ", ".join(["{}"] * len(ids))
    # Only the column and placeholders are formatted in; the ids travel as arguments.
    sql = (
        "EXISTS (SELECT 1 FROM agreement_party vp "  # noqa: S608
        f"WHERE vp.agreement = {agreement_id} AND vp.organisation IN ({marks}))"
    )
    return sql, ids


async def visible_agreements_clause(user: CurrentUser, column: Column = Agreement.id) -> Any:
    """A where-clause limiting ``column`` (an agreement id: ``Agreement.id``,
    ``Meeting.agreement``...) to agreements ``user`` sees; None for admins (no limit)."""
    organisations = await related_organisations(user)
    if organisations is None:
        return None
    table = column._meta.table._meta.tablename
    sql, args = agreements_of_sql(organisations, f'"{table}"."{column._meta.db_column_name}"')
    return WhereRaw(sql, *args)


async def agreement_visible(user: CurrentUser, agreement_id: int) -> bool:
    clause = await visible_agreements_clause(user)
    query = Agreement.exists().where(Agreement.id == agreement_id)
    return bool(await (query.where(clause) if clause is not None else query))


async def require_agreement_visible(user: CurrentUser, agreement_id: int) -> None:
    """``NotFound`` when the agreement is absent or ``user`` may not see it: the same answer."""
    if not await agreement_visible(user, agreement_id):
        raise errors.NotFound(errors.NOT_FOUND.format(entity="agreement"))


# The caller's organisation and every organisation below it (SQLite and PostgreSQL alike).
_MANAGED_SQL = """
WITH RECURSIVE down(id) AS (
    SELECT id FROM organisation WHERE id = {}
    UNION SELECT o.id FROM organisation o JOIN down ON o.parent = down.id
)
SELECT id FROM down
"""


async def managed_organisations(user: CurrentUser) -> frozenset[int] | None:
    """Organisations ``user`` decides for: their own and those below it; None for admins.

    Narrower than visibility: a bureau's manager sees the commission's agreements but does
    not approve for the commission, nor change its people or choose its signatory. Asked of
    the database once per ``CurrentUser`` (one request), then kept on it.
    """
    if user.role == Role.ADMIN:
        return None
    if user.organisations.managed is None:
        rows = await Organisation.raw(_MANAGED_SQL, user.organisation_id)
        user.organisations.managed = frozenset(int(row["id"]) for row in rows)
    return user.organisations.managed


async def manages(user: CurrentUser, organisation_id: int) -> bool:
    """``organisation_id`` is the caller's or one below it (admins: always)."""
    managed = await managed_organisations(user)
    return managed is None or organisation_id in managed


async def visible_people_clause(user: CurrentUser) -> Any | None:
    """The directory ``user`` sees, contact details included: people of the caller's own
    organisation tree (it, those above and those below it); None for admins.

    Deliberately not widened by agreements: naming an organisation as a party grants nothing
    over its people. People of other organisations appear only as attendees and signatories.
    """
    organisations = await related_organisations(user)
    if organisations is None:
        return None
    return Person.organisation.is_in(sorted(organisations) or [0])


async def may_act_for(user: CurrentUser, organisation_ids: list[int]) -> bool:
    """One of ``organisation_ids`` is the caller's, or above or below it (admins: always)."""
    organisations = await related_organisations(user)
    return organisations is None or not organisations.isdisjoint(organisation_ids)
