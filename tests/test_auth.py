"""Sign-in and roles through AppTest's secrets and user settings: signed out, signed in without
a role, and each role on the Data page and the Scenario lab; local mode without an [auth] section;
sign-in settings that cannot be used (a broken secrets file, incomplete or contradictory sections)
close the app on every page; e-mail addresses a provider has not verified are refused."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from streamlit import config
from streamlit.testing.v1 import AppTest

from b2b_core import sample
from b2b_core.access import LOCAL
from b2b_core.store import Workspace
from tests.apptest import APP, open_app, shown, workspace_of
from ui import auth

PAGES = Path(APP).parent / "pages"
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
        "vera@example.com",  # who: the address the sign-in vouches for, not the display name
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
    assert workspace_of(workspace_path).audit_trail()["actor"].iloc[0] == "ed@example.com"


def test_only_admins_download_the_whole_workspace_and_the_audit_trail(workspace_path):
    for who in ("viewer", "editor", "admin"):
        app = open_as(PEOPLE[who], "pages/data.py")
        offered = {d.proto.label for d in app.get("download_button")}
        whole = {"Whole workspace (CSV zip)", "Download the audit trail (CSV)"}
        assert (whole <= offered) is (who == "admin"), who
        assert {"Upload template (CSV)", "Upload template (XLSX)"} <= offered
        if who != "admin":
            assert any("The whole workspace as CSV files: Needs the admin role" in c.value for c in app.caption)
            assert any("Who did each action, and downloading the audit trail: Needs" in c.value for c in app.caption)
        trail = next(d.value for d in app.dataframe if "action" in d.value.columns)  # everyone's e-mail: admins only
        assert ({"actor", "email"} & set(trail.columns) == set()) is (who != "admin"), who


def test_an_admin_may_delete_and_the_deletion_is_audited(workspace_path):
    with Workspace(workspace_path) as ws:
        ws.commit(sample.generate_panel(50, 1), "extra.csv", actor=LOCAL)
    app = open_as(PEOPLE["admin"], "pages/data.py")
    chosen = app.selectbox(key="history:upload").value
    app.checkbox(key=f"delete:sure:{chosen}").check().run()
    app.button(key="delete").click().run()
    assert not app.exception
    trail = workspace_of(workspace_path).audit_trail()
    assert trail[["actor", "action"]].iloc[0].tolist() == ["ada@example.com", "delete"]
    assert any(f"Deleted upload #{chosen}" in s.value for s in app.success)


def test_only_editors_may_save_playbook_weights(workspace_path):
    viewer = open_as(PEOPLE["viewer"], "pages/lifecycle.py")
    assert viewer.button(key="save_weights").disabled
    assert "Needs the editor role" in viewer.button(key="save_weights").help
    editor = open_as(PEOPLE["editor"], "pages/lifecycle.py")
    assert editor.button(key="save_weights").help == "Every session then starts from these weights."


def test_an_editor_sets_the_currency_for_everyone_and_a_viewer_cannot(workspace_path):
    viewer = open_as(PEOPLE["viewer"], "pages/data.py")
    assert viewer.button(key="currency:save").disabled and viewer.selectbox(key="currency:choice").disabled
    assert "Needs the editor role" in viewer.button(key="currency:save").help
    editor = open_as(PEOPLE["editor"], "pages/data.py")
    editor.selectbox(key="currency:choice").set_value("other").run()
    editor.text_input(key="currency:symbol").set_value("R$")
    editor.text_input(key="currency:code").set_value("brl")
    editor.button(key="currency:save").click().run()
    assert not editor.exception and any("Amounts are now shown in R\\$ BRL." in s.value for s in editor.success)
    ws = workspace_of(workspace_path)
    assert (ws.currency().label, ws.audit_trail()["actor"].iloc[0]) == ("R$ BRL", "ed@example.com")
    assert any("e.g. R\\$1.2M" in c.value for c in editor.caption)  # a $ escaped: Markdown would open LaTeX
    editor.text_input(key="currency:code").set_value("r1s")
    editor.button(key="currency:save").click().run()
    assert any("Not saved: the currency code 'R1S' is not three letters" in e.value for e in editor.error)
    assert ws.currency().label == "R$ BRL"


SECRET = "do-not-show-7f3a"  # stands for every secret value: no message may contain it
BROKEN_FILE = f"""[auth]
redirect_uri = "http://localhost:8501/oauth2callback"
cookie_secret = "{SECRET}"
client_id = "dashboard"
client_secret = "{SECRET}"
server_metadata_url = "https://login.example.com/.well-known/openid-configuration"

[roles]
admin = ["ada@example.com"]
viewer = ["*@example.com"
"""


def problems_of(secrets: dict) -> tuple[str, ...]:
    return auth.sign_in_settings(secrets).problems


def test_complete_settings_are_used_and_without_auth_or_roles_the_app_runs_locally():
    plain = auth.sign_in_settings({"auth": AUTH, "roles": ROLES})
    assert (plain.required, plain.problems, plain.provider, plain.provider_name) == (
        True,
        (),
        "default",
        "login.example.com",
    )
    assert plain.roles == ROLES and plain.default_role is None
    shared = {key: AUTH[key] for key in ("redirect_uri", "cookie_secret")}
    provider = {key: AUTH[key] for key in auth.PROVIDER_KEYS}
    named = auth.sign_in_settings(
        {
            "auth": {**shared, "google": provider, "okta": provider, "provider": "okta"},
            "roles": {"default_role": "viewer"},
        }
    )
    assert (named.problems, named.provider, named.provider_name, named.default_role) == ((), "okta", "okta", "viewer")
    with_options = {**AUTH, "client_kwargs": {"prompt": "login"}}  # Streamlit's options, not a second provider
    assert problems_of({"auth": with_options, "roles": {"admin": "ada@example.com"}}) == ()
    assert auth.sign_in_settings({}) == auth.SignIn(required=False)
    assert auth.sign_in_settings({"database": {"password": SECRET}}) == auth.SignIn(required=False)


SHARED = {"redirect_uri": AUTH["redirect_uri"], "cookie_secret": SECRET}
PROVIDER = {"client_id": "dashboard", "client_secret": SECRET, "server_metadata_url": AUTH["server_metadata_url"]}


@pytest.mark.parametrize(
    ("secrets", "problem"),
    [
        ({"roles": ROLES}, "[roles] is set but [auth] is not"),
        ({"auth": AUTH}, "[auth] is set but [roles] is not: nobody could get in"),
        ({"auth": AUTH, "roles": {"admin": [], "viewer": []}}, "[roles] lists nobody and has no default_role"),
        ({"auth": "on", "roles": ROLES}, "auth is not a section"),
        ({"auth": AUTH, "roles": ["ada@example.com"]}, "roles is not a section"),
        ({"auth": {**PROVIDER, "cookie_secret": SECRET}, "roles": ROLES}, "[auth] has no redirect_uri"),
        ({"auth": {**PROVIDER, "redirect_uri": AUTH["redirect_uri"]}, "roles": ROLES}, "[auth] has no cookie_secret"),
        ({"auth": {**AUTH, "redirect_uri": "https://x.example.com/"}, "roles": ROLES}, "must end with /oauth2callback"),
        ({"auth": {**AUTH, "cookie_secret": ""}, "roles": ROLES}, "[auth] has no cookie_secret"),
        ({"auth": SHARED, "roles": ROLES}, "[auth] sets up no identity provider"),
        ({"auth": {**SHARED, "client_id": "x"}, "roles": ROLES}, "[auth] has no client_secret, server_metadata_url"),
        ({"auth": {**SHARED, "google": {"client_id": "x"}}, "roles": ROLES}, "[auth.google] has no client_secret"),
        ({"auth": {**SHARED, "my_idp": PROVIDER}, "roles": ROLES}, "cannot contain '_'"),
        (
            {"auth": {**SHARED, "google": PROVIDER, "okta": PROVIDER}, "roles": ROLES},
            "[auth] sets up 2 identity providers (google, okta): say which one",
        ),
        ({"auth": {**AUTH, "okta": PROVIDER}, "roles": ROLES}, "sets up 2 identity providers (default, okta)"),
        ({"auth": {**SHARED, "google": PROVIDER, "provider": "okta"}, "roles": ROLES}, "(set up: google)"),
        ({"auth": AUTH, "roles": {**ROLES, "owner": ["ada@example.com"]}}, "the key 'owner', which is not a role"),
        ({"auth": AUTH, "roles": {**ROLES, "default_role": "guest"}}, "default_role is not one of"),
        ({"auth": AUTH, "roles": {"admin": [["ada@example.com"]]}}, "[roles] admin is not a list of e-mail addresses"),
        ({"auth": AUTH, "roles": {"admin": 1}}, "[roles] admin is not a list"),
        ({"auth": AUTH, "roles": {"viewer": ["*@example.com", " "]}}, "[roles] viewer (entry 2) is empty"),
        ({"auth": AUTH, "roles": {"viewer": ["ada@example.com, ed@example.com"]}}, "viewer (entry 1) is not an e-mail"),
        ({"auth": AUTH, "roles": {"admin": ["\u212aate@example.com"]}}, "admin (entry 1) is not an e-mail address"),
        ({"auth": AUTH, "roles": {"viewer": ["*"]}}, "[roles] viewer (entry 1) is not an e-mail address or a pattern"),
        (
            {"auth": AUTH, "roles": {"admin": ["ada@example.com"], "viewer": ["*@example.com", "ADA@example.com"]}},
            "[roles] lists one entry under viewer (entry 2) and admin (entry 1): keep it under one role",
        ),
    ],
)
def test_incomplete_or_contradictory_settings_are_problems_that_name_their_place_not_their_value(secrets, problem):
    problems = problems_of(secrets)
    assert any(problem in p for p in problems), problems
    assert not any(SECRET in p or "ada@example.com" in p for p in problems)


def test_a_secrets_file_that_cannot_be_read_is_named_with_the_position_of_its_problem(tmp_path):
    path = tmp_path / "secrets.toml"
    assert auth.secrets_file_problem(str(path)) is None  # no file: no secrets
    path.write_text(BROKEN_FILE)
    assert auth.secrets_file_problem(str(path)) == (
        f"{path}, line 10, column 26: not valid TOML (unclosed array at the end of the file)"
    )
    path.write_text(f'[auth]\ncookie_secret = "{SECRET}\nredirect_uri = "x"\n')  # an unclosed string
    assert auth.secrets_file_problem(str(path)) == f"{path}, line 2, column 34: not valid TOML (illegal character)"
    path.write_bytes(b'[auth]\ncookie_secret = "caf\xe9"\n')  # Latin-1
    assert auth.secrets_file_problem(str(path)) == f"{path}, line 2, column 21: not UTF-8 text; save the file as UTF-8"
    path.write_text("\ufeff" + BROKEN_FILE.replace('"*@example.com"', '"*@example.com"]'))
    assert "starts with a byte order mark" in auth.secrets_file_problem(str(path))
    path.write_text(BROKEN_FILE.replace('"*@example.com"', '"*@example.com"]'))
    assert auth.secrets_file_problem(str(path)) is None
    folder = tmp_path / "folder" / "secrets.toml"
    folder.mkdir(parents=True)
    assert auth.secrets_file_problem(str(folder)) == f"{folder} cannot be read: Is a directory"
    assert auth.secrets_file_problem(str(tmp_path)) is None  # a folder of Kubernetes-style secrets
    assert (
        auth.secrets_file_problem(str(tmp_path / "mounted"))
        == f"{tmp_path / 'mounted'} is neither a .toml file nor a folder"
    )


def test_the_example_secrets_file_is_accepted():
    example = Path(APP).parent / ".streamlit" / "secrets.example.toml"
    assert auth.secrets_file_problem(str(example)) is None
    settings = auth.sign_in_settings(tomllib.loads(example.read_text()))
    assert settings.required and settings.problems == ()


@pytest.fixture
def secrets_files():
    """Sets Streamlit's option secrets.files, the places the app under test reads secrets from."""
    saved = config.get_option("secrets.files")
    yield lambda *paths: config.set_option("secrets.files", [str(path) for path in paths])
    config.set_option("secrets.files", saved)


def shows_nothing_but_the_closed_message(app: AppTest) -> str:
    """The closed message, after checking that it is all the page shows."""
    assert not app.exception, app.exception
    assert [t.value for t in app.title] == ["B2B Ops Strategy Dashboard"]
    assert len(app.error) == 1 and not app.sidebar.children
    assert {element.type for element in app.main} == {"main", "title", "error"}
    assert SECRET not in app.error[0].value
    return shown(app.error[0].value)


@pytest.mark.parametrize("page", [None, *(f"pages/{path.name}" for path in sorted(PAGES.glob("*.py")))])
def test_a_secrets_file_with_a_syntax_error_closes_every_page(workspace_path, tmp_path, secrets_files, page):
    broken = tmp_path / "secrets.toml"
    broken.write_text(BROKEN_FILE)
    secrets_files(tmp_path / "missing.toml", broken)
    app = open_app(page, user=PEOPLE["admin"])
    message = shows_nothing_but_the_closed_message(app)
    assert message.startswith(f"The dashboard is closed: its sign-in settings in {broken} cannot be used.")
    assert "line 10, column 26: not valid TOML (unclosed array at the end of the file)" in message


def test_secrets_streamlit_cannot_read_close_the_app(workspace_path, tmp_path, secrets_files):
    (tmp_path / "auth").write_text("x")  # Kubernetes-style secrets are folders of files: Streamlit refuses a file
    secrets_files(tmp_path)
    message = shows_nothing_but_the_closed_message(open_app())
    assert "- Streamlit cannot read the secrets (StreamlitSecretNotFoundError)" in message


@pytest.mark.parametrize(
    "secrets",
    [{"roles": ROLES}, {"auth": AUTH}, {"auth": AUTH, "roles": {**ROLES, "owner": ["ada@example.com"]}}],
    ids=["roles without auth", "auth without roles", "an unknown role"],
)
def test_incomplete_or_contradictory_settings_close_the_app_even_for_an_admin(workspace_path, secrets):
    for page in (None, "pages/data.py"):
        app = open_app(page, secrets=secrets, user=PEOPLE["admin"])
        message = shows_nothing_but_the_closed_message(app)
        assert "the app's secrets cannot be used" in message


def test_an_e_mail_address_the_provider_has_not_verified_is_refused(workspace_path):
    unverified = {**PEOPLE["admin"], "email_verified": False}
    app = open_as(unverified, "pages/data.py")
    assert app.warning[0].value == (
        "You are signed in as ada@example\\.com, but your e-mail address is not verified by login\\.example\\.com. "
        "Verify it there, then sign in again."
    )
    assert app.button(key="auth:sign_out") and not app.dataframe and not app.sidebar.children
    assert open_as({**PEOPLE["admin"], "email_verified": "false"}, "pages/data.py").warning  # sent as text
    verified = open_as({**PEOPLE["admin"], "email_verified": True}, "pages/data.py")
    assert [t.value for t in verified.title] == ["Data"] and verified.button(key="delete")


def test_a_look_alike_of_a_listed_address_gets_no_role(workspace_path):
    roles = {"admin": ["kate@example.com"]}
    app = open_as({"is_logged_in": True, "email": "\u212aate@example.com", "name": "Kate"}, "pages/data.py", roles)
    assert "has no role in this dashboard" in app.warning[0].value and not app.dataframe


def test_an_editor_may_restore_the_sample_but_only_an_admin_removes_it(workspace_path):
    app = open_as(PEOPLE["editor"], "pages/data.py")
    assert not [b for b in app.button if str(b.key).startswith("sample:remove")]
    assert any("Removing the sample data: Needs the admin role." in c.value for c in app.caption)
    workspace_of(workspace_path).remove_sample(actor=LOCAL)
    app.run()
    app.button(key="sample:restore").click().run()
    assert workspace_of(workspace_path).data_origin().kind == "sample"
    assert workspace_of(workspace_path).audit_trail()["actor"].iloc[0] == "ed@example.com"
