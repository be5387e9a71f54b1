"""The append-only, hash-chained audit trail.

Features write through ``audited`` (one transaction, one event per write); nothing else
appends to the trail.
"""

from mou.audit.writes import AuditedWrite, NothingWritten, audited

__all__ = ["AuditedWrite", "NothingWritten", "audited"]
