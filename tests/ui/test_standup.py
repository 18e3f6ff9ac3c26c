"""A whole standup walked with keys, as the team does it on the shared screen: who is here,
each person in turn (absent people skipped), a card blocked and the block undone, a card
moved and a comment written, the timers, the summary and what was saved."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QToolBar

from app.services import standup_data
from app.ui.standup import view as standup_view
from tests.ui.helpers import card_by_key

CTRL = Qt.KeyboardModifier.ControlModifier


class FakeClock:
    """The standup's timers read this (seconds), so no test waits for real time."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def window(demo, make_window):  # type: ignore[no-untyped-def]
    return make_window(demo)


def open_standup(window, qtbot):  # type: ignore[no-untyped-def]
    qtbot.keyClick(window.board, Qt.Key.Key_U, CTRL)
    view = window.standup.view
    assert view is not None and window.pages.currentWidget() is view
    return view


def key(qtbot, view, k, mods=Qt.KeyboardModifier.NoModifier) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClick(view.cards_list, k, mods)
    QApplication.processEvents()  # the re-read after a change is queued


def select_line(view, starts: str) -> None:  # type: ignore[no-untyped-def]
    """Choose a card with the arrow keys, as a person does (up to the top, then down)."""
    from PySide6.QtTest import QTest

    view.cards_list.setFocus()
    for _ in range(view.cards_list.count()):
        QTest.keyClick(view.cards_list, Qt.Key.Key_Up)
    for _ in range(view.cards_list.count()):
        item = view.cards_list.currentItem()
        if item is not None and starts in item.text().strip().split("  ")[0]:
            return
        QTest.keyClick(view.cards_list, Qt.Key.Key_Down)
    raise AssertionError(f"no line {starts!r} in {view.shown_lines()}")


def test_a_whole_standup_walked_with_keys(window, demo, qtbot, tmp_path: Path, messages) -> None:  # type: ignore[no-untyped-def]
    project = window.store.project
    held = demo.standups.last(project.id)  # the demo's standup, on the week's last day
    assert held is not None and held.ended_at is not None and "## Blocked" in held.summary
    view = open_standup(window, qtbot)
    clock = FakeClock()
    view.clock = clock
    assert view.stage == "start"
    assert view.since_label.text().startswith("Since the last standup, ")
    assert window.standup.since == held.started_at
    assert not any(b.isVisible() for b in window.findChildren(QToolBar))  # the room sees it
    assert [view.present_list.item(i).text() for i in range(view.present_list.count())] == [
        "Ada Lovelace",
        "Alan Turing",
        "Grace Hopper",
        "Katherine Johnson",
        "Mei Chen",
    ]
    grace = next(m for m in window.store.members if m.display_name == "Grace Hopper")
    view.set_present(grace.id, False)  # Grace is away today
    qtbot.mouseClick(view.start_button, Qt.MouseButton.LeftButton)
    assert view.stage == "walk"
    assert demo.standups.last_started(project.id) > held.started_at  # the start is remembered

    # Ada first (the team's order), with her card in progress.
    assert view.person_label.text() == "Ada Lovelace"
    assert view.position_label.text().strip() == "1 of 4"
    assert view.next_label.text() == "Next: Alan Turing"
    assert "In progress (1)" in view.shown_lines()
    clock.now += 65
    key(qtbot, view, Qt.Key.Key_Right)

    # Alan: blocked first, then in progress by age.
    assert view.person_label.text() == "Alan Turing"
    lines = view.shown_lines()
    assert lines[0] == "Blocked (1)" and lines[1].startswith("⛔ DEMO-34")
    assert lines[2] == "In progress (1)" and lines[3].startswith("DEMO-15")
    assert "⚑ over 3 days" in lines[3]

    # B on DEMO-15: blocked with a reason, saved at once; Ctrl+Z undoes it.
    select_line(view, "DEMO-15")
    window.standup.ask_reason = lambda card: "Waiting for the security review"
    key(qtbot, view, Qt.Key.Key_B)
    saved = demo.cards.find_card("DEMO-15")
    assert saved.blocked and saved.blocked_reason == "Waiting for the security review"
    assert view.shown_lines()[0] == "Blocked (2)"
    assert any("Waiting for the security review" in line for line in view.shown_lines())
    key(qtbot, view, Qt.Key.Key_Z, CTRL)
    assert not demo.cards.find_card("DEMO-15").blocked
    assert view.shown_lines()[0] == "Blocked (1)"

    # An empty reason is refused with a message; nothing is written.
    select_line(view, "DEMO-15")
    window.standup.ask_reason = lambda card: "   "
    key(qtbot, view, Qt.Key.Key_B)
    assert messages and "reason" in messages[-1]
    window.standup.ask_reason = lambda card: "x" * 501
    key(qtbot, view, Qt.Key.Key_B)
    assert "at most 500 characters" in messages[-1]
    assert not demo.cards.find_card("DEMO-15").blocked
    comments_before = len(demo.comments.list(card_by_key(window, "DEMO-15").id))  # Mei's
    window.standup.ask_comment = lambda card: " \n "
    key(qtbot, view, Qt.Key.Key_C)
    assert "needs some text" in messages[-1]
    assert len(demo.comments.list(card_by_key(window, "DEMO-15").id)) == comments_before

    # Ctrl+Right: DEMO-15 from In Review to Done, finished since the last standup.
    select_line(view, "DEMO-15")
    key(qtbot, view, Qt.Key.Key_Right, CTRL)
    done = next(c for c in window.store.columns if c.name == "Done")
    assert demo.cards.find_card("DEMO-15").column_id == done.id
    assert any(line.startswith("Finished since the last standup") for line in view.shown_lines())
    key(qtbot, view, Qt.Key.Key_Z, CTRL)
    assert demo.cards.find_card("DEMO-15").column_id != done.id

    # C: a comment written for Alan, shown as his; undone, it is gone.
    demo.set_actor("Alan Turing")
    select_line(view, "DEMO-34")
    window.standup.ask_comment = lambda card: "Asked ops for an anonymised dump"
    key(qtbot, view, Qt.Key.Key_C)
    card34 = card_by_key(window, "DEMO-34")
    assert [c.text for c in demo.comments.list(card34.id)][-1] == "Asked ops for an anonymised dump"
    assert "💬 DEMO-34: Asked ops for an anonymised dump" in view.shown_lines()
    key(qtbot, view, Qt.Key.Key_Z, CTRL)  # undone: the comment is gone, on screen too
    assert all(c.text != "Asked ops for an anonymised dump" for c in demo.comments.list(card34.id))
    assert not any(line.startswith("💬") for line in view.shown_lines())
    key(qtbot, view, Qt.Key.Key_Y, CTRL)  # and redone
    assert "💬 DEMO-34: Asked ops for an anonymised dump" in view.shown_lines()

    # Over two minutes: the speaker's timer turns amber.
    clock.now += 130
    view.refresh_timers()
    assert view.over_limit() and standup_view.AMBER in view.speaker_timer.styleSheet()
    assert view.speaker_timer.text() == "2:10 / 2:00"

    # Space: Katherine (Grace is skipped); Left back to Alan, Right, Right: Mei.
    key(qtbot, view, Qt.Key.Key_Space)
    assert view.person_label.text() == "Katherine Johnson"
    assert view.speaker_timer.styleSheet() == ""  # a new speaker starts at zero
    key(qtbot, view, Qt.Key.Key_Left)
    assert view.person_label.text() == "Alan Turing"
    key(qtbot, view, Qt.Key.Key_Right)
    key(qtbot, view, Qt.Key.Key_Right)
    assert view.person_label.text() == "Mei Chen"
    # Her comment after the demo's standup is "since the last standup"; older ones are not.
    said = [line for line in view.shown_lines() if line.startswith("💬")]
    assert len(said) == 1 and said[0].startswith("💬 DEMO-15: Checked the flag on staging")
    assert view.next_label.text() == "Last one: → ends"
    order_seen = ["Ada Lovelace", "Alan Turing", "Katherine Johnson", "Mei Chen"]
    assert [m for m in order_seen] == [
        next(x.display_name for x in window.store.members if x.id == i) for i in view.order
    ]

    # Esc ends it: the summary, stored as the standup's summary.
    clock.now += 30
    key(qtbot, view, Qt.Key.Key_Escape)
    assert view.stage == "summary"
    summary = window.standup.summary
    assert view.summary_text.toPlainText() == summary  # what the room reads
    assert "4 people in 3:45; absent: Grace Hopper." in summary
    blocked = summary.split("## Blocked\n")[1].split("\n\n")[0]
    assert "DEMO-34 Crash when the cart holds 100+ items (Alan Turing)" in blocked
    assert "DEMO-25" in blocked and "(Katherine Johnson)" in blocked
    assert "DEMO-12" not in blocked  # Grace's, and Grace was not here
    assert "- Alan Turing: 2:10" in summary
    assert "Saved as this standup's summary" in view.saved_label.text()
    stored = demo.standups.last(project.id)
    assert stored.summary == summary.strip() and stored.ended_at is not None

    # Copy and export.
    qtbot.mouseClick(view.copy_button, Qt.MouseButton.LeftButton)
    assert QApplication.clipboard().text() == summary
    target = tmp_path / "standup.md"
    window.standup.ask_export_path = lambda: str(target)
    qtbot.mouseClick(view.export_button, Qt.MouseButton.LeftButton)
    assert target.read_text(encoding="utf-8") == summary

    # Esc: back to the board, its controls shown again.
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    assert window.pages.currentWidget() is window.board
    assert window.filter_toolbar.isVisible()


def test_the_next_standup_starts_from_the_last_one(window, demo, qtbot) -> None:  # type: ignore[no-untyped-def]
    view = open_standup(window, qtbot)
    qtbot.mouseClick(view.start_button, Qt.MouseButton.LeftButton)
    key(qtbot, view, Qt.Key.Key_Escape)
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    view = open_standup(window, qtbot)
    assert view.stage == "start"
    assert view.since_label.text().startswith("Since the last standup, ")
    assert window.standup.since == demo.standups.last_started(window.store.project.id)


def test_shuffled_order_and_nobody_present(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    view = open_standup(window, qtbot)
    for member in window.store.members:
        view.set_present(member.id, False)
    qtbot.mouseClick(view.start_button, Qt.MouseButton.LeftButton)
    assert view.stage == "start" and "at least one" in view.since_label.text()
    ids = [m.id for m in window.store.members]
    for member_id in ids[:3]:
        view.set_present(member_id, True)
    view.order_combo.setCurrentIndex(view.order_combo.findData("shuffled"))
    view.rng = random.Random(7)
    expected = list(ids[:3])
    random.Random(7).shuffle(expected)
    qtbot.mouseClick(view.start_button, Qt.MouseButton.LeftButton)
    assert view.order == expected
    names = {m.id: m.display_name for m in window.store.members}
    assert view.person_label.text() == names[expected[0]]


def test_esc_on_the_start_holds_no_standup(window, demo, qtbot) -> None:  # type: ignore[no-untyped-def]
    view = open_standup(window, qtbot)
    held = demo.standups.last_started(window.store.project.id)  # the demo's
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    assert window.pages.currentWidget() is window.board
    assert demo.standups.last_started(window.store.project.id) == held


def test_the_standup_follows_the_zoom(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    view = open_standup(window, qtbot)
    size = view.cards_list.font().pointSizeF()
    qtbot.keyClick(view, Qt.Key.Key_Equal, CTRL)
    assert view.zoom == 1.15
    assert view.cards_list.font().pointSizeF() == pytest.approx(size * 1.15)
    assert window.named_actions["view.standup"] in window.menus["view"].actions()


def test_the_views_default_threshold_is_the_services() -> None:
    assert standup_view.DEFAULT_STALE_AFTER == standup_data.DEFAULT_STALE_AFTER


def test_the_summary_names_who_has_nothing_or_too_much(window, demo, qtbot) -> None:  # type: ignore[no-untyped-def]
    members = {m.display_name: m for m in window.store.members}
    columns = {c.name: c for c in window.store.columns}
    mei = members["Mei Chen"]
    for card in window.store.cards():
        if card.assignee_id == mei.id and card.type != "epic":
            demo.board.move_card(card.id, columns["Done"].id)
            if card.blocked:
                demo.cards.update_card(card.id, {"blocked": False, "blocked_reason": ""})
    ada = members["Ada Lovelace"]
    todo = next(
        c
        for c in window.store.cards()
        if c.column_id == columns["To Do"].id and c.type != "epic" and not c.blocked
    )
    demo.cards.update_card(todo.id, {"assignee_id": ada.id})
    demo.board.move_card(todo.id, columns["In Progress"].id)
    view = open_standup(window, qtbot)
    view.too_much_spin.setValue(1)
    qtbot.mouseClick(view.start_button, Qt.MouseButton.LeftButton)
    key(qtbot, view, Qt.Key.Key_Escape)
    summary = window.standup.summary
    idle = summary.split("## Nothing in progress\n")[1].split("\n\n")[0]
    assert idle == "- Mei Chen"
    overloaded = summary.split("## Too much in progress (more than 1)\n")[1].split("\n\n")[0]
    assert overloaded.startswith("- Ada Lovelace: ") and "cards" in overloaded, summary
    finished = summary.split("## Finished\n")[1].split("\n\n")[0]
    assert "(Mei Chen)" in finished  # moved to Done within the last day
    assert window.standup.facts is not None and window.standup.facts.idle == ("Mei Chen",)
