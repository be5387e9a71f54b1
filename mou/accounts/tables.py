from piccolo.columns import Boolean, ForeignKey, Integer, OnDelete, Serial, Timestamptz, Varchar
from piccolo.table import Table

from mou.db import DB
from mou.parties.tables import Organisation, Person


class User(Table, db=DB, tablename="mou_user"):
    id = Serial(primary_key=True)
    username = Varchar(length=150, unique=True)
    #: argon2id hash; the password itself is never stored.
    password_hash = Varchar(length=255)
    #: admin, manager, liaison or viewer.
    role = Varchar(length=20)
    organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict)
    person = ForeignKey(Person, null=True, on_delete=OnDelete.restrict)
    locale = Varchar(length=10, default="id")
    #: Where notifications are mailed; empty: in the app only.
    email = Varchar(length=254, default="")
    #: Notification kinds this user does not want by email, comma-separated.
    email_muted = Varchar(length=1000, default="")
    active = Boolean(default=True)
    created_at = Timestamptz()


class ApiToken(Table, db=DB):
    id = Serial(primary_key=True)
    user = ForeignKey(User, on_delete=OnDelete.restrict)
    name = Varchar(length=100, default="")
    #: SHA-256 of the token; the token is shown once and never stored.
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz()
    expires_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)
    #: ``password`` (a login, or the password typed again), ``token`` (minted by the token
    #: ``parent_id`` without the password).
    created_via = Varchar(length=20, default="password")
    #: The token this one was minted with; revoking it revokes this one. A plain integer, not
    #: a foreign key: tokens are never deleted, and SQLite cannot add a self-reference later.
    parent_id = Integer(null=True, default=None, index=True)


class WebSession(Table, db=DB):
    id = Serial(primary_key=True)
    #: SHA-256 of the session id in the cookie.
    key_hash = Varchar(length=64, unique=True)
    user = ForeignKey(User, null=True, on_delete=OnDelete.restrict)
    data = Varchar(length=4000, default="{}")
    created_at = Timestamptz()
    expires_at = Timestamptz()


class LoginAttempt(Table, db=DB):
    """One password check, kept so every process throttles the same way."""

    id = Serial(primary_key=True)
    username = Varchar(length=150, index=True)
    #: The client's address as the server saw it (after trusted proxy headers).
    address = Varchar(length=64, index=True)
    succeeded = Boolean(default=False)
    #: Reserved before the password check and not decided yet; counted as a failure until then.
    pending = Boolean(default=False)
    at = Timestamptz(index=True)
