"""Sign-in and roles through AppTest's secrets and user settings: signed out, signed in without
a role, and each role on the Data page and the Scenario lab; local mode without an [auth] section."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from b2b_core import sample
from b2b_core.access import LOCAL
from b2b_core.store import Workspace
from tests.apptest import APP, open_app, workspace_of

AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "not-a-real-secret",
    "client_id": "dashboard",
    "client_secret": "not-a-real-secret",
    "server_metadata_url": "https://login.example.com/.well-known/openid-configuration",
}
ROLES = {"admin": ["ada@example.com"], "editor": ["ed@example.com"], "viewer": ["*@example.com"]}
PEOPLE = {
    "viewer": {"is_logged_in": True, "email": "vera@example.com", "name": "Vera"},
    "editor": {"is_logged_in": True, "email": "ed@example.com", "name": "Ed"},
    "admin": {"is_logged_in": True, "email": "ada@example.com", "name": "Ada"},
}


def open_as(user: dict | None, page: str | None = None, roles: dict | None = None) -> AppTest:
    """The app with sign-in configured, run as ``user`` (None: signed out), on ``page``."""
    return open_app(
        page,
        secrets={"auth": AUTH, "roles": ROLES if roles is None else roles},
        user={"is_logged_in": False} if user is None else user,
    )


def uploader_shown(app: AppTest) -> bool:
    return any(element.type == "file_uploader" for element in app.get("file_uploader"))


def test_without_an_auth_section_the_app_runs_in_local_mode_and_says_so(workspace_path):
    app = AppTest.from_file(APP, default_timeout=60)
    app.run()
    assert any("Local single-user mode" in c.value for c in app.sidebar.caption)
    app.switch_page("pages/data.py")
    app.run()
    assert uploader_shown(app) and app.button(key="restore")


def test_signed_out_people_see_only_the_sign_in_screen(workspace_path):
    app = open_as(None)
    assert app.title[0].value == "B2B Ops Strategy Dashboard"
    assert app.button(key="auth:sign_in").label == "Sign in"
    assert not app.metric and not app.get("plotly_chart")  # no data at all
    data = open_as(None, "pages/data.py")
    assert [t.value for t in data.title] == ["B2B Ops Strategy Dashboard"] and not data.dataframe


def test_someone_signed_in_without_a_role_is_not_admitted(workspace_path):
    app = open_as({"is_logged_in": True, "email": "stranger@elsewhere.org", "name": "Stranger"}, "pages/data.py")
    assert "has no role in this dashboard" in app.warning[0].value
    assert app.button(key="auth:sign_out") and not app.dataframe
    welcome = open_as(
        {"is_logged_in": True, "email": "stranger@elsewhere.org"}, "pages/data.py", {**ROLES, "default_role": "viewer"}
    )
    assert [t.value for t in welcome.title] == ["Data"]  # a default role admits everyone signed in


def test_a_viewer_reads_everything_plays_scenarios_and_cannot_change_data(workspace_path):
    app = open_as(PEOPLE["viewer"], "pages/data.py")
    assert any("Signed in as Vera · viewer" in c.value for c in app.sidebar.caption)
    assert not uploader_shown(app)
    assert any("Needs the editor role" in i.value for i in app.info)
    assert app.dataframe  # the upload history and the audit trail
    assert not [b for b in app.button if b.key in ("restore", "delete")]
    lab = open_as(PEOPLE["viewer"], "pages/scenarios.py")
    lab.button(key="lab:new").click().run()
    lab.button(key="lab:save").click().run()
    trail = workspace_of(workspace_path).audit_trail()
    assert trail[["actor", "email", "role", "action"]].iloc[0].tolist() == [
        "Vera",
        "vera@example.com",
        "viewer",
        "save_scenario",
    ]


def test_an_editor_uploads_and_restores_but_cannot_delete(workspace_path):
    app = open_as(PEOPLE["editor"], "pages/data.py")
    assert uploader_shown(app)
    assert app.button(key="restore")
    assert not [b for b in app.button if b.key == "delete"]
    assert any("Needs the admin role" in c.value for c in app.caption)
    app.button(key="restore").click().run()
    assert workspace_of(workspace_path).audit_trail()["actor"].iloc[0] == "Ed"


def test_an_admin_may_delete_and_the_deletion_is_audited(workspace_path):
    with Workspace(workspace_path) as ws:
        ws.commit(sample.generate_panel(50, 1), "extra.csv", actor=LOCAL)
    app = open_as(PEOPLE["admin"], "pages/data.py")
    chosen = app.selectbox(key="history:upload").value
    app.checkbox(key=f"delete:sure:{chosen}").check().run()
    app.button(key="delete").click().run()
    assert not app.exception
    trail = workspace_of(workspace_path).audit_trail()
    assert trail[["actor", "action"]].iloc[0].tolist() == ["Ada", "delete"]
    assert any(f"Deleted upload #{chosen}" in s.value for s in app.success)


def test_only_editors_may_save_playbook_weights(workspace_path):
    viewer = open_as(PEOPLE["viewer"], "pages/lifecycle.py")
    assert viewer.button(key="save_weights").disabled
    assert "Needs the editor role" in viewer.button(key="save_weights").help
    editor = open_as(PEOPLE["editor"], "pages/lifecycle.py")
    assert editor.button(key="save_weights").help == "Every session then starts from these weights."
