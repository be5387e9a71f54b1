"""The append-only, hash-chained audit trail.

Features write through ``audited`` (one transaction, one event per write); nothing else
appends to the trail. ``audit_subscribe``: a feature's function called with every event as
it is appended, in its transaction (notifications).
"""

from mou.audit.services import audit_subscribe
from mou.audit.writes import AuditedWrite, NothingWritten, audited

__all__ = ["AuditedWrite", "NothingWritten", "audit_subscribe", "audited"]
