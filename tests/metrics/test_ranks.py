import random

import pytest

from app.metrics.ranks import key_between, keys_between, needs_rebalance, validate_key


def test_between_open_ends_and_neighbours() -> None:
    first = key_between(None, None)
    after = key_between(first, None)
    before = key_between(None, first)
    assert before < first < after
    middle = key_between(first, after)
    assert first < middle < after


def test_random_insertions_stay_ordered_and_unique() -> None:
    rng = random.Random(7)
    keys = [key_between(None, None)]
    for _ in range(3000):
        i = rng.randint(0, len(keys))
        lower = keys[i - 1] if i > 0 else None
        upper = keys[i] if i < len(keys) else None
        new = key_between(lower, upper)
        assert (lower is None or lower < new) and (upper is None or new < upper)
        keys.insert(i, new)
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys)
    assert max(len(k) for k in keys) < 12


def test_appending_grows_logarithmically() -> None:
    key = None
    for _ in range(10_000):
        key = key_between(key, None)
    assert key is not None and len(key) <= 5


def test_repeated_split_eventually_asks_for_rebalance() -> None:
    lower, upper = "a0", "a1"
    for _ in range(400):
        lower = key_between(lower, upper)
    assert needs_rebalance(lower)


def test_bulk_keys_are_sorted_and_inside_bounds() -> None:
    keys = keys_between("a0", "a1", 50)
    assert keys == sorted(keys) and len(set(keys)) == 50
    assert all("a0" < k < "a1" for k in keys)
    assert keys_between(None, None, 0) == []


@pytest.mark.parametrize("bad", ["", "a", "a00", "a0 ", "!!", "b1"])
def test_malformed_keys_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        validate_key(bad)


def test_out_of_order_bounds_are_refused() -> None:
    with pytest.raises(ValueError):
        key_between("a2", "a1")
