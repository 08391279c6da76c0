"""Who is using this session: sign-in through Streamlit's OIDC support when the app's secrets
configure it, and the role each person gets.

``.streamlit/secrets.toml`` switches sign-in on with an ``[auth]`` section (Streamlit's:
``redirect_uri``, ``cookie_secret``, ``client_id``, ``client_secret``, ``server_metadata_url``,
or one ``[auth.<provider>]`` section) and lists who gets which role::

    [roles]
    admin = ["ada@example.com"]
    editor = ["*@ops.example.com"]
    viewer = ["*@example.com"]
    # default_role = "viewer"   # for anyone signed in but not listed (default: not admitted)

Without a secrets file, or with one that has neither ``[auth]`` nor ``[roles]``, the app runs in
local single-user mode: everyone is ``access.LOCAL``, an admin, and the sidebar says so.

Sign-in fails closed. The app shows only what is wrong (no page, no sidebar, no data, on every
page's URL) when:

* a secrets file Streamlit reads (the option ``secrets.files``: ``~/.streamlit/secrets.toml``,
  then ``.streamlit/secrets.toml`` in the working directory and beside app.py) exists but cannot
  be read, is not UTF-8 or is not valid TOML (the message gives line and column), or a location
  listed there is neither a ``.toml`` file nor a folder;
* ``[roles]`` is there without ``[auth]``: sign-in was meant, so the app does not run open;
* ``[auth]`` is not a section, or lacks ``redirect_uri`` (ending in ``/oauth2callback``, the
  path Streamlit's sign-in returns to) or ``cookie_secret``;
* no identity provider is set up, or one lacks ``client_id``, ``client_secret`` or
  ``server_metadata_url``, or has ``_`` in its name (Streamlit refuses it). Those keys in
  ``[auth]`` itself make one provider (Streamlit's ``default``), each ``[auth.<name>]`` another;
  with more than one, ``provider = "<name>"`` in ``[auth]`` says which one the sign-in button
  uses, and it must name one that is set up;
* nobody could get in: ``[auth]`` without ``[roles]``, or ``[roles]`` listing nobody and without
  ``default_role``;
* ``[roles]`` holds a key other than ``admin``, ``editor``, ``viewer`` and ``default_role``; a
  role's value is not a list of texts (one text counts as a list of one); an entry is empty or is
  not an address or pattern that ``access.comparable_address`` can compare (exactly one ``@``, no
  spaces, nothing that NFKC normalisation changes); the same entry stands under two roles (which
  one was meant?); or ``default_role`` is not a role.

The messages name files, sections, keys and positions, never a value: anyone who opens the app
reads them.

Someone signed in whose identity provider says ``email_verified: false`` is refused, whatever
their role; without that claim the role alone decides.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from b2b_core import access
from b2b_core.access import Actor
from b2b_core.i18n import _
from ui.format import plain

PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")
CALLBACK_PATH = "/oauth2callback"
_TOML_ERROR = re.compile(r"^(?P<reason>.*) \(at (?:line (?P<line>\d+), column (?P<column>\d+)|end of document)\)$")


@dataclass(frozen=True)
class SignIn:
    """What the app's secrets say about sign-in.

    ``required``: an ``[auth]`` section asks everyone to sign in (False: local single-user mode).
    ``provider``: the name ``st.login`` is called with (``"default"`` for the keys of ``[auth]``
    itself); ``provider_name``: the provider as a person reads it. ``roles``: role → entries of
    ``[roles]``; ``default_role``: the role of anyone signed in but not listed (None: not
    admitted). ``problems``: why the settings cannot be used, each naming its place; any problem
    closes the app."""

    required: bool = False
    provider: str = "default"
    provider_name: str = "your identity provider"
    roles: Mapping[str, Any] = field(default_factory=dict)
    default_role: str | None = None
    problems: tuple[str, ...] = ()


def _line_and_column(text: str | bytes, position: int) -> tuple[int, int]:
    newline = "\n" if isinstance(text, str) else b"\n"
    return text.count(newline, 0, position) + 1, position - text.rfind(newline, 0, position)


def secrets_file_problem(path: str) -> str | None:
    """What keeps Streamlit from reading the secrets location ``path`` (an entry of the option
    ``secrets.files``), or None when it reads: a missing ``.toml`` file reads as no secrets, and
    a folder holds Kubernetes-style secrets. A TOML error gives its line and column and no text
    of the file (a secret may stand there)."""
    if not path.endswith(".toml"):
        return None if os.path.isdir(path) else _("{path} is neither a .toml file nor a folder").format(path=path)
    try:
        with open(path, "rb") as file:
            data = file.read()
    except FileNotFoundError:
        return None
    except OSError as exc:
        return _("{path} cannot be read: {reason}").format(path=path, reason=exc.strerror or type(exc).__name__)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _line_and_column(data, exc.start)
        return _("{path}, line {line}, column {column}: not UTF-8 text; save the file as UTF-8").format(
            path=path, line=line, column=column
        )
    if text.startswith("\ufeff"):
        return _(
            "{path} starts with a byte order mark, which Streamlit does not read; save it as UTF-8 without one"
        ).format(path=path)
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # as Streamlit's text-mode read sees it
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_ERROR.match(str(exc))
        if found is None:
            return _("{path}: not valid TOML").format(path=path)
        reason = re.sub(r" character .*", " character", found["reason"])  # not the character itself
        reason = reason[0].lower() + reason[1:]
        if found["line"] is None:
            line, column = _line_and_column(text, len(text.rstrip()))
            reason += " at the end of the file"
        else:
            line, column = int(found["line"]), int(found["column"])
        return _("{path}, line {line}, column {column}: not valid TOML ({reason})").format(
            path=path, line=line, column=column, reason=reason
        )
    return None


def _text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _providers(auth: Mapping[str, Any]) -> tuple[dict[str, Mapping], list[str]]:
    """The identity providers ``[auth]`` sets up (name → settings) and what is wrong with them."""
    providers = {"default": auth} if any(key in auth for key in PROVIDER_KEYS) else {}
    providers |= {
        name: section for name, section in auth.items() if isinstance(section, Mapping) and name != "client_kwargs"
    }
    problems = []
    for name, section in providers.items():
        place = "[auth]" if section is auth else f"[auth.{name}]"
        missing = [key for key in PROVIDER_KEYS if not _text(section.get(key))]
        if missing:
            problems.append(_("{place} has no {keys} (a text each)").format(place=place, keys=", ".join(missing)))
        if "_" in name:
            problems.append(
                _("{place}: a provider's name cannot contain '_' (Streamlit refuses it)").format(place=place)
            )
    names = ", ".join(providers)
    if "provider" in auth:
        if not isinstance(auth["provider"], str) or auth["provider"] not in providers:
            problems.append(
                _("[auth] provider does not name a provider set up here (set up: {names})").format(
                    names=names or _("none")
                )
            )
    elif not providers:
        problems.append(
            _(
                "[auth] sets up no identity provider: give it client_id, client_secret and server_metadata_url, "
                "or add one [auth.<name>] section with them"
            )
        )
    elif len(providers) > 1:
        problems.append(
            _(
                "[auth] sets up {count} identity providers ({names}): "
                'say which one to sign in with, e.g. provider = "<name>" in [auth]'
            ).format(count=len(providers), names=names)
        )
    return providers, problems


def _role_problems(roles: Mapping[str, Any]) -> list[str]:
    """What is wrong with ``[roles]``: unknown keys, entries that are not addresses or patterns,
    an entry under two roles, a default role that is not a role, nobody admitted at all."""
    problems = [
        _("[roles] has the key {key}, which is not a role: use admin, editor, viewer or default_role").format(
            key=repr(key)
        )
        for key in roles
        if key not in (*access.ROLES, "default_role")
    ]
    if "default_role" in roles and roles["default_role"] not in access.ROLES:
        problems.append(_("[roles] default_role is not one of viewer, editor and admin"))
    seen: dict[str, tuple[str, str]] = {}  # comparable entry → (role, place) where it first stands
    for role in access.ROLES:
        listed = roles.get(role, [])
        entries = [listed] if isinstance(listed, str) else listed
        if not isinstance(entries, list) or not all(isinstance(entry, str) for entry in entries):
            problems.append(
                _("[roles] {role} is not a list of e-mail addresses or patterns (texts in quotes)").format(role=role)
            )
            continue
        for number, entry in enumerate(entries, 1):
            place = _("{role} (entry {number})").format(role=role, number=number)
            key = access.comparable_address(entry)
            if not entry.strip():
                problems.append(_("[roles] {place} is empty").format(place=place))
            elif key is None:
                problems.append(
                    _(
                        "[roles] {place} is not an e-mail address or a pattern such as *@example.com: it needs exactly "
                        "one @, no spaces, and no characters that Unicode NFKC normalisation changes"
                    ).format(place=place)
                )
            else:
                first_role, first_place = seen.setdefault(key, (role, place))
                if first_role != role:
                    problems.append(
                        _("[roles] lists one entry under {first} and {second}: keep it under one role").format(
                            first=first_place, second=place
                        )
                    )
    if not seen and "default_role" not in roles:
        problems.append(_("[roles] lists nobody and has no default_role: nobody could get in"))
    return problems


def sign_in_settings(secrets: Mapping[str, Any]) -> SignIn:
    """The sign-in settings in the app's ``secrets`` (as a dict) and what is wrong with them (see
    the module's docstring for the rules)."""
    auth, roles = secrets.get("auth"), secrets.get("roles")
    if auth is None and roles is None:
        return SignIn()
    if auth is None:
        problems = [_("[roles] is set but [auth] is not: add [auth] to require sign-in, or remove [roles]")]
        return SignIn(required=True, problems=tuple(problems))
    if not isinstance(auth, Mapping):
        return SignIn(required=True, problems=(_("auth is not a section: write it as [auth] with its keys below"),))
    shared = ("redirect_uri", "cookie_secret")
    problems = [_("[auth] has no {key} (a text)").format(key=key) for key in shared if not _text(auth.get(key))]
    if _text(auth.get("redirect_uri")) and not auth["redirect_uri"].endswith(CALLBACK_PATH):
        problems.append(
            _("[auth] redirect_uri must end with {path}, where Streamlit's sign-in returns to").format(
                path=CALLBACK_PATH
            )
        )
    providers, provider_problems = _providers(auth)
    problems += provider_problems
    if roles is None:
        problems.append(_("[auth] is set but [roles] is not: nobody could get in; add [roles]"))
    elif not isinstance(roles, Mapping):
        problems.append(_("roles is not a section: write it as [roles] with one list per role"))
    else:
        problems += _role_problems(roles)
    if problems:
        return SignIn(required=True, problems=tuple(problems))
    provider = auth.get("provider") or next(iter(providers))
    metadata_host = urlparse(providers[provider]["server_metadata_url"]).hostname
    return SignIn(
        required=True,
        provider=provider,
        provider_name=metadata_host if provider == "default" and metadata_host else provider,
        roles={role: entries for role, entries in roles.items() if role != "default_role"},
        default_role=roles.get("default_role"),
    )


def closed_message(problems: tuple[str, ...], files: list[str]) -> str:
    """The screen of an app whose sign-in settings cannot be used (Markdown): which ``files``
    hold them (none: secrets given without a file) and what is wrong."""
    where = _(" and ").join(files) or _("the app's secrets")
    listed = "\n".join(f"- {plain(problem)}" for problem in problems)
    closed = _(
        "The dashboard is closed: its sign-in settings in {where} cannot be used. Until they are fixed it shows no "
        "page and no data, and it does not run without sign-in either."
    ).format(where=plain(where))
    fix = _(
        "Whoever runs the server can correct the settings (this page never shows secret values); then reload this page."
    )
    return f"{closed}\n\n{listed}\n\n{fix}"


def _existing_secrets_files() -> list[str]:
    return [path for path in st.get_option("secrets.files") if os.path.exists(path)]


def _sign_in() -> SignIn:
    """This run's sign-in settings: the secrets files are checked here first, so that a broken one
    is named with its position; then Streamlit's view of the secrets (which is also where
    AppTest's secrets, given without a file, arrive) is checked."""
    problems = tuple(filter(None, map(secrets_file_problem, st.get_option("secrets.files"))))
    if problems:
        return SignIn(required=True, problems=problems)
    try:
        secrets = st.secrets.to_dict()
    except Exception as exc:  # no secrets file at all is the one error that means local mode
        if isinstance(exc, StreamlitSecretNotFoundError) and not _existing_secrets_files():
            return SignIn()
        problem = _("Streamlit cannot read the secrets ({error})").format(error=type(exc).__name__)
        return SignIn(required=True, problems=(problem,))
    return sign_in_settings(secrets)


def sign_in_configured() -> bool:
    """True when the secrets ask everyone to sign in (an ``[auth]`` section)."""
    return _sign_in().required


def _email_unverified() -> bool:
    """True when the identity provider says the signed-in person's e-mail address is not verified
    (the claim ``email_verified`` is false; some providers send it as the text "false")."""
    verified = st.user.get("email_verified")
    return verified is False or str(verified).lower() == "false"


def actor() -> Actor | None:
    """The person of this session: ``access.LOCAL`` without sign-in; the signed-in person with
    their role; None when the sign-in settings cannot be used, or sign-in is required and they
    are not signed in, their e-mail address is not verified, or they have no role."""
    sign_in = _sign_in()
    if sign_in.problems:
        return None
    if not sign_in.required:
        return access.LOCAL
    if not st.user.is_logged_in or _email_unverified():
        return None
    email = st.user.get("email")
    role = access.role_of(email, sign_in.roles, sign_in.default_role)
    if role is None:
        return None
    return Actor(str(st.user.get("name") or email), email, role)


def current() -> Actor:
    """The actor of this session, for pages: app.py stops before any page when there is none."""
    person = actor()
    if person is None:  # a page run outside the app's gate
        st.stop()
    return person


def gate() -> None:
    """The screen of a session without an actor, then stop: what is wrong with the sign-in
    settings, the sign-in button, or why someone signed in is not admitted."""
    st.title(_("B2B Ops Strategy Dashboard"))
    sign_in = _sign_in()
    if sign_in.problems:
        st.error(closed_message(sign_in.problems, _existing_secrets_files()))
    elif not st.user.is_logged_in:
        st.markdown(_("This workspace holds company data: sign in to see it."))
        if st.button(_("Sign in"), type="primary", key="auth:sign_in"):
            st.login(sign_in.provider)
    else:
        who = plain(st.user.get("email") or _("this account"))
        if _email_unverified():
            st.warning(
                _(
                    "You are signed in as {who}, but your e-mail address is not verified by {provider}. Verify it "
                    "there, then sign in again."
                ).format(who=who, provider=plain(sign_in.provider_name))
            )
        else:
            st.warning(
                _(
                    "You are signed in as {who}, which has no role in this dashboard. Ask an admin to add your "
                    "email to the roles in the app's secrets, or sign in with another account."
                ).format(who=who)
            )
        if st.button(_("Sign out"), key="auth:sign_out"):
            st.logout()
    st.stop()


def sidebar_line(person: Actor) -> str:
    """Who is signed in, as the sidebar shows it."""
    if not sign_in_configured():
        return _("Local single-user mode (no sign-in configured): every action is allowed")
    return _("Signed in as {name}").format(name=plain(person.name)) + f" · {access.role_name(person.role)}"


def needs(action: str) -> str:
    """Why a control is disabled for this session: ``"Needs the editor role."``."""
    return _("Needs the {role} role.").format(role=access.role_name(access.ACTIONS[action][0]))
