"""A long backlog shows a page of its cards and fetches the next as it is scrolled; its
header counts all of them (from SQL) whatever is fetched; a card further down is brought
into view when it is selected; changes beyond the rows fetched change no row."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, Qt

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


# --- read from the database a page at a time (issue 19) ------------------------------------


def held(b: Backlog) -> int:
    return b.view.model.rowCount(backlog_parent(b))


def test_opening_reads_pages_not_every_card(long_backlog) -> None:  # type: ignore[no-untyped-def]
    """The store stays partial: the backlog asked the database for its first page (and the
    tree's first fetch), not for the project's cards."""
    b = long_backlog
    assert not b.store.complete
    assert held(b) <= 2 * PAGE_SIZE
    # each read asks for one card more than a page (to know whether there are more)
    assert len(b.store.held_cards()) <= 2 * (PAGE_SIZE + 1) + 3
    assert "250 cards" in header_text(b, "Backlog") and "250 pts" in header_text(b, "Backlog")


def test_a_card_added_at_the_bottom_is_counted_not_read(long_backlog, qtbot) -> None:  # type: ignore[no-untyped-def]
    b = long_backlog
    rows = held(b)
    with qtbot.assertNotEmitted(b.view.model.rowsInserted):
        b.services.cards.create_card(b.project_id, "one more idea", points=2)
    assert held(b) == rows
    assert "251 cards" in header_text(b, "Backlog") and "252 pts" in header_text(b, "Backlog")
    assert not b.store.complete


def test_quick_add_reads_down_to_the_new_card(long_backlog, qtbot) -> None:  # type: ignore[no-untyped-def]
    b = long_backlog
    qtbot.keyClicks(b.view.quick_add, "Paged quick add")
    qtbot.keyClick(b.view.quick_add, Qt.Key.Key_Return)
    assert [c.title for c in b.view.selected_cards()] == ["Paged quick add"]
    assert keys_in(b, "Backlog")[-1] == b.view.selected_cards()[0].key
    assert "251 cards" in header_text(b, "Backlog")


def test_move_to_bottom_goes_below_the_cards_not_read(long_backlog, qtbot) -> None:  # type: ignore[no-untyped-def]
    """Ctrl+End on the first card puts it after the backlog's last card, which the tree
    has not read: the card leaves the rows read; the database ranks it last."""
    b = long_backlog
    first = keys_in(b, "Backlog")[0]
    b.view.select_cards([b.services.cards.find_card(first).id])
    b.view.tree.setFocus()
    qtbot.keyClick(b.view.tree, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    ranked = sorted(
        (c for c in b.services.cards.list_cards(b.project_id) if c.sprint_id is None),
        key=lambda c: c.rank,
    )
    assert ranked[-1].key == first
    assert first not in keys_in(b, "Backlog")
    assert "250 cards" in header_text(b, "Backlog")
    b.stack.undo()
    assert keys_in(b, "Backlog")[0] == first


@pytest.fixture
def epic_backlog(services: Services, qtbot):  # type: ignore[no-untyped-def]
    """Project EPB: 250 backlog cards; every tenth (and one in the sprint) in epic E."""
    project = services.projects.create_project("EPB", "Epic backlog")
    sprint = services.sprints.create_sprint(project.id, "Sprint 1")
    epic = services.cards.create_card(project.id, "Epic E", type="epic")
    done = next(c for c in services.workflow.list_columns(project.id) if c.category == "done")
    services.cards.create_card(
        project.id, "planned", points=3, sprint_id=sprint.id, parent_id=epic.id
    )
    for i in range(CARDS):
        services.cards.create_card(
            project.id,
            f"idea {i + 1}",
            points=1,
            parent_id=epic.id if i % 10 == 9 else None,
            column_id=done.id if i == 249 else None,  # finished: not in the backlog
        )
    b = build(services, project.id, qtbot)
    b.sprint = services.sprints.get_sprint(sprint.id)
    b.epic = epic  # type: ignore[attr-defined]
    yield b
    b.store.close()


def test_choosing_an_epic_reads_its_cards_from_every_page(epic_backlog, qtbot) -> None:  # type: ignore[no-untyped-def]
    b = epic_backlog
    epics = b.view.epic_model
    assert "EPB-1 · 28 / 28 pts done" not in epics.index(1).data()
    # 24 ideas open, 1 finished, 1 planned: 25 + 3 points in all, 1 of them done
    assert epics.index(1).data() == "Epic E\nEPB-1 · 1 / 28 pts done"
    rect = b.view.epic_list.visualRect(epics.index(1))
    qtbot.mouseClick(b.view.epic_list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    shown = keys_in(b, "Backlog")
    assert len(shown) == 24 and shown[-1] == "EPB-242"  # idea 240, far beyond the first page
    assert "249 cards" in header_text(b, "Backlog") and "24 shown" in header_text(b, "Backlog")
    assert keys_in(b, "Sprint 1") == ["EPB-2"]
    assert not b.store.complete
    # a card joins the epic from beyond the pages read: shown count follows
    card = b.services.cards.find_card("EPB-200")
    b.services.cards.update_card(card.id, {"parent_id": b.epic.id})
    assert "25 shown" in header_text(b, "Backlog") and "EPB-200" in keys_in(b, "Backlog")
    assert epics.index(1).data() == "Epic E\nEPB-1 · 1 / 29 pts done"


def test_the_epic_list_lays_out_rows_of_one_height(epic_backlog) -> None:  # type: ignore[no-untyped-def]
    """Uniform rows (a thousand epics lay out without a size asked of each): both lines
    of every row fit, the first ("All cards") included."""
    b = epic_backlog
    view = b.view.epic_list
    assert view.uniformItemSizes()
    line = view.fontMetrics().lineSpacing()
    for row in range(b.view.epic_model.rowCount()):
        assert view.visualRect(b.view.epic_model.index(row)).height() >= 2 * line


def test_the_scroll_bar_stands_for_the_whole_backlog(long_backlog, qtbot) -> None:  # type: ignore[no-untyped-def]
    """The bar's range counts the rows not read yet: dragged to its end, the tree reads
    down to the backlog's last card and shows it."""
    b = long_backlog
    tree, bar = b.view.tree, b.view.tree.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0)
    read = held(b)
    assert read < CARDS
    rows = 2 + 3 + CARDS  # two section rows, the sprint's cards, the whole backlog
    # per-item scrolling: the range is every row less those on screen
    on_screen = rows - bar.maximum()
    assert 0 < on_screen < 60, (bar.maximum(), on_screen)
    bar.setValue(bar.maximum())  # the thumb dragged to the bottom
    assert held(b) == CARDS
    parent = backlog_parent(b)
    last = b.view.model.index(b.view.model.rowCount(parent) - 1, 0, parent)
    assert last.data() == "LONG-253"
    qtbot.waitUntil(lambda: tree.viewport().rect().contains(tree.visualRect(last).center()))
    assert bar.value() == bar.maximum()  # at the end, the range now the rows read


def test_the_scroll_bar_shrinks_when_the_backlog_is_collapsed(long_backlog, qtbot) -> None:  # type: ignore[no-untyped-def]
    b = long_backlog
    tree, bar = b.view.tree, b.view.tree.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0)
    tree.collapse(backlog_parent(b))
    qtbot.waitUntil(lambda: bar.maximum() == 0)
    tree.expand(backlog_parent(b))
    qtbot.waitUntil(lambda: bar.maximum() > CARDS - 60)


def test_a_big_sections_title_groups_its_thousands() -> None:
    from decimal import Decimal

    from app.services.dto import Figures
    from app.ui.backlog.model import Section

    section = Section(
        None,
        figures_from_sql=Figures(40831, Decimal("182089.5"), 1200),
        source=lambda _after, _limit: [],  # a paged backlog, nothing of it read yet
    )
    section.recount()
    assert section.title() == "Backlog  ·  182,089.5 pts · 1,200 unestimated · 40,831 cards"
