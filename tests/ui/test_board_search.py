"""The board's filter box answered by the database's search index (issue 19): typed as a
person types, what the columns show is every matching card and no other."""

from __future__ import annotations

from typing import Any

import pytest

from app.services import Services
from app.services.demo import DEMO_KEY
from tests.ui.helpers import keys_in


def shown(window) -> set[str]:  # type: ignore[no-untyped-def]
    """The keys a person reads on the board, all columns."""
    names = [column.name for column, _header, _models in window.board.column_parts()]
    return {key for name in names for key in keys_in(window, name)}


def matching(services: Services, typed: str) -> set[str]:
    """The board's cards (live, not epics) with every typed word in their key, title,
    assignee, parent title or label names, case aside."""
    project = services.projects.find_project(DEMO_KEY)
    words = typed.casefold().split()
    found = set()
    for card in services.cards.list_cards(project.id):
        text = " ".join(
            (
                card.key,
                card.title,
                card.assignee_name or "",
                card.parent_title or "",
                *(lb.name for lb in card.labels),
            )
        ).casefold()
        if card.type != "epic" and all(w in text for w in words):
            found.add(card.key)
    return found


@pytest.fixture
def asked(demo: Services, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every filter text the board asks the database to count its matches for (the one
    grouped query of a keystroke; recorded before the window is built). The board never
    asks for every matching id (``search.matching``) without lanes: that fails here."""
    texts: list[str] = []
    real = demo.board.column_figures

    def recording(project_id: int, sprint_id: int | None = None, **kw: Any) -> Any:
        if kw.get("matching") is not None:
            texts.append(kw["matching"].text)
        return real(project_id, sprint_id, **kw)

    def never(project_id: int, text: str) -> frozenset[int]:
        raise AssertionError(f"every id matching {text!r} was read")

    monkeypatch.setattr(demo.board, "column_figures", recording)
    monkeypatch.setattr(demo.search, "matching", never)
    return texts


def test_typing_in_the_filter_box_shows_the_matching_cards_only(
    demo: Services, asked: list[str], make_window, qtbot
) -> None:  # type: ignore[no-untyped-def]
    window = make_window(demo)
    everything = shown(window)
    qtbot.keyClicks(window.filter_edit, "CHE")
    # at most once a keystroke, never once a card (the count runs on a worker thread,
    # which skips a count a later keystroke made stale)
    qtbot.waitUntil(lambda: asked[-1:] == ["CHE"])
    assert len(asked) <= 3 and set(asked) <= {"C", "CH", "CHE"}
    assert shown(window) == matching(demo, "che") != set()
    assert shown(window) < everything
    qtbot.keyClicks(window.filter_edit, "ckout")
    qtbot.waitUntil(lambda: asked[-1:] == ["CHEckout"])
    assert len(asked) <= 8
    assert not window.store.complete  # the lists read pages of the matches, not every card
    assert shown(window) == matching(demo, "checkout") != set()
    # A second word narrows; an assignee's name is searched too.
    window.filter_edit.setText("")
    mei = matching(demo, "mei")
    assert mei, "the demo has cards assigned to Mei Chen"
    qtbot.keyClicks(window.filter_edit, "mei c")
    assert shown(window) == matching(demo, "mei c") == mei
    header = window.board.column_parts()[0][1].stats_label.text()
    assert " of " in header  # "3 of 18 cards": the header says the list is filtered
    window.filter_edit.setText("")
    assert shown(window) == everything
    qtbot.waitUntil(lambda: asked[-1:] == ["mei c"])  # no words: no question after it


def test_a_card_edited_while_filtered_follows_its_new_text(
    demo: Services, make_window, qtbot
) -> None:  # type: ignore[no-untyped-def]
    window = make_window(demo)
    qtbot.keyClicks(window.filter_edit, "zebra")
    assert shown(window) == set()
    card = next(c for c in window.store.cards() if c.type != "epic")
    demo.cards.update_card(card.id, {"title": "Zebra crossing"})
    qtbot.waitUntil(lambda: shown(window) == {card.key})
    demo.cards.update_card(card.id, {"title": "Plain again"})
    qtbot.waitUntil(lambda: shown(window) == set())


def test_odd_text_in_the_filter_box_never_breaks_the_board(
    demo: Services, make_window, qtbot
) -> None:  # type: ignore[no-untyped-def]
    window = make_window(demo)
    for typed in ('"', "*", "%", "_", "'", "[", "\\", "a%b", "NEAR("):
        window.filter_edit.setText("")
        qtbot.keyClicks(window.filter_edit, typed)
        assert shown(window) == matching(demo, typed), typed
    for pasted in ("é", "ÉCLAIR", "🚀", "fix\x00", "\u200b", "x" * 2000):  # keys type ASCII only
        window.filter_edit.setText(pasted)
        assert shown(window) == matching(demo, pasted), pasted


def test_another_project_is_searched_when_the_board_switches(
    demo: Services, make_window, qtbot
) -> None:  # type: ignore[no-untyped-def]
    other = demo.projects.create_project("OT", "Other")
    elsewhere = demo.cards.create_card(other.id, "Checkout elsewhere")
    window = make_window(demo)
    assert window.store.project.key == DEMO_KEY
    qtbot.keyClicks(window.filter_edit, "checkout")
    assert shown(window) == matching(demo, "checkout")
    combo = window.project_combo
    combo.setCurrentIndex(next(i for i in range(combo.count()) if "OT" in combo.itemText(i)))
    qtbot.waitUntil(lambda: window.store.project.key == "OT")
    assert window.filter_edit.text() == "checkout"
    assert shown(window) == {elsewhere.key}


def test_the_board_and_the_sprint_page_ask_one_count_each_a_keystroke(
    demo: Services, asked: list[str], make_window, qtbot
) -> None:  # type: ignore[no-untyped-def]
    window = make_window(demo)
    window.show_page("sprint")
    window.show_page("board")
    boards = window._boards
    assert len(boards) == 2
    assert boards[0].sprint_scope != boards[1].sprint_scope  # two questions, not one
    qtbot.keyClicks(window.filter_edit, "pay")
    qtbot.waitUntil(lambda: asked.count("pay") == 2)  # one count each, on a worker thread
    assert set(asked) <= {"p", "pa", "pay"} and len(asked) <= 6
    for board in boards:
        keys = {
            c.key for _col, _h, models in board.column_parts() for m in models for c in m.cards()
        }
        assert keys and keys <= matching(demo, "pay")
    # A change between two keystrokes is seen by the next question.
    card = next(
        c for c in window.store.cards() if c.type != "epic" and "pay" not in c.title.lower()
    )
    demo.cards.update_card(card.id, {"title": "Payroll export"})
    before = len(asked)
    qtbot.keyClicks(window.filter_edit, "r")
    # one count a board; a count of "pay" still on its way when the card changed is made
    # again (it may arrive in between)
    qtbot.waitUntil(lambda: asked.count("payr") == 2)
    assert set(asked[before:]) <= {"pay", "payr"} and "payr" not in asked[:before]
    qtbot.waitUntil(lambda: card.key in shown(window))


def test_a_search_the_database_cannot_answer_filters_the_cards_in_memory(
    demo: Services, make_window, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from app.errors import DatabaseProblem

    def busy(_project_id: int, _text: str) -> frozenset[int]:
        raise DatabaseProblem("The database is busy; try again in a moment.")

    real = demo.board.column_figures

    def busy_count(project_id: int, sprint_id: int | None = None, **kw: Any) -> Any:
        if kw.get("matching") is not None:
            raise DatabaseProblem("The database is busy; try again in a moment.")
        return real(project_id, sprint_id, **kw)

    monkeypatch.setattr(demo.search, "matching", busy)
    monkeypatch.setattr(demo.board, "column_figures", busy_count)
    window = make_window(demo)
    qtbot.keyClicks(window.filter_edit, "checkout")
    assert shown(window) == matching(demo, "checkout") != set()
