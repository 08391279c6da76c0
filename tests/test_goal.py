"""Goal seek on the hand-built base of the scenario tests, whose answers follow by hand."""

from __future__ import annotations

import pytest

from b2b_core.scenarios import BASE, GOAL_COLUMNS, Scenario, goal_seek, project, scenario_reaching
from b2b_core.scenarios.goal import NO_EFFECT, OUT_OF_REACH, REACHED
from tests.test_scenarios import hand_base


def accounts_at(scenario: Scenario, horizon: int = 2) -> float:
    return float(project(hand_base(), scenario, horizon, bands=False)["active_accounts"].iloc[-1])


def test_each_lever_alone_finds_the_value_that_reaches_the_target():
    # two quarters on: the ten renew with 2/3 then 3/4 (5 left); 4 (1 + g) arrive each quarter and
    # half of the first quarter's renew: 5 + 6 (1 + g). 14 accounts need g = 50%
    table = goal_seek(hand_base(), "active_accounts", 14.0, horizon=2)
    assert list(table.columns) == GOAL_COLUMNS
    assert table.loc["new_account_growth", "value"] == pytest.approx(50.0, abs=1e-5)
    assert table.loc["new_account_growth", "status"] == REACHED
    assert table.loc["new_account_growth", ["lowest", "highest"]].tolist() == pytest.approx([5.0, 5 + 6 * 3])
    renewal = table.loc["renewal_uplift", "value"]
    assert accounts_at(Scenario("R", renewal_uplift=renewal)) == pytest.approx(14.0)
    assert table.loc["renewal_uplift", "reached"] == pytest.approx(14.0)
    # expansion and the take rate do not move accounts; churn elasticity alone neither
    assert table.loc["expansion", "status"] == NO_EFFECT
    assert table.loc["churn_elasticity", "status"] == NO_EFFECT


def test_a_target_beyond_every_lever_says_how_far_each_gets():
    table = goal_seek(hand_base(), "active_accounts", 1000.0, horizon=2)
    assert table.loc["new_account_growth", "status"] == OUT_OF_REACH
    assert table.loc["new_account_growth", "highest"] == pytest.approx(23.0)
    assert table["value"].isna().all()
    with pytest.raises(ValueError, match="does not reach"):
        scenario_reaching(table.loc["new_account_growth"], "new_account_growth", "Too far")


def test_the_take_rate_moves_point_for_point_and_a_mix_scales_together():
    table = goal_seek(hand_base(), "take_rate", 0.12, horizon=2)  # 10% + Δ points
    assert table.loc["take_rate_change", "value"] == pytest.approx(2.0, abs=1e-5)
    mixed = goal_seek(hand_base(), "active_accounts", 14.0, horizon=2, mix={"new_account_growth": 10.0})
    assert mixed.loc["mix", "value"] == pytest.approx(5.0, abs=1e-5)  # 5 × 10% = 50%
    saved = scenario_reaching(mixed.loc["mix"], "mix", "Reach 14", mix={"new_account_growth": 10.0})
    assert saved == Scenario("Reach 14", new_account_growth=50.0)
    alone = scenario_reaching(table.loc["take_rate_change"], "take_rate_change", "Rate 12%")
    assert alone.take_rate_change == pytest.approx(2.0) and alone.overrides().keys() == {"take_rate_change"}


def test_from_a_scenario_the_other_levers_stay_where_it_put_them():
    start = Scenario("Start", renewal_uplift=5.0)
    table = goal_seek(hand_base(), "active_accounts", 14.0, horizon=2, start=start)
    growth = table.loc["new_account_growth", "value"]
    assert accounts_at(start.with_levers(new_account_growth=growth)) == pytest.approx(14.0)
    assert growth < 50.0  # renewal already helps


def test_goal_seek_refuses_what_it_cannot_aim_at():
    with pytest.raises(ValueError, match="goal must be one of"):
        goal_seek(hand_base(), "profit", 1.0)
    with pytest.raises(ValueError, match="no B-side revenue"):
        goal_seek(hand_base(has_b_side=False), "take_rate", 0.1)
    with pytest.raises(ValueError, match="must be a number"):
        goal_seek(hand_base(), "active_accounts", float("nan"))
    with pytest.raises(ValueError, match="unknown lever"):
        goal_seek(hand_base(), "active_accounts", 14.0, mix={"price": 1.0})
    assert "take_rate_change" not in goal_seek(hand_base(has_b_side=False), "active_accounts", 14.0, 2).index
    assert BASE.overrides() == {}


def test_a_mix_whose_largest_scale_lands_a_rounding_beyond_a_levers_end_still_answers():
    # 20 / 0.599245 × 0.599245 is a hair beyond 20 in floating point: the lever is held at its end
    mix = {"renewal_uplift": -0.599245}
    table = goal_seek(hand_base(), "active_accounts", 1.0, horizon=2, mix=mix)
    assert table.loc["mix", "status"] in (REACHED, OUT_OF_REACH)
    assert table.loc["mix", "lowest"] == pytest.approx(accounts_at(BASE))
