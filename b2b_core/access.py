"""Who may do what: roles, the actions they allow, and the people behind them.

Three roles, each allowing what the one before allows:

* ``viewer`` reads everything and plays scenarios (saving, renaming and deleting them included:
  they change no data);
* ``editor`` also uploads, commits and restores data, and edits the playbook;
* ``admin`` also deletes uploads, backs up, downloads and restores the whole workspace, and downloads
  the audit trail (everyone's e-mail).

``Workspace`` checks the role of the ``Actor`` it is given before every write (``require``), so a
page cannot write by forgetting a check; no write has a default actor. Without sign-in the app runs
in local single-user mode as ``LOCAL``, an admin. Roles come from a list in the app's secrets (``role_of``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase

ROLES = ("viewer", "editor", "admin")
ACTIONS = {  # action → (least role, what it is, as a user reads it)
    "save_scenario": ("viewer", "saving, renaming or deleting a scenario"),
    "commit": ("editor", "committing an upload"),
    "restore": ("editor", "restoring an earlier upload"),
    "edit_playbook": ("editor", "editing the playbook"),
    "delete": ("admin", "deleting an upload"),
    "backup": ("admin", "downloading the whole workspace"),
    "restore_backup": ("admin", "restoring the workspace from a backup"),
    "export_workspace": ("admin", "downloading the whole workspace as CSV files"),
    "export_audit": ("admin", "downloading the audit trail"),
}


class PermissionDenied(PermissionError):
    """The actor's role does not allow the action; the message says who may do it."""


@dataclass(frozen=True)
class Actor:
    """A person (or the app itself) acting on the workspace: ``name`` as shown in the audit
    trail, ``email`` (None in local mode) and ``role`` (one of ``ROLES``)."""

    name: str
    email: str | None
    role: str

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r}: use one of {', '.join(ROLES)}")

    def can(self, action: str) -> bool:
        """True if the actor's role allows ``action`` (a key of ``ACTIONS``)."""
        return ROLES.index(self.role) >= ROLES.index(ACTIONS[action][0])


LOCAL = Actor("local user", None, "admin")  # local single-user mode: no sign-in configured


def require(actor: Actor, action: str) -> None:
    """Raise ``PermissionDenied`` unless ``actor`` may do ``action``."""
    if not actor.can(action):
        least, what = ACTIONS[action]
        raise PermissionDenied(
            f"{what.capitalize()} needs the {least} role; {actor.name} is a {actor.role}. "
            "Ask an admin to give you that role."
        )


def role_of(email: str | None, roles: Mapping[str, Iterable[str]], default: str | None = None) -> str | None:
    """The role of the person with ``email`` from ``roles`` (role → list of emails or patterns
    such as ``*@example.com``, compared ignoring case): the highest role that lists them, else
    ``default`` (None: not admitted). Raises ``ValueError`` for an unknown role name."""
    unknown = sorted(set(roles) - set(ROLES) | ({default} - {None} - set(ROLES)))
    if unknown:
        raise ValueError(f"unknown role(s) {unknown} in the secrets' roles: use {', '.join(ROLES)}")
    if not email:
        return None
    address = email.strip().casefold()
    for role in reversed(ROLES):
        patterns = roles.get(role, [])
        if isinstance(patterns, str):
            patterns = [patterns]
        if any(fnmatchcase(address, str(p).strip().casefold()) for p in patterns):
            return role
    return default
