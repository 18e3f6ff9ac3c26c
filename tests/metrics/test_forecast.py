"""The Monte Carlo forecasts: closed-form answers, zeros, seeds, dependencies, risks."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from app.metrics import forecast as fc
from app.metrics.forecast import ForecastError, ScheduleRisk

MON_FRI = 0b0011111


def test_constant_throughput_gives_the_closed_form_answer_at_every_percentile():
    result = fc.when_done(20, [2] * 60, seed=7)
    assert result.days == {50: 10, 70: 10, 85: 10, 95: 10}
    assert result.histogram == ((10, 10_000),)
    assert result.trials == 10_000


def test_how_many_by_a_date_with_constant_throughput():
    result = fc.how_many_by(10, [2] * 60, seed=3)
    assert result.cards == {50: 20, 70: 20, 85: 20, 95: 20}


def test_days_with_nothing_finished_count_as_zeros():
    # Half the days finish 2, half finish nothing: 20 cards need about 20 days, not 10.
    busy = fc.when_done(20, [2] * 60, seed=1)
    patchy = fc.when_done(20, [2, 0] * 30, seed=1)
    assert busy.days[50] == 10
    assert 17 <= patchy.days[50] <= 23
    assert patchy.days[95] > patchy.days[50]


def test_only_the_window_is_sampled():
    # Old history (before the window) finished nothing: it must not slow the forecast.
    result = fc.when_done(20, [0] * 100 + [2] * 30, window=30, seed=1)
    assert result.days[95] == 10
    assert result.window == 30


def test_a_seed_reproduces_the_answer_and_another_seed_may_differ():
    history = [0, 1, 3, 0, 2, 5, 1, 0, 0, 4] * 6
    first = fc.when_done(50, history, seed=42)
    again = fc.when_done(50, history, seed=42)
    other = fc.when_done(50, history, seed=43)
    assert first == again
    assert first.histogram != other.histogram


def test_percentiles_rise_with_confidence():
    history = [0, 1, 3, 0, 2, 5, 1, 0, 0, 4] * 6
    result = fc.when_done(50, history, seed=5)
    assert result.days[50] <= result.days[70] <= result.days[85] <= result.days[95]
    assert result.days[50] < result.days[95]
    many = fc.how_many_by(20, history, seed=5)
    assert many.cards[50] >= many.cards[70] >= many.cards[85] >= many.cards[95]


def test_dependencies_lengthen_the_forecast():
    # 10 cards a day would finish 20 cards in 2 days, but a chain of 6 needs 6 days.
    chain = [(i, i + 1) for i in range(1, 6)]
    path = fc.critical_path_length(range(1, 21), chain)
    assert path == 6
    free = fc.when_done(20, [10] * 60, seed=1)
    waiting = fc.when_done(20, [10] * 60, seed=1, critical_path=path)
    assert free.days[95] == 2
    assert waiting.days == {50: 6, 70: 6, 85: 6, 95: 6}


def test_critical_path_ignores_cards_outside_the_scope_and_survives_a_cycle():
    assert fc.critical_path_length([], []) == 0
    assert fc.critical_path_length([1, 2, 3], []) == 1
    assert fc.critical_path_length([1, 2, 3], [(1, 2), (2, 99), (99, 3)]) == 2
    # Diamond: 1 -> 2 -> 4 and 1 -> 3 -> 4 is a chain of three.
    assert fc.critical_path_length([1, 2, 3, 4], [(1, 2), (1, 3), (2, 4), (3, 4)]) == 3
    assert fc.critical_path_length([1, 2], [(1, 2), (2, 1)]) >= 1


def test_a_risk_adds_its_days_with_its_probability():
    certain = fc.when_done(20, [2] * 60, seed=1, risks=[ScheduleRisk(1.0, 5)])
    assert certain.days == {50: 15, 70: 15, 85: 15, 95: 15}
    maybe = fc.when_done(20, [2] * 60, seed=1, risks=[ScheduleRisk(0.3, 5)])
    struck = dict(maybe.histogram).get(15, 0) / maybe.trials
    assert 0.27 < struck < 0.33
    assert maybe.days[50] == 10 and maybe.days[95] == 15
    never = fc.when_done(20, [2] * 60, seed=1, risks=[ScheduleRisk(0.0, 5)])
    assert never.days[95] == 10


def test_a_risk_takes_days_out_of_how_many():
    result = fc.how_many_by(10, [2] * 60, seed=1, risks=[ScheduleRisk(1.0, 4)])
    assert result.cards == {50: 12, 70: 12, 85: 12, 95: 12}


def test_how_many_counts_what_is_reached_in_at_least_that_share():
    # Every day finishes 0 or 4 with even odds: over one day, 4 is reached in ~50%.
    result = fc.how_many_by(1, [0, 4] * 30, seed=2, trials=10_000)
    assert result.cards[95] == 0 and result.cards[70] == 0
    assert result.cards[50] in (0, 4)


def test_no_finished_card_in_the_window_says_why():
    with pytest.raises(ForecastError, match="No card was finished in the last 60 working days"):
        fc.when_done(5, [0] * 60)
    with pytest.raises(ForecastError, match="No working day"):
        fc.how_many_by(5, [])


@pytest.mark.parametrize("window", [29, 91, 0, -5, True])
def test_a_window_outside_30_to_90_is_refused(window):
    with pytest.raises(ForecastError, match="window"):
        fc.when_done(5, [1] * 60, window=window)


@pytest.mark.parametrize("cards", [-1, 1.5, True])
def test_bad_card_counts_are_refused(cards):
    with pytest.raises(ForecastError):
        fc.when_done(cards, [1] * 60)


def test_an_unreachable_scope_is_refused_instead_of_looping():
    with pytest.raises(ForecastError, match="more than"):
        fc.when_done(10**7, [1] + [0] * 59, trials=100)


def test_zero_cards_take_zero_days():
    assert fc.when_done(0, [1] * 60).days == {50: 0, 70: 0, 85: 0, 95: 0}


def test_unsplit_epics_count_with_the_historic_ratio():
    ratio = fc.cards_per_epic([4, 6, 0])
    assert ratio == 5
    assert fc.expand_scope(10, 2, ratio) == 20
    assert fc.expand_scope(10, 0, ratio) == 10
    assert fc.expand_scope(3, 1, 0.0) == 4  # no history: an epic is at least one card
    assert fc.expand_scope(3, 1, 2.2) == 6


def test_cost_forecast_odds_of_staying_in_budget():
    # Every card costs 100.00: 10 cards cost exactly 1,000.00.
    exact = fc.cost_forecast(10, [10_000], budget_cents=100_000, seed=1)
    assert exact.cents == {50: 100_000, 70: 100_000, 85: 100_000, 95: 100_000}
    assert exact.within_budget == 1.0
    over = fc.cost_forecast(10, [10_000], budget_cents=99_999, seed=1)
    assert over.within_budget == 0.0
    mixed = fc.cost_forecast(1, [0, 20_000], budget_cents=10_000, seed=1)
    assert 0.45 < mixed.within_budget < 0.55
    with pytest.raises(ForecastError, match="logged time"):
        fc.cost_forecast(3, [])


def test_working_days_become_dates_on_the_calendar():
    friday = dt.date(2026, 1, 2)
    result = fc.when_done(20, [2] * 60, seed=1)
    holiday = {dt.date(2026, 1, 6)}
    # 10 working days after Friday 2 Jan, skipping the holiday on Tuesday 6 Jan: Monday 19.
    assert fc.add_working_days(friday, 0, MON_FRI, holiday) == friday
    assert fc.add_working_days(friday, 1, MON_FRI, holiday) == dt.date(2026, 1, 5)
    assert fc.add_working_days(friday, 2, MON_FRI, holiday) == dt.date(2026, 1, 7)
    assert fc.dates(result, friday, MON_FRI, holiday)[85] == dt.date(2026, 1, 19)


def test_a_batch_of_questions_shares_its_trials_and_answers_each_as_alone():
    history = [0, 1, 2, 3, 5, 0, 2] * 9
    risk = ScheduleRisk(0.4, 3, key=7)
    questions = [
        fc.WhenQuestion(40),
        fc.WhenQuestion(12, critical_path=9, risks=(risk,)),
        fc.WhenQuestion(0, risks=(risk,)),
    ]
    batch = fc.when_done_many(questions, history, seed=11, trials=3000)
    alone = [
        fc.when_done(40, history, seed=11, trials=3000),
        fc.when_done(12, history, seed=11, trials=3000, critical_path=9, risks=[risk]),
        fc.when_done(0, history, seed=11, trials=3000, risks=[risk]),
    ]
    assert batch == alone
    assert batch[1].days[50] >= 9  # the chain of nine cards
    # The risk strikes in the same trials for both questions it applies to.
    assert dict(batch[2].histogram)[3] == pytest.approx(0.4 * 3000, rel=0.1)


def test_a_question_out_of_reach_gets_its_error_and_the_others_their_answers():
    answers = fc.when_done_many(
        [fc.WhenQuestion(10), fc.WhenQuestion(10**7)], [1] + [0] * 59, trials=100
    )
    assert isinstance(answers[0], fc.WhenForecast) and answers[0].days[50] > 0
    assert isinstance(answers[1], fc.ForecastError)
    assert "more than 2600 working days" in str(answers[1])


def test_the_chance_of_making_a_deadline():
    result = fc.when_done(20, [2] * 60, seed=1, risks=[ScheduleRisk(0.3, 5)])
    assert result.chance_within(9) == 0.0
    assert result.chance_within(10) == pytest.approx(0.7, abs=0.03)
    assert result.chance_within(15) == 1.0


def test_histogram_bins_keep_every_trial_in_at_most_the_count_of_bins():
    result = fc.when_done(300, [0, 1, 2, 5, 8, 0, 3] * 10, seed=4, trials=5000)
    bins = fc.histogram_bins(result.histogram, 20)
    assert 1 < len(bins) <= 20
    assert sum(n for *_, n in bins) == 5000
    low, high = result.histogram[0][0], result.histogram[-1][0]
    assert bins[0][0] == low and bins[-1][1] == high
    # Equal widths, next to each other, the last one possibly narrower.
    width = bins[0][1] - bins[0][0] + 1
    for (f1, l1, _), (f2, _l2, _) in itertools.pairwise(bins):
        assert l1 - f1 + 1 == width and f2 == l1 + 1
    assert bins[-1][1] - bins[-1][0] + 1 <= width


def test_histogram_bins_of_few_values_and_of_nothing():
    assert fc.histogram_bins([(10, 7), (12, 3)], 20) == [(10, 10, 7), (11, 11, 0), (12, 12, 3)]
    assert fc.histogram_bins([(4, 9)], 20) == [(4, 4, 9)]
    assert fc.histogram_bins([], 20) == []
    with pytest.raises(ForecastError, match="at least one bin"):
        fc.histogram_bins([(4, 9)], 0)
