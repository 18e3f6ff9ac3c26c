"""Cards show their due date (red once overdue, by the project's today), their checklist's
progress ("☑ 3/5") and their epic as a coloured tag."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QStyleOptionViewItem

from app.ui.board.delegate import (
    OVERDUE_COLOR,
    checklist_text,
    due_text,
    epic_color,
    epic_text,
    is_overdue,
)
from app.ui.board.model import CardRole
from tests.ui.helpers import card_by_key, column_named


def painted(window, key: str) -> QImage:  # type: ignore[no-untyped-def]
    """The card as the board's delegate paints it, on its own."""
    card = card_by_key(window, key)
    view, row = window.board.view_for(card.id)
    index = view.model().index(row, 0)
    assert index.data(CardRole).id == card.id
    option = QStyleOptionViewItem()
    option.initFrom(view)
    option.font = view.font()
    size = view.itemDelegate().sizeHint(option, index)
    option.rect = QRect(0, 0, 320, size.height())
    image = QImage(320, size.height(), QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    view.itemDelegate().paint(painter, option, index)
    painter.end()
    return image


def count_colour(image: QImage, colour: QColor, tolerance: int = 6) -> int:
    found = 0
    for x in range(image.width()):
        for y in range(image.height()):
            c = image.pixelColor(x, y)
            if (
                abs(c.red() - colour.red()) <= tolerance
                and abs(c.green() - colour.green()) <= tolerance
                and abs(c.blue() - colour.blue()) <= tolerance
            ):
                found += 1
    return found


def an_unblocked_card(window, column: str = "In Progress"):  # type: ignore[no-untyped-def]
    _col, models = column_named(window, column)
    return next(c for c in models[0].cards() if not c.blocked)


def test_an_overdue_card_shows_its_date_in_red(demo, make_window) -> None:  # type: ignore[no-untyped-def]
    window = make_window(demo)
    card = an_unblocked_card(window)
    project = demo.projects.get_project(card.project_id)
    today = demo.projects.today(project.time_zone)
    demo.cards.update_card(card.id, {"due_date": today + dt.timedelta(days=3)})
    shown = card_by_key(window, card.key)
    assert due_text(shown, today).startswith("Due ")
    assert str(today.year) not in due_text(shown, today)
    assert due_text(shown, today.replace(year=today.year - 1)).endswith(str(shown.due_date.year))
    assert not is_overdue(shown, window.board._delegate.today)
    assert count_colour(painted(window, card.key), OVERDUE_COLOR) == 0

    demo.cards.update_card(card.id, {"due_date": today - dt.timedelta(days=1)})
    late = card_by_key(window, card.key)
    assert is_overdue(late, window.board._delegate.today)
    assert count_colour(painted(window, card.key), OVERDUE_COLOR) > 100  # the red badge


def test_a_finished_card_is_never_overdue(demo, make_window) -> None:  # type: ignore[no-untyped-def]
    window = make_window(demo)
    card = an_unblocked_card(window, "Done")
    project = demo.projects.get_project(card.project_id)
    demo.cards.update_card(
        card.id, {"due_date": demo.projects.today(project.time_zone) - dt.timedelta(days=9)}
    )
    assert count_colour(painted(window, card.key), OVERDUE_COLOR) == 0


def test_checklist_progress_and_the_epic_are_shown(demo, make_window) -> None:  # type: ignore[no-untyped-def]
    window = make_window(demo)
    card = next(c for c in window.store.cards() if c.parent_key and c.type != "epic")
    assert epic_text(card) == f"{card.parent_key} {card.parent_title}"
    demo.cards.update_card(
        card.id,
        {
            "checklist": [
                ("design", True),
                ("build", True),
                ("test", True),
                ("docs", False),
                ("ship", False),
            ]
        },
    )
    shown = card_by_key(window, card.key)
    assert checklist_text(shown) == "☑ 3/5"
    image = painted(window, card.key)
    assert count_colour(image, epic_color(shown).lighter(175), 3) > 100  # the epic's tag

    plain = next(c for c in window.store.cards() if not c.parent_key and c.type != "epic")
    assert epic_text(plain) == "" and checklist_text(plain) == ""
    assert count_colour(painted(window, plain.key), epic_color(shown).lighter(175), 3) == 0


def test_the_comment_count_grows_with_the_zoom(demo, make_window, qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The comment badge is drawn at the window's zoom, its bubble and gaps scaled like the
    due date's and the epic's, not at a fixed size beside larger cards."""
    from PySide6.QtCore import Qt

    import app.ui.board.delegate as delegate

    window = make_window(demo)
    card = an_unblocked_card(window)
    demo.comments.add(card.id, "one")
    demo.comments.add(card.id, "two")
    drawn: list[tuple[float, object, object, float, float]] = []
    real = delegate.comment_badge_geometry

    def spy(font, count, right, top, h, zoom=1.0):  # type: ignore[no-untyped-def]
        bubble, label, new_right = real(font, count, right, top, h, zoom)
        drawn.append((zoom, bubble, label, right, new_right))
        return bubble, label, new_right

    monkeypatch.setattr(delegate, "comment_badge_geometry", spy)
    painted(window, card.key)
    for _ in range(4):
        qtbot.keyClick(window.board, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert window.zoom.factor > 1.5
    painted(window, card.key)
    (z1, bubble1, label1, right1, after1), (z2, bubble2, label2, right2, after2) = drawn
    assert z1 == 1.0 and z2 == window.zoom.factor
    assert label1.left() - bubble1.right() == pytest.approx(3)  # bubble to count
    assert label2.left() - bubble2.right() == pytest.approx(3 * z2)
    # What is left of the badge's space is that gap and the one to the next item (6 × zoom).
    assert right1 - after1 - label1.width() - bubble1.width() == pytest.approx(3 + 6)
    assert right2 - after2 - label2.width() - bubble2.width() == pytest.approx(9 * z2)
    assert bubble2.height() > bubble1.height() * 1.4  # the bubble itself grew
