"""The people and the agreement a browser test works with, committed under a fresh tag.

Run as ``python -m tests.browser.cast`` in the browser database's environment: it prints the
cast as JSON. It never imports the suite's conftest (that would make a database of its own).
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import json
import secrets
from dataclasses import dataclass

from mou import clock
from mou.accounts.passwords import password_hash
from mou.accounts.selectors import current_user
from mou.accounts.tables import User
from mou.agreements.actions import agreement_act
from mou.agreements.schemas import ActionRequest, AgreementCreate, PartyIn
from mou.agreements.services import agreement_create
from mou.caller import CurrentUser
from mou.db import database_session
from mou.parties.schemas import OrganisationCreate
from mou.parties.services import organisation_create
from mou.settings import Settings

PASSWORD = "correct horse battery staple"


@dataclass
class Cast:
    tag: str
    liaison: str
    owner_manager: str
    partner_manager: str
    stranger_viewer: str
    agreement_id: int
    title: str


async def _organisation(name: str) -> int:
    created = await organisation_create(
        user=CurrentUser.system(),
        data=OrganisationCreate(name=name, short_name=name[:40], kind="provincial_agency"),
    )
    return created.id


async def _user(username: str, role: str, organisation_id: int, hashed: str) -> int:
    row = User(
        username=username,
        password_hash=hashed,
        role=role,
        organisation=organisation_id,
    )
    await row.save()
    return int(row.id)


async def cast_in_review() -> Cast:
    """Two agencies with an agreement in review (ending within 90 days), their people, and a
    viewer of a third, unrelated agency."""
    tag = secrets.token_hex(3)
    owner = await _organisation(f"Diskominfo {tag}")
    partner = await _organisation(f"Biro Humas {tag}")
    stranger = await _organisation(f"Dinas Lain {tag}")
    names = {role: f"{role}{tag}" for role in ("liaison", "kadis", "karo", "mitra")}
    hashed = await password_hash(PASSWORD)
    liaison_id = await _user(names["liaison"], "liaison", owner, hashed)
    liaison_user = await current_user(user_id=liaison_id)
    await _user(names["kadis"], "manager", owner, hashed)
    await _user(names["karo"], "manager", partner, hashed)
    await _user(names["mitra"], "viewer", stranger, hashed)
    title = f"Diseminasi antikorupsi {tag}"
    today = clock.today()
    agreement = await agreement_create(
        user=liaison_user,
        data=AgreementCreate(
            title=title,
            kind="pks",
            parties=[
                PartyIn(organisation_id=owner, role="first_party"),
                PartyIn(organisation_id=partner, role="second_party"),
            ],
            start_date=today - dt.timedelta(days=300),
            end_date=today + dt.timedelta(days=60),
        ),
    )
    await agreement_act(
        user=liaison_user,
        agreement_id=agreement.id,
        action="submit",
        expected_version=agreement.version,
        data=ActionRequest(),
    )
    return Cast(
        tag=tag,
        liaison=names["liaison"],
        owner_manager=names["kadis"],
        partner_manager=names["karo"],
        stranger_viewer=names["mitra"],
        agreement_id=agreement.id,
        title=title,
    )


async def _main() -> None:
    async with database_session(Settings.from_env()):
        cast = await cast_in_review()
    print(json.dumps(dataclasses.asdict(cast)))


if __name__ == "__main__":
    asyncio.run(_main())
