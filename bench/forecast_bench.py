"""``python -m bench.forecast_bench``: a 10,000-trial forecast of 500 cards with
dependencies (goal: under 300 ms), pure Monte Carlo (app/metrics/forecast.py)."""

from __future__ import annotations

import random
import statistics
import time

from app.metrics import forecast as fc

GOAL_MS = 300.0


def run(repeat: int = 5) -> dict[str, float]:
    rng = random.Random(1)
    history = [rng.choice([0, 0, 1, 2, 3, 5, 8]) for _ in range(60)]
    cards = list(range(500))
    # Chains of dependencies: every card waits for one of the ten before it.
    blocks = [(rng.randrange(max(0, c - 10), c), c) for c in cards[1:] if rng.random() < 0.6]
    risks = [fc.ScheduleRisk(0.3, 5), fc.ScheduleRisk(0.7, 2)]
    times = []
    for seed in range(repeat):
        start = time.perf_counter()
        path = fc.critical_path_length(cards, blocks)
        fc.when_done(500, history, seed=seed, critical_path=path, risks=risks)
        times.append((time.perf_counter() - start) * 1000)
    return {"median_ms": statistics.median(times), "max_ms": max(times), "goal_ms": GOAL_MS}


if __name__ == "__main__":
    result = run()
    verdict = "ok" if result["median_ms"] < GOAL_MS else "OVER GOAL"
    print(f"forecast 500 cards x 10,000 trials: median {result['median_ms']:.1f} ms, "
          f"max {result['max_ms']:.1f} ms (goal {GOAL_MS:.0f} ms) {verdict}")  # fmt: skip
