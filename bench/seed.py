"""Seed a fresh database for the list-agreements benchmark.

Run as a subprocess with ``MOU_DATABASE_URL`` set (the database it binds):

    MOU_DATABASE_URL=sqlite:////tmp/x.sqlite .venv/bin/python bench/seed.py --agreements 300 \
        --password 'bench-admin-password'

Applies mou's migrations (``mou.migrate.migrate``), then inserts through mou's Piccolo tables
(not its services, whose signatures move more often than its tables; no audit events) 12
organisations with one signatory each, one admin user ``bench-admin`` whose password is hashed
by ``mou.accounts.passwords`` and N draft agreements of two parties each, some with dates.
Prints one JSON line with the counts.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import sys
import time

ORGANISATIONS = 12
ADMIN_USERNAME = "bench-admin"
KINDS = ("mou", "pks", "loi", "implementing_arrangement")


async def seed(agreements: int, password: str) -> dict[str, int | float]:
    from mou.accounts.passwords import password_hash
    from mou.accounts.tables import User
    from mou.agreements.tables import Agreement, AgreementParty
    from mou.db import DB, atomic, close_pool, open_pool
    from mou.migrate import migrate
    from mou.parties.tables import Organisation, Person
    from mou.settings import get_settings

    started = time.perf_counter()
    await migrate()
    hashed = await password_hash(password)
    now = dt.datetime.now(dt.UTC)
    await open_pool(DB, get_settings())
    try:
        async with atomic():
            await Organisation.insert(
                *(
                    Organisation(
                        name=f"Dinas Komunikasi dan Informatika Kabupaten Contoh {i:02d}",
                        short_name=f"Diskominfo Contoh {i:02d}",
                        kind="regency_agency" if i % 3 else "commission",
                        address=f"Jalan Contoh No. {i + 1}",
                        created_at=now,
                    )
                    for i in range(ORGANISATIONS)
                )
            )
            orgs = [
                r["id"]
                for r in await Organisation.select(Organisation.id).order_by(Organisation.id)
            ]
            await Person.insert(
                *(
                    Person(
                        full_name=f"Kepala Dinas {i:02d}",
                        position="Kepala Dinas",
                        organisation=org,
                        created_at=now,
                    )
                    for i, org in enumerate(orgs)
                )
            )
            signatory = {
                r["organisation"]: r["id"]
                for r in await Person.select(Person.id, Person.organisation).order_by(Person.id)
            }
            await User(
                username=ADMIN_USERNAME,
                password_hash=hashed,
                role="admin",
                organisation=orgs[0],
                locale="id",
                active=True,
                created_at=now,
            ).save()
            admin_row = await User.select(User.id).where(User.username == ADMIN_USERNAME).first()
            assert admin_row is not None, "demo_load creates the admin"
            admin = admin_row["id"]
            base = dt.date(2024, 1, 1)
            rows = []
            for i in range(agreements):
                start = base + dt.timedelta(days=i)
                rows.append(
                    Agreement(
                        reference_number=f"B/{i + 1}/HM.01/{start.month:02d}/{start.year}",
                        title=f"Kerja Sama Diseminasi Informasi Publik Nomor {i + 1} antara dua instansi",
                        kind=KINDS[i % len(KINDS)],
                        purpose="Menyebarluaskan informasi publik melalui kanal kedua pihak.",
                        stage="draft",
                        start_date=start if i % 4 else None,
                        end_date=start + dt.timedelta(days=730) if i % 4 else None,
                        version=1,
                        approval_round=1,
                        created_by=admin,
                        created_at=now,
                        updated_at=now,
                    )
                )
            # In slices: SQLite allows only so many variables per statement.
            for offset in range(0, len(rows), 2_000):
                await Agreement.insert(*rows[offset : offset + 2_000])
            ids = [r["id"] for r in await Agreement.select(Agreement.id).order_by(Agreement.id)]
            parties = []
            for i, agreement in enumerate(ids):
                a, b = i % ORGANISATIONS, (i * 5 + 1) % ORGANISATIONS
                if a == b:
                    b = (b + 1) % ORGANISATIONS
                parties.append(
                    AgreementParty(
                        agreement=agreement,
                        organisation=orgs[a],
                        role="first_party",
                        signatory=signatory[orgs[a]],
                        position=0,
                    )
                )
                parties.append(
                    AgreementParty(
                        agreement=agreement, organisation=orgs[b], role="second_party", position=1
                    )
                )
            for offset in range(0, len(parties), 2_000):
                await AgreementParty.insert(*parties[offset : offset + 2_000])
    finally:
        await close_pool(DB)
    return {
        "organisations": ORGANISATIONS,
        "agreements": len(ids),
        "parties": len(parties),
        "seconds": round(time.perf_counter() - started, 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--agreements", type=int, default=300)
    parser.add_argument("--password", required=True)
    args = parser.parse_args()
    from mou.db import runtime_bound
    from mou.settings import Settings

    with runtime_bound(Settings.from_env()):
        print(json.dumps(asyncio.run(seed(args.agreements, args.password))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
