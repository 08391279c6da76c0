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

Without an ``[auth]`` section the app runs in local single-user mode: everyone is
``access.LOCAL``, an admin, and the sidebar says so.
"""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from b2b_core import access
from b2b_core.access import Actor
from ui.format import plain


def _secrets() -> Mapping:
    """The app's secrets as a dict; empty when there is no secrets file."""
    try:
        return st.secrets.to_dict()
    except Exception:  # no or unreadable secrets.toml: Streamlit's own error types vary by version
        return {}


def sign_in_configured() -> bool:
    """True when the secrets configure an OIDC provider (an ``[auth]`` section)."""
    return "auth" in _secrets()


def _provider(secrets: Mapping) -> str | None:
    """The ``[auth.<name>]`` provider to sign in with, or None for a plain ``[auth]`` section."""
    named = [key for key, value in secrets["auth"].items() if isinstance(value, Mapping)]
    return named[0] if len(named) == 1 else None


def actor() -> Actor | None:
    """The person of this session: ``access.LOCAL`` without sign-in; the signed-in person with
    their role; None when sign-in is required and they are not signed in or have no role."""
    secrets = _secrets()
    if "auth" not in secrets:
        return access.LOCAL
    if not st.user.is_logged_in:
        return None
    roles = secrets.get("roles", {})
    email = st.user.get("email")
    role = access.role_of(email, {k: v for k, v in roles.items() if k != "default_role"}, roles.get("default_role"))
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
    """The sign-in screen, or the 'no role' screen, then stop; for a session without an actor."""
    st.title("B2B Ops Strategy Dashboard")
    if not st.user.is_logged_in:
        st.markdown("This workspace holds company data: sign in to see it.")
        if st.button("Sign in", type="primary", key="auth:sign_in"):
            st.login(_provider(_secrets()))
    else:
        who = plain(st.user.get("email") or "this account")
        st.warning(
            f"You are signed in as {who}, which has no role in this dashboard. Ask an admin to add your email "
            "to the roles in the app's secrets, or sign in with another account."
        )
        if st.button("Sign out", key="auth:sign_out"):
            st.logout()
    st.stop()


def sidebar_line(person: Actor) -> str:
    """Who is signed in, as the sidebar shows it."""
    if not sign_in_configured():
        return "Local single-user mode (no sign-in configured): every action is allowed"
    return f"Signed in as {plain(person.name)} · {person.role}"


def needs(action: str) -> str:
    """Why a control is disabled for this session: ``"Needs the editor role."``."""
    return f"Needs the {access.ACTIONS[action][0]} role."
