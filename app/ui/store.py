"""The board's client-side state, fed by service notifications, as past-tense Qt signals."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal

from app.errors import DomainError
from app.services.dto import (
    BoardDTO,
    CardDTO,
    CardMatch,
    ColumnDTO,
    EpicFigures,
    Figures,
    LabelDTO,
    MemberDTO,
    ProjectDTO,
    SprintDTO,
)
from app.services.events import Change, ChangeKind

if TYPE_CHECKING:
    from app.services import Services

_RELOADING_KINDS = {
    ChangeKind.COLUMNS_CHANGED,
    ChangeKind.MEMBERS_CHANGED,
    ChangeKind.LABELS_CHANGED,
    ChangeKind.PROJECT_CHANGED,
    ChangeKind.RELOADED,
    ChangeKind.SPRINTS_CHANGED,
}


_COUNTER: ThreadPoolExecutor | None = None


def _counter() -> ThreadPoolExecutor:
    """The thread that counts a filter's matches while the pages are read (one for the
    app: a keystroke waits for its count before the next can start). It calls a service
    only: no Qt object is touched there."""
    global _COUNTER
    if _COUNTER is None:
        _COUNTER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sprintdeck-count")
    return _COUNTER


class BoardStore(QObject):
    """Holds one project's board (cards by id) and tells models what changed.

    Models never ask the database; they hear ``card_added``/``card_moved``/... and update the
    affected rows only, whether the change was this window's or came from elsewhere
    through the change feed (app/storage/change_feed.py). A full ``board_reset`` happens on
    project switch, on workflow, team and sprint edits, and when the feed cannot tell what
    another process changed (``RELOADED`` for no project in particular).

    A load reads the board without its cards (but its epics): the board view asks for a
    page of each column (:meth:`column_page`) and the store remembers the cards it handed
    out. Until something asks for every card (:meth:`cards`, :meth:`all_cards`,
    :meth:`cards_in_column`, :meth:`cards_by_column`, or :meth:`card` for one it has not
    seen) the store is *partial* (:attr:`complete` False); that first call reads them all,
    once, and from then on the store holds every live card, as before. While partial, a
    change to a card the store had not seen is announced as ``card_added`` (its old state
    is unknown) and followed by ``figures_stale``: counts kept card by card must be read
    again.
    """

    board_reset = Signal()
    card_added = Signal(object)  # CardDTO
    card_changed = Signal(object, object)  # old CardDTO, new CardDTO
    card_moved = Signal(object, object)  # old CardDTO, new CardDTO
    card_removed = Signal(object)  # CardDTO
    # Figures kept card by card may be off: a partial store saw a card it had not seen
    # change, or a change came from elsewhere (views count again: one GROUP BY).
    figures_stale = Signal()
    # A filter's matches counted (count_matches): sprint id, CardMatch, {column id: Figures}
    # (None: the database could not count them now).
    matches_counted = Signal(object, object, object)
    _counted = Signal(object)  # from the counting thread: (key, generation, future)

    def __init__(self, services: Services, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self._board: BoardDTO | None = None
        self._cards: dict[int, CardDTO] = {}
        # The same cards by column (unordered): a move touches two columns, never all cards.
        self._by_column: dict[int, dict[int, CardDTO]] = {}
        # Card id -> its comment count (one grouped COUNT per load; refreshed on COMMENTED).
        self._comment_counts: dict[int, int] = {}
        # Card id -> keys of the not-done cards blocking it (the "⛔ blocked by" badge).
        self._blocked_by: dict[int, tuple[str, ...]] = {}
        self._complete = True  # holds every live card of the board (False: those seen)
        # A filtered board's answers (first pages and figures) by what was asked, until
        # anything changes: erasing a letter asks again what was asked a moment ago.
        self._answers: dict[tuple[object, ...], object] = {}
        # Bumped by every change and load: a count started before one is out of date.
        self._generation = 0
        self._counting: set[tuple[object, ...]] = set()  # counts on their way
        # The filter last asked to be counted, per (project, sprint scope): older counts
        # still queued are skipped, and only this one is counted again after a change.
        self._latest: dict[tuple[int, int | None], CardMatch] = {}
        self._counted.connect(self._on_counted, Qt.ConnectionType.QueuedConnection)
        services.bus.subscribe(self._on_change)

    def close(self) -> None:
        self._services.bus.unsubscribe(self._on_change)

    # --- reading -------------------------------------------------------------------------

    @property
    def project(self) -> ProjectDTO | None:
        return self._board.project if self._board else None

    @property
    def columns(self) -> tuple[ColumnDTO, ...]:
        return self._board.columns if self._board else ()

    @property
    def members(self) -> tuple[MemberDTO, ...]:
        return self._board.members if self._board else ()

    @property
    def labels(self) -> tuple[LabelDTO, ...]:
        return self._board.labels if self._board else ()

    @property
    def sprints(self) -> tuple[SprintDTO, ...]:
        return self._board.sprints if self._board else ()

    @property
    def active_sprint(self) -> SprintDTO | None:
        return next((s for s in self.sprints if s.state == "active"), None)

    @property
    def epics(self) -> list[CardDTO]:
        """The live epics (a load reads them all, partial or not)."""
        return sorted((c for c in self._cards.values() if c.type == "epic"), key=lambda c: c.rank)

    @property
    def complete(self) -> bool:
        """Whether the store holds every live card (False: only those handed out so far)."""
        return self._complete

    def cards(self) -> list[CardDTO]:
        """Live cards in rank order."""
        self._read_all()
        return sorted(self._cards.values(), key=lambda c: c.rank)

    def held_cards(self) -> list[CardDTO]:
        """The cards the store holds now (the pages read so far while it is partial),
        without reading the rest: what the board has shown, not what the project has."""
        return list(self._cards.values())

    def all_cards(self) -> list[CardDTO]:
        """Live cards in no particular order (cheap: no sorting)."""
        self._read_all()
        return list(self._cards.values())

    def card(self, card_id: int) -> CardDTO | None:
        card = self._cards.get(card_id)
        if card is None and not self._complete:
            self._read_all()
            card = self._cards.get(card_id)
        return card

    def cards_in_column(self, column_id: int) -> list[CardDTO]:
        """Live cards of one column, in no particular order (cheap: no sorting)."""
        self._read_all()
        return list(self._by_column.get(column_id, {}).values())

    def cards_by_column(self) -> dict[int, list[CardDTO]]:
        """Live cards grouped by column, in no particular order."""
        self._read_all()
        return {cid: list(cards.values()) for cid, cards in self._by_column.items()}

    def peek(self, card_id: int) -> CardDTO | None:
        """The live card with this id, read from the database if the store has not seen
        it (without reading every card, as :meth:`card` would)."""
        card = self._cards.get(card_id)
        if card is not None or self._complete or self._board is None:
            return card
        try:
            found = self._services.cards.get_card(card_id)
        except DomainError:
            return None
        if found.archived or found.project_id != self._board.project.id:
            return None
        self._remember(found)
        return found

    @property
    def _services_ready(self) -> bool:
        """Whether the real services are built (not while the window paints first: then
        the first read answers, on the main thread only)."""
        return bool(getattr(self._services, "ready", True))

    def column_page(
        self,
        column_id: int,
        offset: int,
        limit: int,
        sprint_id: int | None = None,
        *,
        matching: CardMatch | None = None,
        density: float | None = None,
    ) -> list[CardDTO]:
        """A page of a column's cards in the order the board shows them (rank; a done
        column newest finished first), epics left out, in ``sprint_id`` when given. From
        the cards held when the store is complete; else from the database, remembered.

        ``matching``: only the cards a board filter lets through, always read from the
        database (its search index answers in milliseconds what a scan of every held card
        would take a quarter of a second for at 200,000); ``density`` as
        BoardService.column_page takes it. A first page is remembered until anything
        changes (a change notification, a load)."""
        column = self.column(column_id)
        if self._board is None or column is None:
            return []
        newest_first = column.category == "done"
        if matching is not None and not matching.is_empty():
            return self._matching_page(column_id, offset, limit, sprint_id, matching, density)
        key = ("page", column_id, offset, limit, sprint_id, None)
        cached = self._answers.get(key)
        if isinstance(cached, list):  # read_first_pages read it
            return list(cached)
        if self._complete:
            cards = [
                c
                for c in self._by_column.get(column_id, {}).values()
                if c.type != "epic" and (sprint_id is None or c.sprint_id == sprint_id)
            ]
            cards.sort(key=recent_first if newest_first else rank_order)
            return cards[offset : offset + limit]
        page = self._services.board.column_page(
            self._board.project.id,
            column_id,
            sprint_id=sprint_id,
            newest_first=newest_first,
            offset=offset,
            limit=limit,
        )
        for card in page:
            self._remember(card)
        return page

    def section_page(
        self,
        after_rank: str | None,
        limit: int,
        epic_id: int | None = None,
        last: bool = False,
    ) -> list[CardDTO]:
        """A page of the backlog section in rank order after ``after_rank`` (see
        BoardService.section_page), read from the database and remembered: the backlog
        holds the pages it has shown, never every card of years of ideas."""
        if self._board is None:
            return []
        page = self._services.board.section_page(
            self._board.project.id,
            after_rank=after_rank,
            limit=limit,
            epic_id=epic_id,
            last=last,
        )
        for card in page:
            self._remember(card)
        return page

    def sprint_cards(self, sprint_ids: list[int]) -> dict[int, list[CardDTO]]:
        """Per sprint: all its live cards in rank order (remembered, as pages are)."""
        if self._board is None:
            return {i: [] for i in sprint_ids}
        found = self._services.board.sprint_cards(self._board.project.id, sprint_ids)
        for cards in found.values():
            for card in cards:
                self._remember(card)
        return found

    def epic_progress(self) -> dict[int, EpicFigures]:
        """Per epic: its cards and points, done and in all, counted by the database."""
        if self._board is None:
            return {}
        return self._services.board.epic_progress(self._board.project.id)

    def count_matches(
        self, sprint_id: int | None, matching: CardMatch
    ) -> dict[int, Figures] | None:
        """A filter's matches counted per column (the one grouped query of a keystroke):
        at once if counted since the last change, else None and :attr:`matches_counted`
        follows. The count (every match: 50-150 ms at 200,000 cards, the slowest part of a
        keystroke by far) runs on a worker thread on its own connection, so that the lists
        show their first matches without waiting for it; a change meanwhile counts again."""
        if self._board is None:
            return {}
        scope = (self._board.project.id, sprint_id)
        self._latest[scope] = matching  # what is wanted now, even when already counted
        if not self._services_ready:
            # The first paint (or the moments before the services are built): counted here,
            # on the main thread (the first read's connection is this thread's; a thread
            # must never be the one to build the services). Remembered as any count.
            return self.column_figures(sprint_id, matching=matching)
        key = ("figures", self._board.project.id, sprint_id, matching)
        cached = self._answers.get(key)
        if isinstance(cached, dict):
            return dict(cached)
        if key in self._counting:
            return None
        self._counting.add(key)
        generation = self._generation
        counting = _counter().submit(self._count_if_wanted, scope, matching)
        counting.add_done_callback(lambda done: self._deliver((key, generation, done)))
        return None

    def _count_if_wanted(
        self, scope: tuple[int, int | None], matching: CardMatch
    ) -> dict[int, Figures] | None:
        """On the counting thread: the count, unless a later keystroke asked for another
        one meanwhile (typing "payr" quickly counts "payr", not "p", "pa" and "pay" first);
        None when skipped."""
        if self._latest.get(scope) != matching:
            return None
        project_id, sprint_id = scope
        return self._services.board.column_figures(project_id, sprint_id, matching=matching)

    def _deliver(self, payload: tuple[tuple[object, ...], int, Future]) -> None:
        """On the counting thread: hand the count to the store's thread (queued). The
        store may be gone by then (its window closed): the count is dropped."""
        try:
            self._counted.emit(payload)
        except RuntimeError:  # the C++ object was deleted meanwhile
            pass

    def _on_counted(self, payload: tuple[tuple[object, ...], int, Future]) -> None:
        key, generation, done = payload
        self._counting.discard(key)
        _figures, project_id, sprint_id, matching = key
        if self._board is None or self._board.project.id != project_id:
            return
        wanted = self._latest.get((project_id, sprint_id)) == matching  # type: ignore[arg-type]
        if generation != self._generation:  # counted before a change: count again if wanted
            if wanted:
                self.count_matches(sprint_id, matching)  # type: ignore[arg-type]
            return
        try:
            figures = done.result()
        except DomainError:
            self.matches_counted.emit(sprint_id, matching, None)
            return
        if figures is None:  # skipped: a later keystroke's count is on its way
            return
        self._answers[key] = dict(figures)
        self.matches_counted.emit(sprint_id, matching, figures)

    def read_first_pages(
        self,
        limit: int,
        sprint_id: int | None = None,
        *,
        matching: CardMatch | None = None,
        densities: dict[int, float | None] | None = None,
    ) -> None:
        """Read the first page of every column at once (a filter keystroke, a load), for
        :meth:`column_page` to hand out: the pages' ids a query per column, then the cards
        the store does not hold yet in one read (most of a filter's first matches are
        cards the unfiltered pages showed). Nothing while the window paints first (its
        first read answers the pages). A complete store reads the ids too: the database
        has the column's order in an index, where the store would sort every card."""
        if self._board is None or not self._services_ready:
            return  # the first paint: each list asks the first read for its page
        if matching is not None and matching.is_empty():
            matching = None
        project_id = self._board.project.id
        pages: dict[tuple[object, ...], list[int]] = {}
        for column in self.columns:
            key = ("page", column.id, 0, limit, sprint_id, matching)
            if key in self._answers:
                continue
            density = (densities or {}).get(column.id)
            if density == 0.0:
                pages[key] = []
                continue
            pages[key] = self._services.board.column_page_ids(
                project_id,
                column.id,
                sprint_id=sprint_id,
                newest_first=column.category == "done",
                limit=limit,
                matching=matching,
                density=density,
            )
        missing = [i for ids in pages.values() for i in ids if i not in self._cards]
        fetched: dict[int, CardDTO] = {}
        if missing:
            for card in self._services.cards.get_cards(project_id, missing):
                if not card.archived:
                    fetched[card.id] = card
                    if not self._complete:  # a complete store hears of a new card itself
                        self._remember(card)
        for key, ids in pages.items():
            held = [self._cards.get(i) or fetched.get(i) for i in ids]
            if all(c is not None for c in held):  # else: gone meanwhile, asked again
                self._answers[key] = held

    def _matching_page(
        self,
        column_id: int,
        offset: int,
        limit: int,
        sprint_id: int | None,
        matching: CardMatch,
        density: float | None,
    ) -> list[CardDTO]:
        assert self._board is not None
        key = ("page", column_id, offset, limit, sprint_id, matching)
        cached = self._answers.get(key)
        if isinstance(cached, list):
            return list(cached)
        column = self.column(column_id)
        page = self._services.board.column_page(
            self._board.project.id,
            column_id,
            sprint_id=sprint_id,
            newest_first=column is not None and column.category == "done",
            offset=offset,
            limit=limit,
            matching=matching,
            density=density,
        )
        if self._complete:  # the cards held are the board's: hand those out
            page = [self._cards.get(c.id, c) for c in page]
        else:
            for card in page:
                self._remember(card)
        if offset == 0:
            self._answers[key] = list(page)
        return page

    def _remember(self, card: CardDTO) -> None:
        old = self._cards.get(card.id)
        if old is not None:
            self._by_column.get(old.column_id, {}).pop(old.id, None)
        self._cards[card.id] = card
        self._by_column.setdefault(card.column_id, {})[card.id] = card

    def _forget_answers(self) -> None:
        """Drop the filtered pages and counts read so far (something changed or was read
        again); a count still on its way is from before and will be made again if wanted."""
        self._answers = {}
        self._generation += 1

    def _read_all(self) -> None:
        """Make a partial store complete: read every live card (once per load)."""
        if self._complete or self._board is None:
            return
        board = self._services.board.load_board(self._board.project.id)
        self._forget_answers()
        seen = self._cards
        self._complete = True
        self._cards = {c.id: c for c in board.cards}
        self._by_column = {}
        for c in board.cards:
            self._by_column.setdefault(c.column_id, {})[c.id] = c
        # The cards handed out before may have changed since (the change feed has not told
        # yet): views hold those, so they hear of it now, and count their figures again.
        for old in seen.values():
            new = self._cards.get(old.id)
            if new is None:
                self.card_removed.emit(old)
            elif new != old:
                moved = new.column_id != old.column_id or new.rank != old.rank
                (self.card_moved if moved else self.card_changed).emit(old, new)
        self.figures_stale.emit()

    def comment_count(self, card_id: int) -> int:
        """How many comments the card has (what the board card's "💬 3" shows)."""
        return self._comment_counts.get(card_id, 0)

    def blocked_by(self, card_id: int) -> tuple[str, ...]:
        """Keys of the cards blocking this one that are not done yet."""
        return self._blocked_by.get(card_id, ())

    def _reread_blockers(self) -> None:
        """Read the blocked-by keys again (one query) and repaint the cards whose changed."""
        if self._board is None:
            return
        old = self._blocked_by
        self._blocked_by = self._services.plans.blocked_by(self._board.project.id)
        for card_id in set(old) | set(self._blocked_by):
            card = self._cards.get(card_id)
            if card is not None and old.get(card_id) != self._blocked_by.get(card_id):
                self.card_changed.emit(card, card)

    def column_figures(
        self, sprint_id: int | None = None, *, matching: CardMatch | None = None
    ) -> dict[int, Figures]:
        """Per column: its card count and points as the database counts them (one GROUP
        BY), for the headers of views that hold a page of each column, not all of it;
        ``matching``: of the cards a board filter lets through (remembered until anything
        changes, as a filtered first page is)."""
        if self._board is None:
            return {}
        if matching is None or matching.is_empty():
            return self._services.board.column_figures(self._board.project.id, sprint_id)
        key = ("figures", self._board.project.id, sprint_id, matching)
        cached = self._answers.get(key)
        if isinstance(cached, dict):
            return dict(cached)
        figures = self._services.board.column_figures(
            self._board.project.id, sprint_id, matching=matching
        )
        self._answers[key] = dict(figures)
        return figures

    def section_figures(
        self, sprint_ids: list[int], epic_id: int | None = None
    ) -> dict[int | None, Figures]:
        """Per sprint and for the backlog (None): the backlog page's counts, from SQL
        (``epic_id``: of that epic's cards only)."""
        if self._board is None:
            return {}
        return self._services.board.section_figures(self._board.project.id, sprint_ids, epic_id)

    def column(self, column_id: int) -> ColumnDTO | None:
        return next((c for c in self.columns if c.id == column_id), None)

    def today(self) -> dt.date | None:
        """Today in the project's zone (what "overdue" is counted from); None without one."""
        project = self.project
        return None if project is None else self._services.projects.today(project.time_zone)

    # --- loading -------------------------------------------------------------------------

    def load(self, project_id: int) -> None:
        """Read a project's board, its cards a page at a time (see the class)."""
        self._forget_answers()
        self._board = self._services.board.load_board_head(project_id)
        self._complete = self._board.complete
        self._cards = {c.id: c for c in self._board.cards}
        self._comment_counts = dict(self._board.comment_counts)
        self._blocked_by = dict(self._board.blocked_by)
        self._by_column = {}
        for c in self._board.cards:
            self._by_column.setdefault(c.column_id, {})[c.id] = c
        self.board_reset.emit()

    def reload(self) -> None:
        if self._board is not None:
            self.load(self._board.project.id)

    # --- notifications -------------------------------------------------------------------

    def _on_change(self, change: Change) -> None:
        # Whatever changed (here or elsewhere, this project or not): answers read before
        # may be out of date.
        self._forget_answers()
        if self._board is None:
            return
        if change.project_id is None and change.kind is ChangeKind.RELOADED and change.elsewhere:
            self.reload()  # someone changed something, and what is not known
            return
        if change.project_id != self._board.project.id:
            return
        if change.kind in _RELOADING_KINDS:
            self.reload()
            return
        if change.kind is ChangeKind.COMMENTED:
            self._recount_comments(change)
        # A badge changes only when a card enters or leaves a done column (a blocker done,
        # or the blocked card): a move within the work in progress reads nothing more.
        done_changed = change.kind is ChangeKind.CARD_MOVED and any(
            self._is_done(self._cards.get(card.id)) != self._is_done(card) for card in change.cards
        )
        unseen = not self._complete and any(c.id not in self._cards for c in change.cards)
        for card in change.cards:
            self._apply(change.kind, card)
        # A change from elsewhere may already be in figures read from the database before
        # it arrived here (a view built in between): counted card by card it would count
        # twice, so those views count again.
        if unseen or (change.elsewhere and change.kind.about_cards):
            self.figures_stale.emit()
        if (
            change.kind is ChangeKind.PLANS_CHANGED
            or done_changed
            or (change.elsewhere and change.kind.about_cards)
        ):
            self._reread_blockers()

    def _is_done(self, card: CardDTO | None) -> bool:
        column = None if card is None else self.column(card.column_id)
        return column is not None and column.category == "done"

    def _recount_comments(self, change: Change) -> None:
        """Read the comment counts again (one grouped COUNT). A change from another process
        names no cards (the change feed carries cards for card kinds only), so the cards
        whose count moved are repainted here; the others come with the change."""
        if self._board is None:
            return
        old = self._comment_counts
        self._comment_counts = self._services.comments.counts(self._board.project.id)
        carried = {card.id for card in change.cards}
        for card_id in set(old) | set(self._comment_counts):
            card = self._cards.get(card_id)
            if card is None or card_id in carried:
                continue
            if old.get(card_id, 0) != self._comment_counts.get(card_id, 0):
                self.card_changed.emit(card, card)

    def _apply(self, kind: ChangeKind, card: CardDTO) -> None:
        old = self._cards.get(card.id)
        if old is not None:
            self._by_column.get(old.column_id, {}).pop(old.id, None)
        if card.archived:
            if old is not None:
                del self._cards[card.id]
                self.card_removed.emit(old)
            return
        self._cards[card.id] = card
        self._by_column.setdefault(card.column_id, {})[card.id] = card
        if old is None:
            self.card_added.emit(card)
        elif (
            kind is ChangeKind.CARD_MOVED
            or old.column_id != card.column_id
            or old.rank != card.rank
        ):
            self.card_moved.emit(old, card)
        else:
            self.card_changed.emit(old, card)


_NEVER = dt.timedelta.max
_FAR = dt.datetime(9999, 1, 1, tzinfo=dt.UTC)


def rank_order(card: CardDTO) -> object:
    """A column's order: the project's ranking."""
    return card.rank


def recent_first(card: CardDTO) -> object:
    """A done column's order: the most recently finished first (then by rank), so its first
    page is this week's work, not the oldest of years of it. The same order as
    BoardService.column_page(newest_first=True)."""
    resolved = card.resolved_at
    return (_FAR - resolved if resolved is not None else _NEVER, card.rank)
