"""*View › Activity* driven as a person drives it: Ctrl+7, pick "since", filter by person
and kind, group by card, click a line to open its card, "since I last looked"."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QComboBox

from app.services import Services
from app.ui.activity.page import ActivityPage
from app.ui.dialogs.card_dialog import CardDialog

LEFT = Qt.MouseButton.LeftButton


def doings(demo: Services) -> dict[str, str]:
    """Ada moves a card and comments; Grace comments on another. Their keys."""
    pid = demo.projects.find_project("DEMO").id
    cards = [c for c in demo.cards.list_cards(pid) if c.type != "epic"]
    columns = {c.name: c.id for c in demo.workflow.list_columns(pid)}
    first = next(c for c in cards if c.column_id != columns["Done"])
    second = next(c for c in cards if c.id != first.id)
    demo.set_actor("Ada Lovelace")
    demo.board.move_card(first.id, columns["Done"])
    demo.comments.add(first.id, "Done and dusted")
    demo.set_actor("Grace Hopper")
    demo.comments.add(second.id, "Needs a look")
    return {"first": first.key, "second": second.key}


def open_page(qtbot, window) -> ActivityPage:  # type: ignore[no-untyped-def]
    qtbot.keyClick(window, Qt.Key.Key_7, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() == "activity"
    page = window.built_page("activity")
    assert isinstance(page, ActivityPage) and page.isVisible()
    return page


def choose(qtbot, combo: QComboBox, text: str) -> None:
    """Pick an entry as a person does with the keyboard: focus, then type its start."""
    index = combo.findText(text)
    assert index >= 0, [combo.itemText(i) for i in range(combo.count())]
    combo.setFocus()
    while combo.currentIndex() != index:
        key = Qt.Key.Key_Down if combo.currentIndex() < index else Qt.Key.Key_Up
        qtbot.keyClick(combo, key)


def shown(page: ActivityPage) -> list[tuple[str, str, str]]:
    return [(line.text(1), line.text(2), line.text(3)) for line in page.lines()]


def test_since_yesterday_shows_todays_doings_grouped_by_person(qtbot, demo, make_window) -> None:
    keys = doings(demo)
    window = make_window(demo)
    page = open_page(qtbot, window)
    assert page.since_combo.currentText() == "yesterday"
    lines = shown(page)
    assert ("Ada Lovelace", keys["first"], "Commented: Done and dusted") in lines
    assert ("Grace Hopper", keys["second"], "Commented: Needs a look") in lines
    assert any(
        who == "Ada Lovelace" and key == keys["first"] and what.startswith("Moved from")
        for who, key, what in lines
    )
    titles = [page.tree.topLevelItem(i).text(0) for i in range(page.tree.topLevelItemCount())]
    assert "Ada Lovelace  ·  2 changes" in titles and "Grace Hopper  ·  1 change" in titles
    assert page.summary.text().startswith(f"{len(lines)} changes since")


def test_filter_by_person_and_kind_and_group_by_card(qtbot, demo, make_window) -> None:
    keys = doings(demo)
    window = make_window(demo)
    page = open_page(qtbot, window)
    choose(qtbot, page.person_combo, "Grace Hopper")
    assert shown(page) == [("Grace Hopper", keys["second"], "Commented: Needs a look")]
    choose(qtbot, page.person_combo, "Everyone")
    choose(qtbot, page.kind_combo, "Finished")
    assert [(who, key) for who, key, _ in shown(page)] == [("Ada Lovelace", keys["first"])]
    choose(qtbot, page.kind_combo, "All kinds")
    choose(qtbot, page.group_combo, "By card")
    titles = [page.tree.topLevelItem(i).text(0) for i in range(page.tree.topLevelItemCount())]
    assert titles[0].startswith(keys["second"])  # the most recently touched card first


def test_since_the_last_standup(qtbot, demo, make_window) -> None:
    keys = doings(demo)
    window = make_window(demo)
    page = open_page(qtbot, window)
    choose(qtbot, page.since_combo, "the last standup")
    pid = demo.projects.find_project("DEMO").id
    held = demo.standups.last(pid)  # the demo's standup, on its week's last day
    assert held is not None
    assert page.summary.text().endswith(f"since {held.started_at:%Y-%m-%d %H:%M}")
    lines = shown(page)
    assert ("Ada Lovelace", keys["first"], "Commented: Done and dusted") in lines
    # Mei's demo comment after that standup is in the feed; the demo's older ones are not.
    assert [who for who, _key, what in lines if what.startswith("Commented: Checked")] == [
        "Mei Chen"
    ]
    assert not any("Pinged the provider" in what for _who, _key, what in lines)
    demo.standups.start(pid)
    demo.set_actor("Mei Chen")
    card = demo.cards.list_cards(pid)[0]
    demo.comments.add(card.id, "after the standup")  # the page hears the change
    assert shown(page) == [("Mei Chen", card.key, "Commented: after the standup")]


def test_clicking_a_line_opens_its_card(qtbot, demo, make_window) -> None:
    keys = doings(demo)
    window = make_window(demo)
    page = open_page(qtbot, window)
    choose(qtbot, page.person_combo, "Grace Hopper")
    (line,) = page.lines()
    opened: list[str] = []

    def close_editor() -> None:
        dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, CardDialog))
        opened.append(dialog.windowTitle())
        dialog.reject()

    QTimer.singleShot(50, close_editor)
    rect = page.tree.visualItemRect(line)
    qtbot.mouseClick(page.tree.viewport(), LEFT, pos=rect.center())
    assert opened == [f"Edit {keys['second']}"]


def test_since_i_last_looked(qtbot, demo, make_window) -> None:
    doings(demo)
    window = make_window(demo)
    page = open_page(qtbot, window)
    choose(qtbot, page.since_combo, "I last looked")
    assert "You have not looked here before" in page.summary.text()
    window.show_page("board")  # leaving the page is having looked
    qtbot.keyClick(window, Qt.Key.Key_7, Qt.KeyboardModifier.ControlModifier)
    assert page.lines() == [] and page.summary.text().startswith("Nothing changed since")
    pid = demo.projects.find_project("DEMO").id
    # "I" (Grace, the last actor) comment again: "I last looked" is per person and project.
    demo.comments.add(demo.cards.list_cards(pid)[0].id, "new since you looked")
    assert [what for _, _, what in shown(page)] == ["Commented: new since you looked"]


def test_a_date(qtbot, demo, make_window) -> None:
    window = make_window(demo)
    page = open_page(qtbot, window)
    choose(qtbot, page.since_combo, "a date…")
    assert page.date_edit.isVisible()
    page.date_edit.setDate(page.date_edit.date().addYears(-5))
    every = len(page.lines())
    assert every > 0  # the demo's history
    page.date_edit.setDate(page.date_edit.date().addYears(10))
    assert page.lines() == []


def test_a_deleted_cards_line_says_so_instead_of_opening(qtbot, demo, make_window) -> None:
    keys = doings(demo)
    demo.cards.archive_card(demo.cards.find_card(keys["second"]).id)
    window = make_window(demo)
    page = open_page(qtbot, window)
    choose(qtbot, page.person_combo, "Grace Hopper")
    line = next(line for line in page.lines() if line.text(2) == keys["second"])
    qtbot.mouseClick(page.tree.viewport(), LEFT, pos=page.tree.visualItemRect(line).center())
    assert page.summary.text() == f"{keys['second']} is deleted; restore it to open it."
    assert not any(
        isinstance(w, CardDialog) and w.isVisible() for w in QApplication.topLevelWidgets()
    )
