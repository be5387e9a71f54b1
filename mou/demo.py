"""The reference case (Diskominfo Sumut and KPK RI, Medan, 23 October 2023) as structured facts.

Facts come from ``shared/reference``; sentences are our own. Where the source is silent (the
meeting's hours, who took the minutes), the demo makes a plausible choice, marked below.
"""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path

from mou.accounts.schemas import UserCreate
from mou.accounts.selectors import current_user
from mou.accounts.services import user_create
from mou.agreements.schemas import AgreementCreate, PartyIn, ScopeItemCreate, ScopeKind
from mou.agreements.services import agreement_create, scope_item_create
from mou.caller import CurrentUser, Role
from mou.db import (
    atomic,
    database_session,
    runtime_bound,
    sqlite_path,
)
from mou.meetings import schemas as m
from mou.meetings.attendees import attendee_link
from mou.meetings.services import (
    action_item_add,
    attendee_add,
    decision_add,
    meeting_create,
    point_add,
)
from mou.migrate import migrate
from mou.parties.schemas import OrganisationCreate, PersonCreate
from mou.parties.services import organisation_create, person_create
from mou.settings import Settings

SYSTEM = CurrentUser.system()

ORGANISATIONS = {
    "sumut": OrganisationCreate(
        name="Dinas Komunikasi dan Informatika Provinsi Sumatera Utara",
        short_name="Diskominfo Sumut",
        kind="provincial_agency",
        address="Jalan HM Said No. 27, Medan, Sumatera Utara",
    ),
    "kpk": OrganisationCreate(
        name="Komisi Pemberantasan Korupsi Republik Indonesia",
        short_name="KPK RI",
        kind="commission",
        address="Jalan Kuningan Persada Kav. 4, Jakarta Selatan",
    ),
}
BUREAU = ("Bagian Pelayanan Informasi dan Komunikasi Publik KPK RI", "PIKP KPK RI")
#: key: (full name, position, organisation key, attendee role)
PEOPLE: dict[str, tuple[str, str, str, m.AttendeeRole]] = {
    "ilyas": ("Ilyas Sitorus", "Kepala Dinas Komunikasi dan Informatika", "sumut", "chair"),
    "chrystelina": (
        "Chrystelina",
        "Kepala Bagian Pelayanan Informasi dan Komunikasi Publik",
        "bureau",
        "speaker",
    ),
    "birgita": ("Birgita Yulianti Simbolon", "Spesialis Humas Muda", "bureau", "participant"),
    "shantika": ("Shantika Embundini Akbari", "Spesialis Humas Muda", "bureau", "participant"),
    # The source does not say who took the minutes; the demo gives the data-entry officer the task.
    "faza": ("Faza Agnia", "Data Entry", "bureau", "minute_taker"),
}
AGENDA = [
    "Pembukaan oleh Kepala Dinas Kominfo Provinsi Sumatera Utara",
    "Paparan rencana kerja sama diseminasi isu antikorupsi oleh KPK RI",
    "Diskusi bentuk kerja sama dan kanal media yang tersedia",
    "Kesimpulan dan tindak lanjut",
]
#: (speaker key, what they said, in our words)
POINTS = [
    (
        "ilyas",
        "Diskominfo Sumut menyambut baik rencana kerja sama ini karena bertujuan mendidik "
        "masyarakat dan mencegah korupsi.",
    ),
    (
        "ilyas",
        "Diskominfo Sumut dapat menjadi saluran informasi bersama melalui media internal dan "
        "eksternalnya: akun media sosial dengan banyak pengikut serta kemitraan dengan "
        "puluhan perusahaan pers terverifikasi.",
    ),
    (
        "chrystelina",
        "Diskominfo Sumut termasuk perangkat daerah yang diajak KPK bekerja sama; KPK "
        "menitipkan konten antikorupsi di media sosial dan kanal komunikasi mitra, "
        "seperti yang sudah berjalan di daerah lain.",
    ),
    (
        "chrystelina",
        "KPK RI berharap pertemuan ini menumbuhkan saling pengertian antara kedua pihak.",
    ),
]
DECISIONS = [
    "Kedua pihak sepakat menyiapkan perjanjian kerja sama diseminasi isu antikorupsi.",
    "Lingkup kerja sama: berbagi informasi, berbagi kanal media komunikasi, dan produksi bersama "
    "iklan layanan masyarakat.",
]
DEMO_USERS: list[tuple[str, Role, str]] = [
    ("admin", Role.ADMIN, "sumut"),
    ("ilyas", Role.MANAGER, "sumut"),
    ("liaison.sumut", Role.LIAISON, "sumut"),
    ("chrystelina", Role.MANAGER, "bureau"),
    ("viewer.kpk", Role.VIEWER, "bureau"),
]


async def demo_load() -> list[tuple[str, str, str]]:
    """Load the case into an empty, migrated database; return (username, password, role)."""
    async with atomic():
        org = {
            k: (await organisation_create(user=SYSTEM, data=v)).id for k, v in ORGANISATIONS.items()
        }
        org["bureau"] = (
            await organisation_create(
                user=SYSTEM,
                data=OrganisationCreate(
                    name=BUREAU[0],
                    short_name=BUREAU[1],
                    kind="commission",
                    parent_id=org["kpk"],
                ),
            )
        ).id
        person = {
            key: (
                await person_create(
                    user=SYSTEM,
                    data=PersonCreate(
                        full_name=name,
                        position=position,
                        organisation_id=org[where],
                    ),
                )
            ).id
            for key, (name, position, where, _) in PEOPLE.items()
        }
        users: list[tuple[str, str, str]] = []
        user_ids = {}
        for username, role, where in DEMO_USERS:
            password = secrets.token_urlsafe(12)
            user_ids[username] = (
                await user_create(
                    user=SYSTEM,
                    data=UserCreate(
                        username=username,
                        password=password,
                        role=role,
                        organisation_id=org[where],
                        person_id=person.get(username),
                    ),
                )
            ).id
            users.append((username, password, role))
        # The liaison officer records the case, as one would.
        liaison = await current_user(user_id=user_ids["liaison.sumut"])
        bureau = await current_user(user_id=user_ids["chrystelina"])
        await _agreement_and_meeting(liaison, org, person, linker=bureau)
    return users


async def _attendee_recorded(
    actor: CurrentUser, meeting_id: int, person_id: int | None, guest: m.AttendeeCreate
) -> int:
    """By person for the recorder's own people, as a guest for another organisation's."""
    data = guest if person_id is None else m.AttendeeCreate(person_id=person_id, role=guest.role)
    return (await attendee_add(user=actor, meeting_id=meeting_id, data=data)).id


async def _agreement_and_meeting(
    actor: CurrentUser, org: dict[str, int], person: dict[str, int], *, linker: CurrentUser
) -> None:
    agreement = await agreement_create(
        user=actor,
        data=AgreementCreate(
            title="Kerja Sama Diseminasi Isu Antikorupsi antara Diskominfo Provinsi Sumatera Utara "
            "dan KPK RI",
            kind="pks",
            purpose="Menyebarluaskan pesan antikorupsi kepada masyarakat Sumatera Utara melalui "
            "kanal komunikasi kedua pihak.",
            parties=[
                PartyIn(
                    organisation_id=org["sumut"], role="first_party", signatory_id=person["ilyas"]
                ),
                PartyIn(organisation_id=org["kpk"], role="second_party"),
            ],
        ),
    )
    scope: list[tuple[ScopeKind, str]] = [
        ("information_sharing", "Berbagi informasi antikorupsi"),
        ("media_channel_sharing", "Berbagi kanal media komunikasi"),
        ("co_produced_content", "Produksi bersama iklan layanan masyarakat"),
    ]
    for kind, title in scope:
        await scope_item_create(
            user=actor,
            agreement_id=agreement.id,
            data=ScopeItemCreate(
                kind=kind,
                title=title,
            ),
        )
    meeting = await meeting_create(
        user=actor,
        agreement_id=agreement.id,
        data=m.MeetingCreate(
            title="Rapat Perencanaan Kerja Sama Diseminasi Isu Antikorupsi",
            kind="planning",
            # The source gives the day, not the hours: the demo assumes a morning meeting.
            starts_at=dt.datetime(2023, 10, 23, 10, 0),
            ends_at=dt.datetime(2023, 10, 23, 12, 0),
            timezone="Asia/Jakarta",
            venue="Aula Transparansi, Diskominfo Sumut",
            address="Jalan HM Said No. 27, Medan",
            mode="in_person",
            agenda=AGENDA,
        ),
    )
    attendee = {}
    for key, (name, position, where, role) in PEOPLE.items():
        attendee[key] = await _attendee_recorded(
            actor,
            meeting.id,
            person[key] if where == "sumut" else None,
            m.AttendeeCreate(
                full_name=name, position=position, organisation_id=org[where], role=role
            ),
        )
        if where != "sumut":
            # The bureau's people are guests to the recorder; the bureau links them itself.
            await attendee_link(
                user=linker, attendee_id=attendee[key], data=m.AttendeeLink(person_id=person[key])
            )
    for speaker, text in POINTS:
        await point_add(
            user=actor,
            meeting_id=meeting.id,
            data=m.PointCreate(
                text=text,
                speaker_attendee_id=attendee[speaker],
            ),
        )
    for text in DECISIONS:
        await decision_add(user=actor, meeting_id=meeting.id, data=m.DecisionCreate(text=text))
    await action_item_add(
        user=actor,
        meeting_id=meeting.id,
        data=m.ActionItemCreate(
            title="Menyusun draf naskah perjanjian kerja sama",
            owner_organisation_id=org["sumut"],
            due_date=dt.date(2023, 11, 30),
        ),
    )


async def demo_prepare(*, settings: Settings) -> list[tuple[str, str, str]]:
    """A fresh SQLite database at ``settings.database_url`` with the case loaded (the file is
    replaced); ``ValueError`` when the URL names no SQLite file."""
    path = sqlite_path(settings.database_url)
    for suffix in ("", "-wal", "-shm"):
        Path(path + suffix).unlink(missing_ok=True)
    with runtime_bound(settings):
        await migrate()
    async with database_session(settings):
        return await demo_load()
