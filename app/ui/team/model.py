"""The workload grid as a table model, and the delegate that paints each cell's load bar.

Rows: the people (by name), then "Unassigned" and "Total"; columns: the grid's sprints or
weeks. A cell shows "8 / 10 pts" over a bar coloured by its level (free, ok, over).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    Qt,
)
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from app.services.workload import WorkloadCellDTO, WorkloadDTO, fmt, short

CellRole = Qt.ItemDataRole.UserRole + 40  # the WorkloadCellDTO
LevelRole = Qt.ItemDataRole.UserRole + 41  # "free" | "ok" | "over" | "unknown" | "" (not a person)
MemberRole = Qt.ItemDataRole.UserRole + 42  # member id (None: unassigned / total)
KindRole = Qt.ItemDataRole.UserRole + 43  # "person" | "unassigned" | "total"

Index = QModelIndex | QPersistentModelIndex

# Fill colours of the load bar, one per level (readable with the dark text over them).
LEVEL_COLORS = {
    "free": QColor("#9ad29c"),
    "ok": QColor("#f3cf6b"),
    "over": QColor("#ec8a80"),
    "unknown": QColor("#cfd4da"),
}
TRACK = QColor("#eef0f3")
LEVEL_WORDS = {
    "free": "room for more (under 70%)",
    "ok": "about right (70% to 100%)",
    "over": "over capacity",
    "unknown": "capacity not known",
}


class WorkloadModel(QAbstractTableModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.grid: WorkloadDTO | None = None

    def set_grid(self, grid: WorkloadDTO | None) -> None:
        self.beginResetModel()
        self.grid = grid
        self.endResetModel()

    # --- shape ---------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """QAbstractItemModel::rowCount: the people, Unassigned, Total."""
        if parent.isValid() or self.grid is None:
            return 0
        return len(self.grid.rows) + 2

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() or self.grid is None:
            return 0
        return len(self.grid.columns)

    def kind(self, row: int) -> str:
        assert self.grid is not None
        if row < len(self.grid.rows):
            return "person"
        return "unassigned" if row == len(self.grid.rows) else "total"

    def cell(self, row: int, column: int) -> WorkloadCellDTO:
        assert self.grid is not None
        kind = self.kind(row)
        if kind == "person":
            return self.grid.rows[row].cells[column]
        if kind == "unassigned":
            return self.grid.unassigned[column]
        return self.grid.totals[column]

    def member_id(self, row: int) -> int | None:
        assert self.grid is not None
        return self.grid.rows[row].member_id if self.kind(row) == "person" else None

    def row_of(self, member_id: int | None) -> int:
        """The row of a person (None: the Unassigned row)."""
        assert self.grid is not None
        for i, r in enumerate(self.grid.rows):
            if r.member_id == member_id:
                return i
        return len(self.grid.rows)

    # --- data ----------------------------------------------------------------------------

    def cell_text(self, row: int, column: int) -> str:
        assert self.grid is not None
        cell = self.cell(row, column)
        unit = short(self.grid.unit)
        if self.kind(row) == "unassigned":
            cards = "card" if cell.card_count == 1 else "cards"
            return (
                f"{fmt(cell.assigned)} {unit} · {cell.card_count} {cards}"
                if cell.card_count
                else "—"
            )
        if cell.capacity is None and cell.assigned == 0 and cell.card_count == 0:
            return "—"
        return f"{fmt(cell.assigned)} / {fmt(cell.capacity)} {unit}"

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or self.grid is None:
            return None
        row, column = index.row(), index.column()
        kind = self.kind(row)
        cell = self.cell(row, column)
        if role == Qt.ItemDataRole.DisplayRole:
            return self.cell_text(row, column)
        if role == CellRole:
            return cell
        if role == LevelRole:
            return "" if kind == "unassigned" else cell.level
        if role == MemberRole:
            return self.member_id(row)
        if role == KindRole:
            return kind
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, column, cell)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            who = self.headerData(row, Qt.Orientation.Vertical)
            title = self.grid.columns[column].title
            level = "" if kind == "unassigned" else f", {LEVEL_WORDS[cell.level]}"
            return f"{who}, {title}: {self.cell_text(row, column)}{level}"
        return None

    def _tooltip(self, row: int, column: int, cell: WorkloadCellDTO) -> str:
        assert self.grid is not None
        unit = short(self.grid.unit)
        lines = [
            f"{self.headerData(row, Qt.Orientation.Vertical)} — {self.grid.columns[column].title}"
        ]
        lines.append(f"{cell.card_count} card(s), {fmt(cell.assigned)} {unit} assigned")
        if cell.unestimated_count:
            lines.append(f"{cell.unestimated_count} without an estimate in {self.grid.unit}")
        if self.kind(row) != "unassigned":
            if cell.capacity is None:
                lines.append(
                    "Capacity in points not known yet (no closed sprint); type it in the "
                    "sprint's capacity."
                )
            else:
                ratio = cell.ratio
                share = f" ({int(ratio * 100)}%)" if ratio is not None else ""
                lines.append(
                    f"Capacity {fmt(cell.capacity)} {unit}{share}: {LEVEL_WORDS[cell.level]}"
                )
            if cell.days_off:
                lines.append(f"{cell.days_off} day(s) off")
        if self.kind(row) != "total":
            lines.append("Drop a card here to give it to this cell.")
        return "\n".join(lines)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if self.grid is None:
            return None
        if orientation == Qt.Orientation.Horizontal:
            if section >= len(self.grid.columns):
                return None
            column = self.grid.columns[section]
            if role == Qt.ItemDataRole.DisplayRole:
                return f"{column.title} (active)" if column.state == "active" else column.title
            if role == Qt.ItemDataRole.ToolTipRole:
                lines = [column.title]
                if column.start is not None and column.end is not None:
                    lines.append(
                        f"{_day(column.start)} {column.start.year} – "
                        f"{_day(column.end)} {column.end.year}"
                    )
                else:
                    lines.append("No dates yet")
                lines.append(f"{column.working_days} working day(s)")
                if column.holidays:
                    days = ", ".join(_day(d) for d in column.holidays)
                    lines.append(f"Holidays: {days}")
                return "\n".join(lines)
            return None
        if section >= self.rowCount():
            return None
        kind = self.kind(section)
        if role == Qt.ItemDataRole.DisplayRole:
            if kind == "person":
                row = self.grid.rows[section]
                return row.display_name if row.active else f"{row.display_name} (former)"
            return "Unassigned" if kind == "unassigned" else "Total"
        if role == Qt.ItemDataRole.ToolTipRole and kind == "person":
            row = self.grid.rows[section]
            role_text = f"{row.role}, " if row.role else ""
            return (
                f"{row.display_name}: {role_text}{fmt(row.hours_per_day)} h a day\n"
                "Enter or double-click: their cards"
            )
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.kind(index.row()) != "total":
            base |= Qt.ItemFlag.ItemIsDropEnabled
        return base


def _day(day: dt.date) -> str:
    """ "Mon 7 Dec", as the planning dialog writes dates."""
    return f"{day:%a} {day.day} {day:%b}"


class LoadBarDelegate(QStyledItemDelegate):
    """A cell: a bar as long as the load (full when over) in the level's colour, and the
    "8 / 10 pts" text over it."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        cell = index.data(CellRole)
        level = index.data(LevelRole)
        painter.save()
        rect = option.rect.adjusted(3, 3, -3, -3)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.fillRect(rect, TRACK)
        if isinstance(cell, WorkloadCellDTO) and level:
            ratio = cell.ratio
            if ratio is None:
                fraction = (
                    1.0
                    if level == "over"
                    else (1.0 if level == "unknown" and cell.assigned else 0.0)
                )
            else:
                fraction = float(min(ratio, Decimal(1)))
            if fraction > 0:
                filled = QRect(
                    rect.left(), rect.top(), max(2, int(rect.width() * fraction)), rect.height()
                )
                painter.fillRect(filled, LEVEL_COLORS.get(level, LEVEL_COLORS["unknown"]))
        if level == "over":
            painter.setPen(QColor("#b3261e"))
            painter.drawRect(rect.adjusted(0, 0, -1, -1))
        if selected:  # an outline, so that the bar's colour stays readable
            pen = QPen(option.palette.highlight().color())
            pen.setWidth(3)
            painter.setPen(pen)
            painter.drawRect(option.rect.adjusted(1, 1, -2, -2))
        painter.setPen(QColor("#1d2330"))
        font = painter.font()
        if index.data(KindRole) == "total":
            font.setBold(True)
        painter.setFont(font)
        painter.drawText(
            rect.adjusted(6, 0, -6, 0),
            Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
            str(index.data()),
        )
        painter.restore()
