from piccolo.columns import ForeignKey, Integer, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from mou.accounts.tables import User
from mou.db import DB


class Notification(Table, db=DB):
    """One message to one user: shown in the app, and (its ``email_*`` columns) mailed.

    Written in the transaction of the event that causes it (an outbox); the delivery job
    mails it later. ``key`` makes the write idempotent: a second event, reminder run or retried
    job that would say the same thing to the same user finds the key taken and writes nothing.
    """

    id = Serial(primary_key=True)
    user = ForeignKey(User, on_delete=OnDelete.restrict, index=True)
    #: What happened: ``agreement_submitted``, ``minutes_finalized``, ``reminder_...``.
    kind = Varchar(length=40)
    #: Unique per recipient and occurrence, e.g. ``agreement:7:submit:2:user:3``.
    key = Varchar(length=200, unique=True)
    #: Subject and body in the recipient's language, as written when the event happened.
    subject = Varchar(length=300)
    body = Text(default="")
    #: The page the notification is about, as an absolute URL.
    link = Varchar(length=500, default="")
    created_at = Timestamptz()
    read_at = Timestamptz(null=True, default=None)
    #: ``none`` (not mailed: no address, muted, or no SMTP), ``pending``, ``sent``, ``failed``.
    email_status = Varchar(length=10, default="none", index=True)
    email_to = Varchar(length=254, default="")
    email_attempts = Integer(default=0)
    #: When the next attempt is due (backoff after a failure).
    email_next_at = Timestamptz(null=True, default=None)
    #: A worker sending it holds it until then; a worker killed mid-send lets it go this way.
    email_claimed_until = Timestamptz(null=True, default=None)
    #: The SMTP server's last refusal or the connection error, for admins.
    email_error = Varchar(length=500, default="")
    email_sent_at = Timestamptz(null=True, default=None)
