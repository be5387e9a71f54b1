"""Notifications: an outbox written with the audited write that causes them, delivered in the
app and by email (``delivery``), plus reminders (``reminders``).

Importing the package subscribes the rules to the audit trail, so every audited write of the
process is considered.
"""

from mou.audit import audit_subscribe
from mou.notifications.rules import notifications_for_event

audit_subscribe(notifications_for_event)
