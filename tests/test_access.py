"""Roles and the actions they allow, checked by the workspace itself, and the audit trail every
write leaves behind."""

from __future__ import annotations

import inspect
import json

import pytest

from b2b_core import access, sample
from b2b_core.access import LOCAL, Actor, PermissionDenied, require, role_of
from b2b_core.store import Workspace

VIEWER = Actor("Vera Viewer", "vera@example.com", "viewer")
EDITOR = Actor("Ed Editor", "ed@example.com", "editor")
ADMIN = Actor("Ada Admin", "ada@example.com", "admin")
ROLES = {"admin": ["ada@example.com"], "editor": ["ed@example.com", "*@ops.example.com"], "viewer": ["*@example.com"]}


def test_the_highest_role_that_lists_someone_is_theirs():
    assert role_of("ada@example.com", ROLES) == "admin"  # also matches the viewers' pattern
    assert role_of("ED@Example.com", ROLES) == "editor"
    assert role_of("lin@ops.example.com", ROLES) == "editor"
    assert role_of("vera@example.com", ROLES) == "viewer"
    assert role_of("someone@elsewhere.org", ROLES) is None
    assert role_of("someone@elsewhere.org", ROLES, default="viewer") == "viewer"
    assert role_of(None, ROLES, default="viewer") is None
    assert role_of("ada@example.com", {"admin": "ada@example.com"}) == "admin"  # one address, not a list
    with pytest.raises(ValueError, match="unknown role"):
        role_of("ada@example.com", {"owner": ["ada@example.com"]})


@pytest.mark.parametrize(
    ("email", "listed"),
    [
        ("\u212aate@example.com", "kate@example.com"),  # KELVIN SIGN: NFKC makes it the letter K
        ("\uff4bate@example.com", "kate@example.com"),  # fullwidth k
        ("strauß@example.com", "strauss@example.com"),  # no case folding: ß is not ss
        ("strauss@example.com", "strauß@example.com"),
        ("ÉVA@example.com", "éva@example.com"),  # only ASCII letters are lower-cased
        ("eve@evil.org@example.com", "*@example.com"),  # two @: no pattern applies
        ("ka\u200bte@example.com", "ka*te@example.com"),  # a zero-width space
    ],
)
def test_addresses_are_compared_without_unicode_folding_or_look_alikes(email, listed):
    assert role_of(email, {"editor": [listed]}) is None


def test_addresses_that_normalisation_would_change_get_no_role_not_even_the_default():
    assert role_of("\u212aate@example.com", {"admin": ["kate@example.com"]}, default="viewer") is None
    assert role_of("STRAUß@Example.COM", {"editor": ["strauß@example.com"]}) == "editor"
    assert role_of("éva@example.com", {"viewer": ["*@EXAMPLE.com"]}) == "viewer"  # patterns likewise
    assert role_of(" ada@example.com ", {"admin": [" ADA@example.com"]}) == "admin"
    with pytest.raises(ValueError, match="the admin role"):
        role_of("kate@example.com", {"admin": ["\u212aate@example.com"]})


@pytest.mark.parametrize(
    ("actor", "allowed"),
    [
        (VIEWER, {"save_scenario"}),
        (
            EDITOR,
            {
                "save_scenario",
                "commit",
                "restore",
                "restore_sample",
                "edit_playbook",
                "override_base",
                "set_currency",
                "edit_deck",
            },
        ),
        (ADMIN, set(access.ACTIONS)),
        (LOCAL, set(access.ACTIONS)),
    ],
)
def test_each_role_allows_its_actions_and_those_of_the_roles_below(actor, allowed):
    assert {action for action in access.ACTIONS if actor.can(action)} == allowed
    for action in set(access.ACTIONS) - allowed:
        with pytest.raises(PermissionDenied, match=f"needs the .* role; {actor.name} is a {actor.role}"):
            require(actor, action)


def test_an_unknown_role_is_refused():
    with pytest.raises(ValueError, match="unknown role 'owner'"):
        Actor("x", None, "owner")


@pytest.fixture
def ws(tmp_path):
    with Workspace(tmp_path / "ws.duckdb") as workspace:
        yield workspace


def panel(quarters=2):
    return sample.generate_panel(60, quarters)


def test_a_viewer_cannot_write_data_and_nothing_is_written(ws):
    with pytest.raises(PermissionDenied, match="Committing an upload needs the editor role"):
        ws.commit(panel(), "q.csv", actor=VIEWER)
    with pytest.raises(PermissionDenied):
        ws.commit_many([(panel(), "q.csv", None)], actor=VIEWER)
    assert ws.is_empty() and ws.version == 0 and ws.audit_trail().empty
    upload = ws.commit(panel(), "q.csv", actor=EDITOR)
    for write in (lambda: ws.restore(upload, actor=VIEWER), lambda: ws.delete(upload, actor=EDITOR)):
        with pytest.raises(PermissionDenied):
            write()
    assert ws.version == 1 and len(ws.audit_trail()) == 1
    with pytest.raises(PermissionDenied, match="Editing the playbook needs the editor role"):
        ws.save_playbook_weights("traction", "platform", {"brand": 1.0}, actor=VIEWER)
    for download in ("export_workspace", "export_audit"):  # everyone's e-mail, every stored upload: admins only
        with pytest.raises(PermissionDenied, match="needs the admin role"):
            ws.record_export(download, {}, actor=EDITOR)
    with pytest.raises(ValueError, match="not a download the audit trail records"):
        ws.record_export("commit", {}, actor=ADMIN)  # no audit entry can be forged through it
    assert ws.version == 1 and len(ws.audit_trail()) == 1


def test_no_write_has_a_default_actor():
    writes = [
        "commit",
        "commit_many",
        "restore",
        "delete",
        "save_scenario",
        "rename_scenario",
        "delete_scenario",
        "save_playbook_weights",
        "reset_playbook_weights",
        "record_export",
        "write_backup",
        "backup",
        "restore_backup",
        "set_workshop_title",
        "edit_headline",
        "reset_headline",
    ]
    for name in writes:
        actor = inspect.signature(getattr(Workspace, name)).parameters["actor"]
        assert actor.default is inspect.Parameter.empty and actor.kind is inspect.Parameter.KEYWORD_ONLY, name
    assert not hasattr(Workspace, "record")  # an audit entry is written only by the action it records


def test_every_write_leaves_who_when_and_what_in_the_audit_trail(ws):
    first = ws.commit(panel(2), "two_quarters.csv", sha256="a" * 64, actor=EDITOR)
    second = ws.commit(panel(1), "last_quarter.csv", actor=EDITOR)
    ws.restore(first, actor=EDITOR)
    ws.delete(second, actor=ADMIN)
    ws.save_scenario("Push", {"renewal_uplift": 2.0}, actor=VIEWER)
    ws.rename_scenario("Push", "Renewal push", actor=VIEWER)
    ws.delete_scenario("Renewal push", actor=VIEWER)
    ws.record_export("export_audit", {"entries": 7}, actor=ADMIN)
    trail = ws.audit_trail()
    assert trail["action"].tolist() == [
        "export_audit",
        "delete_scenario",
        "rename_scenario",
        "save_scenario",
        "delete",
        "restore",
        "commit",
        "commit",
    ]
    assert trail["actor"].tolist()[-2:] == ["ed@example.com", "ed@example.com"]  # who: the e-mail, not the name
    assert trail["summary"].iloc[0] == "downloaded the audit trail"
    assert trail.loc[trail["action"] == "delete", ["email", "role"]].iloc[0].tolist() == ["ada@example.com", "admin"]
    assert trail["occurred_at"].is_monotonic_decreasing and str(trail["occurred_at"].dt.tz) == "UTC"
    commit = json.loads(trail["details"].iloc[-1])
    rows = panel(2).groupby("quarter").size().to_dict()
    assert commit == {
        "upload_id": first,
        "source": "two_quarters.csv",
        "sha256": "a" * 64,
        "rows": rows,
        "replaced": {q: None for q in rows},
    }
    assert (
        trail["summary"].iloc[-1]
        == f"committed upload #{first} (two_quarters.csv): {sum(rows.values()):,} rows for {', '.join(rows)}"
    )
    deleted = json.loads(trail.loc[trail["action"] == "delete", "details"].iloc[0])
    assert deleted["upload_id"] == second and deleted["rows"] == len(panel(1))
    restored = json.loads(trail.loc[trail["action"] == "restore", "details"].iloc[0])
    earlier, last = sorted(rows)
    assert restored["replaced"] == {earlier: first, last: second}  # an upload still live "replaces" itself


def test_a_failed_write_leaves_no_audit_entry(ws):
    broken = panel().assign(platform_revenue=-1.0)
    with pytest.raises(ValueError):
        ws.commit(broken, "broken.csv", actor=EDITOR)
    with pytest.raises(KeyError):
        ws.restore(99, actor=EDITOR)
    assert ws.audit_trail().empty


def test_the_audit_trail_survives_a_restart(tmp_path):
    with Workspace(tmp_path / "ws.duckdb") as ws:
        ws.commit(panel(), "q.csv", actor=EDITOR)
    with Workspace(tmp_path / "ws.duckdb") as ws:
        assert ws.audit_trail()["actor"].tolist() == ["ed@example.com"]


def test_editors_save_playbook_weights_for_everyone_and_each_save_is_audited(ws):
    ws.save_playbook_weights("traction", "platform", {"brand": 3.0, "sales": 1.0}, actor=EDITOR)
    ws.save_playbook_weights("traction", "platform", {"brand": 4.0, "sales": 1.0}, actor=EDITOR)
    assert ws.playbook_weights() == {("traction", "platform"): {"brand": 4.0, "sales": 1.0}}
    latest = ws.audit_trail().iloc[0]
    assert (latest.action, latest.actor) == ("edit_playbook", "ed@example.com")
    assert json.loads(latest.details)["changed"] == {"brand": [3.0, 4.0]}
    with pytest.raises(PermissionDenied, match="Editing the playbook needs the editor role"):
        ws.save_playbook_weights("traction", "platform", {"brand": 9.0}, actor=VIEWER)
    with pytest.raises(ValueError, match="a weight is a number from 0 up"):
        ws.save_playbook_weights("traction", "platform", {"brand": -1.0}, actor=EDITOR)
    ws.reset_playbook_weights("traction", "platform", actor=EDITOR)
    assert ws.playbook_weights() == {} and ws.version == 0  # the data are untouched
    assert ws.audit_trail()["action"].tolist() == ["edit_playbook"] * 3
