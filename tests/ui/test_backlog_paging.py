"""A long backlog shows a page of its cards and fetches the next as it is scrolled; its
header counts all of them (from SQL) whatever is fetched; a card further down is brought
into view when it is selected; changes beyond the rows fetched change no row."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex

from app.services import Services
from app.ui.backlog.model import PAGE_SIZE
from tests.ui.test_backlog import Backlog, build, header_text, keys_in, section_row

CARDS = 250


@pytest.fixture
def long_backlog(services: Services, qtbot):  # type: ignore[no-untyped-def]
    """Project LONG: a planned sprint of 3 cards, then 250 cards of 1 point in the backlog."""
    project = services.projects.create_project("LONG", "Long backlog")
    sprint = services.sprints.create_sprint(project.id, "Sprint 1")
    for i in range(3):
        services.cards.create_card(project.id, f"planned {i + 1}", points=1, sprint_id=sprint.id)
    for i in range(CARDS):
        services.cards.create_card(project.id, f"idea {i + 1}", points=1)
    b = build(services, project.id, qtbot)
    b.sprint = services.sprints.get_sprint(sprint.id)
    yield b
    b.store.close()


def backlog_parent(b: Backlog) -> QModelIndex:
    return b.view.model.index(section_row(b, "Backlog"), 0)


def test_the_backlog_fetches_its_pages_as_it_scrolls(long_backlog, qtbot) -> None:  # type: ignore[no-untyped-def]
    b = long_backlog
    model, parent = b.view.model, backlog_parent(b)
    # a page, and one more when the tree expands the section (QTreeView fetches then)
    assert model.rowCount(parent) <= 2 * PAGE_SIZE and model.canFetchMore(parent)
    assert "250 pts" in header_text(b, "Backlog") and "250 cards" in header_text(b, "Backlog")
    assert len(keys_in(b, "Sprint 1")) == 3  # a sprint's rows are all there
    seen = [model.rowCount(parent)]
    bar = b.view.tree.verticalScrollBar()
    while model.canFetchMore(parent):
        qtbot.waitUntil(lambda: bar.maximum() > bar.value())  # laid out
        bar.setValue(bar.maximum())  # the wheel at the end of the list
        qtbot.waitUntil(lambda n=seen[-1]: model.rowCount(backlog_parent(b)) > n)
        seen.append(model.rowCount(parent))
        assert "250 cards" in header_text(b, "Backlog")
    assert seen[-1] == CARDS and seen == sorted(set(seen)) and len(seen) >= 2
    assert keys_in(b, "Backlog")[-1] == "LONG-253"


def test_a_card_on_page_three_is_selected(long_backlog) -> None:  # type: ignore[no-untyped-def]
    b = long_backlog
    card = b.services.cards.find_card("LONG-234")  # the backlog's 231st card
    b.view.select_cards([card.id])
    assert [c.key for c in b.view.selected_cards()] == ["LONG-234"]
    assert b.view.model.rowCount(backlog_parent(b)) >= 231


def test_changes_beyond_the_rows_fetched(long_backlog, qtbot) -> None:  # type: ignore[no-untyped-def]
    b = long_backlog
    model, parent = b.view.model, backlog_parent(b)
    rows = model.rowCount(parent)
    assert rows < CARDS - 10
    far = b.services.cards.find_card("LONG-250")
    with qtbot.assertNotEmitted(model.rowsRemoved):
        b.services.sprints.plan_card(far.id, b.sprint.id)  # into the sprint, from far down
    assert keys_in(b, "Sprint 1")[-1] == "LONG-250"
    assert model.rowCount(parent) == rows and "249 cards" in header_text(b, "Backlog")
    near = b.services.cards.find_card("LONG-5")
    last = b.services.cards.find_card("LONG-253")
    b.services.board.rank_cards([near.id], after_id=last.id)  # to the bottom, beyond the rows
    assert model.rowCount(parent) == rows - 1
    assert "LONG-5" not in keys_in(b, "Backlog")
    top = b.services.cards.find_card(keys_in(b, "Backlog")[0])
    b.services.board.rank_cards([near.id], before_id=top.id)  # and back to the top
    assert keys_in(b, "Backlog")[0] == "LONG-5" and model.rowCount(parent) == rows
    assert "249 cards" in header_text(b, "Backlog")


def test_the_paged_backlog_passes_the_model_tester(long_backlog, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    b = long_backlog
    qtmodeltester.check(b.view.model)
    b.view.model.fetchMore(backlog_parent(b))
    qtmodeltester.check(b.view.model)


def test_a_change_from_elsewhere_is_not_counted_twice(long_backlog, db_path) -> None:  # type: ignore[no-untyped-def]
    """Another process plans a card; the backlog is rebuilt (its figures read from the
    database, which has the change) before the change feed delivers it: the delivery
    must not take the card off the figures a second time."""
    from app.services.events import Change, ChangeKind
    from tests.helpers import make_runtime

    b = long_backlog
    other = make_runtime("sqlite:///" + str(db_path))
    try:
        card = other.services.cards.find_card("LONG-10")
        planned = other.services.sprints.plan_card(card.id, b.sprint.id)
    finally:
        other.close()
    b.view.refresh()  # rebuilt before the feed has told: figures already without it
    assert "249 cards" in header_text(b, "Backlog")
    moved = b.services.cards.get_card(card.id)
    b.services.bus.publish(Change(ChangeKind.CARD_CHANGED, b.project_id, (moved,), elsewhere=True))
    assert "LONG-10" in keys_in(b, "Sprint 1")
    assert "249 cards" in header_text(b, "Backlog")
    assert "4 cards" in header_text(b, "Sprint 1")
    assert planned is not None
