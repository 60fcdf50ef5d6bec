"""The optimum for a vendor's pace: exact (checked against every order on small cases), with the reductions it relies on."""

from __future__ import annotations

import math
import random

import pytest

from airflow_provider_campaigns.simulator.optimum import assignment, best_order, brute_force, cost_table, optimum
from airflow_provider_campaigns.simulator.traffic import Flow, Sending


def sending(label: str, rate: float, audience: int, start: float, wind_down: float = 0.0, stopped_at: float | None = None) -> Sending:
    return Sending("kore", label, Flow(rate, audience, start), wind_down, stopped_at, None)


def random_campaigns(rng: random.Random, n: int) -> list[Sending]:
    """Running and scheduled campaigns, some running out before the last slot, some Cellcast-like single messages."""
    campaigns = []
    for i in range(n):
        kind = rng.random()
        if kind < 0.2:
            campaigns.append(sending(str(i), math.inf, 1, rng.uniform(-1, 6)))
        else:
            start = rng.choice([rng.uniform(-30, 0), rng.uniform(0, 8)])
            campaigns.append(sending(str(i), rng.choice([1, 2, 5, 10]), rng.randint(1, 60), start, rng.choice([0.0, 0.5, 2.0])))
    return campaigns


@pytest.mark.parametrize("seed", range(40))
def test_the_optimum_equals_the_best_of_every_order_on_small_cases(seed):
    rng = random.Random(seed)
    campaigns = random_campaigns(rng, rng.randint(1, 7))
    pace = rng.choice([0.5, 1.0, 3.0])
    table = cost_table(campaigns, 0.0, pace)
    plan = best_order(table)
    assert plan.messages == brute_force(table)
    assert sorted(plan.order) == list(range(len(campaigns)))
    assert plan.messages == sum(table[i][slot] for slot, i in enumerate(plan.order))


@pytest.mark.parametrize("seed", range(20))
def test_the_assignment_is_exact_on_any_square_matrix(seed):
    rng = random.Random(seed)
    n = rng.randint(1, 6)
    matrix = [[rng.randint(0, 20) for _ in range(n)] for _ in range(n)]
    columns = assignment(matrix)
    assert sorted(columns) == list(range(n))
    assert sum(matrix[row][col] for row, col in enumerate(columns)) == brute_force([[matrix[r][c] for c in range(n)] for r in range(n)])


def test_all_sending_with_audience_to_spare_is_smiths_rule_loudest_first():
    campaigns = [sending(str(rate), rate, 10_000, -5.0) for rate in (1, 7, 3, 10, 5)]
    result = optimum(campaigns, 0.0, 2.0)
    assert result["order"] == ["10", "7", "5", "3", "1"]
    assert result["messages"] == sum(math.ceil(rate * slot / 2.0 - 1e-9) for slot, rate in enumerate((10, 7, 5, 3, 1)))


def test_campaigns_that_start_after_every_stop_or_finish_before_any_take_the_last_slots():
    campaigns = [sending("late", 10, 100, 50.0), sending("now", 10, 100, 0.0), sending("over", 10, 5, -10.0)]
    result = optimum(campaigns, 0.0, 1.0)
    assert result["order"][0] == "now" and set(result["order"][1:]) == {"late", "over"}
    assert result["messages"] == 0


def test_campaigns_stopped_before_the_moment_are_left_out_and_bad_paces_refused():
    campaigns = [sending("a", 1, 10, 0.0, stopped_at=-1.0), sending("b", 1, 10, 0.0, stopped_at=2.0)]
    assert optimum(campaigns, 0.0, 1.0)["order"] == ["b"]
    for bad in (0, -1, math.inf, True):
        with pytest.raises(ValueError):
            optimum(campaigns, 0.0, bad)


def test_a_wind_down_counts_in_every_slot():
    assert cost_table([sending("a", 10, 1000, 0.0, wind_down=2.0)], 0.0, 1.0) == [[20]]


def test_a_scenario_sized_vendor_is_solved(seed=7):
    rng = random.Random(seed)
    running = [sending(f"r{i}", 10, rng.choice([300, 600, 1200]), -rng.uniform(0, 30)) for i in range(40)]
    scheduled = [sending(f"s{i}", 10, 600, rng.uniform(0, 120)) for i in range(40)]
    result = optimum(running + scheduled, 0.0, 1.0)
    assert result["campaigns"] == 80 and sorted(result["order"]) == sorted(c.label for c in running + scheduled)
    table = cost_table(running + scheduled, 0.0, 1.0)
    given = sum(table[i][i] for i in range(80))
    assert result["messages"] <= given
