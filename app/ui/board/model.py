"""One list model per board cell (a column, or a column within a swimlane)."""

from __future__ import annotations

import bisect
import html
import json
from collections.abc import Callable, Sequence
from decimal import Decimal

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from app.services.dto import CardDTO
from app.ui.store import rank_order

CARD_MIME = "application/x-sprintdeck-card"

CardRole = Qt.ItemDataRole.UserRole + 1
KeyRole = Qt.ItemDataRole.UserRole + 2
CardIdRole = Qt.ItemDataRole.UserRole + 3

Index = QModelIndex | QPersistentModelIndex
Predicate = Callable[[CardDTO], bool]
PageSource = Callable[[int, int], list[CardDTO]]  # (offset, limit) -> the cards there

# Rows a column shows at first and adds each time its list is scrolled to the end: what a
# screen shows plus a margin, so a 10,000-card column lays out and paints 100 rows, not all.
PAGE_SIZE = 100


# data() compares the role it is asked for many times per painted cell: plain ints,
# not enum members (an enum comparison costs ten times as much).
_ACCESSIBLE_TEXT = int(Qt.ItemDataRole.AccessibleTextRole)
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_TOOL_TIP = int(Qt.ItemDataRole.ToolTipRole)


class CardDragDrop:
    """Mix into a model (before its Qt base) whose rows are cards that move by drag and drop:
    a drag carries card ids (:func:`card_mime_data`) and always means "move"."""

    def supportedDropActions(self) -> Qt.DropAction:
        """QAbstractItemModel::supportedDropActions."""
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        """QAbstractItemModel::supportedDragActions."""
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        """QAbstractItemModel::mimeTypes."""
        return [CARD_MIME]


class CardListModel(CardDragDrop, QAbstractListModel):
    """The cards of one column (and lane) that pass the filter, in rank order (a done
    column: most recently finished first, see :func:`recent_first`).

    Either the model is handed all of its cards (:meth:`reset`) and shows the view a page
    of them at first (``PAGE_SIZE``), or it holds just the pages read so far from a source
    (:meth:`reset_pages`: the store's :meth:`~app.ui.store.BoardStore.column_page`, read
    from the database while the store is partial). Either way the view asks for the next
    page when it is scrolled to the end (``canFetchMore``/``fetchMore``), and
    :meth:`fetch_to` / :meth:`fetch_until` bring a card further down into view (selecting
    it by key). A card that lands beyond the pages read is left for a later page.

    Rows change only inside begin/end pairs so views keep selection and scroll position;
    a card that changes beyond the rows shown changes no row. Dropping cards does not move
    rows here: it emits ``drop_requested`` and the move comes back, like every other
    change, as a store notification.
    """

    drop_requested = Signal(int, int, object, object)  # card_id, column_id, after_id, before_id

    def __init__(
        self,
        column_id: int,
        accepts: Predicate,
        parent: object = None,
        *,
        order: Callable[[CardDTO], object] = rank_order,
        page_size: int | None = PAGE_SIZE,
    ) -> None:
        """``page_size`` None shows every card at once (a swimlane's list, as tall as its
        cards, is never scrolled by itself)."""
        super().__init__(parent)  # type: ignore[arg-type]
        self.column_id = column_id
        self._accepts = accepts
        self._order = order
        self._page_size = page_size
        self._cards: list[CardDTO] = []
        # Kept in step with _cards: sort keys are unique (ranks are unique in a project), so
        # a card's row is found by bisecting its key (a move on a 10,000-card board touches
        # two rows, not all).
        self._ranks: list[object] = []
        self._rank_of: dict[int, object] = {}
        self._points = Decimal(0)
        self._loaded = 0  # rows the view has: the first _loaded of _cards
        # Reading pages from a source: _cards is what was read (all of it shown), _more
        # whether the source has cards beyond it.
        self._source: PageSource | None = None
        self._more = False

    # --- Qt model interface ----------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """QAbstractItemModel::rowCount: the rows fetched so far."""
        return 0 if parent.isValid() else self._loaded

    def canFetchMore(self, parent: Index) -> bool:
        """QAbstractItemModel::canFetchMore: cards beyond the rows shown."""
        if parent.isValid():
            return False
        return self._more if self._source is not None else self._loaded < len(self._cards)

    def fetchMore(self, parent: Index) -> None:
        """QAbstractItemModel::fetchMore: the next page (the view scrolled to the end)."""
        if parent.isValid() or self._page_size is None:
            return
        if self._source is not None:
            self._read_more(self._page_size)
        else:
            self._show_rows(self._loaded + self._page_size)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """QAbstractItemModel::data."""
        if not index.isValid() or not 0 <= index.row() < self._loaded:
            return None
        card = self._cards[index.row()]
        if role == CardRole:
            return card
        if role == _DISPLAY:
            return f"{card.key} {card.title}"
        if role == KeyRole:
            return card.key
        if role == CardIdRole:
            return card.id
        if role == _TOOL_TIP:
            return _tooltip(card)
        if role == _ACCESSIBLE_TEXT:
            return f"{card.key}: {card.title}"
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        """QAbstractItemModel::flags: cards drag; the gaps between them accept drops."""
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled
        return (
            Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
        )

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        """QAbstractItemModel::mimeData: the dragged cards' ids."""
        return card_mime_data([self._cards[i.row()].id for i in indexes if i.isValid()])

    def canDropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        """QAbstractItemModel::canDropMimeData."""
        return data.hasFormat(CARD_MIME)

    def dropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        """QAbstractItemModel::dropMimeData: ask for a move; rows change when it is saved."""
        if not data.hasFormat(CARD_MIME):
            return False
        ids = card_ids_from_mime(data)
        if not ids:
            return False
        if row < 0:  # below the last row shown: after it, before the cards not fetched yet
            row = parent.row() if parent.isValid() else self._loaded
        card_id = ids[0]
        after_id, before_id = self.neighbours_for_drop(card_id, row)
        self.drop_requested.emit(card_id, self.column_id, after_id, before_id)
        # False: the view must not remove the source row itself (the store will move it).
        return False

    # --- what the board does with it -------------------------------------------------------

    def neighbours_for_drop(self, card_id: int, row: int) -> tuple[int | None, int | None]:
        """(card above, card below) for a card dropped in front of ``row``."""
        others = [c for c in self._cards if c.id != card_id]
        dragged_row = self.row_of(card_id)
        if dragged_row is not None and dragged_row < row:
            row -= 1
        row = max(0, min(row, len(others)))
        above = others[row - 1].id if row > 0 else None
        below = others[row].id if row < len(others) else None
        return above, below

    def cards(self) -> list[CardDTO]:
        """Every card the list holds, fetched into the view or not, in its order."""
        return list(self._cards)

    def accepts(self, card: CardDTO) -> bool:
        """Whether the card belongs in this list (its column, lane, scope and filter)."""
        return self._accepts(card)

    def order(self, card: CardDTO) -> object:
        """The card's sort key in this list."""
        return self._order(card)

    def match_count(self) -> int:
        """How many cards the list holds (what "3 of 40 cards" counts), fetched or not."""
        return len(self._cards)

    def card_at(self, row: int) -> CardDTO | None:
        return self._cards[row] if 0 <= row < len(self._cards) else None

    def row_of(self, card_id: int) -> int | None:
        """The card's row in the list, which may lie beyond the rows fetched (fetch_to)."""
        rank = self._rank_of.get(card_id)
        return None if rank is None else bisect.bisect_left(self._ranks, rank)

    def reset_pages(self, source: PageSource) -> None:
        """Replace everything with the first page ``source`` gives; the next pages are read
        from it as the view scrolls. For a list whose filter lets every card of its column
        through (the source reads them in this model's order)."""
        page = self._page_size or PAGE_SIZE
        first = [c for c in source(0, page) if self._accepts(c)]
        self.beginResetModel()
        self._source = source
        self._cards = first
        self._ranks = [self._order(c) for c in first]
        self._rank_of = {c.id: key for c, key in zip(first, self._ranks, strict=True)}
        self._points = sum([c.points for c in first if c.points], Decimal(0))
        self._loaded = len(first)
        self._more = len(first) == page
        self.endResetModel()

    def _read_more(self, limit: int) -> None:
        """Read the next ``limit`` cards from the source, after the rows held."""
        assert self._source is not None
        got = self._source(len(self._cards), limit)
        self._more = len(got) == limit
        last = self._ranks[-1] if self._ranks else None
        tail = []
        for card in got:
            if card.id in self._rank_of or not self._accepts(card):
                continue
            key = self._order(card)
            if last is None or key > last:  # type: ignore[operator]
                tail.append((card, key))
                last = key
        if not tail:
            return
        start = len(self._cards)
        self.beginInsertRows(QModelIndex(), start, start + len(tail) - 1)
        for card, key in tail:
            self._cards.append(card)
            self._ranks.append(key)
            self._rank_of[card.id] = key
            if card.points:
                self._points += card.points
        self._loaded = len(self._cards)
        self.endInsertRows()

    def reads_pages(self) -> bool:
        """Whether the list reads its cards from a source page by page (else it holds them)."""
        return self._source is not None

    def fetch_rows(self, count: int) -> None:
        """Give the view at least ``count`` more rows (fewer at the list's end): read from
        the source (a few pages at a time), or shown from the cards held."""
        if self._source is None:
            self._show_rows(self._loaded + count)
            return
        target = self._loaded + count
        while self._loaded < target and self._more:
            before = self._loaded
            self._read_more(min(max(target - self._loaded, PAGE_SIZE), 5000))
            if self._loaded == before:
                break

    def fetch_until(self, card: CardDTO) -> int | None:
        """Read pages until ``card`` is among the rows (reading twice as much each time);
        its row, or None when the list does not hold it."""
        row = self.row_of(card.id)
        if row is None and not self._accepts(card):
            return None
        step = self._page_size or PAGE_SIZE
        while row is None and self._source is not None and self._more:
            if self._ranks and self._order(card) < self._ranks[-1]:  # type: ignore[operator]
                return None  # it would be among the rows read: it is not in this list
            self._read_more(step)
            step *= 2
            row = self.row_of(card.id)
        if row is not None:
            self.fetch_to(row)
        return row

    def fetch_to(self, row: int) -> None:
        """Fetch the rows down to ``row`` (and the rest of its page) into the view."""
        if row >= self._loaded:
            page = self._page_size or 1
            self._show_rows((row // page + 1) * page)

    def _show_rows(self, count: int) -> None:
        count = min(count, len(self._cards))
        if count <= self._loaded:
            return
        self.beginInsertRows(QModelIndex(), self._loaded, count - 1)
        self._loaded = count
        self.endInsertRows()

    def _first_rows(self, total: int) -> int:
        """How many rows a reset shows: a page, or as many as were fetched before (a filter
        keystroke must not scroll a person back to the top)."""
        if self._page_size is None:
            return total
        return min(total, max(self._page_size, self._loaded))

    def __contains__(self, card_id: int) -> bool:
        return card_id in self._rank_of

    @property
    def points(self) -> Decimal:
        """The story points of the cards shown (kept up to date, never summed on demand)."""
        return self._points

    def set_predicate(self, accepts: Predicate) -> None:
        self._accepts = accepts

    def reset(self, cards: Sequence[CardDTO]) -> None:
        """Replace everything (project switch, filter change, reload). Nothing happens when
        the list would stay the same: a keystroke in the filter leaves most lists alone, and
        a reset makes the view lay out and repaint every row."""
        order = self._order
        shown = [c for c in cards if self._accepts(c)]
        shown.sort(key=order)
        if shown == self._cards and self._source is None:
            return
        self.beginResetModel()
        self._source = None
        self._more = False
        self._cards = shown
        self._ranks = [order(c) for c in self._cards]
        self._rank_of = {c.id: key for c, key in zip(self._cards, self._ranks, strict=True)}
        self._points = sum([c.points for c in self._cards if c.points], Decimal(0))
        self._loaded = self._first_rows(len(shown))
        self.endResetModel()

    def add(self, card: CardDTO) -> None:
        if card.id in self._rank_of or not self._accepts(card):
            return
        key = self._order(card)
        row = bisect.bisect_left(self._ranks, key)
        # Among the rows shown (or just after them when all are shown): a new row. Further
        # down, among the cards not fetched yet, no row changes.
        visible = row < self._loaded or self._loaded == len(self._cards)
        if self._source is not None:
            visible = row < len(self._cards) or not self._more
            if not visible:
                return  # beyond the pages read: a later page reads it
        if visible:
            self.beginInsertRows(QModelIndex(), row, row)
        self._cards.insert(row, card)
        self._ranks.insert(row, key)
        self._rank_of[card.id] = key
        if card.points:
            self._points += card.points
        if visible:
            self._loaded += 1
            self.endInsertRows()

    def remove(self, card_id: int) -> None:
        row = self.row_of(card_id)
        if row is None:
            return
        visible = row < self._loaded
        if visible:
            self.beginRemoveRows(QModelIndex(), row, row)
        card = self._cards.pop(row)
        del self._ranks[row]
        del self._rank_of[card_id]
        if card.points:
            self._points -= card.points
        if visible:
            self._loaded -= 1
            self.endRemoveRows()

    def update(self, card: CardDTO) -> None:
        """A card changed: repaint it, move it within the list, or let it in or out."""
        row = self.row_of(card.id)
        if row is None:
            self.add(card)
            return
        if not self._accepts(card):
            self.remove(card.id)
            return
        if self._ranks[row] == self._order(card):
            old_points = self._cards[row].points
            if old_points != card.points:
                self._points += (card.points or 0) - (old_points or 0)
            self._cards[row] = card
            if row < self._loaded:
                index = self.index(row)
                self.dataChanged.emit(index, index)
            return
        self.remove(card.id)
        self.add(card)


def card_mime_data(ids: list[int]) -> QMimeData:
    """A drag's payload: the card ids, in order."""
    mime = QMimeData()
    mime.setData(CARD_MIME, QByteArray(json.dumps(ids).encode()))
    return mime


def card_ids_from_mime(data: QMimeData) -> list[int]:
    try:
        ids = json.loads(bytes(data.data(CARD_MIME).data()).decode())
    except (ValueError, UnicodeDecodeError):
        return []
    return [i for i in ids if isinstance(i, int)]


def _tooltip(card: CardDTO) -> str:
    e = html.escape
    lines = [f"<b>{e(card.key)}</b> · {e(card.type)} · {e(card.priority)} priority", e(card.title)]
    if card.points is not None:
        lines.append(f"{card.points.normalize():f} story points")
    if card.assignee_name:
        lines.append(f"Assignee: {e(card.assignee_name)}")
    if card.parent_key:
        lines.append(f"Epic: {e(card.parent_key)} {e(card.parent_title or '')}")
    if card.labels:
        lines.append("Labels: " + e(", ".join(lb.name for lb in card.labels)))
    if card.blocked:
        lines.append(f"<b>Blocked</b>: {e(card.blocked_reason or 'no reason given')}")
    return "<br>".join(lines)
