"""Paints a card: key, type, priority, title, epic, checklist, due date, labels as chips,
points, assignee, blocked; scaled by the window's zoom (app/ui/zoom.py)."""

from __future__ import annotations

import datetime as dt
import unicodedata
import zlib
from collections.abc import Callable

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPalette, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from app.metrics.points import format_points
from app.services.dto import CardDTO
from app.ui.board.model import CardRole

TYPE_COLORS = {
    "story": QColor("#36b37e"),
    "bug": QColor("#e5493a"),
    "task": QColor("#4bade8"),
    "spike": QColor("#904ee2"),
    "epic": QColor("#6554c0"),
}
PRIORITY_MARKS = {
    "highest": ("⇈", QColor("#d04437")),
    "high": ("↑", QColor("#e0703a")),
    "medium": ("=", QColor("#8a8f98")),
    "low": ("↓", QColor("#2a8735")),
    "lowest": ("⇊", QColor("#2a8735")),
}
BLOCKED_COLOR = QColor("#d92d20")
AVATAR_COLORS = ("#0052cc", "#00875a", "#6554c0", "#de350b", "#ff8b00", "#00a3bf", "#5243aa")

CARD_HEIGHT = 112  # at zoom 1: top row, two title lines, epic/checklist/due row, bottom row
MARGIN = 4
PADDING = 8
OVERDUE_COLOR = QColor("#d92d20")


def card_height(zoom: float) -> int:
    """A card's height (every card the same) at a zoom factor."""
    return round(CARD_HEIGHT * zoom)


def checklist_text(card: CardDTO) -> str:
    """ "☑ 3/5" for a card with a checklist, "" without one."""
    if not card.checklist:
        return ""
    done = sum(1 for item in card.checklist if item.done)
    return f"☑ {done}/{len(card.checklist)}"


def due_text(card: CardDTO, today: dt.date | None = None) -> str:
    """The due date as a card shows it: "Due 4 Dec" ("Due 4 Dec 2027" in another year than
    ``today``'s, the project's today)."""
    if card.due_date is None:
        return ""
    day = card.due_date
    this_year = (today or dt.date.today()).year
    return f"Due {day.day} {day.strftime('%b')}" + (f" {day.year}" if day.year != this_year else "")


def is_overdue(card: CardDTO, today: dt.date | None, done: bool = False) -> bool:
    """Past its due date (in the project's zone: ``today`` is the project's today) and not
    in a done column."""
    return card.due_date is not None and today is not None and card.due_date < today and not done


def epic_text(card: CardDTO) -> str:
    """The epic's tag: its key and title ("DEMO-1 Onboarding"), "" without an epic."""
    if card.parent_key is None:
        return ""
    return f"{card.parent_key} {card.parent_title or ''}".strip()


def epic_color(card: CardDTO) -> QColor:
    """One colour per epic, the same on every card and every day (from its key)."""
    return avatar_color(card.parent_key or "")


def avatar_color(name: str) -> QColor:
    return QColor(AVATAR_COLORS[zlib.crc32(name.encode()) % len(AVATAR_COLORS)])


def initials(name: str) -> str:
    parts = [p for p in name.replace("-", " ").split() if p]
    if not parts:
        return "?"
    if len(parts) == 1:
        return parts[0][:2].upper()
    return (parts[0][0] + parts[-1][0]).upper()


def blocked_badge(blockers: tuple[str, ...]) -> str:
    """The badge of a card waiting for other cards: "⛔ blocked by SD-4" (+N for more)."""
    more = f" +{len(blockers) - 1}" if len(blockers) > 1 else ""
    return f"⛔ blocked by {blockers[0]}{more}"


def is_rtl(text: str) -> bool:
    """True when the first strongly directional character is right-to-left."""
    for ch in text:
        direction = unicodedata.bidirectional(ch)
        if direction in ("R", "AL"):
            return True
        if direction == "L":
            return False
    return False


def text_color_on(background: QColor) -> QColor:
    luminance = 0.299 * background.red() + 0.587 * background.green() + 0.114 * background.blue()
    return QColor("#172b4d") if luminance > 160 else QColor("#ffffff")


class CardDelegate(QStyledItemDelegate):
    """One painter for every card: no widget per card, so a column of 10,000 stays cheap.

    ``zoom`` scales the card's size and spacing (its text follows the view's font, which the
    board scales by the same factor); ``today`` (the project's today) marks overdue dates;
    ``done_columns``: the ids of done columns, whose cards are never overdue."""

    def __init__(self, parent: object = None) -> None:
        super().__init__(parent)  # type: ignore[arg-type]
        self.zoom = 1.0
        self.today: dt.date | None = None
        self.done_columns: frozenset[int] = frozenset()

    # Card id -> its comment count (the board view sets the store's); shown as "💬 3".
    comment_count: Callable[[int], int] | None = None
    # Card id -> keys of the not-done cards blocking it (issue 18); shown as "⛔ blocked by SD-4".
    blocked_by: Callable[[int], tuple[str, ...]] | None = None

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        """QStyledItemDelegate::sizeHint: every card is the same height (uniform rows)."""
        return QSize(max(option.rect.width(), round(200 * self.zoom)), card_height(self.zoom))

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        """QStyledItemDelegate::paint."""
        card: CardDTO | None = index.data(CardRole)
        if card is None:
            super().paint(painter, option, index)
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = option.palette
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        focused = bool(option.state & QStyle.StateFlag.State_HasFocus)
        z = self.zoom
        margin, padding = MARGIN * z, PADDING * z
        rect = QRectF(option.rect).adjusted(margin, margin / 2, -margin, -margin / 2)

        # The card itself.
        path = QPainterPath()
        path.addRoundedRect(rect, 6, 6)
        painter.fillPath(path, palette.color(QPalette.ColorRole.Base))
        if card.blocked:
            painter.fillPath(path, QColor(217, 45, 32, 22))
        border = palette.color(QPalette.ColorRole.Mid)
        width = 1.0
        if card.blocked:
            border, width = BLOCKED_COLOR, 1.5
        if selected:
            border, width = palette.color(QPalette.ColorRole.Highlight), 2.5
        painter.setPen(QPen(border, width))
        painter.drawPath(path)

        # Type stripe on the left edge.
        stripe = QPainterPath()
        stripe.addRoundedRect(
            QRectF(rect.left(), rect.top(), 5 * z, rect.height()), 2.5 * z, 2.5 * z
        )
        painter.fillPath(stripe, TYPE_COLORS.get(card.type, QColor("#8a8f98")))

        inner = rect.adjusted(padding + 4 * z, padding - 2 * z, -padding, -padding + 2 * z)
        base_font = QFont(option.font)
        small = QFont(base_font)
        small.setPointSizeF(max(base_font.pointSizeF() * 0.85, 7.0 * z))
        muted = palette.color(QPalette.ColorRole.PlaceholderText)
        text = palette.color(QPalette.ColorRole.Text)

        # Top row: key · type ... priority, blocked badge.
        painter.setFont(small)
        fm_small = QFontMetrics(small)
        line_h = fm_small.height()
        key_font = QFont(small)
        key_font.setBold(True)
        painter.setFont(key_font)
        painter.setPen(muted if not card.blocked else BLOCKED_COLOR)
        key_text = card.key
        painter.drawText(
            QRectF(inner.left(), inner.top(), inner.width(), line_h),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            key_text,
        )
        x = inner.left() + QFontMetrics(key_font).horizontalAdvance(key_text) + 6
        painter.setFont(small)
        painter.setPen(TYPE_COLORS.get(card.type, muted))
        painter.drawText(
            QRectF(x, inner.top(), inner.width(), line_h),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            card.type,
        )
        right = inner.right()
        mark, mark_color = PRIORITY_MARKS.get(card.priority, ("", muted))
        if mark:
            bold = QFont(small)
            bold.setBold(True)
            painter.setFont(bold)
            painter.setPen(mark_color)
            w = QFontMetrics(bold).horizontalAdvance(mark) + 2
            painter.drawText(
                QRectF(right - w, inner.top(), w, line_h),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                mark,
            )
            right -= w + 6
        blockers = self.blocked_by(card.id) if self.blocked_by is not None else ()
        if card.blocked or blockers:
            badge = blocked_badge(blockers) if blockers else "BLOCKED"
            bold = QFont(small)
            bold.setBold(True)
            bold.setPointSizeF(small.pointSizeF() * 0.9)
            fm_b = QFontMetrics(bold)
            w = fm_b.horizontalAdvance(badge) + 10
            badge_rect = QRectF(right - w, inner.top(), w, line_h)
            badge_path = QPainterPath()
            badge_path.addRoundedRect(badge_rect, 3, 3)
            painter.fillPath(badge_path, BLOCKED_COLOR)
            painter.setFont(bold)
            painter.setPen(QColor("white"))
            painter.drawText(badge_rect, Qt.AlignmentFlag.AlignCenter, badge)

        # Title: at most two lines, elided.
        painter.setFont(base_font)
        painter.setPen(text)
        fm = QFontMetrics(base_font)
        title_top = inner.top() + line_h + 3
        lines = _two_lines(card.title, fm, int(inner.width()))
        # Right-to-left titles (Arabic, Hebrew) read from the right edge.
        side = Qt.AlignmentFlag.AlignRight if is_rtl(card.title) else Qt.AlignmentFlag.AlignLeft
        for i, line in enumerate(lines):
            painter.drawText(
                QRectF(inner.left(), title_top + i * fm.height(), inner.width(), fm.height()),
                side | Qt.AlignmentFlag.AlignVCenter,
                line,
            )

        # Bottom row: label chips on the left; points and the assignee's initials on the right.
        bottom_h = line_h + 4 * z
        self._paint_badges(painter, card, inner, inner.bottom() - 2 * bottom_h - 3 * z, small, text)
        bottom = inner.bottom() - bottom_h
        right = inner.right()
        if card.assignee_name:
            d = bottom_h
            circle = QRectF(right - d, bottom, d, d)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(avatar_color(card.assignee_name))
            painter.drawEllipse(circle)
            bold = QFont(small)
            bold.setBold(True)
            bold.setPointSizeF(small.pointSizeF() * 0.9)
            painter.setFont(bold)
            painter.setPen(QColor("white"))
            painter.drawText(circle, Qt.AlignmentFlag.AlignCenter, initials(card.assignee_name))
            right -= d + 5
        if card.points is not None:
            points = format_points(card.points)
            painter.setFont(small)
            w = max(fm_small.horizontalAdvance(points) + 12, bottom_h)
            pill = QRectF(right - w, bottom, w, bottom_h)
            pill_path = QPainterPath()
            pill_path.addRoundedRect(pill, bottom_h / 2, bottom_h / 2)
            painter.fillPath(pill_path, palette.color(QPalette.ColorRole.AlternateBase).darker(108))
            painter.setPen(text)
            painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, points)
            right -= w + 5
        comments = self.comment_count(card.id) if self.comment_count is not None else 0
        if comments:
            right = _paint_comment_count(
                painter, small, muted, comments, right, bottom, bottom_h, self.zoom
            )
        x = inner.left()
        chip_font = QFont(small)
        chip_font.setPointSizeF(small.pointSizeF() * 0.92)
        fm_chip = QFontMetrics(chip_font)
        painter.setFont(chip_font)
        for label in card.labels:
            w = fm_chip.horizontalAdvance(label.name) + 10
            if x + w > right - 4:
                more = f"+{len(card.labels) - card.labels.index(label)}"
                painter.setPen(muted)
                painter.drawText(
                    QRectF(x, bottom, right - x, bottom_h),
                    Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                    more,
                )
                break
            color = QColor(label.color)
            chip = QRectF(x, bottom + 1, w, bottom_h - 2)
            chip_path = QPainterPath()
            chip_path.addRoundedRect(chip, 3, 3)
            painter.fillPath(chip_path, color)
            painter.setPen(text_color_on(color))
            painter.drawText(chip, Qt.AlignmentFlag.AlignCenter, label.name)
            x += w + 4

        if focused and selected:
            painter.setPen(
                QPen(palette.color(QPalette.ColorRole.Highlight), 1, Qt.PenStyle.DotLine)
            )
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(rect.adjusted(-2, -1, 2, 1), 7, 7)
        painter.restore()

    def _paint_badges(
        self,
        painter: QPainter,
        card: CardDTO,
        inner: QRectF,
        top: float,
        small: QFont,
        text_color: QColor,
    ) -> None:
        """The row above the bottom one: the epic's tag on the left; checklist progress and
        the due date (red once overdue) on the right."""
        fm = QFontMetrics(small)
        h = fm.height() + 4 * self.zoom
        right = inner.right()
        painter.setFont(small)
        due = due_text(card, self.today)
        if due:
            overdue = is_overdue(card, self.today, card.column_id in self.done_columns)
            w = fm.horizontalAdvance(due) + 10 * self.zoom
            badge = QRectF(right - w, top, w, h)
            if overdue:
                path = QPainterPath()
                path.addRoundedRect(badge, 3 * self.zoom, 3 * self.zoom)
                painter.fillPath(path, OVERDUE_COLOR)
                painter.setPen(QColor("white"))
            else:
                painter.setPen(text_color)
            painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, due)
            right -= w + 6 * self.zoom
        progress = checklist_text(card)
        if progress:
            w = fm.horizontalAdvance(progress) + 6 * self.zoom
            done = all(item.done for item in card.checklist)
            painter.setPen(QColor("#2a8735") if done else text_color)
            painter.drawText(QRectF(right - w, top, w, h), Qt.AlignmentFlag.AlignCenter, progress)
            right -= w + 6 * self.zoom
        epic = epic_text(card)
        if epic:
            space = right - inner.left() - 4 * self.zoom
            if space > 20 * self.zoom:
                text = fm.elidedText(epic, Qt.TextElideMode.ElideRight, int(space - 10 * self.zoom))
                w = fm.horizontalAdvance(text) + 10 * self.zoom
                tag = QRectF(inner.left(), top + 1, w, h - 2)
                path = QPainterPath()
                path.addRoundedRect(tag, 3 * self.zoom, 3 * self.zoom)
                color = epic_color(card)
                painter.fillPath(path, color.lighter(175))
                painter.setPen(color.darker(140))
                painter.drawText(tag, Qt.AlignmentFlag.AlignCenter, text)


def comment_badge_geometry(
    font: QFont, count: int, right: float, top: float, h: float, zoom: float = 1.0
) -> tuple[QRectF, QRectF, float]:
    """Where the comment count goes, right-aligned at ``right``: the bubble's rect, the
    count's rect and the new right edge. Every gap scales with the zoom, like the other
    badges', so at 2× the badge is twice as large and twice as far from its neighbour."""
    text = str(count) if count < 1000 else "999+"
    fm = QFontMetrics(font)
    bubble_w = h * 0.8
    gap = 3 * zoom
    w = bubble_w + gap + fm.horizontalAdvance(text)
    left = right - w
    bubble = QRectF(left, top + h * 0.18, bubble_w, h * 0.55)
    label = QRectF(left + bubble_w + gap, top, w - bubble_w - gap, h)
    return bubble, label, left - 6 * zoom


def _paint_comment_count(
    painter: QPainter,
    font: QFont,
    color: QColor,
    count: int,
    right: float,
    top: float,
    h: float,
    zoom: float = 1.0,
) -> float:
    """A small speech bubble and the count, right-aligned at ``right``; the new right edge.
    (A drawn bubble rather than the 💬 emoji: not every machine has a colour emoji font.)"""
    text = str(count) if count < 1000 else "999+"
    bubble, label, new_right = comment_badge_geometry(font, count, right, top, h, zoom)
    bubble_w = bubble.width()
    path = QPainterPath()
    path.addRoundedRect(bubble, 2.5 * zoom, 2.5 * zoom)
    tail = QPainterPath()
    tail.moveTo(bubble.left() + bubble_w * 0.25, bubble.bottom() - 0.5 * zoom)
    tail.lineTo(bubble.left() + bubble_w * 0.2, bubble.bottom() + h * 0.2)
    tail.lineTo(bubble.left() + bubble_w * 0.5, bubble.bottom() - 0.5 * zoom)
    path = path.united(tail)
    painter.setPen(QPen(color, 1.2 * zoom))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawPath(path)
    painter.setFont(font)
    painter.setPen(color)
    painter.drawText(label, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)
    return new_right


def _two_lines(text: str, fm: QFontMetrics, width: int) -> list[str]:
    """Word-wrap ``text`` into at most two lines, eliding the second."""
    words = text.split()
    first = ""
    rest_start = len(words)
    for i, word in enumerate(words):
        candidate = f"{first} {word}" if first else word
        if fm.horizontalAdvance(candidate) > width:
            rest_start = i
            break
        first = candidate
    if not first:  # one very long word (or CJK without spaces): split by characters
        return (
            [fm.elidedText(text, Qt.TextElideMode.ElideRight, width)]
            if fm.horizontalAdvance(text) <= width
            else _split_chars(text, fm, width)
        )
    if rest_start >= len(words):
        return [first]
    second = " ".join(words[rest_start:])
    return [first, fm.elidedText(second, Qt.TextElideMode.ElideRight, width)]


def _split_chars(text: str, fm: QFontMetrics, width: int) -> list[str]:
    cut = len(text)
    while cut > 1 and fm.horizontalAdvance(text[:cut]) > width:
        cut -= 1
    return [text[:cut], fm.elidedText(text[cut:], Qt.TextElideMode.ElideRight, width)]
