"""The ``mou`` command."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import secrets
import sys
from collections.abc import Sequence

DEMO_DATABASE_URL = "sqlite:///var/demo.sqlite"


def _migrate() -> int:
    from mou.migrate import MigrationFailed, migrate

    try:
        print(asyncio.run(migrate()), end="")
    except MigrationFailed as exc:
        print(f"mou migrate: failed: {exc}", file=sys.stderr)
        return 1
    return 0


#: How ``mou serve`` runs the app under uvicorn (tests load the same).
SERVER_OPTIONS = {
    "factory": True,
    # uvicorn would believe X-Forwarded-For from any loopback peer; the app reads it itself,
    # from MOU_TRUSTED_PROXIES only (mou.http.client_address).
    "proxy_headers": False,
    "log_level": "info",
    # The app logs each request itself, as JSON with its request id (mou.logs).
    "access_log": False,
}
SERVER_APP = "mou.app:create_app"


def _serve(host: str, port: int, workers: int) -> int:
    import uvicorn

    from mou.settings import get_settings, secret_key_problem

    refusal = secret_key_problem(get_settings())
    if refusal is not None:
        print(f"mou serve: {refusal}", file=sys.stderr)
        return 2
    uvicorn.run(SERVER_APP, host=host, port=port, workers=workers, **SERVER_OPTIONS)  # type: ignore[arg-type]
    return 0


def _demo(host: str, port: int) -> int:
    import dataclasses

    from mou.settings import Settings, use_settings

    # The demo never touches the configured database: it gets a fresh file of its own, and
    # (one process) a random secret unless one is configured.
    configured = Settings.from_env()
    use_settings(
        dataclasses.replace(
            configured,
            database_url=DEMO_DATABASE_URL,
            secret_key=configured.secret_key or secrets.token_urlsafe(48),
        )
    )
    from mou.demo import demo_prepare

    try:
        users = asyncio.run(demo_prepare())
    except Exception as exc:
        print(f"mou demo: failed: {exc}", file=sys.stderr)
        return 1
    print("Demo data loaded: Diskominfo Sumut and KPK RI, meeting of 23 October 2023.")
    print("Demo users (username / password / role):")
    for username, password, role in users:
        print(f"  {username:<12} {password:<24} {role}")
    print(
        f"Get a token: curl -X POST http://{host}:{port}/api/v1/auth/token "
        f'-H \'Content-Type: application/json\' -d \'{{"username":"{users[0][0]}","password":"{users[0][1]}"}}\''
    )
    return _serve(host, port, 1)


def _backup_or_restore(command: str, file: str) -> int:
    from pathlib import Path

    from mou.backup import POSTGRES_USE_PG_DUMP, BackupRefused, sqlite_backup, sqlite_restore
    from mou.settings import Settings

    settings = Settings.from_env()
    if not settings.is_sqlite:
        print(f"mou {command}: {POSTGRES_USE_PG_DUMP}", file=sys.stderr)
        return 2
    # Imported after the check: importing mou.db builds the engine (and asks PostgreSQL).
    from mou.db import sqlite_path

    database = Path(sqlite_path(settings.database_url))
    try:
        if command == "backup":
            size = sqlite_backup(database_path=database, target_path=Path(file))
            print(f"backup of {database} written to {file} ({size} bytes)")
        else:
            size = sqlite_restore(backup_path=Path(file), database_path=database)
            print(f"{file} restored to {database} ({size} bytes)")
    except BackupRefused as exc:
        print(f"mou {command}: {exc}", file=sys.stderr)
        return 2
    return 0


def _user_create(username: str, role: str, organisation: str, password: str | None) -> int:
    from mou.accounts.cli import user_create_command

    if password is None:
        password = getpass.getpass("Password: ") if sys.stdin.isatty() else sys.stdin.readline()
    try:
        user_id = asyncio.run(
            user_create_command(
                username=username,
                role=role,
                organisation=organisation,
                password=password.rstrip("\n"),
            )
        )
    except ValueError as exc:
        print(f"mou user create: {exc}", file=sys.stderr)
        return 2
    print(f"user {username} created with id {user_id}")
    return 0


def _audit_verify(expected_head: str | None, anchor_file: str | None) -> int:
    from pathlib import Path

    from mou.audit.anchor import anchor_parse
    from mou.audit.cli import audit_report_lines, audit_verify_command

    try:
        report = asyncio.run(
            audit_verify_command(
                expected_head=anchor_parse(expected_head) if expected_head else None,
                anchor_file=Path(anchor_file) if anchor_file else None,
            )
        )
    except ValueError as exc:
        print(f"mou audit verify: {exc}", file=sys.stderr)
        return 2
    for line in audit_report_lines(report):
        print(line, file=sys.stdout if report.ok else sys.stderr)
    return 0 if report.ok else 1


def _tick() -> int:
    from mou.agreements.tick import tick_command

    applied = asyncio.run(tick_command())
    for agreement_id, action in applied:
        print(f"agreement {agreement_id}: {action}")
    print(f"tick: {len(applied)} stage changes")
    return 0


def _user_update(username: str, role: str | None, active: bool | None) -> int:
    from mou.accounts.cli import user_update_command

    try:
        asyncio.run(user_update_command(username=username, role=role, active=active))
    except ValueError as exc:
        print(f"mou user: {exc}", file=sys.stderr)
        return 2
    print(f"user {username} updated")
    return 0


def _minutes_render(meeting_id: int, language: str, output: str, version: int | None) -> int:
    from pathlib import Path

    from mou.errors import DomainError
    from mou.minutes.cli import minutes_render_command

    try:
        line = asyncio.run(
            minutes_render_command(
                meeting_id=meeting_id, language=language, output=Path(output), version=version
            )
        )
    except DomainError as exc:
        print(f"mou minutes render: {exc.detail}", file=sys.stderr)
        return 1
    print(line)
    return 0


def build_parser() -> argparse.ArgumentParser:
    from mou.settings import Settings

    settings = Settings.from_env()
    parser = argparse.ArgumentParser(prog="mou", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="apply every migration to the configured database")
    serve = commands.add_parser("serve", help="serve the web pages and the API")
    serve.add_argument("--host", default=settings.host)
    serve.add_argument("--port", type=int, default=settings.port)
    serve.add_argument("--workers", type=int, default=1)
    demo = commands.add_parser("demo", help="a fresh embedded database with the reference case")
    demo.add_argument("--host", default=settings.host)
    demo.add_argument("--port", type=int, default=settings.port)
    user = commands.add_parser("user", help="manage users").add_subparsers(
        dest="user_command", required=True
    )
    create = user.add_parser("create", help="create a user; the password is read from stdin")
    create.add_argument("--username", required=True)
    create.add_argument("--role", required=True, choices=["admin", "manager", "liaison", "viewer"])
    create.add_argument("--organisation", required=True, help="name or short name")
    deactivate = user.add_parser("deactivate", help="sign a user out everywhere and refuse logins")
    deactivate.add_argument("--username", required=True)
    role = user.add_parser("role", help="change a user's role")
    role.add_argument("--username", required=True)
    role.add_argument("--role", required=True, choices=["admin", "manager", "liaison", "viewer"])
    audit = commands.add_parser("audit", help="the audit trail").add_subparsers(
        dest="audit_command", required=True
    )
    verify = audit.add_parser(
        "verify",
        help="check the hash chain, its anchored head and the evidence against it; "
        "exit 1 naming the first mismatch",
    )
    verify.add_argument(
        "--expect-head",
        metavar="HASH:COUNT",
        help="a head printed by an earlier run: fail unless event COUNT still has this hash",
    )
    verify.add_argument(
        "--anchor-file",
        metavar="PATH",
        help="an append-only file outside the database: check against its last head, "
        "then append this run's head",
    )
    backup = commands.add_parser(
        "backup", help="SQLite: write a consistent copy of the live database to FILE"
    )
    backup.add_argument("file", metavar="FILE", help="a new file")
    restore = commands.add_parser(
        "restore", help="SQLite: copy the backup FILE to the configured, empty, database location"
    )
    restore.add_argument("file", metavar="FILE", help="a file written by mou backup")
    commands.add_parser(
        "tick", help="activate and expire agreements whose dates have come (safe to repeat)"
    )
    minutes = commands.add_parser("minutes", help="minutes of meetings").add_subparsers(
        dest="minutes_command", required=True
    )
    render = minutes.add_parser(
        "render", help="write a meeting's minutes PDF: the newest final version, else a draft"
    )
    render.add_argument("meeting_id", type=int)
    render.add_argument("--lang", choices=["id", "en"], default="id")
    render.add_argument("-o", "--output", required=True, help="file to write")
    render.add_argument("--version", type=int, default=None, help="a final version number")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "migrate":
        return _migrate()
    if args.command == "serve":
        return _serve(args.host, args.port, args.workers)
    if args.command == "demo":
        return _demo(args.host, args.port)
    if args.command in ("backup", "restore"):
        return _backup_or_restore(args.command, args.file)
    if args.command == "tick":
        return _tick()
    if args.command == "audit" and args.audit_command == "verify":
        return _audit_verify(args.expect_head, args.anchor_file)
    if args.command == "user" and args.user_command == "deactivate":
        return _user_update(args.username, None, False)
    if args.command == "user" and args.user_command == "role":
        return _user_update(args.username, args.role, None)
    if args.command == "user" and args.user_command == "create":
        return _user_create(args.username, args.role, args.organisation, None)
    if args.command == "minutes" and args.minutes_command == "render":
        return _minutes_render(args.meeting_id, args.lang, args.output, args.version)
    return 2


if __name__ == "__main__":
    sys.exit(main())
