"""Notifications: an outbox written with the audited write that causes them, delivered in the
app and by email (``delivery``), plus reminders (``reminders``).

Importing the package subscribes the rules to the audit trail, so every audited write of the
process is considered. The public surface for other code (see ``mou.surface``): the delivery
and reminder runs the jobs call; ``tables`` and ``schemas`` too.
"""

from typing import TYPE_CHECKING

from mou.audit import audit_subscribe
from mou.notifications.rules import notifications_for_event
from mou.surface import surface_loader

if TYPE_CHECKING:
    from mou.notifications.delivery import DeliveryReport, deliveries_run
    from mou.notifications.reminders import ReminderReport, reminders_run

audit_subscribe(notifications_for_event)

__all__ = ["DeliveryReport", "ReminderReport", "deliveries_run", "reminders_run"]
__getattr__ = surface_loader(
    __name__,
    {
        "DeliveryReport": "delivery",
        "deliveries_run": "delivery",
        "ReminderReport": "reminders",
        "reminders_run": "reminders",
    },
)
