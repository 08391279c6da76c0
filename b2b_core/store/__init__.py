"""The workspace: an embedded DuckDB file holding the versioned panel (DESIGN §4).

Every commit stores a panel as a new *upload*. For each quarter exactly one upload is *live*: the
newest one that contains the quarter, unless the user restored an older one. A superseded upload
stays stored and can be restored; only ``delete`` removes rows. Every write (a commit, a
``commit_many`` of several uploads, a restore, a delete) is one transaction and bumps ``version``
by one; pages use it as their cache key. A chunked commit (``commit_chunks``, for panels too
large to hold) writes each part in a transaction of its own under an upload id no upload has, which
no read sees, then makes the parts one upload in a last transaction that bumps ``version``.
Every write names its ``Actor`` (``b2b_core.access``), whose role must allow it
(``PermissionDenied`` otherwise, nothing written); there is no default.
Writes take turns; reads never wait for them and see the last committed state.

Before each write the workspace checks that the file at its path is still the one it opened
(``WorkspaceReplaced`` otherwise); a disk that refuses a write gives ``WorkspaceUnwritable``. A
new workspace file gets a marker beside it, ``<file>.created``, so that a workspace deleted or
moved away is never silently replaced by a new one (``WorkspaceMissing``).

Tables (``schema.SCHEMA``):

- ``workspace_state(version)``: one row, the write counter.
- ``uploads(upload_id, source, sha256, committed_at, deleted_at, sample)``: one row per upload, kept
  after a delete; times are UTC; ``sample``: an upload of the bundled sample (``sample_uploads``;
  NULL in a workspace made before the column, until the app recognises the sample's files).
- ``upload_quarters(upload_id, quarter, rows)``: the quarters each upload contains.
- ``live_quarters(quarter, upload_id)``: the upload that is live for each quarter with data.
- ``panel_rows(upload_id, <contract columns>, <custom metric columns>)``: the rows of every
  non-deleted upload. A custom metric (any extra numeric column, e.g. ``orders``) becomes a
  DOUBLE column the first time an upload brings it; uploads without it hold NULL there. A
  delete drops the columns no stored row has a value in; at most ``contract.MAX_CUSTOM_METRICS``.
- ``audit(entry_id, occurred_at, actor, email, role, action, summary, details)``: who did what and
  when (``actor``: their e-mail address, or the local user's name), one row per commit, restore,
  delete, removal or restore of the sample, scenario change, playbook edit, edit of the workshop
  deck's title or headlines, backup, restore from a backup and download of the workspace's content,
  written in the same transaction as the change itself; ``details`` is a JSON object (quarters,
  row counts, file hash …).
- ``playbook_weights(stage, model, weights, saved_at)``: base weights an editor saved for a
  (stage, business model), lever → weight as a JSON object; they override the playbook file's.
- ``scenarios(name, levers, position, saved_at)``: the saved what-if scenarios, their lever
  values as a JSON object, in the order they were first saved. Scenario writes are transactions
  too but leave ``version`` alone: it keys what is computed from the panel, which they do not
  change.
- ``base_overrides(assumption, value, saved_at, saved_by)``: the scenario base's assumptions set
  by hand (``b2b_core.scenarios.overrides``), each with when and by whom (e-mail address, or the
  local user's name).
- ``workspace_settings(setting, value, saved_at, saved_by)``: settings of the whole workspace
  (``currency``: its symbol and ISO code as a JSON object), each with when and by whom.
- ``deck_headlines(slide, headline, saved_at, saved_by)``: the headlines a facilitator wrote for the
  workshop deck's slides (slide key → text, at most ``deck_texts.MAX_HEADLINE`` characters), each
  with when and by whom; the workshop's name, date and company for the title slide are the
  ``workshop`` row of ``workspace_settings`` (a JSON object).
- ``kept_projections(name, last_quarter, horizon, saved_at, saved_by, projection)``: for a saved
  scenario, its projection when it was last saved (``scenarios.KeptProjection``): the data's last
  quarter then, the quarters projected, when and by whom (e-mail address, or the local user's
  name), and per projected quarter the point values and bands as a JSON object. Saved, replaced,
  renamed and deleted with its scenario, in the same transaction. A workspace made before this
  table existed gains it, empty, when it is opened (``schema.SCHEMA``): its scenarios simply have
  no kept projection until they are saved again.
- ``live_decks(code, slide, setup, levers, started_at, updated_at)``: the decks being presented, the
  state the projected window and the presenter view share (``live_deck``). Not the workspace's
  content: not audited, no role needed, ``version`` left alone, never in a backup.

Backups (``backup``, ``write_backup``, ``restore_backup``; admins only; ``b2b_core.store.backup``)
are DuckDB files holding a copy of every table above plus a manifest; a backup of format 1, made
before projections were kept, has no ``kept_projections`` and restores without any; likewise each
table added since a format (``backup.ADDED_IN``), e.g. ``deck_headlines`` before format 5. Taking a
backup leaves ``version`` alone. A restore checks the file in a separate in-memory DuckDB as strictly as an
upload before touching the workspace, then replaces the workspace's content in one transaction
that bumps ``version``. ``python -m b2b_core.store`` backs up and restores from the command line.

Modules, one concept each: ``workspace`` (opening the file, reading the live panel, running
reductions on it), ``uploads`` (uploads and versions, custom metric columns), ``sample_uploads``
(which live data are the bundled sample's; removing and restoring it in one step), ``settings`` (saved
scenarios and playbook weights), ``deck_texts`` (the workshop deck's title and edited headlines),
``audit`` (the audit trail), ``backup`` (backup files and their checks), ``live_deck`` (decks being presented),
``schema`` (tables and row checks), ``errors``.
"""

from b2b_core.store.backup import APP as BACKUP_APP
from b2b_core.store.backup import BROWSER_LIMIT_MB as BACKUP_LIMIT_MB
from b2b_core.store.backup import FORMAT as BACKUP_FORMAT
from b2b_core.store.errors import (
    WorkspaceChanged,
    WorkspaceError,
    WorkspaceMissing,
    WorkspaceReplaced,
    WorkspaceUnwritable,
)
from b2b_core.store.workspace import Workspace, created_marker, default_path

__all__ = [
    "BACKUP_LIMIT_MB",
    "BACKUP_APP",
    "BACKUP_FORMAT",
    "Workspace",
    "WorkspaceChanged",
    "WorkspaceError",
    "WorkspaceMissing",
    "WorkspaceReplaced",
    "WorkspaceUnwritable",
    "created_marker",
    "default_path",
]
