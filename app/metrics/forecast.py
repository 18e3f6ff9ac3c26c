"""Monte Carlo forecasts from a project's own daily throughput. Pure functions (numpy).

Why Monte Carlo: one date from an average is always wrong; sampling the team's real days
(the good, the bad and the empty ones) gives dates with odds. Each trial draws working days
at random (with replacement) from the recent history window, so a day on which nothing was
finished is as likely to come back as a busy one.

The model, kept deliberately simple so it can be explained and tested:

- "When will N cards be done": in each trial, draw days until their finished cards add up
  to N; the trial's answer is the number of working days drawn.
- Dependencies: a chain of k cards each waiting for the one before cannot finish in fewer
  than k working days (one card of the chain per day at best), so a trial's answer is at
  least the scope's critical-path length (:func:`critical_path_length`).
- Risks: an open risk with a schedule impact of d days and probability p adds d working
  days to a trial with probability p (independently per risk and per trial).
- "How many cards by date D": in each trial, draw the working days until D (less the
  trial's risk delays) and add up what they finished.
- Cards not split yet: an epic without its cards counts as the historic cards per epic
  (:func:`expand_scope`).
- Percentiles: "at 85%" is the number of working days within which at least 85% of the
  trials finished; for "how many", the number of cards reached in at least 85% of them.

Every function takes a seed and uses its own ``numpy.random.Generator``, so the same
question with the same seed gives the same answer (a published forecast stores its seed).
Many questions (every epic and milestone of the Timeline) share one set of trials
(:func:`when_done_many`): the days are drawn once, in blocks whose size depends only on
the number of trials, and each risk strikes from its own stream of the seed, so a question
asked in a batch gets the answer it gets alone.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from app.metrics.calendar import next_working_day

CONFIDENCES = (50, 70, 85, 95)
DEFAULT_TRIALS = 10_000
DEFAULT_WINDOW = 60
WINDOW_MIN, WINDOW_MAX = 30, 90
# Give up beyond ten years of working days: the scope is out of reach at this throughput.
MAX_DAYS = 2600
# Keep one block of draws under about 4 million cells (32 MB of int64).
_BLOCK_CELLS = 4_000_000


class ForecastError(ValueError):
    """A question the history cannot answer (the message says why, in one line)."""


@dataclass(frozen=True)
class ScheduleRisk:
    """An open risk as the simulation sees it: its chance (0..1) and its delay in days."""

    probability: float
    days: int
    key: int | None = None  # names the risk's stream of random numbers (its number)


@dataclass(frozen=True)
class WhenForecast:
    """How many working days the scope takes: by confidence, and as a histogram."""

    cards: int
    trials: int
    seed: int
    window: int
    critical_path: int
    days: dict[int, int]  # confidence (50, 70, 85, 95) -> working days
    histogram: tuple[tuple[int, int], ...]  # (working days, trials finishing then)

    def chance_within(self, working_days: int) -> float:
        """The share of trials (0..1) that finish within ``working_days`` working days."""
        made = sum(count for days, count in self.histogram if days <= working_days)
        return made / self.trials if self.trials else 0.0


@dataclass(frozen=True)
class HowManyForecast:
    """How many cards get done within ``working_days``, by confidence."""

    working_days: int
    trials: int
    seed: int
    window: int
    cards: dict[int, int]  # confidence -> cards reached in at least that share of trials


@dataclass(frozen=True)
class CostForecast:
    """What the remaining cards may cost (in cents) and the odds of staying in budget."""

    cards: int
    trials: int
    seed: int
    cents: dict[int, int]  # confidence -> cost (cents) not exceeded in that share of trials
    within_budget: float | None  # share of trials within the budget (None: no budget)


def check_window(window: int) -> int:
    """The history window in working days, refused outside 30..90."""
    if isinstance(window, bool) or not isinstance(window, int):
        raise ForecastError("The history window is a whole number of working days.")
    if not WINDOW_MIN <= window <= WINDOW_MAX:
        raise ForecastError(
            f"The history window is {WINDOW_MIN} to {WINDOW_MAX} working days, not {window}."
        )
    return window


def _history(throughput: Sequence[int], window: int) -> np.ndarray:
    """The last ``window`` days of the history, checked: somebody must have finished
    something, else any answer would be a guess."""
    check_window(window)
    days = np.asarray(list(throughput)[-window:], dtype=np.int64)
    if days.size == 0:
        raise ForecastError("No working day in the history window: nothing to forecast from.")
    if (days < 0).any():
        raise ForecastError("A day of the history finished a negative number of cards.")
    if not days.any():
        raise ForecastError(
            f"No card was finished in the last {days.size} working days: "
            "no throughput to forecast from."
        )
    return days


def _trials(trials: int) -> int:
    if isinstance(trials, bool) or not isinstance(trials, int) or not 100 <= trials <= 1_000_000:
        raise ForecastError("A forecast runs 100 to 1,000,000 trials.")
    return trials


def risk_delays(risks: Iterable[ScheduleRisk], trials: int, rng: np.random.Generator) -> np.ndarray:
    """Each trial's delay in working days: every risk strikes with its probability."""
    delay = np.zeros(trials, dtype=np.int64)
    for risk in risks:
        if risk.days <= 0 or risk.probability <= 0:
            continue
        strikes = rng.random(trials) < min(risk.probability, 1.0)
        delay += strikes * int(risk.days)
    return delay


def critical_path_length(cards: Collection[int], blocks: Iterable[tuple[int, int]]) -> int:
    """The number of cards on the longest chain of dependencies among ``cards``.

    ``blocks`` holds (blocker, blocked) pairs; pairs naming a card outside ``cards`` are
    ignored (that card is done or not part of the question). Without any dependency the
    answer is 1 for a non-empty scope, since every card needs a day to finish. A cycle
    (which the dependency service refuses) is broken rather than looped over.
    """
    scope = set(cards)
    if not scope:
        return 0
    successors: dict[int, list[int]] = {card: [] for card in scope}
    indegree = dict.fromkeys(scope, 0)
    for blocker, blocked in blocks:
        if blocker in scope and blocked in scope and blocker != blocked:
            successors[blocker].append(blocked)
            indegree[blocked] += 1
    depth = dict.fromkeys(scope, 1)
    ready = [card for card, count in indegree.items() if count == 0]
    while ready:
        card = ready.pop()
        for after in successors[card]:
            depth[after] = max(depth[after], depth[card] + 1)
            indegree[after] -= 1
            if indegree[after] == 0:
                ready.append(after)
    return max(depth.values())


def expand_scope(open_cards: int, unsplit_epics: int, cards_per_epic: float) -> int:
    """The scope in cards when some epics have no cards yet: each counts as the historic
    number of cards per epic (rounded up: an epic is at least one card)."""
    if open_cards < 0 or unsplit_epics < 0 or cards_per_epic < 0:
        raise ForecastError("A scope cannot count a negative number of cards.")
    per_epic = max(1, math.ceil(cards_per_epic)) if unsplit_epics else 0
    return open_cards + unsplit_epics * per_epic


def cards_per_epic(children_per_epic: Iterable[int]) -> float:
    """The historic ratio: cards per epic over the epics that were split (0 if none was)."""
    counts = [count for count in children_per_epic if count > 0]
    return sum(counts) / len(counts) if counts else 0.0


def _quantile_low(values: np.ndarray, confidence: int) -> int:
    """The smallest value at least ``confidence``% of the trials stay within."""
    return int(np.quantile(values, confidence / 100, method="inverted_cdf"))


def _reached(values: np.ndarray, confidence: int) -> int:
    """The largest value reached (or passed) in at least ``confidence``% of the trials."""
    ordered = np.sort(values)
    index = math.floor(len(ordered) * (100 - confidence) / 100)
    return int(ordered[min(index, len(ordered) - 1)])


@dataclass(frozen=True)
class WhenQuestion:
    """One "when will these cards be done" question of a batch: the scope's size, its
    critical path and the risks that apply to it (:func:`when_done_many`)."""

    cards: int
    critical_path: int = 0
    risks: tuple[ScheduleRisk, ...] = ()


def _day_block(trials: int) -> int:
    """Days drawn per block: fixed for a number of trials (never for a scope), so the same
    seed draws the same days whichever questions share them."""
    return max(1, min(64, _BLOCK_CELLS // trials))


def _strikes(risk: ScheduleRisk, key: int, trials: int, seed: int) -> np.ndarray:
    """Which trials a risk strikes in: its own stream of the seed (``key`` names it), so a
    risk strikes in the same trials whether it is simulated alone or among others."""
    if risk.days <= 0 or risk.probability <= 0:
        return np.zeros(trials, dtype=bool)
    rng = np.random.default_rng([seed, 1, key])
    return rng.random(trials) < min(risk.probability, 1.0)


def when_done_many(
    questions: Sequence[WhenQuestion],
    throughput: Sequence[int],
    *,
    window: int = DEFAULT_WINDOW,
    trials: int = DEFAULT_TRIALS,
    seed: int = 0,
) -> list[WhenForecast | ForecastError]:
    """Answer many "when" questions from one shared set of trials (see the module doc).

    The working days are drawn once for all questions, block by block, until every trial
    has finished the largest scope; each question reads the day its trial reaches its own
    number of cards. A risk strikes in the same trials for every question it applies to
    (its ``key`` chooses its stream). The answer for a question is what
    :func:`when_done` gives for it alone with the same seed; a question the history cannot
    reach in :data:`MAX_DAYS` gets its :class:`ForecastError` in its place.
    """
    for question in questions:
        cards = question.cards
        if isinstance(cards, bool) or not isinstance(cards, int) or cards < 0:
            raise ForecastError("The number of cards to forecast is a whole number, 0 or more.")
    history = _history(throughput, window)
    trials = _trials(trials)
    block = _day_block(trials)
    rng = np.random.default_rng([seed, 0])
    days = np.zeros((len(questions), trials), dtype=np.int64)
    wanted = sorted({q.cards for q in questions if q.cards > 0})
    found: dict[int, np.ndarray] = {}  # cards -> the day each trial reaches them
    open_: dict[int, np.ndarray] = {n: np.ones(trials, dtype=bool) for n in wanted}
    totals = np.zeros(trials, dtype=np.int64)
    drawn = 0
    while open_ and drawn < MAX_DAYS:
        running = np.cumsum(rng.choice(history, size=(trials, block)), axis=1)
        running += totals[:, None]
        last = running[:, -1]
        for n in list(open_):
            pending = open_[n]
            rows = np.flatnonzero(pending & (last >= n))
            if rows.size:
                reached = found.setdefault(n, np.zeros(trials, dtype=np.int64))
                reached[rows] = drawn + (running[rows] >= n).argmax(axis=1) + 1
                pending[rows] = False
            if not pending.any():
                del open_[n]
        totals = last
        drawn += block
    strikes: dict[tuple[int, ScheduleRisk], np.ndarray] = {}
    answers: list[WhenForecast | ForecastError] = []
    for row, question in enumerate(questions):
        if question.cards in open_:
            answers.append(
                ForecastError(
                    f"{question.cards} cards take more than {MAX_DAYS} working days "
                    "at this throughput."
                )
            )
            continue
        result = days[row]
        if question.cards:
            result[:] = np.maximum(found[question.cards], question.critical_path)
        for key, risk in enumerate(question.risks):
            ident = risk.key if risk.key is not None else key
            hit = strikes.get((ident, risk))
            if hit is None:
                hit = strikes[(ident, risk)] = _strikes(risk, ident, trials, seed)
            result += hit * int(risk.days)
        answers.append(_when_answer(question, result, trials, seed, int(history.size)))
    return answers


def _when_answer(
    question: WhenQuestion, days: np.ndarray, trials: int, seed: int, window: int
) -> WhenForecast:
    values, counts = np.unique(days, return_counts=True)
    ordered = np.sort(days)
    # inverted_cdf quantile: the smallest value at least c% of the trials stay within.
    quantiles = {c: int(ordered[max(0, -(-trials * c // 100) - 1)]) for c in CONFIDENCES}
    return WhenForecast(
        cards=question.cards,
        trials=trials,
        seed=seed,
        window=window,
        critical_path=question.critical_path,
        days=quantiles,
        histogram=tuple((int(v), int(n)) for v, n in zip(values, counts, strict=True)),
    )


def when_done(
    cards: int,
    throughput: Sequence[int],
    *,
    window: int = DEFAULT_WINDOW,
    trials: int = DEFAULT_TRIALS,
    seed: int = 0,
    critical_path: int = 0,
    risks: Iterable[ScheduleRisk] = (),
) -> WhenForecast:
    """How many working days ``cards`` cards take, at 50/70/85/95% (see the module doc).

    ``throughput`` is the finished cards per working day, oldest first; only its last
    ``window`` days are sampled. The same as one question of :func:`when_done_many`.
    """
    (answer,) = when_done_many(
        [WhenQuestion(cards, critical_path, tuple(risks))],
        throughput,
        window=window,
        trials=trials,
        seed=seed,
    )
    if isinstance(answer, ForecastError):
        raise answer
    return answer


def how_many_by(
    working_days: int,
    throughput: Sequence[int],
    *,
    window: int = DEFAULT_WINDOW,
    trials: int = DEFAULT_TRIALS,
    seed: int = 0,
    risks: Iterable[ScheduleRisk] = (),
) -> HowManyForecast:
    """How many cards get finished in the next ``working_days`` working days, by
    confidence: at 85%, the number reached in at least 85% of the trials. A risk that
    strikes takes its days out of the trial's time."""
    if isinstance(working_days, bool) or not isinstance(working_days, int) or working_days < 0:
        raise ForecastError("The number of working days is a whole number, 0 or more.")
    if working_days > MAX_DAYS:
        raise ForecastError(f"A forecast looks at most {MAX_DAYS} working days ahead.")
    history = _history(throughput, window)
    trials = _trials(trials)
    rng = np.random.default_rng(seed)
    totals = np.zeros(trials, dtype=np.int64)
    if working_days:
        draws = rng.choice(history, size=(trials, working_days))
        delay = risk_delays(risks, trials, rng)
        available = np.clip(working_days - delay, 0, working_days)
        mask = np.arange(working_days)[None, :] < available[:, None]
        totals = (draws * mask).sum(axis=1)
    return HowManyForecast(
        working_days=working_days,
        trials=trials,
        seed=seed,
        window=int(history.size),
        cards={c: _reached(totals, c) for c in CONFIDENCES},
    )


def cost_forecast(
    cards: int,
    cents_per_card: Sequence[int],
    *,
    budget_cents: int | None = None,
    trials: int = DEFAULT_TRIALS,
    seed: int = 0,
) -> CostForecast:
    """What ``cards`` more cards cost, sampling the cost of the cards finished before
    (logged hours times the rates in force, in whole cents so sums stay exact), and the
    share of trials that stay within ``budget_cents`` (the budget still left)."""
    if isinstance(cards, bool) or not isinstance(cards, int) or cards < 0:
        raise ForecastError("The number of cards to cost is a whole number, 0 or more.")
    costs = np.asarray(list(cents_per_card), dtype=np.int64)
    if costs.size == 0:
        raise ForecastError("No finished card has logged time: no cost per card to forecast from.")
    if (costs < 0).any():
        raise ForecastError("A finished card cost a negative amount.")
    trials = _trials(trials)
    rng = np.random.default_rng(seed)
    totals = np.zeros(trials, dtype=np.int64)
    remaining = cards
    chunk = max(1, _BLOCK_CELLS // trials)
    while remaining:
        take = min(remaining, chunk)
        totals += rng.choice(costs, size=(trials, take)).sum(axis=1)
        remaining -= take
    within = None if budget_cents is None else float((totals <= budget_cents).mean())
    return CostForecast(
        cards=cards,
        trials=trials,
        seed=seed,
        cents={c: _quantile_low(totals, c) for c in CONFIDENCES},
        within_budget=within,
    )


def histogram_bins(
    histogram: Iterable[tuple[int, int]], count: int = 20
) -> list[tuple[int, int, int]]:
    """(first working day, last working day, trials) in at most ``count`` bins of equal
    width (the last one may be narrower), from the fastest trial to the slowest: a
    forecast's histogram made small enough to paint or print. Every trial lands in one
    bin, so the trials add up to the histogram's."""
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ForecastError("A histogram has at least one bin.")
    pairs = [(int(days), int(n)) for days, n in histogram]
    if not pairs:
        return []
    low, high = min(d for d, _ in pairs), max(d for d, _ in pairs)
    width = -(-(high - low + 1) // count)  # ceiling division
    totals = [0] * (-(-(high - low + 1) // width))
    for days, n in pairs:
        totals[(days - low) // width] += n
    return [
        (low + i * width, min(low + (i + 1) * width - 1, high), n) for i, n in enumerate(totals)
    ]


def add_working_days(
    start: dt.date, days: int, working_weekdays_mask: int, holidays: Collection[dt.date]
) -> dt.date:
    """The date of the ``days``-th working day after ``start`` (``start`` itself for 0):
    turns a forecast in working days into a date on the project's calendar."""
    day = start
    for _ in range(days):
        day = next_working_day(day, working_weekdays_mask, holidays)
    return day


def dates(
    forecast: WhenForecast,
    start: dt.date,
    working_weekdays_mask: int,
    holidays: Collection[dt.date],
) -> Mapping[int, dt.date]:
    """The forecast's percentiles as dates after ``start`` (the last day of history)."""
    return {
        c: add_working_days(start, n, working_weekdays_mask, holidays)
        for c, n in forecast.days.items()
    }
