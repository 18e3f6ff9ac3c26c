"""The change feed: changes committed by other processes, as :class:`Change` deltas on the bus.

Every write appends rows to ``change_log`` in its own transaction (the unit of work does,
app/services/context.py), naming its origin (one per running app), the project, the kind
and the cards. :meth:`ChangeFeed.poll` reads the rows after the last one it saw, skips its
own, fetches the current state of the cards they name and publishes one :class:`Change`
per kind on the same bus the app's own changes use, marked ``elsewhere``: the card another
window moved moves on this board, the row it edited is redrawn, nothing else is reloaded.

When the feed cannot tell what changed it publishes ``RELOADED`` for the project (or for
all, ``project_id=None``), which is what every change from elsewhere did before: a commit
without log rows (an older Sprintdeck, a script), rows pruned before this window read them
(it slept past :data:`app.services.context.CHANGE_LOG_KEEP` changes), or more cards than a
reload costs.

Whether anything was committed at all is asked first, cheaply: on SQLite
``PRAGMA data_version`` on a connection of the feed's own (the ``poke`` callable); on a
server database a LISTEN/NOTIFY channel will answer the same question.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError

from app.errors import DomainError
from app.models.change_log import ChangeLogEntry
from app.services.dto import CardDTO
from app.services.events import Change, ChangeBus, ChangeKind

# More changed cards than this in one poll: reloading the board is cheaper than fetching.
MAX_CARDS = 500

LoadCards = Callable[[int, Sequence[int]], Sequence[CardDTO]]


@dataclass(frozen=True)
class LoggedChange:
    """One ``change_log`` row."""

    id: int
    origin: str
    project_id: int | None
    kind: str
    card_ids: tuple[int, ...]


class ChangeFeed:
    """Publishes what other processes committed, as deltas, on ``bus``.

    ``poke()`` says whether anything may have been committed since it was last asked (a
    false "yes" only costs one indexed query); ``load_cards(project_id, ids)`` returns those
    cards' current state, archived ones included; ``origin`` is this app's own writer name,
    whose rows are skipped (the bus heard them when they were committed).
    """

    def __init__(
        self,
        engine: Engine,
        bus: ChangeBus,
        origin: str,
        load_cards: LoadCards,
        poke: Callable[[], bool],
        poke_means_commit: bool = True,
        problem: Callable[[], str | None] | None = None,
    ) -> None:
        self._engine = engine
        self._bus = bus
        self._origin = origin
        self._load_cards = load_cards
        self._poke = poke
        # SQLite's data_version moves only on a commit: a poke with no log row is a commit
        # made without one. A NOTIFY or a "maybe" probe proves nothing of the kind.
        self._poke_means_commit = poke_means_commit
        self._problem = problem
        self._own_commit = False
        # Set by the window: called (from any thread) when the probe knows at once that
        # something was committed, so the window polls now (PostgreSQL's NOTIFY).
        self.wakeup: Callable[[], None] | None = None
        self._last = self._top()

    def ring(self) -> None:
        """The probe heard something: ask the window to poll now (if it listens)."""
        callback = self.wakeup
        if callback is not None:
            callback()

    def own_commit(self) -> None:
        """Called after each of this app's commits (``ServiceContext.after_commit``), after
        ``poke`` was re-baselined: the next poll also reads the log, so a change someone
        else logged in the same moment is not missed."""
        self._own_commit = True

    @property
    def problem(self) -> str | None:
        """A sentence for a person while changes cannot be heard (the connection to a
        database server is lost and being re-established), else None."""
        return self._problem() if self._problem is not None else None

    @property
    def last_seen(self) -> int:
        """The id of the last ``change_log`` row this feed has dealt with."""
        return self._last

    def _top(self) -> int:
        try:
            with self._engine.connect() as connection:
                return int(connection.scalar(select(func.max(ChangeLogEntry.id))) or 0)
        except SQLAlchemyError:
            return 0

    def read_since(self, last: int) -> tuple[list[LoggedChange], bool]:
        """The rows after ``last`` in order, and whether rows after ``last`` were pruned."""
        table = ChangeLogEntry.__table__
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(
                    table.c.id, table.c.origin, table.c.project_id, table.c.kind, table.c.card_ids
                )
                .where(table.c.id > last)
                .order_by(table.c.id)
            ).all()
            first = connection.scalar(select(func.min(table.c.id)))
        lost = last > 0 and first is not None and first > last + 1
        entries = [
            LoggedChange(
                row.id,
                row.origin,
                row.project_id,
                row.kind,
                tuple(int(part) for part in row.card_ids.split(",") if part),
            )
            for row in rows
        ]
        return entries, lost

    def poll(self) -> int:
        """Publish what others committed since the last poll; the number of changes
        published (0: nothing new from elsewhere)."""
        poked = self._poke()
        if not poked and not self._own_commit:
            return 0
        try:
            entries, lost = self.read_since(self._last)
        except SQLAlchemyError:
            return 0  # the database is busy or gone for now: ask again next time
        self._own_commit = False
        if entries:
            self._last = entries[-1].id
        if lost or (poked and self._poke_means_commit and not entries):
            # Rows this feed never saw were pruned, or someone committed without a log
            # row: what changed is unknown.
            return self._publish([Change(ChangeKind.RELOADED, None, elsewhere=True)])
        return self._publish(self._deltas([e for e in entries if e.origin != self._origin]))

    def _deltas(self, entries: list[LoggedChange]) -> list[Change]:
        changes: list[Change] = []
        # Per project, the cards changed and the last kind each was changed by; other
        # kinds (columns, members, sprints, a project added) are passed on as they came,
        # once each.
        by_project: dict[int, dict[int, ChangeKind]] = defaultdict(dict)
        others: dict[tuple[ChangeKind, int | None], None] = {}
        for entry in entries:
            try:
                kind = ChangeKind(entry.kind)
            except ValueError:  # a newer Sprintdeck's kind: play safe
                kind = ChangeKind.RELOADED
            if kind.about_cards and entry.project_id is not None:
                for card_id in entry.card_ids:
                    by_project[entry.project_id].pop(card_id, None)  # keep the latest order
                    by_project[entry.project_id][card_id] = kind
            else:
                others[(kind, entry.project_id)] = None
        reloading = {pid for kind, pid in others if kind == ChangeKind.RELOADED}
        if None in reloading:
            return [Change(ChangeKind.RELOADED, None, elsewhere=True)]
        for kind, project_id in others:
            changes.append(Change(kind, project_id, elsewhere=True))
        for project_id, kinds in by_project.items():
            if project_id in reloading:
                continue
            if len(kinds) > MAX_CARDS:
                changes.append(Change(ChangeKind.RELOADED, project_id, elsewhere=True))
                continue
            try:
                cards = {c.id: c for c in self._load_cards(project_id, list(kinds))}
            except (DomainError, SQLAlchemyError):
                changes.append(Change(ChangeKind.RELOADED, project_id, elsewhere=True))
                continue
            grouped: dict[ChangeKind, list[CardDTO]] = defaultdict(list)
            for card_id, kind in kinds.items():
                if card_id in cards:
                    grouped[kind].append(cards[card_id])
            for kind, group in grouped.items():
                changes.append(Change(kind, project_id, tuple(group), elsewhere=True))
        return changes

    def _publish(self, changes: list[Change]) -> int:
        for change in changes:
            self._bus.publish(change)
        return len(changes)
