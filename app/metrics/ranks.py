"""Fractional rank keys: one string per card whose byte order is the project's ranking.

A key is an integer part followed by an optional fraction, after David Greenspan's
"Implementing Fractional Indexing" (the scheme behind Figma's and Jira-style LexoRank orders):

* the integer part's first character says how long it is: ``a``..``z`` are 2..27 characters
  and positive, ``Z``..``A`` are 2..27 characters and negative; its other characters are
  base-62 digits (``0-9A-Za-z``, in ASCII order);
* the fraction never ends in ``0``, so a key exists between any two distinct keys.

Appending at either end increments or decrements the integer part, so keys grow only
logarithmically with the number of cards; inserting between two neighbours takes a midpoint
of fractions, which grows by about one character per six splits at the same spot. Either way
a move writes exactly one row; :func:`needs_rebalance` says when a project should be re-keyed
(rare, and the only operation that writes many rows).
"""

from __future__ import annotations

DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
BASE = len(DIGITS)
_INDEX = {c: i for i, c in enumerate(DIGITS)}
INTEGER_ZERO = "a0"
SMALLEST_INTEGER = "A" + "0" * 26
MAX_KEY_LENGTH = 48  # the column holds 64; rebalance well before that


def _integer_length(head: str) -> int:
    if "a" <= head <= "z":
        return ord(head) - ord("a") + 2
    if "A" <= head <= "Z":
        return ord("Z") - ord(head) + 2
    raise ValueError(f"invalid rank key head {head!r}")


def _integer_part(key: str) -> str:
    length = _integer_length(key[0])
    if length > len(key):
        raise ValueError(f"invalid rank key {key!r}")
    return key[:length]


def validate_key(key: str) -> None:
    """Raise ValueError unless ``key`` is a well-formed rank key."""
    if not key or any(c not in _INDEX for c in key):
        raise ValueError(f"invalid rank key {key!r}")
    if key == SMALLEST_INTEGER:
        raise ValueError("the smallest integer is reserved")
    integer = _integer_part(key)
    if key[len(integer) :].endswith("0"):
        raise ValueError(f"invalid rank key {key!r}")


def _midpoint(a: str, b: str | None) -> str:
    """A fraction strictly between fractions ``a`` and ``b`` (``b`` None means 1)."""
    if b is not None:
        n = 0
        while (a[n] if n < len(a) else "0") == b[n]:
            n += 1
        if n > 0:
            return b[:n] + _midpoint(a[n:], b[n:])
    digit_a = _INDEX[a[0]] if a else 0
    digit_b = _INDEX[b[0]] if b is not None else BASE
    if digit_b - digit_a > 1:
        return DIGITS[(digit_a + digit_b + 1) // 2]
    if b is not None and len(b) > 1:
        return b[:1]
    return DIGITS[digit_a] + _midpoint(a[1:], None)


def _increment_integer(integer: str) -> str | None:
    head, digits = integer[0], list(integer[1:])
    carry = True
    for i in range(len(digits) - 1, -1, -1):
        d = _INDEX[digits[i]] + 1
        if d == BASE:
            digits[i] = "0"
        else:
            digits[i] = DIGITS[d]
            carry = False
            break
    if not carry:
        return head + "".join(digits)
    if head == "Z":
        return "a0"
    if head == "z":
        return None
    new_head = chr(ord(head) + 1)
    if new_head > "a":
        digits.append("0")
    else:
        digits.pop()
    return new_head + "".join(digits)


def _decrement_integer(integer: str) -> str | None:
    head, digits = integer[0], list(integer[1:])
    borrow = True
    for i in range(len(digits) - 1, -1, -1):
        d = _INDEX[digits[i]] - 1
        if d == -1:
            digits[i] = DIGITS[-1]
        else:
            digits[i] = DIGITS[d]
            borrow = False
            break
    if not borrow:
        return head + "".join(digits)
    if head == "a":
        return "Z" + DIGITS[-1]
    if head == "A":
        return None
    new_head = chr(ord(head) - 1)
    if new_head < "Z":
        digits.append(DIGITS[-1])
    else:
        digits.pop()
    return new_head + "".join(digits)


def key_between(lower: str | None, upper: str | None) -> str:
    """Return a key strictly between ``lower`` and ``upper`` (None means open-ended)."""
    if lower is not None:
        validate_key(lower)
    if upper is not None:
        validate_key(upper)
    if lower is not None and upper is not None and lower >= upper:
        raise ValueError(f"rank keys out of order: {lower!r} >= {upper!r}")
    if lower is None:
        if upper is None:
            return INTEGER_ZERO
        int_b = _integer_part(upper)
        frac_b = upper[len(int_b) :]
        if int_b == SMALLEST_INTEGER:
            return int_b + _midpoint("", frac_b)
        if int_b < upper:
            return int_b
        decremented = _decrement_integer(int_b)
        if decremented is None:
            raise ValueError("cannot decrement any more")
        return decremented
    if upper is None:
        int_a = _integer_part(lower)
        frac_a = lower[len(int_a) :]
        incremented = _increment_integer(int_a)
        return int_a + _midpoint(frac_a, None) if incremented is None else incremented
    int_a = _integer_part(lower)
    frac_a = lower[len(int_a) :]
    int_b = _integer_part(upper)
    frac_b = upper[len(int_b) :]
    if int_a == int_b:
        return int_a + _midpoint(frac_a, frac_b)
    incremented = _increment_integer(int_a)
    if incremented is None:
        raise ValueError("cannot increment any more")
    if incremented < upper:
        return incremented
    return int_a + _midpoint(frac_a, None)


def keys_between(lower: str | None, upper: str | None, count: int) -> list[str]:
    """``count`` ascending keys strictly between the bounds (for bulk inserts and re-keying)."""
    if count <= 0:
        return []
    if count == 1:
        return [key_between(lower, upper)]
    if upper is None:
        keys = []
        current = lower
        for _ in range(count):
            current = key_between(current, None)
            keys.append(current)
        return keys
    if lower is None:
        keys = []
        current = upper
        for _ in range(count):
            current = key_between(None, current)
            keys.append(current)
        return list(reversed(keys))
    mid_index = count // 2
    mid = key_between(lower, upper)
    return [
        *keys_between(lower, mid, mid_index),
        mid,
        *keys_between(mid, upper, count - mid_index - 1),
    ]


def needs_rebalance(key: str) -> bool:
    return len(key) > MAX_KEY_LENGTH
