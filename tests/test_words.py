"""Counts read as people write them."""

from __future__ import annotations

import pytest

from app.words import counted, plural


@pytest.mark.parametrize(
    ("count", "noun", "expected"),
    [
        (0, "card", "0 cards"),
        (1, "card", "1 card"),
        (2, "card", "2 cards"),
        (1, "person", "1 person"),
        (3, "person", "3 people"),
        (2, "story", "2 stories"),
        (1, "checklist item", "1 checklist item"),
        (40831, "card", "40,831 cards"),
        (1000, "person", "1,000 people"),
    ],
)
def test_plural(count: int, noun: str, expected: str) -> None:
    assert plural(count, noun) == expected


@pytest.mark.parametrize(
    ("count", "nouns", "expected"),
    [
        (1, "archived cards", "1 archived card"),
        (1, "comments", "1 comment"),
        (1, "history events", "1 history event"),
        (1, "people", "1 person"),
        (1, "stories", "1 story"),
        (0, "comments", "0 comments"),
        (7, "archived cards", "7 archived cards"),
        (12000, "comments", "12,000 comments"),
    ],
)
def test_counted(count: int, nouns: str, expected: str) -> None:
    assert counted(count, nouns) == expected
