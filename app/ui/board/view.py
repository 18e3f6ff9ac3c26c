"""The board: a header per workflow column and a card list per column (and swimlane).

(~690 lines in one module: the board view and its columns' parts, which share one lane
layout.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cached_property

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListView,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.errors import DomainError
from app.metrics.points import format_points
from app.services.dto import CardDTO, CardMatch, ColumnDTO, Figures
from app.ui.board.delegate import CardDelegate, card_height
from app.ui.board.model import PAGE_SIZE, CardListModel
from app.ui.drags import drag_in_progress
from app.ui.paging import RowsBeyond
from app.ui.store import BoardStore, rank_order, recent_first
from app.words import plural

# A column's narrowest (at zoom 1): below it the board scrolls sideways. There is no
# widest: the columns share the window's width, however wide.
COLUMN_WIDTH = 270


def column_min_width(zoom: float) -> int:
    """The narrowest column at a zoom: it grows more slowly than the text (with the square
    root of the zoom), so that four columns at zoom 2 still fit 1920 px side by side and a
    wrapped title takes the difference."""
    return round(COLUMN_WIDTH * zoom**0.5)


COLUMN_NAME_PT = 11.0  # the column names' size at zoom 1 (style.qss says 11pt)
GROUPINGS = ("none", "assignee", "epic", "priority")
PRIORITY_ORDER = ("highest", "high", "medium", "low", "lowest")
# The card field each grouping's lanes stand for.
LANE_FIELDS = {"assignee": "assignee_id", "epic": "parent_id", "priority": "priority"}


@dataclass(frozen=True)
class BoardFilter:
    """What the person narrowed the board to. Empty fields match everything."""

    text: str = ""
    assignee_id: int | None = None  # -1: unassigned
    label_id: int | None = None
    card_type: str | None = None
    # The ids of the cards the text matches, as the database's search index answered once
    # for the whole board (BoardView asks it); None: each card's own text is searched.
    found: frozenset[int] | None = field(default=None, compare=False, repr=False)

    def is_active(self) -> bool:
        return bool(self.text.strip()) or any(
            v is not None for v in (self.assignee_id, self.label_id, self.card_type)
        )

    def as_match(self) -> CardMatch:
        """The filter as the services take it (BoardService.column_page's ``matching``)."""
        # The words as typed, one space apart: "fix " asks (and is remembered as) "fix".
        text = " ".join(self.text.split())
        return CardMatch(text, self.assignee_id, self.label_id, self.card_type)

    def matches(self, card: CardDTO) -> bool:
        if self.assignee_id is not None:
            if self.assignee_id == -1:
                if card.assignee_id is not None:
                    return False
            elif card.assignee_id != self.assignee_id:
                return False
        if self.label_id is not None and all(lb.id != self.label_id for lb in card.labels):
            return False
        if self.card_type is not None and card.type != self.card_type:
            return False
        words = self.words
        if not words:
            return True
        if self.found is not None:
            return card.id in self.found
        haystack = _haystack(card)
        if len(words) == 1:
            return words[0] in haystack
        return all(word in haystack for word in words)

    @cached_property
    def words(self) -> tuple[str, ...]:
        """The typed text as case-folded words (worked out once, not once per card)."""
        return tuple(self.text.strip().casefold().split())

    def noting(self, card: CardDTO) -> BoardFilter:
        """This filter with ``card`` (added or changed since the database was asked) matched
        by its own text, so that the answer follows the card without another query."""
        if self.found is None or not self.words:
            return self
        hit = all(word in _haystack(card) for word in self.words)
        if hit == (card.id in self.found):
            return self
        return replace(self, found=self.found | {card.id} if hit else self.found - {card.id})


# The text a filter searches, per card id, with the DTO it was made from: a keystroke
# re-filters every card, and DTOs are immutable, so the text is built once per DTO.
_HAYSTACKS: dict[int, tuple[CardDTO, str]] = {}


def _haystack(card: CardDTO) -> str:
    cached = _HAYSTACKS.get(card.id)
    if cached is not None and cached[0] is card:
        return cached[1]
    text = " ".join(
        (
            card.key,
            card.title,
            card.assignee_name or "",
            card.parent_title or "",
            " ".join(lb.name for lb in card.labels),
        )
    ).casefold()
    _HAYSTACKS[card.id] = (card, text)
    return text


@dataclass(frozen=True)
class Lane:
    key: object
    title: str


@dataclass(slots=True)
class _Totals:
    """A column's in-scope card count and story points."""

    count: int = 0
    points: Decimal = Decimal(0)

    @classmethod
    def of(cls, figures: Figures) -> _Totals:
        return cls(figures.count, figures.points)


def _figures_of(cards: list[CardDTO]) -> Figures:
    points = sum([c.points for c in cards if c.points], Decimal(0))
    return Figures(len(cards), points)


@dataclass
class _Cell:
    model: CardListModel
    view: CardListView
    lane: Lane | None
    bar: RowsBeyond | None = None  # a paged list's scroll bar, stretched by the rows not read


@dataclass
class _ColumnParts:
    column: ColumnDTO
    header: ColumnHeader
    cells: list[_Cell] = field(default_factory=list)


class CardListView(QListView):
    """A column's list of cards. Left/Right hop to the neighbouring column."""

    neighbour_requested = Signal(int)  # -1 left, +1 right
    activated_card = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setUniformItemSizes(True)
        # Columns share the window's width (no widest column): cards follow their list's
        # width when the window (or the zoom) changes it, not the width of the first layout.
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setMouseTracking(True)
        self.doubleClicked.connect(self._on_double_clicked)

    def startDrag(self, supported_actions: Qt.DropAction) -> None:
        """QAbstractItemView::startDrag, with changes from elsewhere held back meanwhile."""
        with drag_in_progress():
            super().startDrag(supported_actions)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """QWidget::keyPressEvent: arrows left/right move the focus between columns."""
        if event.modifiers() in (
            Qt.KeyboardModifier.NoModifier,
            Qt.KeyboardModifier.KeypadModifier,
        ):
            if event.key() == Qt.Key.Key_Left:
                self.neighbour_requested.emit(-1)
                return
            if event.key() == Qt.Key.Key_Right:
                self.neighbour_requested.emit(1)
                return
        super().keyPressEvent(event)

    def _on_double_clicked(self, index: QModelIndex) -> None:
        card = index.data(Qt.ItemDataRole.UserRole + 1)
        if card is not None:
            self.activated_card.emit(card.id)


class ColumnHeader(QFrame):
    """Name, card count, point sum and WIP limit; marked when over the limit."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("columnHeader")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(1)
        top = QHBoxLayout()
        self.name_label = QLabel()
        self.name_label.setObjectName("columnName")
        self.wip_label = QLabel()
        self.wip_label.setObjectName("wipLabel")
        top.addWidget(self.name_label, 1)
        top.addWidget(self.wip_label)
        layout.addLayout(top)
        self.stats_label = QLabel()
        self.stats_label.setObjectName("columnStats")
        layout.addWidget(self.stats_label)
        self.over_limit = False

    def set_zoom(self, zoom: float) -> None:
        """Scale the column's name and figures (styled labels do not follow the board's
        font: the stylesheet's fixed 11pt, and the app's size for the others)."""
        self.name_label.setStyleSheet(f"font-size: {COLUMN_NAME_PT * zoom:.1f}pt;")
        size = QApplication.font().pointSizeF() * zoom
        for label in (self.stats_label, self.wip_label):
            label.setStyleSheet(f"font-size: {size:.1f}pt;")

    def show_figures(
        self,
        column: ColumnDTO,
        total: int,
        shown: int | None,
        points: Decimal | None,
        filtered: bool,
    ) -> None:
        """``shown`` and ``points`` None: a filter's matches are being counted ("… of")."""
        self.name_label.setText(column.name)
        mark = "…" if shown is None else f"{shown:,}"
        count = f"{mark} of {plural(total, 'card')}" if filtered else plural(total, "card")
        if points is None:
            self.stats_label.setText(f"{count} · … pts")
        else:
            unit = "pt" if points == 1 else "pts"
            self.stats_label.setText(f"{count} · {format_points(points, grouped=True)} {unit}")
        self.over_limit = column.wip_limit is not None and total > column.wip_limit
        if column.wip_limit is None:
            self.wip_label.setText("")
            self.wip_label.setToolTip("")
        else:
            self.wip_label.setText(f"{total:,} / {column.wip_limit:,}")
            self.wip_label.setToolTip(
                f"Over its WIP limit of {column.wip_limit}"
                if self.over_limit
                else f"WIP limit {column.wip_limit}"
            )
        if self.property("overLimit") != self.over_limit:
            self.setProperty("overLimit", self.over_limit)
            self.style().unpolish(self)
            self.style().polish(self)
        self.setAccessibleName(
            f"{column.name}: {self.stats_label.text()}"
            + (f", over its WIP limit of {column.wip_limit}" if self.over_limit else "")
        )


class BoardView(QWidget):
    """Columns side by side, optionally split into swimlanes; cards painted by a delegate."""

    open_requested = Signal(int)
    # card, column, after, before, and the lane's field and value ({} without lanes): a
    # card dropped into another person's (epic's, priority's) lane takes that lane's value.
    move_requested = Signal(int, int, object, object, object)
    context_menu_requested = Signal(int, QPoint)  # card, global position
    current_card_changed = Signal(object)  # CardDTO | None

    def __init__(
        self,
        store: BoardStore,
        parent: QWidget | None = None,
        search: Callable[[int, str], frozenset[int] | None] | None = None,
    ) -> None:
        """``search``: (project id, text) -> the ids of the cards the text matches
        (``services.search.matching``), asked once a keystroke; without it, or when it
        answers None, the filter searches the text of the cards in memory."""
        super().__init__(parent)
        self._store = store
        self._search = search
        self._filter = BoardFilter()
        self._grouping = "none"
        self._scope_sprint_id: int | None = None
        self._columns: list[_ColumnParts] = []
        self._lane_labels: list[QLabel] = []  # one per lane, in lane order
        # Per column: (cards, points) of the cards in scope, whatever the filter and lanes,
        # for the headers and WIP limits. Kept up to date card by card, not re-summed.
        self._totals: dict[int, _Totals] = {}
        # Under a filter without lanes, per column: the matching cards' count and points as
        # the database counted them (a list holds a page of them), then kept card by card.
        # None: the lists hold every match, and the headers count what they hold.
        self._matched: dict[int, _Totals] | None = None
        # The matches' count is on its way (BoardStore.count_matches): the headers say so.
        self._counting = False
        self._delegate = CardDelegate(self)
        self._delegate.comment_count = store.comment_count
        self._delegate.blocked_by = store.blocked_by
        self._current_id: int | None = None
        self._zoom = 1.0
        self._base_font = QFont(self.font())

        self._scroll = QScrollArea(self)
        self._scroll.setWidgetResizable(True)
        self._scroll.setFrameShape(QFrame.Shape.NoFrame)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._scroll)
        self._empty = QLabel(self)
        self._container: QWidget | None = None

        store.board_reset.connect(self._rebuild)
        store.card_added.connect(self._on_card_added)
        store.card_changed.connect(self._on_card_changed)
        store.card_moved.connect(self._on_card_moved)
        store.card_removed.connect(self._on_card_removed)
        store.figures_stale.connect(self._on_figures_stale)
        store.matches_counted.connect(self._on_matches_counted)

    # --- public ------------------------------------------------------------------------

    @property
    def board_filter(self) -> BoardFilter:
        return self._filter

    @property
    def grouping(self) -> str:
        return self._grouping

    @property
    def counting(self) -> bool:
        """Whether the headers wait for the filter's matches to be counted ("… of")."""
        return self._counting

    def set_filter(self, board_filter: BoardFilter) -> None:
        if board_filter == self._filter:
            return
        if self._grouping == "none" and (
            self._pages_matches(board_filter) or self._matched is not None
        ):
            self._filter_pages(board_filter)
            return
        board_filter = self._with_matches(board_filter)
        old, self._filter = self._filter, board_filter
        # Typing on (more text, nothing else changed) can only narrow what each list shows:
        # test just the cards it shows now, not every card of the column.
        narrowing = (
            bool(old.words)
            and board_filter.text.startswith(old.text)
            and replace(old, text=board_filter.text) == board_filter
        )
        by_column = {} if narrowing else self._candidates(board_filter)
        for parts in self._columns:
            if narrowing:
                for cell in parts.cells:
                    cell.model.reset(cell.model.cards())
            else:
                # A cell only ever accepts cards of its column: hand it just those.
                cards = [c for c in by_column.get(parts.column.id, ()) if self._in_scope(c)]
                for cell in parts.cells:
                    cell.model.reset(cards)
            self._fit_cells(parts)
        self._refresh_headers()
        self._refresh_lanes()

    def _pages_matches(self, board_filter: BoardFilter) -> bool:
        """Whether the lists read their pages of ``board_filter``'s matches from the
        database: a filter without lanes (the first paint's too: its first read answers).
        Lanes sort every card into them: they filter the cards held."""
        return self._grouping == "none" and board_filter.is_active()

    def _filter_pages(self, board_filter: BoardFilter) -> None:
        """A new filter without lanes: each list reads the first page of its matches (or,
        the filter cleared, of its column) from the store; one grouped count of the
        matches for the headers. No card is read beyond the pages: the store stays partial."""
        old = self._filter
        if (
            self._matched is not None
            and old.as_match() == board_filter.as_match()
            and self._pages_matches(board_filter)
        ):
            self._filter = replace(board_filter, found=None)  # "fix " shows what "fix" does
            return
        self._filter = replace(board_filter, found=None)  # each card's own text decides
        # Cleared, a complete store's lists page too: handed every card of their column
        # they would sort and lay out 40,000 rows each at 200,000 cards.
        try:
            self._page_columns()
        except DomainError:  # the database cannot answer now: filter the cards in memory
            self._filter_held()
        self._refresh_headers()

    def _filter_held(self) -> None:
        """The lists filter every card (read once) themselves, as with lanes."""
        self._matched = None
        by_column = self._candidates(self._filter)
        for parts in self._columns:
            cards = [c for c in by_column.get(parts.column.id, ()) if self._in_scope(c)]
            for cell in parts.cells:
                cell.model.reset(cards)
            self._fit_cells(parts)

    def _page_columns(self) -> None:
        """Every list reads its first page from the store: of the filter's matches while one
        is active, else of its column. The matches' count (one grouped query) is started
        first and comes from a worker thread unless remembered (:meth:`_on_matches_counted`);
        while it is on its way the pages are found without knowing how common the matches
        are (BoardService.column_page's bounded walk)."""
        matching = self._filter.as_match() if self._pages_matches(self._filter) else None
        scope = self._scope_sprint_id
        self._counting = False
        if matching is None:
            self._matched = None
            self._store.read_first_pages(PAGE_SIZE, scope)
        else:  # the one grouped count of the matches (started first), and the pages
            figures = self._store.count_matches(scope, matching)
            empty: dict[int, float | None] = {}
            if figures is not None:  # counted already: a column without matches reads nothing
                empty = {c.id: 0.0 for c in self._store.columns if c.id not in figures}
            self._store.read_first_pages(PAGE_SIZE, scope, matching=matching, densities=empty)
            self._counting = figures is None
            self._matched = {c: _Totals.of(f) for c, f in (figures or {}).items()}
        densities: dict[int, float | None] = {}
        for parts in self._columns:
            column_id = parts.column.id
            density: float | None = None
            if self._matched is not None and not self._counting:
                found = self._matched.get(column_id)
                total = self._totals.get(column_id)
                if found is None or found.count == 0:
                    density = 0.0
                elif total is not None and total.count > 0:
                    density = min(1.0, found.count / total.count)
            densities[column_id] = density
        for parts in self._columns:
            column_id = parts.column.id
            density = densities[column_id]
            for cell in parts.cells:
                if density == 0.0:  # nothing matches here: no page to ask for
                    cell.model.reset_pages(lambda _offset, _limit: [])
                    continue
                cell.model.reset_pages(
                    lambda offset, limit, c=column_id, d=density: self._store.column_page(
                        c, offset, limit, scope, matching=matching, density=d
                    )
                )
            self._fit_cells(parts)

    def _candidates(self, board_filter: BoardFilter) -> dict[int, list[CardDTO]]:
        """The cards that may pass ``board_filter``, by column: those the search index
        found (the lists need not test the others), else all of them."""
        by_column = self._store.cards_by_column()
        found = board_filter.found
        if found is None or not board_filter.words:
            return by_column
        # In the store's order (the load's rank order, mostly): the lists sort less.
        return {column: [c for c in cards if c.id in found] for column, cards in by_column.items()}

    def _with_matches(self, board_filter: BoardFilter) -> BoardFilter:
        """The filter with the cards its text matches, asked of the database once for the
        board; as it is (each card's own text searched) without a search, a project or
        words, or when the database cannot answer now."""
        project = self._store.project
        if self._search is None or project is None or not board_filter.words:
            return replace(board_filter, found=None)
        try:
            found = self._search(project.id, board_filter.text)
        except DomainError:
            return replace(board_filter, found=None)
        return replace(board_filter, found=found)

    @property
    def sprint_scope(self) -> int | None:
        return self._scope_sprint_id

    def set_sprint_scope(self, sprint_id: int | None, rebuild: bool = True) -> None:
        """Show only one sprint's cards (a Scrum team's sprint board), or all (None).

        ``rebuild=False`` only records it, for a caller that knows a rebuild follows (the
        window presets the scope of a board being loaded, so it is built once)."""
        if sprint_id != self._scope_sprint_id:
            self._scope_sprint_id = sprint_id
            if rebuild:
                self._rebuild()

    def rebuild(self) -> None:
        """Build the columns and lists again from the store (after presetting scope etc.)."""
        self._rebuild()

    def set_grouping(self, grouping: str) -> None:
        if grouping not in GROUPINGS:
            grouping = "none"
        if grouping != self._grouping:
            self._grouping = grouping
            self._rebuild()

    def current_card(self) -> CardDTO | None:
        return self._store.card(self._current_id) if self._current_id is not None else None

    @property
    def zoom(self) -> float:
        return self._zoom

    def set_zoom(self, zoom: float) -> None:
        """Scale cards and text by ``zoom`` (the window's View › Zoom, app/ui/zoom.py)."""
        if zoom == self._zoom:
            return
        self._zoom = zoom
        self._apply_zoom()

    def _apply_zoom(self) -> None:
        font = QFont(self._base_font)
        font.setPointSizeF(self._base_font.pointSizeF() * self._zoom)
        self.setFont(font)
        self._delegate.zoom = self._zoom
        width = column_min_width(self._zoom)
        for parts in self._columns:
            parts.header.setMinimumWidth(width)
            parts.header.set_zoom(self._zoom)
            for cell in parts.cells:
                cell.view.setMinimumWidth(width)
                cell.view.setFont(font)
                cell.view.doItemsLayout()  # the rows' new height (uniform sizes are cached)
            self._fit_cells(parts)
        if self._container is not None:
            self._container.setFont(font)

    def column_parts(self) -> list[tuple[ColumnDTO, ColumnHeader, list[CardListModel]]]:
        """For tests and accessibility tools: what each column shows."""
        return [(p.column, p.header, [c.model for c in p.cells]) for p in self._columns]

    def shown_cards(self) -> list[CardDTO]:
        """Every card the board shows (filter, lanes and sprint scope applied), column by
        column in each list's order, whether its list has read it yet or not (an export
        is of the board, not of the pages read): reads every card if the store has not."""
        by_column = self._store.cards_by_column()
        shown: list[CardDTO] = []
        for parts in self._columns:
            for cell in parts.cells:
                model = cell.model
                cards = [c for c in by_column.get(parts.column.id, ()) if model.accepts(c)]
                cards.sort(key=model.order)
                shown += cards
        return shown

    def lane_titles(self) -> list[str]:
        if not self._columns:
            return []
        return [c.lane.title for c in self._columns[0].cells if c.lane is not None]

    def view_for(self, card_id: int) -> tuple[CardListView, int] | None:
        """The list showing the card and its row, the row fetched into the list if it was
        further down than the pages fetched so far."""
        for parts in self._columns:
            for cell in parts.cells:
                row = cell.model.row_of(card_id)
                if row is not None:
                    cell.model.fetch_to(row)
                    return cell.view, row
        return None

    def view_for_model(self, model: CardListModel) -> CardListView:
        for parts in self._columns:
            for cell in parts.cells:
                if cell.model is model:
                    return cell.view
        raise KeyError("that model is not on the board")

    def select_card(self, card_id: int, focus: bool = True) -> bool:
        found = self.view_for(card_id) or self._read_into_view(card_id)
        if found is None:
            return False
        view, row = found
        index = view.model().index(row, 0)
        view.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
        )
        view.scrollTo(index)
        self._on_current_changed(view, index)
        if focus:
            view.setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    def _read_into_view(self, card_id: int) -> tuple[CardListView, int] | None:
        """A card in none of the pages read yet: its list reads on down to it."""
        card = self._store.peek(card_id)
        if card is None:
            return None
        for cell in self._cells_of(card.column_id):
            row = cell.model.fetch_until(card)
            if row is not None:
                return cell.view, row
        return None

    def neighbours_in_view(self, card_id: int) -> tuple[CardDTO | None, CardDTO | None]:
        """The visible cards just above and below ``card_id`` in its list."""
        found = self.view_for(card_id)
        if found is None:
            return None, None
        view, row = found
        model: CardListModel = view.model()  # type: ignore[assignment]
        if row + 1 >= model.rowCount() and model.canFetchMore(QModelIndex()):
            model.fetchMore(QModelIndex())  # the last row read: the one below comes next
        return model.card_at(row - 1), model.card_at(row + 1)

    # --- building ------------------------------------------------------------------------

    def _in_scope(self, card: CardDTO) -> bool:
        # Epics are containers, not work items: they live in the epic lanes and filters.
        if card.type == "epic":
            return False
        return self._scope_sprint_id is None or card.sprint_id == self._scope_sprint_id

    def _visible_cards(self) -> list[CardDTO]:
        # In no particular order: each cell's model sorts its own cards.
        return [c for c in self._store.all_cards() if self._in_scope(c)]

    def _lanes(self) -> list[Lane]:
        if self._grouping == "assignee":
            lanes = [Lane(m.id, m.display_name) for m in self._store.members]
            return [*lanes, Lane(None, "Unassigned")]
        if self._grouping == "epic":
            lanes = [Lane(e.id, f"{e.key} {e.title}") for e in self._store.epics]
            return [*lanes, Lane(None, "No epic")]
        if self._grouping == "priority":
            return [Lane(p, p.capitalize()) for p in PRIORITY_ORDER]
        return []

    def _lane_key(self, card: CardDTO) -> object:
        # The same fields as LANE_FIELDS: a card's lane is the value a drop there sets.
        if self._grouping == "assignee":
            return card.assignee_id
        if self._grouping == "epic":
            return card.parent_id
        if self._grouping == "priority":
            return card.priority
        return None

    def _predicate(self, column_id: int, lane: Lane | None) -> Callable[[CardDTO], bool]:
        def accepts(card: CardDTO) -> bool:
            # _in_scope inlined: a keystroke in the filter runs this for every card.
            if card.column_id != column_id or card.type == "epic":
                return False
            scope = self._scope_sprint_id
            if scope is not None and card.sprint_id != scope:
                return False
            if lane is not None and self._lane_key(card) != lane.key:
                return False
            return self._filter.matches(card)

        return accepts

    def _rebuild(self) -> None:
        selected = self._current_id
        if self._pages_matches(self._filter):
            self._filter = replace(self._filter, found=None)  # each card's own text decides
        elif self._filter.words:  # another project, or a reload: ask again
            self._filter = self._with_matches(self._filter)
        old = self._scroll.takeWidget()
        if old is not None:
            old.deleteLater()
        self._columns = []
        self._lane_labels = []
        container = QWidget()
        container.setObjectName("boardCanvas")
        grid = QGridLayout(container)
        grid.setContentsMargins(10, 10, 10, 10)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(6)
        lanes: list[Lane | None] = list(self._lanes()) or [None]
        # A partial store (just loaded) and a list per column: each list reads its pages from
        # the store, of the whole column or of the filter's matches. A filter asked of the
        # database pages too (even a complete store: the search index answers sooner than a
        # scan of every card). Lanes sort every card: they read all.
        filtered_pages = self._pages_matches(self._filter)
        partial = not self._store.complete and lanes == [None]
        paged = partial or filtered_pages
        if partial and self._filter.is_active() and not filtered_pages:
            partial = paged = False  # a grouping with no lane to show: the cards held
        by_column: dict[int, list[CardDTO]] = {}
        for card in [] if partial else self._visible_cards():
            by_column.setdefault(card.column_id, []).append(card)
        # The headers' figures: from the database while the store holds a page of each
        # column, else counted from the cards held (all of them); then they follow each
        # change card by card (_count).
        if partial:
            figures = self._store.column_figures(self._scope_sprint_id)
        else:
            figures = {c: _figures_of(cs) for c, cs in by_column.items()}
        self._totals = {column_id: _Totals.of(f) for column_id, f in figures.items()}
        columns = self._store.columns
        width = column_min_width(self._zoom)
        self._delegate.today = self._store.today()
        self._delegate.done_columns = frozenset(c.id for c in columns if c.category == "done")
        for col_index, column in enumerate(columns):
            header = ColumnHeader()
            header.setMinimumWidth(width)
            header.set_zoom(self._zoom)
            grid.addWidget(header, 0, col_index)
            parts = _ColumnParts(column, header)
            for lane_index, lane in enumerate(lanes):
                # Without lanes a list pages its column; a lane's list is as tall as its
                # cards (the board scrolls, not the list) and holds them all.
                model = CardListModel(
                    column.id,
                    self._predicate(column.id, lane),
                    self,
                    order=recent_first if column.category == "done" else rank_order,
                    page_size=PAGE_SIZE if lane is None else None,
                )
                if not paged:
                    model.reset(by_column.get(column.id, []))  # a cell takes its column's
                model.drop_requested.connect(
                    lambda card, col, after, before, ln=lane: self._on_drop_requested(
                        card, col, after, before, ln
                    )
                )
                view = CardListView()
                view.setObjectName(f"cards-{column.id}")
                view.setItemDelegate(self._delegate)
                view.setModel(model)
                view.setMinimumWidth(width)
                view.setAccessibleName(
                    column.name if lane is None else f"{column.name}, {lane.title}"
                )
                view.selectionModel().currentChanged.connect(
                    lambda current, _previous, v=view: self._on_current_changed(v, current)
                )
                view.neighbour_requested.connect(
                    lambda step, c=col_index, li=lane_index: self._on_neighbour(c, li, step)
                )
                view.activated_card.connect(self.open_requested)
                view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
                view.customContextMenuRequested.connect(
                    lambda pos, v=view: self._on_context_menu(v, pos)
                )
                row = 1 + lane_index * 2
                if lane is not None and col_index == 0:
                    lane_label = QLabel(lane.title)
                    lane_label.setObjectName("laneHeader")
                    grid.addWidget(lane_label, row, 0, 1, max(1, len(columns)))
                    self._lane_labels.append(lane_label)
                if lane is None:
                    grid.addWidget(view, row + 1, col_index)
                else:
                    grid.addWidget(view, row + 1, col_index, Qt.AlignmentFlag.AlignTop)
                bar = None
                if lane is None:  # a lane's list is as tall as its cards: the board scrolls
                    bar = RowsBeyond(
                        view,
                        lambda c=column.id, m=model: self._rows_beyond(c, m),
                        model.fetch_rows,
                    )
                parts.cells.append(_Cell(model, view, lane, bar))
            self._columns.append(parts)
            self._fit_cells(parts)
        if paged:
            self._page_columns()
        else:
            self._matched = None
        for col_index in range(len(columns)):
            grid.setColumnStretch(col_index, 1)
        if lanes == [None]:
            grid.setRowStretch(2, 1)
        else:
            grid.setRowStretch(1 + len(lanes) * 2, 1)
        if not columns:
            grid.addWidget(
                QLabel("This board has no columns yet: add some in Board > Edit workflow."), 0, 0
            )
        self._scroll.setWidget(container)
        self._container = container
        self._refresh_headers()
        self._refresh_lanes()
        self._current_id = None
        if selected is not None and not self.select_card(selected, focus=False):
            self.current_card_changed.emit(None)

    def _refresh_lanes(self) -> None:
        """Each lane's title with the cards it shows; while a filter is on, a lane that
        shows no card is hidden (its title and its lists), so the matches sit together."""
        if not self._lane_labels or not self._columns:
            return
        filtered = self._filter.is_active()
        for index, label in enumerate(self._lane_labels):
            cells = [parts.cells[index] for parts in self._columns if index < len(parts.cells)]
            count = sum(cell.model.match_count() for cell in cells)
            lane = cells[0].lane if cells else None
            if lane is not None:
                label.setText(f"{lane.title}  ·  {plural(count, 'card')}")
            visible = count > 0 or not filtered
            label.setVisible(visible)
            for cell in cells:
                cell.view.setVisible(visible)

    def visible_lane_titles(self) -> list[str]:
        """The lanes a person sees now (all of them, or those with matches under a filter)."""
        return [
            label.text().split("  ·  ")[0] for label in self._lane_labels if not label.isHidden()
        ]

    def _fit_cells(self, parts: _ColumnParts) -> None:
        """Without lanes a list fills its column; in lanes each list is as tall as its cards."""
        for cell in parts.cells:
            height = card_height(self._zoom)
            if cell.lane is None:
                cell.view.setMinimumHeight(height)
                cell.view.setMaximumHeight(16_777_215)
                cell.view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
            else:
                rows = max(cell.model.rowCount(), 1)
                cell.view.setFixedHeight(rows * height + 6)

    def _refresh_headers(self, column_ids: set[int] | None = None) -> None:
        filtered = self._filter.is_active()
        for parts in self._columns:
            if column_ids is not None and parts.column.id not in column_ids:
                continue
            totals = self._totals.get(parts.column.id) or _Totals()
            count, points = totals.count, totals.points
            shown: int | None
            points_shown: Decimal | None = points
            if self._counting:  # "… of 40,831 cards" until the count comes
                shown = points_shown = None
            elif self._matched is not None:  # the lists hold a page of the matches
                matched = self._matched.get(parts.column.id) or _Totals()
                shown, points_shown = matched.count, matched.points
            else:
                shown = sum(cell.model.match_count() for cell in parts.cells)
                if filtered:
                    points_shown = sum((cell.model.points for cell in parts.cells), Decimal(0))
            parts.header.show_figures(parts.column, count, shown, points_shown, filtered)
            for cell in parts.cells:
                if cell.bar is not None:
                    cell.bar.refresh()

    def _rows_beyond(self, column_id: int, model: CardListModel) -> int:
        """The cards of a column's list below the rows it has: the header's count of what
        the list shows (from SQL while it reads pages; the filter's matches while they are
        paged, none while they are being counted) less its rows."""
        if not model.reads_pages():
            total = model.match_count()
        elif self._matched is not None:
            if self._counting:
                return 0
            matched = self._matched.get(column_id)
            total = matched.count if matched is not None else 0
        else:
            totals = self._totals.get(column_id)
            total = totals.count if totals is not None else 0
        return max(0, total - model.rowCount())

    def _count(self, card: CardDTO, sign: int) -> None:
        """Add (1) or take away (-1) a card from its column's totals if it is in scope."""
        if not self._in_scope(card):
            return
        totals = self._totals.setdefault(card.column_id, _Totals())
        totals.count += sign
        if card.points:
            totals.points += sign * card.points
        if self._matched is not None and not self._counting and self._filter.matches(card):
            matched = self._matched.setdefault(card.column_id, _Totals())
            matched.count += sign
            if card.points:
                matched.points += sign * card.points

    # --- store notifications ------------------------------------------------------------

    def _cells_of(self, column_id: int) -> list[_Cell]:
        for parts in self._columns:
            if parts.column.id == column_id:
                return parts.cells
        return []

    def _lane_missing(self, card: CardDTO) -> bool:
        if self._grouping == "none":
            return False
        key = self._lane_key(card)
        return all(
            cell.lane is None or cell.lane.key != key for cell in self._cells_of(card.column_id)
        )

    def _on_card_added(self, card: CardDTO) -> None:
        self._filter = self._filter.noting(card)
        if card.type != "epic" and not self._in_scope(card):
            return
        if self._lane_missing(card) or card.type == "epic":
            self._rebuild()
            return
        if self._store.complete:
            self._count(card, 1)  # a partial store follows up with figures_stale
        for cell in self._cells_of(card.column_id):
            cell.model.add(card)
        self._after_change({card.column_id})

    def _on_card_changed(self, old: CardDTO, new: CardDTO) -> None:
        self._filter = self._filter.noting(new)
        if self._lane_missing(new) or new.type == "epic" or old.type == "epic":
            self._rebuild()
            return
        self._count(old, -1)
        self._count(new, 1)
        for cell in self._cells_of(new.column_id):
            cell.model.update(new)
        self._after_change({new.column_id})

    def _on_card_moved(self, old: CardDTO, new: CardDTO) -> None:
        self._filter = self._filter.noting(new)
        self._count(old, -1)
        self._count(new, 1)
        if old.column_id != new.column_id:
            for cell in self._cells_of(old.column_id):
                cell.model.remove(old.id)
        for cell in self._cells_of(new.column_id):
            cell.model.update(new)
        self._after_change({old.column_id, new.column_id})

    def _on_card_removed(self, card: CardDTO) -> None:
        self._count(card, -1)
        for cell in self._cells_of(card.column_id):
            cell.model.remove(card.id)
        if self._current_id == card.id:
            self._current_id = None
            self.current_card_changed.emit(None)
        self._after_change({card.column_id})

    def _on_figures_stale(self) -> None:
        """A card this board had not read changed (it was further down a column, or new):
        where it was is not known, so the figures are counted again (one GROUP BY)."""
        figures = self._store.column_figures(self._scope_sprint_id)
        self._totals = {column_id: _Totals.of(f) for column_id, f in figures.items()}
        if self._matched is not None:
            counted = self._store.count_matches(self._scope_sprint_id, self._filter.as_match())
            self._counting = counted is None
            self._matched = {c: _Totals.of(f) for c, f in (counted or {}).items()}
        self._refresh_headers()

    def _on_matches_counted(self, sprint_id: object, matching: object, figures: object) -> None:
        """The count of this board's filter came (or could not be made: the headers then
        count the matches the lists hold)."""
        if not self._counting or sprint_id != self._scope_sprint_id:
            return
        if self._matched is None or matching != self._filter.as_match():
            return
        self._counting = False
        if isinstance(figures, dict):
            self._matched = {c: _Totals.of(f) for c, f in figures.items()}
        else:
            self._matched = None
        self._refresh_headers()

    def _after_change(self, column_ids: set[int]) -> None:
        for parts in self._columns:
            if parts.column.id in column_ids:
                self._fit_cells(parts)
        self._refresh_headers(column_ids)
        self._refresh_lanes()
        if self._current_id is not None:
            self.current_card_changed.emit(self.current_card())

    # --- interaction ---------------------------------------------------------------------

    def _on_current_changed(self, view: CardListView, current: QModelIndex) -> None:
        if not current.isValid():
            return
        card: CardDTO | None = current.data(Qt.ItemDataRole.UserRole + 1)
        for parts in self._columns:
            for cell in parts.cells:
                if cell.view is not view:
                    cell.view.selectionModel().clearSelection()
        self._current_id = card.id if card else None
        self.current_card_changed.emit(card)

    def _on_neighbour(self, column_index: int, lane_index: int, step: int) -> None:
        target = column_index + step
        if not 0 <= target < len(self._columns):
            return
        source_view = self._columns[column_index].cells[lane_index].view
        row = max(source_view.currentIndex().row(), 0)
        cell = self._columns[target].cells[lane_index]
        cell.view.setFocus(Qt.FocusReason.OtherFocusReason)
        count = cell.model.rowCount()
        if count:
            index = cell.model.index(min(row, count - 1), 0)
            cell.view.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            )
            # currentChanged is not emitted when the row was already current in that list.
            self._on_current_changed(cell.view, index)

    def _on_context_menu(self, view: CardListView, pos: QPoint) -> None:
        index = view.indexAt(pos)
        card: CardDTO | None = index.data(Qt.ItemDataRole.UserRole + 1) if index.isValid() else None
        if card is None:
            return
        self.select_card(card.id)
        self.context_menu_requested.emit(card.id, view.viewport().mapToGlobal(pos))

    def lane_values(self, lane: Lane | None) -> dict[str, object]:
        """The card field a lane stands for and its value, as update_card takes them."""
        name = LANE_FIELDS.get(self._grouping)
        if lane is None or name is None:
            return {}
        return {name: lane.key}

    def _on_drop_requested(
        self,
        card_id: int,
        column_id: int,
        after_id: object,
        before_id: object,
        lane: Lane | None = None,
    ) -> None:
        values = self.lane_values(lane)
        # Queued: the move changes the models, which must not happen inside the drop event.
        QTimer.singleShot(
            0, lambda: self.move_requested.emit(card_id, column_id, after_id, before_id, values)
        )
