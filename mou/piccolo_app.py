"""The one Piccolo app of mou: every table, migrations in ``../migrations``."""

from piccolo.conf.apps import AppConfig

from mou.accounts.tables import ApiToken, LoginAttempt, User, WebSession
from mou.agreements.tables import Agreement, AgreementParty, Approval, ScopeItem, StageChange
from mou.audit.tables import AuditEvent
from mou.meetings.tables import (
    ActionItem,
    Attendee,
    CalendarFeed,
    Decision,
    DiscussionPoint,
    Meeting,
)
from mou.minutes.tables import MinutesDraft, MinutesVersion
from mou.parties.tables import Organisation, Person
from mou.settings import PROJECT_ROOT

TABLES = [
    Organisation,
    Person,
    User,
    ApiToken,
    WebSession,
    LoginAttempt,
    Agreement,
    AgreementParty,
    ScopeItem,
    StageChange,
    Approval,
    Meeting,
    Attendee,
    DiscussionPoint,
    Decision,
    ActionItem,
    CalendarFeed,
    MinutesVersion,
    MinutesDraft,
    AuditEvent,
]

APP_CONFIG = AppConfig(
    app_name="mou",
    migrations_folder_path=str(PROJECT_ROOT / "migrations"),
    table_classes=TABLES,
    migration_dependencies=[],
    commands=[],
)
