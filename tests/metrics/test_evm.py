"""AgileEVM figures (app.metrics.evm) against a release worked out by hand.

The release: BAC 100,000.00, 10 planned sprints, 100 planned points. Sprint 1 finishes 8
points for 12,000.00; in sprint 2 ten points of scope are added (110 planned) and 22 points
are done in all for 18,000.00 in all. Each figure below was computed by hand from the PMI
formulas as Sulaiman, Barton and Blackburn (2006) apply them.
"""

from __future__ import annotations

from decimal import Decimal as D  # noqa: N817 (the figures read like the worked example)

import pytest

from app.metrics.evm import SprintActuals, evm_point, evm_series, plain_reading

BAC = D("100000")


def test_first_sprint_over_budget_and_behind_schedule() -> None:
    p = evm_point("Sprint 1", 1, 10, D(8), D(100), BAC, D("12000"))
    assert p.ppc == D("0.1000")
    assert p.apc == D("0.0800")
    assert p.pv == D("10000.00")
    assert p.ev == D("8000.00")
    assert p.ac == D("12000.00")
    assert p.cv == D("-4000.00")
    assert p.sv == D("-2000.00")
    assert p.cpi == D("0.6667")
    assert p.spi == D("0.8000")
    assert p.eac == D("150000.00")
    assert p.etc == D("138000.00")
    assert p.vac == D("-50000.00")
    assert p.reading == "over budget, behind schedule"
    assert p.reasons == {}


def test_scope_added_moves_the_planned_points() -> None:
    series = evm_series(
        [
            SprintActuals("Sprint 1", D(8), D(100), D("12000")),
            SprintActuals("Sprint 2", D(22), D(110), D("18000")),
        ],
        10,
        BAC,
    )
    second = series[1]
    assert (second.number, second.ppc, second.apc) == (2, D("0.2000"), D("0.2000"))
    assert (second.pv, second.ev) == (D("20000.00"), D("20000.00"))
    assert second.cpi == D("1.1111")
    assert second.spi == D("1.0000")
    # EAC = BAC x AC / EV exactly, not BAC / a rounded CPI (which would give 90000.90).
    assert (second.eac, second.etc, second.vac) == (D("90000.00"), D("72000.00"), D("10000.00"))
    assert second.reading == "under budget, on schedule"


def test_no_cost_logged_says_so_instead_of_dividing_by_zero() -> None:
    p = evm_point("Sprint 1", 1, 4, D(5), D(20), BAC, D(0))
    assert p.ev == D("25000.00") and p.cv == D("25000.00")
    assert p.cpi is None and p.eac is None and p.etc is None and p.vac is None
    assert p.reasons["cpi"] == "no cost logged yet"
    assert p.reasons["eac"] == "no cost logged yet"
    assert p.spi == D("1.0000")
    assert p.reading == "cost unknown (no cost logged yet), on schedule"


def test_nothing_earned_yet_has_no_estimate_at_completion() -> None:
    p = evm_point("Sprint 1", 1, 4, D(0), D(20), BAC, D(500))
    assert p.cpi == D("0.0000")
    assert p.eac is None and p.reasons["eac"] == "nothing earned yet (CPI is 0)"
    assert p.reading == "over budget, behind schedule"


def test_zero_budget_at_completion_has_no_schedule_index() -> None:
    p = evm_point("Sprint 1", 1, 4, D(5), D(20), D(0), D(100))
    assert p.pv == D("0.00") and p.spi is None
    assert "nothing planned" in p.reasons["spi"]
    assert p.reading.endswith("schedule unknown (nothing planned (the budget at completion is 0))")


def test_no_planned_points_leaves_every_earned_figure_empty() -> None:
    p = evm_point("Sprint 1", 1, 4, D(0), D(0), BAC, D(100))
    assert p.apc is None and p.ev is None and p.cv is None and p.sv is None
    assert p.cpi is None and p.spi is None and p.eac is None
    assert p.pv == D("25000.00")
    assert p.reasons["ev"] == "the release has no planned points"


def test_sprints_past_the_plan_show_a_late_release() -> None:
    p = evm_point("Sprint 5", 5, 4, D(18), D(20), BAC, D(100000))
    assert p.ppc == D("1.2500") and p.pv == D("125000.00")
    assert p.spi == D("0.7200")
    assert p.cpi == D("0.9000")
    assert p.reading == "over budget, behind schedule"


@pytest.mark.parametrize(
    ("cpi", "spi", "text"),
    [
        (D("0.9"), D("0.9"), "over budget, behind schedule"),
        (D("1"), D("1.2"), "on budget, ahead of schedule"),
        (D("1.3"), D("1.0000"), "under budget, on schedule"),
        (D("0.5"), D("1.01"), "over budget, ahead of schedule"),
    ],
)
def test_plain_reading(cpi: D, spi: D, text: str) -> None:
    assert plain_reading(cpi, spi) == text


def test_a_release_plans_at_least_one_sprint() -> None:
    with pytest.raises(ValueError):
        evm_point("S", 1, 0, D(1), D(1), BAC, D(1))
