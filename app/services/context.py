"""The unit of work and what every service shares (session factories, bus, actor, clock)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType

from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.exc import DatabaseError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from app.errors import Conflict, DatabaseProblem
from app.models.change_log import ChangeLogEntry
from app.services.events import Change, ChangeBus

# The change log keeps about this many rows (a window that slept longer reloads); pruned by
# one writer in every PRUNE_EVERY commits.
CHANGE_LOG_KEEP = 20_000
PRUNE_EVERY = 500


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class ServiceContext:
    reader: sessionmaker[Session]
    writer: sessionmaker[Session]
    bus: ChangeBus = field(default_factory=ChangeBus)
    actor: str = "unknown"
    clock: Callable[[], dt.datetime] = _utcnow
    # Called after every own commit.
    after_commit: list[Callable[[], None]] = field(default_factory=list)
    # Who wrote a change_log row: this running app (its change feed skips its own rows).
    origin: str = field(default_factory=lambda: uuid.uuid4().hex)
    commits: int = 0

    def read(self) -> UnitOfWork:
        return UnitOfWork(self, write=False)

    def write(self) -> UnitOfWork:
        return UnitOfWork(self, write=True)


class UnitOfWork:
    """One transaction. Rolls back unless :meth:`commit` was called; publishes after commit.

    Database-level failures become domain errors with readable messages, so neither the UI
    nor the CLI ever shows a traceback for a busy, read-only or full database.
    """

    def __init__(self, context: ServiceContext, write: bool) -> None:
        self._context = context
        self._write = write
        self._changes: list[Change] = []
        self._committed = False
        self.session: Session

    def __enter__(self) -> UnitOfWork:
        factory = self._context.writer if self._write else self._context.reader
        self.session = factory()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if not self._committed:
                self.session.rollback()
        finally:
            self.session.close()
        if isinstance(exc, OperationalError | IntegrityError) or _damaged(exc):
            raise translate_db_error(exc) from exc

    def notify(self, change: Change) -> None:
        self._changes.append(change)

    def commit(self) -> None:
        try:
            if self._changes:
                self._log_changes()
            self.session.commit()
        except (OperationalError, IntegrityError, DatabaseError) as exc:
            self.session.rollback()
            if isinstance(exc, OperationalError | IntegrityError) or _damaged(exc):
                raise translate_db_error(exc) from exc
            raise
        self._committed = True
        for hook in self._context.after_commit:
            hook()
        for change in self._changes:
            self._context.bus.publish(change)

    def _log_changes(self) -> None:
        """Append this transaction's changes to ``change_log``, in the same transaction, for
        the change feeds of other processes (one row per change: a move writes three rows
        in all, the card, its history event and this)."""
        context = self._context
        rows = [
            {
                "origin": context.origin,
                "project_id": change.project_id,
                "kind": str(change.kind),
                "card_ids": ",".join(str(card.id) for card in change.cards),
                "at": context.clock(),
            }
            for change in self._changes
        ]
        if self.session.get_bind().dialect.name != "postgresql":
            self.session.execute(insert(ChangeLogEntry), rows)
        else:
            # The doorbell for other windows' change feeds, delivered at commit
            # (app/storage/pg_notify.py); the rows are what they read.
            from app.storage.pg_notify import CHANNEL, notify_payload, notify_statement

            payloads = [
                notify_payload(
                    context.origin,
                    change.project_id,
                    str(change.kind),
                    [card.id for card in change.cards],
                )
                for change in self._changes
            ]
            if len(rows) == 1:  # the usual case: row and doorbell in one round trip
                logged = insert(ChangeLogEntry).values(rows[0]).returning(ChangeLogEntry.id)
                cte = logged.cte("logged")
                self.session.execute(select(func.pg_notify(CHANNEL, payloads[0])).select_from(cte))
            else:
                self.session.execute(insert(ChangeLogEntry), rows)
                for payload in payloads:
                    self.session.execute(text(notify_statement()), {"payload": payload})
        context.commits += 1
        if context.commits % PRUNE_EVERY == 0:
            top = self.session.scalar(select(func.max(ChangeLogEntry.id))) or 0
            self.session.execute(
                delete(ChangeLogEntry).where(ChangeLogEntry.id <= top - CHANGE_LOG_KEEP)
            )


def _damaged(exc: BaseException | None) -> bool:
    """SQLite's "database disk image is malformed" / "file is not a database" (raised as a
    plain DatabaseError, not an OperationalError)."""
    if not isinstance(exc, DatabaseError):
        return False
    text = str(getattr(exc, "orig", exc)).lower()
    return "malformed" in text or "not a database" in text


_CONNECTION_LOST = (
    "server closed the connection",
    "connection refused",
    "terminating connection",
    "could not connect",
    "connection is closed",
    "connection timed out",
    "the connection is lost",
    "no connection to the server",
    "consuming input failed",
)


def _connection_lost(text: str) -> bool:
    return any(words in text for words in _CONNECTION_LOST)


def translate_db_error(exc: Exception) -> Exception:
    text = str(getattr(exc, "orig", exc)).lower()
    if isinstance(exc, IntegrityError):
        return Conflict(
            "The change clashes with data saved at the same time by someone else; "
            "nothing was changed. Please try again."
        )
    if getattr(exc, "connection_invalidated", False) or _connection_lost(text):
        return DatabaseProblem(
            "Connection lost — reconnecting…: the database server cannot be reached, so "
            "nothing was changed. Try again in a moment."
        )
    if "locked" in text or "busy" in text:
        return DatabaseProblem(
            "The database is busy: another program kept it locked for too long. "
            "Nothing was changed; try again in a moment."
        )
    if "readonly" in text or "read-only" in text:
        return DatabaseProblem("The database is read-only; nothing was changed.")
    if "full" in text:
        return DatabaseProblem("The disk is full; nothing was changed.")
    if "malformed" in text or "not a database" in text:
        return DatabaseProblem(f"The database file is damaged ({text}); nothing was changed.")
    return DatabaseProblem(f"The database refused the change ({text}); nothing was changed.")
