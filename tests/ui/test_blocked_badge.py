"""The board card's "⛔ blocked by KEY" badge: shown while the blocking card is not done."""

from __future__ import annotations

from app.ui.board.delegate import blocked_badge


def test_badge_follows_the_blocker(services, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    project = services.projects.create_project("BB", "Badges")
    blocker = services.cards.create_card(project.id, "Blocker")
    waiting = services.cards.create_card(project.id, "Waiting")
    window = make_window(services)
    window.select_project("BB")
    store = window.store
    assert store.blocked_by(waiting.id) == ()
    services.plans.link(blocker.id, waiting.id)
    assert store.blocked_by(waiting.id) == ("BB-1",)
    assert blocked_badge(store.blocked_by(waiting.id)) == "⛔ blocked by BB-1"
    done = next(c.id for c in store.columns if c.category == "done")
    services.board.move_card(blocker.id, done)
    assert store.blocked_by(waiting.id) == ()


def test_badge_text_with_more_blockers() -> None:
    assert blocked_badge(("SD-4", "SD-9")) == "⛔ blocked by SD-4 +1"
