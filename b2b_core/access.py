"""Who may do what: roles, the actions they allow, and the people behind them.

Three roles, each allowing what the one before allows:

* ``viewer`` reads everything and plays scenarios (saving, renaming and deleting them included:
  they change no data);
* ``editor`` also uploads, commits and restores data (the sample's too), edits the playbook, sets
  the currency and edits the workshop deck's title and headlines (every facilitator presents them);
* ``admin`` also deletes uploads, removes the sample data, backs up, downloads and restores the
  whole workspace, and downloads the audit trail (everyone's e-mail).

``Workspace`` checks the role of the ``Actor`` it is given before every write (``require``), so a
page cannot write by forgetting a check; no write has a default actor. Without sign-in the app runs
in local single-user mode as ``LOCAL``, an admin. Roles come from a list in the app's secrets (``role_of``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase

from b2b_core.i18n import N_, _

ROLES = ("viewer", "editor", "admin")
ROLE_NAMES = {"viewer": N_("viewer"), "editor": N_("editor"), "admin": N_("admin")}  # as a person reads them
ACTIONS = {  # action → (least role, what it is, as a user reads it: translated where it is shown)
    "save_scenario": ("viewer", N_("saving, renaming or deleting a scenario")),
    "commit": ("editor", N_("committing an upload")),
    "restore": ("editor", N_("restoring an earlier upload")),
    "restore_sample": ("editor", N_("restoring the sample data")),
    "edit_playbook": ("editor", N_("editing the playbook")),
    "override_base": ("editor", N_("overriding an assumption of the scenario base")),
    "set_currency": ("editor", N_("setting the workspace's currency")),
    "edit_deck": ("editor", N_("editing the workshop deck's title or headlines")),
    "delete": ("admin", N_("deleting an upload")),
    "remove_sample": ("admin", N_("removing the sample data")),
    "backup": ("admin", N_("downloading the whole workspace")),
    "restore_backup": ("admin", N_("restoring the workspace from a backup")),
    "export_workspace": ("admin", N_("downloading the whole workspace as CSV files")),
    "export_audit": ("admin", N_("downloading the audit trail")),
}


def role_name(role: str) -> str:
    """A role (one of ``ROLES``) as a person reads it, in the current language."""
    return _(ROLE_NAMES[role])


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


LOCAL = Actor(N_("local user"), None, "admin")  # local single-user mode: no sign-in configured


def shown_actor(name: str) -> str:
    """Who did something (an actor's name as the store keeps it) as a person reads it: the local
    user in the current language, a signed-in person as signed in."""
    return _(LOCAL.name) if name == LOCAL.name else name


def require(actor: Actor, action: str) -> None:
    """Raise ``PermissionDenied`` unless ``actor`` may do ``action``."""
    if not actor.can(action):
        least, what = ACTIONS[action]
        raise PermissionDenied(
            _("{what} needs the {role} role; {name} is a {actor_role}. Ask an admin to give you that role.").format(
                what=_capitalized(_(what)), role=role_name(least), name=actor.name, actor_role=role_name(actor.role)
            )
        )


def _capitalized(what: str) -> str:
    """An action's words starting a sentence (English capitalised as ``str.capitalize`` does)."""
    return what.capitalize() if what.isascii() else what


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def comparable_address(text: str) -> str | None:
    """An e-mail address or a pattern such as ``*@example.com`` in the form ``role_of`` compares:
    surrounding white space removed and ASCII letters lower-cased; every other character stays as
    written (no case folding: ``strauß`` is not ``strauss``, ``É`` is not ``é``). None for a text
    that cannot be compared safely: one that Unicode NFKC normalisation changes (it would turn the
    KELVIN SIGN U+212A or a fullwidth letter into the plain letter it looks like, so "U+212A ate"
    would pass for ``kate``), one without exactly one ``@``, or one with white space or control
    characters inside."""
    text = text.strip()
    if not unicodedata.is_normalized("NFKC", text) or text.count("@") != 1:
        return None
    if any(char.isspace() or unicodedata.category(char) in ("Cc", "Cf") for char in text):
        return None
    return text.translate(_ASCII_LOWER)


def role_of(email: str | None, roles: Mapping[str, Iterable[str]], default: str | None = None) -> str | None:
    """The role of the person with ``email`` from ``roles`` (role → list of e-mail addresses or
    patterns such as ``*@example.com``; one text is one entry): the highest role that lists them,
    else ``default`` (None: not admitted). Addresses and patterns are compared as
    ``comparable_address`` gives them; an address it refuses gets no role, not even ``default``.
    Raises ``ValueError`` for an unknown role name or an entry it refuses."""
    unknown = sorted(set(roles) - set(ROLES) | ({default} - {None} - set(ROLES)))
    if unknown:
        raise ValueError(f"unknown role(s) {unknown} in the secrets' roles: use {', '.join(ROLES)}")
    entries = {
        role: [comparable_address(str(entry)) for entry in ([listed] if isinstance(listed, str) else listed)]
        for role, listed in roles.items()
    }
    refused = sorted(role for role, keys in entries.items() if None in keys)
    if refused:
        raise ValueError(f"the {', '.join(refused)} role(s) list an entry that is not an e-mail address or pattern")
    address = comparable_address(email) if email else None
    if address is None:
        return None
    for role in reversed(ROLES):
        if any(fnmatchcase(address, key) for key in entries.get(role, [])):
            return role
    return default
