"""The operations playbook (data/playbook.toml): the bundled file, and the messages a facilitator
gets when an edit breaks it."""

from __future__ import annotations

import copy
import tomllib

import pandas as pd
import pytest

from b2b_core.playbook import PLAYBOOK_PATH, PlaybookError, load_playbook, parse_playbook

BUNDLED = tomllib.loads(PLAYBOOK_PATH.read_text(encoding="utf-8"))
NUMERALS = ("I", "II", "III", "IV")  # how the bundled file names quadrants Q1 … Q4


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
        assert play.name and play.meaning


def test_the_bundled_priorities_serve_q1_and_q4_first_then_q2_then_q3():
    playbook = load_playbook()
    priority = {play.quadrant: play.priority for play in playbook.quadrants}
    assert priority["Q1"] == priority["Q4"] < priority["Q2"] < priority["Q3"]
    assert [play.quadrant for play in playbook.quadrants] == ["Q1", "Q4", "Q2", "Q3"]  # ties by quadrant number


def test_labels_name_the_quadrant_and_leave_other_states_alone():
    playbook = load_playbook()
    assert playbook.label("Q4") == "IV · Under-monetised"  # a roman numeral: never read as a quarter
    assert playbook.label("Q1") == "I · Core partners"
    assert playbook.label("churned") == "churned"
    assert playbook.quadrant("Q3").name == "Observe"


def test_a_missing_file_says_to_restore_it(tmp_path):
    path = tmp_path / "playbook.toml"
    with pytest.raises(PlaybookError, match="the playbook file is missing; restore it") as caught:
        load_playbook(path)
    assert str(path) in str(caught.value)


def test_invalid_toml_names_the_file_and_says_to_fix_the_line(tmp_path):
    path = tmp_path / "playbook.toml"
    path.write_text('[quadrants.I]\nname = "Core partners\n', encoding="utf-8")  # unterminated string
    with pytest.raises(PlaybookError, match="not valid TOML .*line 2.*fix the line it names") as caught:
        load_playbook(path)
    assert str(path) in str(caught.value)


def test_an_edited_file_is_checked_when_loaded(tmp_path):
    path = tmp_path / "playbook.toml"
    text = PLAYBOOK_PATH.read_text(encoding="utf-8").replace("priority = 3", "priority = 0")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PlaybookError, match=r"\[quadrants.III\]: priority must be a whole number ≥ 1") as caught:
        load_playbook(path)
    assert str(caught.value).startswith(str(path))


def drop_q3(data):
    del data["quadrants"]["III"]


def add_q5(data):
    data["quadrants"]["V"] = copy.deepcopy(data["quadrants"]["III"])


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
        (lambda data: data.pop("quadrants"), r"no \[quadrants\] section; add \[quadrants.I\] … \[quadrants.IV\]"),
        (lambda data: data.update(quadrants="Q1"), r"no \[quadrants\] section"),
        (drop_q3, r"\[quadrants\] must name exactly I, II, III, IV; missing III"),
        (add_q5, r"\[quadrants\] must name exactly I, II, III, IV; unknown V"),
        (set_key("II", "priority", 0), r"\[quadrants.II\]: priority must be a whole number ≥ 1 .*not 0"),
        (set_key("II", "priority", "high"), r"\[quadrants.II\]: priority must be a whole number ≥ 1 .*not 'high'"),
        (set_key("II", "priority", True), r"\[quadrants.II\]: priority must be a whole number ≥ 1 .*not True"),
        (set_key("II", "priority", 1.5), r"\[quadrants.II\]: priority must be a whole number"),
        (drop_key("II", "priority"), r"\[quadrants.II\]: priority must be a whole number ≥ 1 .*not None"),
        (
            set_key("IV", "actions", []),
            r"\[quadrants.IV\]: actions must be a non-empty list of texts, e.g. actions = \[",
        ),
        (set_key("IV", "actions", "Call them"), r"\[quadrants.IV\]: actions must be a non-empty list of texts"),
        (set_key("IV", "actions", ["Call them", "  "]), r"\[quadrants.IV\]: actions must be a non-empty list"),
        (drop_key("I", "name"), r'\[quadrants.I\]: name must be a non-empty text, e.g. name = "…"'),
        (set_key("I", "meaning", " "), r"\[quadrants.I\]: meaning must be a non-empty text"),
        (lambda data: data["quadrants"].update(II="At risk"), r"\[quadrants.II\] must be a table of keys"),
    ],
    ids=[
        "no-quadrants",
        "quadrants-not-a-table",
        "missing-III",
        "unknown-V",
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
        "quadrant-not-a-table",
    ],
)
def test_a_broken_playbook_names_the_key_and_the_fix(change, message):
    with pytest.raises(PlaybookError, match=message) as caught:
        parse_playbook(edited(change), source="playbook.toml")
    assert str(caught.value).startswith("playbook.toml: ")


def test_a_file_written_before_names_its_quadrants_q1_to_q4_and_still_loads():
    old = edited(lambda data: data.update(quadrants={f"Q{i}": data["quadrants"][n] for i, n in enumerate(NUMERALS, 1)}))
    assert parse_playbook(old) == parse_playbook(BUNDLED)


def test_a_quadrant_named_by_numeral_and_by_key_at_once_is_refused():
    twice = edited(lambda data: data["quadrants"].update(Q4=copy.deepcopy(data["quadrants"]["IV"])))
    with pytest.raises(PlaybookError, match=r"names a quadrant twice \(Q4 and IV\); keep the roman numeral"):
        parse_playbook(twice, source="playbook.toml")


def test_named_writes_the_quadrants_of_an_index_columns_and_state_columns_and_nothing_else():
    playbook = load_playbook()
    matrix = pd.DataFrame([[1, 2], [3, 4]], index=pd.Index(["Q1", "new"], name="before"), columns=["Q4", "churned"])
    assert playbook.named(matrix).index.tolist() == ["I · Core partners", "new"]
    assert playbook.named(matrix).columns.tolist() == ["IV · Under-monetised", "churned"]
    movers = pd.DataFrame({"account_name": ["Q1", "b"], "before": ["Q2", "new"], "after": pd.Categorical(["Q3", "Q4"])})
    named = playbook.named(movers)
    assert named.to_dict("list") == {
        "account_name": ["Q1", "b"],  # a name from the data stays as it is
        "before": ["II · At risk", "new"],
        "after": ["III · Observe", "IV · Under-monetised"],
    }
    assert movers["before"].tolist() == ["Q2", "new"]  # a copy
    mix = pd.DataFrame({"accounts": [5, 6]}, index=pd.MultiIndex.from_tuples([("2025Q1", "Q1"), ("2025Q1", "Q4")]))
    assert playbook.named(mix).index.tolist() == [("2025Q1", "I · Core partners"), ("2025Q1", "IV · Under-monetised")]


def test_a_playbook_error_is_a_value_error():
    assert issubclass(PlaybookError, ValueError)


def test_texts_and_actions_are_trimmed():
    data = edited(set_key("III", "actions", ["  Watch them.  "]))
    data["quadrants"]["III"]["name"] = " Observe "
    play = parse_playbook(data).quadrant("Q3")
    assert (play.name, play.actions) == ("Observe", ("Watch them.",))


# --- levers, weights, journeys and rules (lifecycle priorities, DESIGN §2 and §6) -----------------

LEVERS = {
    "acquisition": "Acquisition & activation",
    "onboarding": "Access & onboarding",
    "success": "Customer success & renewal",
    "rules": "Rules & audit",
    "monetisation": "Co-created monetisation",
    "growth_system": "B-side growth system",
    "sales": "Sales & key decision makers",
    "brand": "Brand & content",
}
STAGES = ("cold_start", "traction", "accelerated_growth", "steady_growth", "contraction")
MODELS = ("platform", "tool", "hardware", "service")


def test_the_bundled_playbook_has_the_eight_levers_of_the_design_in_order():
    playbook = load_playbook()
    assert {lever.key: lever.name for lever in playbook.levers} == LEVERS
    assert [lever.key for lever in playbook.levers] == list(LEVERS)
    assert all(lever.description for lever in playbook.levers)
    assert playbook.lever("growth_system").name == "B-side growth system"


def test_every_bundled_lever_has_actions_for_every_stage():
    for lever in load_playbook().levers:
        assert tuple(lever.actions) == STAGES
        for stage in STAGES:
            assert lever.actions[stage] and all(action.strip() for action in lever.actions[stage]), (lever.key, stage)


def test_the_bundled_weights_cover_every_stage_model_and_lever_and_are_not_negative():
    weights = load_playbook().weights
    assert set(weights) == {(stage, model) for stage in STAGES for model in MODELS}
    for pair, table in weights.items():
        assert list(table) == list(LEVERS), pair
        assert all(weight >= 0 for weight in table.values()), pair


def test_the_bundled_journeys_sell_hardware_first_and_convert_the_others_after_serving():
    journeys = load_playbook().journeys
    assert tuple(journeys) == MODELS
    assert "sell" in journeys["hardware"][0].lower()
    assert not any("paid" in step.lower() for step in journeys["hardware"])
    for model in ("platform", "tool", "service"):
        steps = [step.lower() for step in journeys[model]]
        serve = next(n for n, step in enumerate(steps) if step.startswith("serve"))
        paid = next(n for n, step in enumerate(steps) if "paid" in step)
        assert steps[0].startswith("acquire") and serve < paid, model


def test_the_bundled_rules_cover_the_issue_and_point_at_existing_levers():
    playbook = load_playbook()
    keys = {lever.key for lever in playbook.levers}
    ids = [rule.id for rule in playbook.rules]
    assert len(ids) == len(set(ids))
    for rule in playbook.rules:
        assert rule.lever in keys
        assert rule.direction in ("below", "above")
        assert tuple(rule.target) == STAGES
        assert rule.slope > 0 and rule.cap > 0 and rule.rationale
    found = {(rule.signal, rule.direction, rule.lever) for rule in playbook.rules}
    assert {
        ("logo_retention_4q", "below", "success"),
        ("nrr_4q", "below", "monetisation"),
        ("activation", "below", "onboarding"),
        ("new_accounts_growth_yoy", "below", "acquisition"),
        ("q4_b_side_revenue_share", "above", "monetisation"),
        ("q2_platform_revenue_share", "above", "growth_system"),
        ("top10_share", "above", "growth_system"),
        ("top10_share", "above", "sales"),
    } <= found
    nrr = next(rule for rule in playbook.rules if rule.signal == "nrr_4q")
    assert set(nrr.target.values()) == {1.0}  # NRR below 100%


def test_with_weights_replaces_one_stage_and_model_and_leaves_the_rest():
    playbook = load_playbook()
    new = dict.fromkeys(LEVERS, 1) | {"brand": 9}
    changed = playbook.with_weights("traction", "tool", new)
    assert changed.weights[("traction", "tool")] == {**dict.fromkeys(LEVERS, 1.0), "brand": 9.0}
    assert all(
        changed.weights[pair] == playbook.weights[pair] for pair in playbook.weights if pair != ("traction", "tool")
    )
    assert playbook.weights[("traction", "tool")]["brand"] == 4  # the original is untouched
    assert (changed.levers, changed.rules, changed.journeys) == (playbook.levers, playbook.rules, playbook.journeys)


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        (
            {lever: 1 for lever in LEVERS if lever != "sales"},
            r"weights for traction, tool must name exactly .*; missing sales",
        ),
        (dict.fromkeys(LEVERS, 1) | {"tea": 1}, r"weights for traction, tool must name exactly .*; unknown tea"),
        (dict.fromkeys(LEVERS, 1) | {"brand": -1}, r"weights for traction, tool: brand must be a number ≥ 0, not -1"),
        (dict.fromkeys(LEVERS, 1) | {"brand": "high"}, r"brand must be a number ≥ 0, not 'high'"),
        (dict.fromkeys(LEVERS, 1) | {"brand": float("nan")}, r"brand must be a number ≥ 0, not nan"),
        (dict.fromkeys(LEVERS, 1) | {"brand": True}, r"brand must be a number ≥ 0, not True"),
        ([1] * 8, r"weights for traction, tool must be a table of lever = weight"),
    ],
    ids=["missing-lever", "unknown-lever", "negative", "text", "nan", "bool", "not-a-table"],
)
def test_with_weights_checks_what_it_is_given(weights, message):
    with pytest.raises(PlaybookError, match=message):
        load_playbook().with_weights("traction", "tool", weights)


def drop(*path):
    def change(data):
        *parents, last = path
        node = data
        for key in parents:
            node = node[key]
        del node[last]

    return change


def put(value, *path):
    def change(data):
        *parents, last = path
        node = data
        for key in parents:
            node = node[key]
        node[last] = value

    return change


def repeat_rule(data):
    data["rules"].append(copy.deepcopy(data["rules"][1]))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (drop("levers"), r"\[levers\] is missing or not a table; add it, e.g. \[levers.acquisition\]"),
        (
            drop("levers", "brand", "actions", "traction"),
            r"\[levers.brand\] actions must name exactly cold_start, traction, accelerated_growth, steady_growth, "
            r"contraction; missing traction",
        ),
        (
            put([], "levers", "brand", "actions", "traction"),
            r"\[levers.brand\] actions.traction must be a non-empty list",
        ),
        (drop("levers", "sales", "name"), r'\[levers.sales\]: name must be a non-empty text, e.g. name = "…"'),
        (
            drop("weights", "traction", "tool"),
            r"\[weights.traction\] must name exactly platform, tool, hardware, service; missing tool",
        ),
        (
            drop("weights", "steady_growth", "hardware", "brand"),
            r"\[weights.steady_growth\] hardware must name exactly acquisition, .*; missing brand",
        ),
        (drop("weights", "cold_start"), r"\[weights\] must name exactly cold_start, .*; missing cold_start"),
        (
            put(-1, "weights", "cold_start", "platform", "sales"),
            r"\[weights.cold_start\] platform: sales must be a number ≥ 0, not -1",
        ),
        (
            put("8", "weights", "cold_start", "platform", "sales"),
            r"\[weights.cold_start\] platform: sales must be a number ≥ 0, not '8'",
        ),
        (
            put("retention", "rules", 0, "lever"),
            r"rule 1 \(renewal_below_target\): lever must be one of acquisition, onboarding, .*, not 'retention'",
        ),
        (
            put("under", "rules", 1, "direction"),
            r'rule 2 \(nrr_below_100\): direction must be "below" or "above", not \'under\'',
        ),
        (
            drop("rules", 2, "target", "steady_growth"),
            r"rule 3 \(activation_below_target\) target must name exactly .*; missing steady_growth",
        ),
        (
            put("80%", "rules", 2, "target", "traction"),
            r"rule 3 \(activation_below_target\) target.traction must be a number, not '80%'",
        ),
        (put(-5.0, "rules", 0, "slope"), r"rule 1 \(renewal_below_target\) slope must be a number ≥ 0, not -5.0"),
        (drop("rules", 0, "cap"), r"rule 1 \(renewal_below_target\) cap must be a number ≥ 0, not None"),
        (drop("rules", 0, "signal"), r"rule 1 \(renewal_below_target\): signal must be a non-empty text"),
        (repeat_rule, r"rule ids must be unique; \['nrr_below_100'\] repeat"),
        (
            drop("journeys", "hardware"),
            r"\[journeys\] must name exactly platform, tool, hardware, service; missing hardware",
        ),
        (put([], "journeys", "tool"), r"\[journeys\] tool must be a non-empty list of texts"),
    ],
    ids=[
        "no-levers",
        "lever-without-stage-actions",
        "lever-empty-actions",
        "lever-without-name",
        "weights-missing-model",
        "weights-missing-lever",
        "weights-missing-stage",
        "weight-negative",
        "weight-text",
        "rule-unknown-lever",
        "rule-bad-direction",
        "rule-missing-target-stage",
        "rule-target-text",
        "rule-negative-slope",
        "rule-missing-cap",
        "rule-missing-signal",
        "rule-duplicate-id",
        "journeys-missing-model",
        "journey-empty",
    ],
)
def test_a_broken_lifecycle_part_names_the_key_and_the_fix(change, message):
    with pytest.raises(PlaybookError, match=message) as caught:
        parse_playbook(edited(change), source="playbook.toml")
    assert str(caught.value).startswith("playbook.toml: ")


def test_saved_weights_replace_the_files_and_those_that_no_longer_fit_are_named():
    book = load_playbook()
    weights = {lever.key: 1.0 for lever in book.levers}
    applied, problems = book.with_saved_weights(
        {("traction", "platform"): weights, ("steady_growth", "tool"): {"retired_lever": 2.0}}
    )
    assert applied.weights[("traction", "platform")] == weights
    assert applied.weights[("steady_growth", "tool")] == book.weights[("steady_growth", "tool")]
    assert len(problems) == 1 and "steady_growth · tool no longer fit the playbook file" in problems[0]
