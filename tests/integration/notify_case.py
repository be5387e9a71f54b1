"""People with addresses and languages, and records that are due: the notifications case."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

import pytest

import mou.settings
from mou import clock
from mou.accounts.tables import User
from mou.agreements.schemas import AgreementCreate, PartyIn
from mou.agreements.services import agreement_create
from mou.agreements.tables import Agreement, StageChange
from mou.caller import CurrentUser, Role
from mou.meetings.schemas import ActionItemCreate, MeetingCreate
from mou.meetings.services import action_item_add, meeting_create
from mou.meetings.tables import Meeting
from mou.parties.schemas import PersonCreate
from mou.parties.services import person_create
from mou.settings import Settings, get_settings
from tests.conftest import Actors
from tests.integration.mailbox import Mailbox


def mail_settings(monkeypatch: pytest.MonkeyPatch, mailbox: Mailbox, **more: object) -> Settings:
    """The process's settings, pointed at ``mailbox``: what ``get_settings`` answers everywhere
    in the test, in the app's requests and the jobs too (whatever settings they bind)."""
    settings = dataclasses.replace(
        get_settings(),
        smtp_host="127.0.0.1",
        smtp_port=mailbox.port,
        smtp_timeout=5.0,
        mail_retry_seconds=0.0,
        **more,  # type: ignore[arg-type]
    )
    monkeypatch.setattr(mou.settings, "_bound", _Pinned(settings))
    return settings


class _Pinned:
    """Stands for ``mou.settings._bound``: always ``settings``; binding changes nothing."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def get(self) -> Settings:
        return self.settings

    def set(self, _: object) -> None:
        return None

    def reset(self, _: object) -> None:
        return None


@dataclass
class Office:
    """Two organisations; people by name with (id, address, language)."""

    actors: Actors
    organisations: dict[str, int] = field(default_factory=dict)
    users: dict[str, int] = field(default_factory=dict)
    emails: dict[str, str] = field(default_factory=dict)
    admin: CurrentUser | None = None

    async def person(self, name: str, role: str, org: str, locale: str) -> int:
        user_id, _ = await self.actors.user(role, self.organisations[org])
        email = f"{name}.{user_id}@mou.test"
        await User.update({User.email: email, User.locale: locale}).where(User.id == user_id)
        self.users[name], self.emails[name] = user_id, email
        return user_id


async def office_make(actors: Actors) -> Office:
    office = Office(actors)
    for key in ("a", "b"):
        office.organisations[key] = await actors.organisation()
    admin_id, _ = await actors.user("admin")
    office.admin = CurrentUser(
        id=admin_id,
        username="admin",
        role=Role.ADMIN,
        organisation_id=0,
        person_id=None,
        locale="id",
    )
    await office.person("manager_a", "manager", "a", "en")
    await office.person("liaison_a", "liaison", "a", "id")
    await office.person("manager_b", "manager", "b", "id")
    owner = await office.person("owner_b", "liaison", "b", "en")
    person = await person_create(
        user=CurrentUser.system(),
        data=PersonCreate(full_name="Pemilik", organisation_id=office.organisations["b"]),
    )
    await User.update({User.person: person.id}).where(User.id == owner)
    return office


async def agreement_in(office: Office, title: str, stage: str, end: dt.date | None) -> int:
    assert office.admin is not None
    created = await agreement_create(
        user=office.admin,
        data=AgreementCreate(
            title=title,
            kind="pks",
            end_date=end,
            parties=[
                PartyIn(organisation_id=office.organisations["a"], role="first_party"),
                PartyIn(organisation_id=office.organisations["b"], role="second_party"),
            ],
        ),
    )
    await Agreement.update({Agreement.stage: stage}).where(Agreement.id == created.id)
    return created.id


async def due_records(office: Office) -> None:
    """Everything a reminder is due for, as of now."""
    assert office.admin is not None
    today = clock.today()
    now = dt.datetime.now(dt.UTC)
    ending = await agreement_in(office, "Kerja sama A", "active", today + dt.timedelta(days=20))
    waiting = await agreement_in(office, "Kerja sama B", "review", None)
    await StageChange(
        agreement=waiting,
        from_stage="draft",
        to_stage="review",
        action="submit",
        actor=office.users["liaison_a"],
        at=now - dt.timedelta(days=10),
    ).save()
    meeting = await meeting_create(
        user=office.admin,
        agreement_id=ending,
        data=MeetingCreate(
            title="Rapat koordinasi",
            kind="coordination",
            starts_at=now - dt.timedelta(days=10),
        ),
    )
    await Meeting.update({Meeting.created_by: office.users["liaison_a"]}).where(
        Meeting.id == meeting.id
    )
    owner = await User.select(User.person).where(User.id == office.users["owner_b"]).first()
    assert owner is not None
    for title, due in (("Kirim data", 1), ("Siapkan naskah", -3)):
        await action_item_add(
            user=office.admin,
            meeting_id=meeting.id,
            data=ActionItemCreate(
                title=title,
                owner_person_id=owner["person"],
                due_date=today + dt.timedelta(days=due),
            ),
        )
