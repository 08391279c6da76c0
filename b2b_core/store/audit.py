"""The audit trail of a workspace: who did what, when, with the details of each write and export.
Part of ``Workspace``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import pandas as pd

from b2b_core import access
from b2b_core.access import Actor
from b2b_core.store.schema import utc_now


class AuditTrail:
    """The ``Workspace``'s audit trail."""

    def _record(self, actor: Actor, action: str, summary: str, details: Mapping) -> None:
        """Add an audit entry inside the caller's transaction. ``actor`` of the entry is who it was
        by their e-mail address (what the sign-in vouches for; a display name can be anything),
        or the local user's name in local mode."""
        self._con.execute(
            "INSERT INTO audit SELECT coalesce(max(entry_id), 0) + 1, ?, ?, ?, ?, ?, ?, ? FROM audit",
            [
                utc_now(),
                actor.email or actor.name,
                actor.email,
                actor.role,
                action,
                summary,
                json.dumps(details, default=str),
            ],
        )

    def record_export(self, action: str, details: Mapping, *, actor: Actor) -> None:
        """Audit a download of the workspace's content (``action``: a key of ``EXPORTS``), which
        the actor's role must allow (PermissionDenied otherwise, nothing recorded)."""
        if action not in self.EXPORTS:
            raise ValueError(f"{action!r} is not a download the audit trail records: use one of {list(self.EXPORTS)}")
        access.require(actor, action)
        with self._transaction():
            self._record(actor, action, f"downloaded {self.EXPORTS[action]}", details)

    def audit_trail(self) -> pd.DataFrame:
        """Every audited action, newest first: entry_id, occurred_at (UTC), actor, email, role,
        action, summary, details (JSON text)."""
        trail = self._frame("SELECT * FROM audit ORDER BY entry_id DESC")
        trail["occurred_at"] = trail["occurred_at"].astype("datetime64[ns]").dt.tz_localize("UTC")
        return trail.astype({"entry_id": "int64"})
