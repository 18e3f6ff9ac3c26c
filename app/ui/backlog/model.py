"""The backlog as one tree: planned and active sprints, then the backlog, each with its cards.

Sections are the top-level rows; cards are their children, in the project's single ranking.

(~790 lines in one module: one tree model; its row bookkeeping, which keeps a card's change
to the rows it touches, is what most of it is.)
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractListModel,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont

from app.metrics.points import format_points
from app.services.dto import CardDTO, EpicFigures, Figures, SprintDTO
from app.ui.board.model import (
    CARD_MIME,
    CardDragDrop,
    CardIdRole,
    CardRole,
    card_ids_from_mime,
    card_mime_data,
)
from app.ui.choices import CARD_TYPE_LABELS, PRIORITY_LABELS, label_for
from app.words import plural

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
PAGE_SIZE = 100  # the backlog section's rows at first, and per fetch as it is scrolled
_COLUMN_COUNT = len(COLUMNS)
_LAST = _COLUMN_COUNT - 1
# Combined once: flags() runs for every row the tree lays out.
_SECTION_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsDropEnabled
# ItemNeverHasChildren spares the tree a rowCount() call per card each time it lays out.
_CARD_FLAGS = (
    Qt.ItemFlag.ItemIsEnabled
    | Qt.ItemFlag.ItemIsSelectable
    | Qt.ItemFlag.ItemIsDragEnabled
    | Qt.ItemFlag.ItemNeverHasChildren
)
_EDITABLE_CARD_FLAGS = _CARD_FLAGS | Qt.ItemFlag.ItemIsEditable


def short_date(day: object) -> str:
    return f"{day.day} {day:%b}" if day is not None else "?"  # type: ignore[attr-defined]


# data() compares the role it is asked for many times per painted cell: plain ints,
# not enum members (an enum comparison costs ten times as much).
_ACCESSIBLE_TEXT = int(Qt.ItemDataRole.AccessibleTextRole)
_BACKGROUND = int(Qt.ItemDataRole.BackgroundRole)
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_EDIT = int(Qt.ItemDataRole.EditRole)
_FONT = int(Qt.ItemDataRole.FontRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_TEXT_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
_TOOL_TIP = int(Qt.ItemDataRole.ToolTipRole)


PageSource = Callable[[str | None, int], list[CardDTO]]
"""(after this rank, at most this many) -> the next cards of a section, in rank order."""


@dataclass
class Section:
    """One sprint (``sprint`` set) or the backlog (``sprint`` None) and its shown cards.

    The rank lists run beside the card lists (ranks are unique in a project, so a card's
    place is found by bisecting its rank); the totals are kept, never summed on demand.
    ``recount`` sets them up after ``all_cards`` and ``cards`` were filled: from
    ``figures`` (the database's count, BoardService.section_figures) when given, else
    from the cards. Afterwards the view keeps them card by card (BacklogModel.account).

    A section with a ``source`` (the backlog: years of ideas) holds only what it has read
    so far: the model reads a page when it is reset and another each time the tree is
    scrolled to its end. ``read_to`` is the rank of the last card read; while there is
    ``more``, a card ranked beyond it is not held (a later page brings it), and
    ``shown_from_sql`` counts the cards the filter lets through (the source's query has the
    filter in it), for the "12 shown" of its title.
    """

    sprint: SprintDTO | None
    all_cards: list[CardDTO] = field(default_factory=list)  # unfiltered, in rank order
    cards: list[CardDTO] = field(default_factory=list)  # what the filter lets through
    figures_from_sql: Figures | None = field(default=None, repr=False)
    all_ranks: list[str] = field(default_factory=list, repr=False)
    ranks: list[str] = field(default_factory=list, repr=False)
    source: PageSource | None = field(default=None, repr=False)
    shown_from_sql: int | None = field(default=None, repr=False)
    read_to: str | None = field(default=None, repr=False)
    more: bool = field(default=False, repr=False)
    _count: int = field(default=0, repr=False)
    _points: Decimal = field(default=Decimal(0), repr=False)
    _unestimated: int = field(default=0, repr=False)
    _shown: int = field(default=0, repr=False)

    @property
    def sprint_id(self) -> int | None:
        return self.sprint.id if self.sprint else None

    @property
    def name(self) -> str:
        return self.sprint.name if self.sprint else "Backlog"

    def recount(self) -> None:
        self.all_ranks = [c.rank for c in self.all_cards]
        self.ranks = [c.rank for c in self.cards]
        if self.figures_from_sql is not None:
            figures = self.figures_from_sql
            self._count, self._points = figures.count, figures.points
            self._unestimated = figures.unestimated
        else:
            self._count = len(self.all_cards)
            self._points = sum(
                (c.points for c in self.all_cards if c.points is not None), Decimal(0)
            )
            self._unestimated = sum(1 for c in self.all_cards if c.points is None)
        self._shown = self.shown_from_sql if self.shown_from_sql is not None else self._count

    @property
    def rows(self) -> int:
        """The tree's rows of the section: every card it holds that the filter lets through
        (the backlog holds the pages read so far, and reads more as it is scrolled)."""
        return len(self.cards)

    def holds(self, rank: str) -> bool:
        """Whether a card of this rank belongs among the cards held (not beyond the pages
        read, which a later page brings)."""
        return not self.more or (self.read_to is not None and rank <= self.read_to)

    def read_page(self, limit: int) -> list[CardDTO]:
        """The source's next ``limit`` cards after those read (one more is asked for, to
        know whether there are more)."""
        if self.source is None:
            return []
        page = self.source(self.read_to, limit + 1)
        self.more = len(page) > limit
        page = page[:limit]
        if page:
            self.read_to = page[-1].rank
        return page

    def shown(self) -> int:
        """How many of the section's cards the filter lets through (held or not)."""
        return len(self.cards) if self.source is None else self._shown

    def set_figures(self, figures: Figures) -> None:
        """The totals as the database counts them now (counted again after a change)."""
        self.figures_from_sql = figures
        self._count, self._points = figures.count, figures.points
        self._unestimated = figures.unestimated

    def set_shown(self, count: int) -> None:
        """How many of its cards the filter lets through, as the database counts them."""
        self._shown = count

    def count(self, card: CardDTO, sign: int, shown: bool = True) -> None:
        """Add (1) or take away (-1) one card's share of the totals (``shown``: the filter
        lets it through)."""
        self._count += sign
        if shown:
            self._shown += sign
        if card.points is None:
            self._unestimated += sign
        else:
            self._points += sign * card.points

    def points(self) -> Decimal:
        return self._points

    def unestimated(self) -> int:
        return self._unestimated

    def figures(self) -> str:
        """'21 pts · 2 unestimated · 7 cards'."""
        count = self._count
        parts = [f"{format_points(self.points(), grouped=True)} pts"]
        if self.unestimated():
            parts.append(f"{self.unestimated():,} unestimated")
        parts.append(plural(count, "card"))
        if count == 0 and self.sprint is not None:
            parts.append("drag cards here to plan them")
        if self.shown() != count:
            parts.append(f"{self.shown():,} shown")
        return " · ".join(parts)

    def title(self) -> str:
        if self.sprint is None:
            return f"Backlog  ·  {self.figures()}"
        s = self.sprint
        dates = f"{short_date(s.start_date)} – {short_date(s.end_date)}"
        return f"{s.name}  ·  {s.state}  ·  {dates}  ·  {self.figures()}"


def _find(ranks: list[str], cards: list[CardDTO], rank: str, card_id: int) -> int | None:
    """The row of a card in a rank-ordered list, or None. Ranks are unique once a change has
    been applied, but a multi-card re-rank arrives one card at a time and may briefly give
    two cards the same key: look at every row holding the key."""
    row = bisect.bisect_left(ranks, rank)
    while row < len(ranks) and ranks[row] == rank:
        if cards[row].id == card_id:
            return row
        row += 1
    return None


VisibleRows = Callable[[int], "tuple[int, int] | None"]
"""For a section row: the first and last of its card rows the view shows, or None."""


class BacklogModel(CardDragDrop, QAbstractItemModel):
    """Sprint and backlog sections with their cards. Read-only except points and assignee,
    whose edits (like drops) come out as requests: the change returns as a notification."""

    drop_requested = Signal(object, int, int)  # card ids, section row, row within it
    edit_requested = Signal(int, object)  # card id, {field: value}

    def __init__(self, parent: object = None) -> None:
        super().__init__(parent)  # type: ignore[arg-type]
        self._sections: list[Section] = []
        self._members: dict[int, str] = {}
        # Every card in a section (shown or not): its section's row and its rank, so a card
        # is found by one dict look-up and a bisection, never by a scan.
        self._section_of: dict[int, int] = {}
        self._rank_of: dict[int, str] = {}
        self._placing = False  # inside place(): no page is fetched meanwhile

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
        if row >= self._sections[section].rows:
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
            return self._sections[parent.row()].rows
        return 0

    def canFetchMore(self, parent: Index) -> bool:
        """QAbstractItemModel::canFetchMore: a section with cards beyond its rows (QTreeView
        asks when it is scrolled to the bottom: the backlog, the last section)."""
        if self._placing:
            return False
        section = self._section_of_index(parent)
        return section is not None and section.more

    def fetchMore(self, parent: Index) -> None:
        """QAbstractItemModel::fetchMore: the section's next page of rows. Not while a
        change is under way: the tree asks from inside a row removal (its current row
        moves on), and rows must not be inserted in the middle of removing one."""
        section = None if self._placing else self._section_of_index(parent)
        if section is None:
            return
        if section.more:
            self._read_more(parent.row(), PAGE_SIZE)

    def _read_more(self, s_row: int, limit: int) -> int:
        """Read the next cards of a paged section into its rows; how many came."""
        section = self._sections[s_row]
        held = self._section_of
        page = [c for c in section.read_page(limit) if c.id not in held]
        if page:
            # Every card held is ranked at or before the last read (Section.holds): the
            # page goes after them all.
            start = len(section.cards)
            self.beginInsertRows(self.createIndex(s_row, 0, _SECTION), start, start + len(page) - 1)
            section.all_cards.extend(page)
            section.all_ranks.extend(c.rank for c in page)
            section.cards.extend(page)
            section.ranks.extend(c.rank for c in page)
            for card in page:
                held[card.id] = s_row
                self._rank_of[card.id] = card.rank
            self.endInsertRows()
        return len(page)

    def rows_beyond(self) -> int:
        """Rows of the last section (the backlog) below those the tree has: what its scroll
        bar adds to the rows read (app/ui/paging.py)."""
        if not self._sections:
            return 0
        section = self._sections[-1]
        return max(0, section.shown() - section.rows)

    def fetch_rows(self, count: int) -> None:
        """Give the tree at least ``count`` more rows of the last section (fewer at its end)."""
        if not self._sections or self._placing:
            return
        s_row = len(self._sections) - 1
        section = self._sections[s_row]
        target = section.rows + count
        while section.rows < target and section.more:
            if not self._read_more(s_row, min(max(target - section.rows, PAGE_SIZE), 5000)):
                break

    def reveal(self, s_row: int, rank: str) -> None:
        """Read a paged section's pages until a card of ``rank`` would be held (a card
        just added at the bottom of the backlog, to select it)."""
        section = self.section_at(s_row)
        while section is not None and section.more and not section.holds(rank):
            self._read_more(s_row, 10 * PAGE_SIZE)

    def _section_of_index(self, index: Index) -> Section | None:
        if not index.isValid() or index.internalId() != _SECTION or index.column() != 0:
            return None
        return self.section_at(index.row())

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """QAbstractItemModel::columnCount."""
        return len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        """QAbstractItemModel::headerData."""
        if (
            orientation == Qt.Orientation.Horizontal
            and role == _DISPLAY
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
        if card is None or role != _EDIT:
            return False
        if index.column() == POINTS:
            text = "" if value is None else str(value).strip()
            current = "" if card.points is None else format_points(card.points)
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

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        """QAbstractItemModel::mimeData: the dragged cards' ids, in rank order."""
        cards = {c.id: c for c in (self.card_at(i) for i in indexes if i.isValid()) if c}
        return card_mime_data([c.id for c in sorted(cards.values(), key=lambda c: c.rank)])

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
                row = self._sections[section_row].rows
        elif 0 < row <= len(self._sections):  # between two section rows: end of the upper one
            section_row = row - 1
            row = self._sections[section_row].rows
        elif row == 0:
            section_row = 0
        else:  # on the empty space below everything: the end of the backlog
            section_row = len(self._sections) - 1
            row = self._sections[section_row].rows
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
        if section is None or not 0 <= index.row() < section.rows:
            return None
        return section.cards[index.row()]

    def section_row_of_card(self, card_id: int) -> int | None:
        """The row of the section holding the card (shown or filtered out), or None."""
        return self._section_of.get(card_id)

    def index_of(self, card_id: int, column: int = 0) -> QModelIndex:
        s_row = self._section_of.get(card_id)
        if s_row is None:
            return QModelIndex()
        section = self._sections[s_row]
        row = _find(section.ranks, section.cards, self._rank_of[card_id], card_id)
        if row is None:
            return QModelIndex()
        return self.createIndex(row, column, s_row + 1)

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
        """Replace everything (a change of structure: the view restores selection and
        expansion). ``all_cards`` and ``cards`` of each section must be in rank order."""
        section_of: dict[int, int] = {}
        rank_of: dict[int, str] = {}
        for row, section in enumerate(sections):
            if section.source is not None:  # the first page, from the database
                section.read_to, section.more = None, False
                page = section.read_page(PAGE_SIZE)
                section.all_cards, section.cards = list(page), list(page)
            section.recount()
            for card in section.all_cards:
                section_of[card.id] = row
                rank_of[card.id] = card.rank
        self.beginResetModel()
        self._sections = sections
        self._members = members
        self._section_of = section_of
        self._rank_of = rank_of
        self.endResetModel()

    def place(
        self,
        card_id: int,
        card: CardDTO | None,
        section_row: int | None,
        shown: bool,
        visible: VisibleRows | None = None,
    ) -> bool:
        """Put one card where it now belongs, changing only the rows it affects.

        ``card`` None or ``section_row`` None: the card leaves the tree. ``shown``: the filter
        lets it through. ``visible`` (see ``_permute``): lets a re-rank within a section
        change the rows it passes over in place instead of moving a row. False: the model
        does not hold the card where it thinks it does; the caller should reset it.
        """
        self._placing = True
        try:
            return self._place(card_id, card, section_row, shown, visible)
        finally:
            self._placing = False

    def _place(
        self,
        card_id: int,
        card: CardDTO | None,
        section_row: int | None,
        shown: bool,
        visible: VisibleRows | None,
    ) -> bool:
        old_row = self._section_of.get(card_id)
        # Where it goes among the cards held: nowhere if it leaves the tree or is ranked
        # beyond the pages read (a later page brings it).
        target: tuple[int, CardDTO] | None = None
        if (
            card is not None
            and section_row is not None
            and self._sections[section_row].holds(card.rank)
        ):
            target = (section_row, card)
        if old_row is None:
            if target is not None:
                self._insert(target[0], target[1], shown)
            return True
        section = self._sections[old_row]
        rank = self._rank_of[card_id]
        at = _find(section.all_ranks, section.all_cards, rank, card_id)
        if at is None:
            return False
        row = _find(section.ranks, section.cards, rank, card_id)
        if target is None:
            self._remove(old_row, at, row)
            return True
        to_row, card = target
        if to_row == old_row and rank == card.rank:
            self._replace(old_row, at, row, card, shown)
            return True
        if row is None or not shown:
            self._remove(old_row, at, row)
            self._insert(to_row, card, shown)
            return True
        self._move(old_row, at, row, to_row, card, visible)
        return True

    def account(
        self,
        old: tuple[int | None, CardDTO, bool] | None,
        new: tuple[int | None, CardDTO, bool] | None,
    ) -> None:
        """Keep the sections' totals as one card changes: take ``old`` (section row, card,
        shown by the filter) out and put ``new`` in, held or not (a paged section counts
        what the database holds, not the rows it has read)."""
        changed: set[int] = set()
        for part, sign in ((old, -1), (new, 1)):
            if part is None or part[0] is None:
                continue
            s_row, card, shown = part
            self._sections[s_row].count(card, sign, shown)
            changed.add(s_row)
        for s_row in sorted(changed):
            self._header_changed(s_row)

    # --- changing rows -----------------------------------------------------------------------

    def _insert(self, s_row: int, card: CardDTO, shown: bool) -> None:
        section = self._sections[s_row]
        at = bisect.bisect_left(section.all_ranks, card.rank)
        section.all_cards.insert(at, card)
        section.all_ranks.insert(at, card.rank)
        self._section_of[card.id] = s_row
        self._rank_of[card.id] = card.rank
        if shown:
            self._show_row(s_row, card)
        self._header_changed(s_row)

    def _remove(self, s_row: int, at: int, row: int | None) -> None:
        section = self._sections[s_row]
        card = section.all_cards.pop(at)
        del section.all_ranks[at]
        del self._section_of[card.id]
        del self._rank_of[card.id]
        if row is not None:
            self._hide_row(s_row, row)
        self._header_changed(s_row)

    def _show_row(self, s_row: int, card: CardDTO) -> None:
        """Insert a card among a section's shown rows, in rank order."""
        section = self._sections[s_row]
        row = bisect.bisect_left(section.ranks, card.rank)
        self.beginInsertRows(self.createIndex(s_row, 0, _SECTION), row, row)
        section.cards.insert(row, card)
        section.ranks.insert(row, card.rank)
        self.endInsertRows()

    def _hide_row(self, s_row: int, row: int) -> None:
        """Take a shown row out of a section (the card stays among its cards)."""
        section = self._sections[s_row]
        self.beginRemoveRows(self.createIndex(s_row, 0, _SECTION), row, row)
        del section.cards[row]
        del section.ranks[row]
        self.endRemoveRows()

    def _replace(self, s_row: int, at: int, row: int | None, card: CardDTO, shown: bool) -> None:
        """Same section, same rank: repaint the row, or let it in or out of the filter."""
        section = self._sections[s_row]
        section.all_cards[at] = card
        if row is not None and shown:
            section.cards[row] = card
            self.dataChanged.emit(
                self.createIndex(row, 0, s_row + 1), self.createIndex(row, _LAST, s_row + 1)
            )
        elif row is not None:
            self._hide_row(s_row, row)
        elif shown:
            self._show_row(s_row, card)
        self._header_changed(s_row)

    def _move(
        self,
        s_row: int,
        at: int,
        row: int,
        to_row: int,
        card: CardDTO,
        visible: VisibleRows | None,
    ) -> None:
        """A shown card shown elsewhere: its own section at another rank, or another one."""
        source = self._sections[s_row]
        target = self._sections[to_row]
        source.all_cards.pop(at)
        del source.all_ranks[at]
        new_at = bisect.bisect_left(target.all_ranks, card.rank)
        target.all_cards.insert(new_at, card)
        target.all_ranks.insert(new_at, card.rank)
        self._section_of[card.id] = to_row
        self._rank_of[card.id] = card.rank
        if to_row == s_row:
            # Where it lands once taken out of its old row.
            ranks = source.ranks
            new_row = bisect.bisect_left(ranks, card.rank, 0, row)
            if new_row == row:
                new_row = bisect.bisect_left(ranks, card.rank, row + 1) - 1
            if new_row == row:
                source.cards[row] = card
                ranks[row] = card.rank
                self.dataChanged.emit(
                    self.createIndex(row, 0, s_row + 1), self.createIndex(row, _LAST, s_row + 1)
                )
            elif visible is not None:
                self._permute(s_row, row, new_row, card, visible)
            else:
                parent = self.createIndex(s_row, 0, _SECTION)
                destination = new_row + 1 if new_row > row else new_row
                self.beginMoveRows(parent, row, row, parent, destination)
                self._shift(source, row, new_row, card)
                self.endMoveRows()
        else:
            new_row = bisect.bisect_left(target.ranks, card.rank)
            self.beginMoveRows(
                self.createIndex(s_row, 0, _SECTION),
                row,
                row,
                self.createIndex(to_row, 0, _SECTION),
                new_row,
            )
            del source.cards[row]
            del source.ranks[row]
            target.cards.insert(new_row, card)
            target.ranks.insert(new_row, card.rank)
            self.endMoveRows()
        self._header_changed(s_row)
        if to_row != s_row:
            self._header_changed(to_row)

    def _permute(
        self, s_row: int, row: int, new_row: int, card: CardDTO, visible: VisibleRows
    ) -> None:
        """Move a card within its section by changing the rows between in place.

        A row move makes QTreeView lay out every expanded row again and repaint the viewport
        (its rowsMoved handler schedules a full layout): some 60 ms for 7,000 rows of a
        Python model, whereas the tree's shape is unchanged here. So the rows from ``row`` to
        ``new_row`` take their new cards, persistent indexes (selection, current index,
        editors) follow their cards as after endMoveRows, and dataChanged reports the rows
        of that stretch the view shows. The view restores a selection that spans rows.
        """
        section = self._sections[s_row]
        low, high = min(row, new_row), max(row, new_row)
        step = -1 if new_row > row else 1
        parent_id = s_row + 1
        moved_from: list[QModelIndex] = []
        moved_to: list[QModelIndex] = []
        for index in self.persistentIndexList():
            r = index.row()
            if index.internalId() == parent_id and low <= r <= high:
                moved_from.append(index)
                r = new_row if r == row else r + step
                moved_to.append(self.createIndex(r, index.column(), parent_id))
        self._shift(section, row, new_row, card)
        if moved_from:
            self.changePersistentIndexList(moved_from, moved_to)
        shown = visible(s_row)
        if shown is not None:
            first, last = max(low, shown[0]), min(high, shown[1])
            if first <= last:
                self.dataChanged.emit(
                    self.createIndex(first, 0, parent_id), self.createIndex(last, _LAST, parent_id)
                )

    @staticmethod
    def _shift(section: Section, row: int, new_row: int, card: CardDTO) -> None:
        del section.cards[row]
        del section.ranks[row]
        section.cards.insert(new_row, card)
        section.ranks.insert(new_row, card.rank)

    def set_figures(
        self,
        figures: dict[int | None, Figures],
        shown: dict[int | None, Figures] | None = None,
    ) -> None:
        """Each section's totals from the database (BoardService.section_figures), and
        under a filter what it lets through (``shown``: the same, of the filtered cards)."""
        for s_row, section in enumerate(self._sections):
            found = figures.get(section.sprint_id)
            if found is not None:
                section.set_figures(found)
                passed = None if shown is None else shown.get(section.sprint_id)
                section.set_shown(found.count if passed is None else passed.count)
                self._header_changed(s_row)

    def _header_changed(self, s_row: int) -> None:
        index = self.createIndex(s_row, 0, _SECTION)
        self.dataChanged.emit(index, index)

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
        if role == _FONT:
            font = QFont()
            font.setBold(True)
            return font
        if role == _BACKGROUND:
            return QBrush(SECTION_COLOR)
        if role == _TOOL_TIP and section.sprint and section.sprint.goal:
            return f"Goal: {section.sprint.goal}"
        return None

    def _card_data(self, card: CardDTO, column: int, role: int) -> object:
        if role == CardRole:
            return card
        if role == CardIdRole:
            return card.id
        if role == UnestimatedRole:
            return card.points is None
        if role == _DISPLAY:
            return self._text(card, column)
        if role == _EDIT:
            if column == POINTS:
                return "" if card.points is None else format_points(card.points)
            if column == ASSIGNEE:
                return card.assignee_id or 0
            return self._text(card, column)
        if role == _TOOL_TIP:
            if column == POINTS and card.points is None:
                return "Unestimated: double-click to pick the story points"
            if column == TITLE:
                return f"{card.key}: {card.title}"
            if column == EPIC and card.parent_key:
                return f"{card.parent_key} {card.parent_title or ''}"
            return None
        if role == _ACCESSIBLE_TEXT:
            text = self._text(card, column)
            return "unestimated" if text == UNESTIMATED_TEXT else text
        if role == _FONT and column == POINTS and card.points is None:
            font = QFont()
            font.setItalic(True)
            return font
        if role == _FOREGROUND and column == POINTS and card.points is None:
            return QBrush(WARNING_COLOR)
        if role == _TEXT_ALIGNMENT and column == POINTS:
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
            return UNESTIMATED_TEXT if card.points is None else format_points(card.points)
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
        if self.epic is None:  # two lines, as every epic's row (the list's rows are uniform)
            return "All cards\nwhatever their epic"
        return (
            f"{self.epic.title}\n{self.epic.key} · "
            f"{format_points(self.done)} / {format_points(self.total)} pts done"
        )


class EpicListModel(QAbstractListModel):
    """'All cards' and then each epic with its progress; cards dropped on an epic join it."""

    drop_requested = Signal(object, object)  # card ids, epic id (None: no epic)

    def __init__(self, parent: object = None) -> None:
        super().__init__(parent)  # type: ignore[arg-type]
        self._rows: list[EpicProgress] = [EpicProgress(None)]
        self._row_of: dict[int, int] = {}  # epic id -> row

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """QAbstractItemModel::rowCount."""
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """QAbstractItemModel::data."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == _DISPLAY:
            return row.text()
        if role == _ACCESSIBLE_TEXT:
            return row.text().replace("\n", ", ")
        if role == EpicRole:
            return row
        if role == _TOOL_TIP and row.epic is not None:
            return (
                f"{row.epic.key} {row.epic.title}\n"
                f"{plural(row.cards, 'card')}; drop cards here to put them into this epic"
            )
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
        return 0 if epic_id is None else self._row_of.get(epic_id, 0)

    def progress(self) -> list[EpicProgress]:
        return list(self._rows)

    def reset(self, epics: list[CardDTO], progress: dict[int, EpicFigures]) -> None:
        """Every epic with its progress as the database counts it (BoardService.epic_progress)."""
        rows = [EpicProgress(None)] + [_progress(epic, progress.get(epic.id)) for epic in epics]
        self.beginResetModel()
        self._rows = rows
        self._row_of = {epic.id: row for row, epic in enumerate(epics, start=1)}
        self.endResetModel()

    def set_progress(self, progress: dict[int, EpicFigures]) -> None:
        """The epics' progress counted again (the same epics): repaint those that changed."""
        for row in range(1, len(self._rows)):
            old = self._rows[row]
            new = _progress(old.epic, progress.get(old.epic.id))  # type: ignore[union-attr]
            if new != old:
                self._rows[row] = new
                index = self.index(row)
                self.dataChanged.emit(index, index)

    def update_card(self, old: CardDTO | None, new: CardDTO | None, is_done: Predicate) -> None:
        """One (non-epic) card changed: take its old share out of its epic's progress and
        add its new one, repainting only the epics whose figures changed."""
        deltas: dict[int, tuple[Decimal, Decimal, int]] = {}
        for card, sign in ((old, -1), (new, 1)):
            if card is None or card.parent_id is None or card.type == "epic":
                continue
            row = self._row_of.get(card.parent_id)
            if row is None:
                continue
            points = card.points or Decimal(0)
            done, total, count = deltas.get(row, (Decimal(0), Decimal(0), 0))
            deltas[row] = (
                done + (sign * points if is_done(card) else 0),
                total + sign * points,
                count + sign,
            )
        for row, (done, total, count) in deltas.items():
            if not (done or total or count):
                continue
            p = self._rows[row]
            self._rows[row] = EpicProgress(p.epic, p.done + done, p.total + total, p.cards + count)
            index = self.index(row)
            self.dataChanged.emit(index, index)


Predicate = Callable[[CardDTO], bool]


def _progress(epic: CardDTO, figures: EpicFigures | None) -> EpicProgress:
    if figures is None:
        return EpicProgress(epic)
    return EpicProgress(epic, figures.done_points, figures.points, figures.cards)
