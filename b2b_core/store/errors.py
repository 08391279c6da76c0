"""What the workspace refuses or cannot do, as messages a page shows as they are.

Every ``WorkspaceError`` message says what happened, that nothing changed, and what to do.
"""

from __future__ import annotations

import errno

import duckdb

from b2b_core.i18n import N_, _


class WorkspaceError(RuntimeError):
    """A write the workspace refused or could not do; nothing was written."""


class WorkspaceChanged(WorkspaceError):
    """A commit's ``expect_live`` no longer holds: another write changed a quarter's live data."""


class WorkspaceUnwritable(WorkspaceError):
    """The disk refused the write: full, read-only, over a size limit, or not ours to write."""


class WorkspaceReplaced(WorkspaceError):
    """The file at the workspace's path is no longer the one this Workspace has open (it was
    deleted, moved or replaced by another program): writing would lose the data."""


class WorkspaceMissing(WorkspaceError):
    """The workspace file is gone from a path that held one: the app does not start afresh there."""


# (errno, what it means) for the causes a user can act on; DuckDB reports them in its messages.
_CAUSES = (
    (errno.ENOSPC, "No space left on device", N_("the disk is full")),
    (errno.EDQUOT, "Disk quota exceeded", N_("the disk quota is used up")),
    (errno.EFBIG, "File too large", N_("the file has reached the largest size allowed")),
    (errno.EROFS, "Read-only file system", N_("the disk is read-only")),
    (errno.EACCES, "Permission denied", N_("the app is not allowed to write the file or its folder")),
    (errno.EPERM, "Operation not permitted", N_("the app is not allowed to write the file or its folder")),
)


def unwritable(error: BaseException, what: str) -> WorkspaceUnwritable | None:
    """The ``WorkspaceUnwritable`` that ``error`` amounts to when writing ``what`` (e.g. "The
    workspace file data/workspace.duckdb"), or None when it is not a disk's refusal."""
    if not isinstance(error, OSError | duckdb.Error):
        return None
    text = str(error)
    for number, phrase, meaning in _CAUSES:
        if getattr(error, "errno", None) == number or (isinstance(error, duckdb.Error) and phrase in text):
            return WorkspaceUnwritable(
                _(
                    "{what} could not be written: {meaning} ({phrase}). Nothing changed. "
                    "Free some space or fix the disk's permissions, then try again."
                ).format(what=what, meaning=_(meaning), phrase=phrase)
            )
    if isinstance(error, duckdb.IOException):
        return WorkspaceUnwritable(
            _("{what} could not be written ({reason}). Nothing changed. Check the disk, then try again.").format(
                what=what, reason=text
            )
        )
    return None
