"""The backlog as one tree: planned and active sprints, then the backlog, each with its cards.

Sections are the top-level rows; cards are their children, in the project's single ranking.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractListModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont

from app.services.dto import CardDTO, SprintDTO
from app.ui.board_model import CARD_MIME, CardIdRole, CardRole, card_ids_from_mime
from app.ui.choices import CARD_TYPE_LABELS, PRIORITY_LABELS, label_for

Index = QModelIndex | QPersistentModelIndex

COLUMNS = ("Key", "Type", "Title", "Epic", "Points", "Priority", "Assignee", "Labels")
KEY, TYPE, TITLE, EPIC, POINTS, PRIORITY, ASSIGNEE, LABELS = range(len(COLUMNS))

SectionRole = Qt.ItemDataRole.UserRole + 20
SprintIdRole = Qt.ItemDataRole.UserRole + 21
UnestimatedRole = Qt.ItemDataRole.UserRole + 22

UNESTIMATED_TEXT = "—"
WARNING_COLOR = QColor("#b25e09")
SECTION_COLOR = QColor("#e9edf3")
PRIORITY_MARKS = {"highest": "⇈", "high": "↑", "medium": "=", "low": "↓", "lowest": "⇊"}

_SECTION = 0  # internalId of a section row; a card row's is its section's row + 1
_COLUMN_COUNT = len(COLUMNS)
# Combined once: flags() runs for every row the tree lays out.
_SECTION_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsDropEnabled
_CARD_FLAGS = (
    Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
)
_EDITABLE_CARD_FLAGS = _CARD_FLAGS | Qt.ItemFlag.ItemIsEditable


def fmt_points(points: Decimal) -> str:
    return f"{points.normalize():f}"


def short_date(day: object) -> str:
    return f"{day.day} {day:%b}" if day is not None else "?"  # type: ignore[attr-defined]


@dataclass
class Section:
    """One sprint (``sprint`` set) or the backlog (``sprint`` None) and its shown cards."""

    sprint: SprintDTO | None
    all_cards: list[CardDTO] = field(default_factory=list)  # unfiltered, in rank order
    cards: list[CardDTO] = field(default_factory=list)  # what the filter lets through

    @property
    def sprint_id(self) -> int | None:
        return self.sprint.id if self.sprint else None

    @property
    def name(self) -> str:
        return self.sprint.name if self.sprint else "Backlog"

    def points(self) -> Decimal:
        return sum((c.points for c in self.all_cards if c.points is not None), Decimal(0))

    def unestimated(self) -> int:
        return sum(1 for c in self.all_cards if c.points is None)

    def figures(self) -> str:
        """'21 pts · 2 unestimated · 7 cards'."""
        count = len(self.all_cards)
        parts = [f"{fmt_points(self.points())} pts"]
        if self.unestimated():
            parts.append(f"{self.unestimated()} unestimated")
        parts.append(f"{count} card" + ("" if count == 1 else "s"))
        if count == 0 and self.sprint is not None:
            parts.append("drag cards here to plan them")
        if len(self.cards) != count:
            parts.append(f"{len(self.cards)} shown")
        return " · ".join(parts)

    def title(self) -> str:
        if self.sprint is None:
            return f"Backlog  ·  {self.figures()}"
        s = self.sprint
        dates = f"{short_date(s.start_date)} – {short_date(s.end_date)}"
        return f"{s.name}  ·  {s.state}  ·  {dates}  ·  {self.figures()}"


class BacklogModel(QAbstractItemModel):
    """Sprint and backlog sections with their cards. Read-only except points and assignee,
    whose edits (like drops) come out as requests: the change returns as a notification."""

    drop_requested = Signal(object, int, int)  # card ids, section row, row within it
    edit_requested = Signal(int, object)  # card id, {field: value}

    def __init__(self, parent: object = None) -> None:
        super().__init__(parent)  # type: ignore[arg-type]
        self._sections: list[Section] = []
        self._members: dict[int, str] = {}

    # --- Qt model interface ----------------------------------------------------------------

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        """QAbstractItemModel::index."""
        # hasIndex() would call back into rowCount()/columnCount(): the tree asks for every
        # row of a 10,000-card backlog when it lays out, so check here in one go.
        if row < 0 or column < 0 or column >= _COLUMN_COUNT:
            return QModelIndex()
        if not parent.isValid():
            if row >= len(self._sections):
                return QModelIndex()
            return self.createIndex(row, column, _SECTION)
        if parent.internalId() != _SECTION or parent.column() != 0:
            return QModelIndex()
        section = parent.row()
        if row >= len(self._sections[section].cards):
            return QModelIndex()
        return self.createIndex(row, column, section + 1)

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        """QAbstractItemModel::parent."""
        if not index.isValid() or index.internalId() == _SECTION:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, _SECTION)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """QAbstractItemModel::rowCount."""
        if not parent.isValid():
            return len(self._sections)
        if parent.internalId() == _SECTION and parent.column() == 0:
            return len(self._sections[parent.row()].cards)
        return 0

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """QAbstractItemModel::columnCount."""
        return len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        """QAbstractItemModel::headerData."""
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(COLUMNS)
        ):
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """QAbstractItemModel::data."""
        if not index.isValid():
            return None
        if index.internalId() == _SECTION:
            return self._section_data(self._sections[index.row()], index.column(), role)
        card = self.card_at(index)
        if card is None:
            return None
        return self._card_data(card, index.column(), role)

    def setData(self, index: Index, value: object, role: int = Qt.ItemDataRole.EditRole) -> bool:
        """QAbstractItemModel::setData: asks for the edit; the row changes once it is saved."""
        card = self.card_at(index) if index.isValid() else None
        if card is None or role != Qt.ItemDataRole.EditRole:
            return False
        if index.column() == POINTS:
            text = "" if value is None else str(value).strip()
            current = "" if card.points is None else fmt_points(card.points)
            if text != current:
                self.edit_requested.emit(card.id, {"points": text or None})
        elif index.column() == ASSIGNEE:
            member_id = value if isinstance(value, int) and value > 0 else None
            if member_id != card.assignee_id:
                self.edit_requested.emit(card.id, {"assignee_id": member_id})
        return False

    def flags(self, index: Index) -> Qt.ItemFlag:
        """QAbstractItemModel::flags: cards drag; sections and the gaps accept drops."""
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled
        if index.internalId() == _SECTION:
            return _SECTION_FLAGS
        if index.column() in (POINTS, ASSIGNEE):
            return _EDITABLE_CARD_FLAGS
        return _CARD_FLAGS

    def supportedDropActions(self) -> Qt.DropAction:
        """QAbstractItemModel::supportedDropActions."""
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        """QAbstractItemModel::supportedDragActions."""
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        """QAbstractItemModel::mimeTypes."""
        return [CARD_MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        """QAbstractItemModel::mimeData: the dragged cards' ids, in rank order."""
        cards = {c.id: c for c in (self.card_at(i) for i in indexes if i.isValid()) if c}
        ids = [c.id for c in sorted(cards.values(), key=lambda c: c.rank)]
        mime = QMimeData()
        mime.setData(CARD_MIME, QByteArray(json.dumps(ids).encode()))
        return mime

    def canDropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        """QAbstractItemModel::canDropMimeData."""
        return data.hasFormat(CARD_MIME) and bool(self._sections)

    def dropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        """QAbstractItemModel::dropMimeData: ask for the move; rows change once it is saved."""
        ids = card_ids_from_mime(data) if data.hasFormat(CARD_MIME) else []
        if not ids or not self._sections:
            return False
        if parent.isValid() and parent.internalId() != _SECTION:  # on a card: in front of it
            row, parent = parent.row(), parent.parent()
        if parent.isValid():
            section_row = parent.row()
            if row < 0:
                row = len(self._sections[section_row].cards)
        elif 0 < row <= len(self._sections):  # between two section rows: end of the upper one
            section_row = row - 1
            row = len(self._sections[section_row].cards)
        elif row == 0:
            section_row = 0
        else:  # on the empty space below everything: the end of the backlog
            section_row = len(self._sections) - 1
            row = len(self._sections[section_row].cards)
        self.drop_requested.emit(ids, section_row, row)
        # False: the view must not remove the source rows itself (the store will move them).
        return False

    # --- what the backlog view does with it ------------------------------------------------

    def sections(self) -> list[Section]:
        return list(self._sections)

    def section_at(self, row: int) -> Section | None:
        return self._sections[row] if 0 <= row < len(self._sections) else None

    def section_row_of_sprint(self, sprint_id: int | None) -> int | None:
        for row, section in enumerate(self._sections):
            if section.sprint_id == sprint_id:
                return row
        return None

    def card_at(self, index: Index) -> CardDTO | None:
        if not index.isValid() or index.internalId() == _SECTION:
            return None
        section = self.section_at(index.internalId() - 1)
        if section is None or not 0 <= index.row() < len(section.cards):
            return None
        return section.cards[index.row()]

    def index_of(self, card_id: int, column: int = 0) -> QModelIndex:
        for s_row, section in enumerate(self._sections):
            for row, card in enumerate(section.cards):
                if card.id == card_id:
                    return self.index(row, column, self.index(s_row, 0))
        return QModelIndex()

    def neighbours_for_drop(
        self, ids: Sequence[int], section_row: int, row: int
    ) -> tuple[int | None, int | None]:
        """(card above, card below) for cards dropped in front of ``row`` of a section."""
        section = self._sections[section_row]
        moving = set(ids)
        row -= sum(1 for c in section.cards[:row] if c.id in moving)
        others = [c for c in section.cards if c.id not in moving]
        row = max(0, min(row, len(others)))
        above = others[row - 1].id if row > 0 else None
        below = others[row].id if row < len(others) else None
        return above, below

    def reset(
        self,
        sections: list[Section],
        members: dict[int, str],
    ) -> None:
        """Replace everything (any change: the view restores selection and expansion)."""
        self.beginResetModel()
        self._sections = sections
        self._members = members
        self.endResetModel()

    # --- helpers ---------------------------------------------------------------------------

    def _section_data(self, section: Section, column: int, role: int) -> object:
        if role == SectionRole:
            return section
        if role == SprintIdRole:
            return section.sprint_id
        if column != 0:
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return section.title()
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(SECTION_COLOR)
        if role == Qt.ItemDataRole.ToolTipRole and section.sprint and section.sprint.goal:
            return f"Goal: {section.sprint.goal}"
        return None

    def _card_data(self, card: CardDTO, column: int, role: int) -> object:
        if role == CardRole:
            return card
        if role == CardIdRole:
            return card.id
        if role == UnestimatedRole:
            return card.points is None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(card, column)
        if role == Qt.ItemDataRole.EditRole:
            if column == POINTS:
                return "" if card.points is None else fmt_points(card.points)
            if column == ASSIGNEE:
                return card.assignee_id or 0
            return self._text(card, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == POINTS and card.points is None:
                return "Unestimated: double-click to pick the story points"
            if column == TITLE:
                return f"{card.key}: {card.title}"
            if column == EPIC and card.parent_key:
                return f"{card.parent_key} {card.parent_title or ''}"
            return None
        if role == Qt.ItemDataRole.AccessibleTextRole:
            text = self._text(card, column)
            return "unestimated" if text == UNESTIMATED_TEXT else text
        if role == Qt.ItemDataRole.FontRole and column == POINTS and card.points is None:
            font = QFont()
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole and column == POINTS and card.points is None:
            return QBrush(WARNING_COLOR)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == POINTS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _text(self, card: CardDTO, column: int) -> str:
        if column == KEY:
            return card.key
        if column == TYPE:
            return label_for(card.type, CARD_TYPE_LABELS)
        if column == TITLE:
            return card.title
        if column == EPIC:
            return card.parent_title or ""
        if column == POINTS:
            return UNESTIMATED_TEXT if card.points is None else fmt_points(card.points)
        if column == PRIORITY:
            mark = PRIORITY_MARKS.get(card.priority, "")
            return f"{mark} {label_for(card.priority, PRIORITY_LABELS)}".strip()
        if column == ASSIGNEE:
            return card.assignee_name or "Unassigned"
        if column == LABELS:
            return ", ".join(sorted(lb.name for lb in card.labels))
        return ""


EpicRole = Qt.ItemDataRole.UserRole + 30


@dataclass(frozen=True)
class EpicProgress:
    epic: CardDTO | None  # None: the "All cards" row
    done: Decimal = Decimal(0)
    total: Decimal = Decimal(0)
    cards: int = 0

    def text(self) -> str:
        if self.epic is None:
            return "All cards"
        return (
            f"{self.epic.title}\n{self.epic.key} · "
            f"{fmt_points(self.done)} / {fmt_points(self.total)} pts done"
        )


class EpicListModel(QAbstractListModel):
    """'All cards' and then each epic with its progress; cards dropped on an epic join it."""

    drop_requested = Signal(object, object)  # card ids, epic id (None: no epic)

    def __init__(self, parent: object = None) -> None:
        super().__init__(parent)  # type: ignore[arg-type]
        self._rows: list[EpicProgress] = [EpicProgress(None)]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """QAbstractItemModel::rowCount."""
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """QAbstractItemModel::data."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return row.text()
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return row.text().replace("\n", ", ")
        if role == EpicRole:
            return row
        if role == Qt.ItemDataRole.ToolTipRole and row.epic is not None:
            return f"{row.cards} cards; drop cards here to put them into this epic"
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        """QAbstractItemModel::flags: every row accepts dropped cards."""
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDropEnabled
        )

    def supportedDropActions(self) -> Qt.DropAction:
        """QAbstractItemModel::supportedDropActions."""
        return Qt.DropAction.MoveAction | Qt.DropAction.CopyAction

    def mimeTypes(self) -> list[str]:
        """QAbstractItemModel::mimeTypes."""
        return [CARD_MIME]

    def canDropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        """QAbstractItemModel::canDropMimeData: only onto a row."""
        return data.hasFormat(CARD_MIME) and parent.isValid()

    def dropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        """QAbstractItemModel::dropMimeData: ask for the epic change."""
        ids = card_ids_from_mime(data) if data.hasFormat(CARD_MIME) else []
        if not ids or not parent.isValid():
            return False
        epic = self._rows[parent.row()].epic
        self.drop_requested.emit(ids, None if epic is None else epic.id)
        return False

    def epic_at(self, row: int) -> CardDTO | None:
        return self._rows[row].epic if 0 <= row < len(self._rows) else None

    def row_of(self, epic_id: int | None) -> int:
        for row, progress in enumerate(self._rows):
            if (progress.epic.id if progress.epic else None) == epic_id:
                return row
        return 0

    def progress(self) -> list[EpicProgress]:
        return list(self._rows)

    def reset(self, epics: list[CardDTO], cards: list[CardDTO], is_done: Predicate) -> None:
        rows = [EpicProgress(None)]
        by_parent: dict[int, list[CardDTO]] = {}
        for c in cards:  # one pass over the cards, not one per epic
            if c.parent_id is not None:
                by_parent.setdefault(c.parent_id, []).append(c)
        for epic in epics:
            mine = by_parent.get(epic.id, [])
            rows.append(
                EpicProgress(
                    epic,
                    sum((c.points or Decimal(0) for c in mine if is_done(c)), Decimal(0)),
                    sum((c.points or Decimal(0) for c in mine), Decimal(0)),
                    len(mine),
                )
            )
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()


Predicate = Callable[[CardDTO], bool]
