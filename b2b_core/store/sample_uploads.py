"""The bundled sample among a workspace's uploads: which live data are the sample's, and removing
or restoring the sample in one step. Part of ``Workspace``.

An upload is the sample's when ``uploads.sample`` is true: set when the app seeds a new workspace
(``Workspace.commit_many(..., sample=True)``), and, for a workspace or backup from before the
column existed (NULL there), when its file name and sha256 are those of a bundled sample file
(``Workspace(..., bundled_sample=…)``, when it is opened or a backup is restored into it).
Removing the sample takes its uploads off the live quarters but keeps their rows, as superseded
uploads are kept, so restoring it is one step too.
"""

from __future__ import annotations

from dataclasses import dataclass

from b2b_core import access
from b2b_core.access import Actor
from b2b_core.i18n import _
from b2b_core.quarters import span_label

AUDIT = "en"  # the audit trail is written in one language, whatever the language of the session acting

SAMPLE, MIXED, OWN, EMPTY = "sample", "mixed", "own", "empty"


@dataclass(frozen=True)
class DataOrigin:
    """Whose the live data are. ``kind``: ``SAMPLE`` (every live quarter is the sample's), ``MIXED``,
    ``OWN`` (no live quarter is) or ``EMPTY`` (no live data); ``sample_quarters`` and
    ``own_quarters``: the live quarters of each, sorted; ``restorable``: quarters of stored sample
    uploads that hold no live data now (what ``restore_sample`` would bring back)."""

    kind: str
    sample_quarters: tuple[str, ...]
    own_quarters: tuple[str, ...]
    restorable: tuple[str, ...]

    @property
    def sample_live(self) -> bool:
        return bool(self.sample_quarters)

    @property
    def label(self) -> str | None:
        """``Sample data``, ``Mixed with sample data``, or None when no sample data are live: what
        every place showing the live data says of them (sidebar badge, page captions, deck)."""
        return {SAMPLE: _("Sample data"), MIXED: _("Mixed with sample data")}.get(self.kind)

    @property
    def summary(self) -> str | None:
        """One sentence saying which quarters ``label`` speaks of (the sidebar's line), or None."""
        if self.kind == SAMPLE:
            return _("{sample} is the bundled sample of a fictional platform, not your data.").format(
                sample=span_label(self.sample_quarters)
            )
        if self.kind == MIXED:
            return _("{sample} is the bundled sample of a fictional platform; {own} is yours.").format(
                sample=span_label(self.sample_quarters), own=span_label(self.own_quarters)
            )
        return None

    @property
    def explanation(self) -> str | None:
        """``summary`` and what to do about it (page captions, the deck), or None."""
        if self.kind == SAMPLE:
            upload = _("{summary} Upload your own quarters on the Data page; the sample is then removed in one step.")
            return upload.format(summary=self.summary)
        if self.kind == MIXED:
            return _("{summary} Remove the sample on the Data page.").format(summary=self.summary)
        return None


class SampleUploads:
    """The ``Workspace``'s knowledge of which uploads are the bundled sample's."""

    def _mark_sample(self, con) -> int:
        """Inside the caller's transaction, mark as the sample's the uploads not yet marked either
        way (``sample`` NULL: made before the column existed) whose source and sha256 are those of
        a bundled sample file (``self.bundled_sample``: file name → sha256 of its bytes), and the
        others as not; return how many were marked the sample's. Without ``bundled_sample`` (a
        Workspace opened outside the app, e.g. by ``python -m b2b_core.store``) nothing is marked:
        the app marks them when it opens the file."""
        if not self.bundled_sample:
            return 0
        marked = con.execute(
            "UPDATE uploads SET sample = list_contains($sources::VARCHAR[], source || '|' || sha256) "
            "WHERE sample IS NULL RETURNING sample",
            {"sources": [f"{name}|{digest}" for name, digest in self.bundled_sample.items()]},
        ).fetchall()
        return marked.count((True,))

    def data_origin(self) -> DataOrigin:
        """Whether the live data are the sample's, the user's own, or both (``DataOrigin``)."""
        live = self._fetch(
            "SELECT l.quarter, coalesce(u.sample, false) FROM live_quarters l JOIN uploads u USING (upload_id) "
            "ORDER BY l.quarter"
        )
        sample = tuple(q for q, is_sample in live if is_sample)
        own = tuple(q for q, is_sample in live if not is_sample)
        kind = EMPTY if not live else SAMPLE if not own else OWN if not sample else MIXED
        return DataOrigin(kind, sample, own, tuple(self._restorable_sample()))

    def _restorable_sample(self) -> dict[str, int]:
        """Quarter → the newest stored sample upload holding it, for quarters without live data."""
        return dict(
            self._fetch(
                "SELECT q.quarter, max(q.upload_id) FROM upload_quarters q JOIN uploads u USING (upload_id) "
                "WHERE u.sample AND u.deleted_at IS NULL AND q.quarter NOT IN (SELECT quarter FROM live_quarters) "
                "GROUP BY q.quarter ORDER BY q.quarter"
            )
        )

    def remove_sample(self, *, actor: Actor) -> dict[str, int | None]:
        """Take every sample upload off the quarters it is live for, in one transaction with one
        audit entry; return quarter → the upload live for it now (the newest of the user's own
        uploads holding it), None where the quarter has no data left.

        The sample's rows stay stored (its uploads read "superseded"), so ``restore_sample`` brings
        it back. Admins only, as deleting an upload (``PermissionDenied``, nothing changed); KeyError
        when no sample data are live.
        """
        access.require(actor, "remove_sample")
        with self._write() as con:
            live = dict(
                self._fetch(
                    "SELECT l.quarter, l.upload_id FROM live_quarters l JOIN uploads u USING (upload_id) "
                    "WHERE u.sample ORDER BY l.quarter"
                )
            )
            if not live:
                raise KeyError(_("no sample data are live: there is nothing to remove"))
            uploads = sorted(set(live.values()))
            stored = self._column("SELECT upload_id FROM uploads WHERE sample AND deleted_at IS NULL")
            fallback = self._successors(list(live), stored)
            con.execute("DELETE FROM live_quarters WHERE list_contains(?::BIGINT[], upload_id)", [uploads])
            for quarter, successor in fallback.items():
                self._make_live([quarter], successor)
            now_live = {q: fallback.get(q) for q in live}
            self._record(
                actor,
                "remove_sample",
                f"removed the sample data ({len(uploads)} upload(s) for {span_label(list(live), lang=AUDIT)}), "
                "restorable",
                {"uploads": uploads, "quarters": list(live), "now_live": now_live},
            )
        return now_live

    def restore_sample(self, *, actor: Actor) -> list[str]:
        """Make the stored sample uploads live again for their quarters that hold no live data now
        (the user's own quarters stay as they are), in one transaction with one audit entry; return
        those quarters. Editors and admins, as restoring an upload; KeyError when there is nothing to restore.
        """
        access.require(actor, "restore_sample")
        with self._write():
            restorable = self._restorable_sample()
            if not restorable:
                raise KeyError(_("there are no stored sample data for quarters without data: nothing to restore"))
            for quarter, upload_id in restorable.items():
                self._make_live([quarter], upload_id)
            quarters = list(restorable)
            self._record(
                actor,
                "restore_sample",
                f"restored the sample data for {span_label(quarters, lang=AUDIT)} "
                f"({len(set(restorable.values()))} upload(s))",
                {"uploads": sorted(set(restorable.values())), "quarters": quarters},
            )
        return quarters
