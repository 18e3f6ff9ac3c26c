"""Backlog re-ranking: the project-wide order, one row written per card moved."""

from __future__ import annotations

import sqlite3

import pytest

from app.errors import ValidationError
from app.services import Services


@pytest.fixture
def backlog(services: Services):  # type: ignore[no-untyped-def]
    project = services.projects.create_project("RK", "Ranking")
    cards = [services.cards.create_card(project.id, f"Card {i}") for i in range(8)]
    return project, cards


def order(services: Services, project_id: int) -> list[str]:
    return [c.key for c in sorted(services.cards.list_cards(project_id), key=lambda c: c.rank)]


def ranks(services: Services, project_id: int) -> dict[str, str]:
    return {c.key: c.rank for c in services.cards.list_cards(project_id)}


def test_move_one_card_to_the_top_writes_one_row(services: Services, backlog) -> None:  # type: ignore[no-untyped-def]
    project, cards = backlog
    before = ranks(services, project.id)
    services.board.rank_cards([cards[5].id], before_id=cards[0].id)
    assert order(services, project.id)[:2] == ["RK-6", "RK-1"]
    after = ranks(services, project.id)
    assert [k for k in after if after[k] != before[k]] == ["RK-6"]
    assert services.cards.history(cards[5].id)[-1].kind == "ranked"


def test_move_a_selection_after_a_card_keeps_its_order(services: Services, backlog) -> None:  # type: ignore[no-untyped-def]
    project, cards = backlog
    services.board.rank_cards([cards[6].id, cards[1].id, cards[4].id], after_id=cards[2].id)
    assert order(services, project.id) == [
        "RK-1",
        "RK-3",
        "RK-2",
        "RK-5",
        "RK-7",
        "RK-4",
        "RK-6",
        "RK-8",
    ]


def test_to_the_bottom(services: Services, backlog) -> None:  # type: ignore[no-untyped-def]
    project, cards = backlog
    services.board.rank_cards([cards[0].id], after_id=cards[7].id)
    assert order(services, project.id)[-1] == "RK-1"


def test_ranks_stay_unique_under_many_random_moves(
    services: Services, backlog, backend, db_path
) -> None:  # type: ignore[no-untyped-def]
    import random

    project, cards = backlog
    rng = random.Random(3)
    for _ in range(150):
        chosen = rng.sample(cards, rng.randint(1, 3))
        anchor = rng.choice([c for c in cards if c not in chosen])
        if rng.random() < 0.5:
            services.board.rank_cards([c.id for c in chosen], after_id=anchor.id)
        else:
            services.board.rank_cards([c.id for c in chosen], before_id=anchor.id)
    values = list(ranks(services, project.id).values())
    assert len(set(values)) == len(values) == 8
    if backend == "sqlite":
        connection = sqlite3.connect(db_path)
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        connection.close()


def test_bad_requests_are_refused(services: Services, backlog) -> None:  # type: ignore[no-untyped-def]
    project, cards = backlog
    before = ranks(services, project.id)
    with pytest.raises(ValidationError):
        services.board.rank_cards([], after_id=cards[0].id)
    with pytest.raises(ValidationError):
        services.board.rank_cards([cards[1].id])
    with pytest.raises(ValidationError):
        services.board.rank_cards([cards[1].id], after_id=cards[1].id)
    assert ranks(services, project.id) == before


def test_restore_ranks_swaps_keys_between_the_moving_cards(services: Services, backlog) -> None:  # type: ignore[no-untyped-def]
    project, cards = backlog
    before = ranks(services, project.id)
    # The re-rank can hand one moving card another moving card's old key.
    services.board.rank_cards([cards[0].id, cards[2].id], before_id=cards[1].id)
    services.board.restore_ranks({cards[0].id: before["RK-1"], cards[2].id: before["RK-3"]})
    assert ranks(services, project.id) == before
    assert services.cards.history(cards[0].id)[-1].kind == "ranked"


def test_restore_ranks_takes_the_next_key_when_one_is_taken(services: Services, backlog) -> None:  # type: ignore[no-untyped-def]
    project, cards = backlog
    taken = ranks(services, project.id)["RK-2"]
    services.board.restore_ranks({cards[5].id: taken})
    after = ranks(services, project.id)
    assert after["RK-2"] == taken and after["RK-6"] > taken
    assert order(services, project.id).index("RK-6") == 2
