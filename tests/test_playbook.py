"""The operations playbook (data/playbook.toml): the bundled file, and the messages a facilitator
gets when an edit breaks it."""

from __future__ import annotations

import copy
import tomllib

import pytest

from b2b_core.playbook import PLAYBOOK_PATH, PlaybookError, load_playbook, parse_playbook

BUNDLED = tomllib.loads(PLAYBOOK_PATH.read_text(encoding="utf-8"))


def edited(change) -> dict:
    """A copy of the bundled playbook with ``change(data)`` applied."""
    data = copy.deepcopy(BUNDLED)
    change(data)
    return data


def test_the_bundled_playbook_has_the_four_quadrants_with_actions():
    playbook = load_playbook()
    assert sorted(play.quadrant for play in playbook.quadrants) == ["Q1", "Q2", "Q3", "Q4"]
    for play in playbook.quadrants:
        assert play.actions and all(action.strip() for action in play.actions)
        assert play.name and play.position and play.meaning


def test_the_bundled_priorities_serve_q1_and_q4_first_then_q2_then_q3():
    playbook = load_playbook()
    priority = {play.quadrant: play.priority for play in playbook.quadrants}
    assert priority["Q1"] == priority["Q4"] < priority["Q2"] < priority["Q3"]
    assert [play.quadrant for play in playbook.quadrants] == ["Q1", "Q4", "Q2", "Q3"]  # ties by quadrant number


def test_labels_name_the_quadrant_and_leave_other_states_alone():
    playbook = load_playbook()
    assert playbook.label("Q4") == "Q4 · Under-monetised"
    assert playbook.label("Q1") == "Q1 · Core partners"
    assert playbook.label("churned") == "churned"
    assert playbook.quadrant("Q3").name == "Observe"


def test_a_missing_file_says_to_restore_it(tmp_path):
    path = tmp_path / "playbook.toml"
    with pytest.raises(PlaybookError, match="the playbook file is missing; restore it") as caught:
        load_playbook(path)
    assert str(path) in str(caught.value)


def test_invalid_toml_names_the_file_and_says_to_fix_the_line(tmp_path):
    path = tmp_path / "playbook.toml"
    path.write_text('[quadrants.Q1]\nname = "Core partners\n', encoding="utf-8")  # unterminated string
    with pytest.raises(PlaybookError, match="not valid TOML .*line 2.*fix the line it names") as caught:
        load_playbook(path)
    assert str(path) in str(caught.value)


def test_an_edited_file_is_checked_when_loaded(tmp_path):
    path = tmp_path / "playbook.toml"
    text = PLAYBOOK_PATH.read_text(encoding="utf-8").replace("priority = 3", "priority = 0")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PlaybookError, match=r"\[quadrants.Q3\]: priority must be a whole number ≥ 1") as caught:
        load_playbook(path)
    assert str(caught.value).startswith(str(path))


def drop_q3(data):
    del data["quadrants"]["Q3"]


def add_q5(data):
    data["quadrants"]["Q5"] = copy.deepcopy(data["quadrants"]["Q3"])


def set_key(quadrant, key, value):
    def change(data):
        data["quadrants"][quadrant][key] = value

    return change


def drop_key(quadrant, key):
    def change(data):
        del data["quadrants"][quadrant][key]

    return change


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda data: data.pop("quadrants"), r"no \[quadrants\] section; add \[quadrants.Q1\] … \[quadrants.Q4\]"),
        (lambda data: data.update(quadrants="Q1"), r"no \[quadrants\] section"),
        (drop_q3, r"\[quadrants\] must hold exactly Q1, Q2, Q3 and Q4; missing Q3"),
        (add_q5, r"\[quadrants\] must hold exactly Q1, Q2, Q3 and Q4; unknown Q5"),
        (set_key("Q2", "priority", 0), r"\[quadrants.Q2\]: priority must be a whole number ≥ 1 .*not 0"),
        (set_key("Q2", "priority", "high"), r"\[quadrants.Q2\]: priority must be a whole number ≥ 1 .*not 'high'"),
        (set_key("Q2", "priority", True), r"\[quadrants.Q2\]: priority must be a whole number ≥ 1 .*not True"),
        (set_key("Q2", "priority", 1.5), r"\[quadrants.Q2\]: priority must be a whole number"),
        (drop_key("Q2", "priority"), r"\[quadrants.Q2\]: priority must be a whole number ≥ 1 .*not None"),
        (
            set_key("Q4", "actions", []),
            r"\[quadrants.Q4\]: actions must be a non-empty list of texts, e.g. actions = \[",
        ),
        (set_key("Q4", "actions", "Call them"), r"\[quadrants.Q4\]: actions must be a non-empty list of texts"),
        (set_key("Q4", "actions", ["Call them", "  "]), r"\[quadrants.Q4\]: actions must be a non-empty list"),
        (drop_key("Q1", "name"), r'\[quadrants.Q1\]: name must be a non-empty text, e.g. name = "…"'),
        (set_key("Q1", "meaning", " "), r"\[quadrants.Q1\]: meaning must be a non-empty text"),
        (set_key("Q1", "position", 3), r"\[quadrants.Q1\]: position must be a non-empty text"),
        (lambda data: data["quadrants"].update(Q2="At risk"), r"\[quadrants.Q2\] must be a table of keys"),
    ],
    ids=[
        "no-quadrants",
        "quadrants-not-a-table",
        "missing-Q3",
        "unknown-Q5",
        "priority-0",
        "priority-text",
        "priority-bool",
        "priority-float",
        "priority-missing",
        "actions-empty",
        "actions-not-a-list",
        "actions-blank-text",
        "name-missing",
        "meaning-blank",
        "position-not-text",
        "quadrant-not-a-table",
    ],
)
def test_a_broken_playbook_names_the_key_and_the_fix(change, message):
    with pytest.raises(PlaybookError, match=message) as caught:
        parse_playbook(edited(change), source="playbook.toml")
    assert str(caught.value).startswith("playbook.toml: ")


def test_a_playbook_error_is_a_value_error():
    assert issubclass(PlaybookError, ValueError)


def test_texts_and_actions_are_trimmed():
    data = edited(set_key("Q3", "actions", ["  Watch them.  "]))
    data["quadrants"]["Q3"]["name"] = " Observe "
    play = parse_playbook(data).quadrant("Q3")
    assert (play.name, play.actions) == ("Observe", ("Watch them.",))
