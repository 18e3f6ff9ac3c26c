"""The change log: what each committed transaction changed, for the other processes.

Every write that publishes a :class:`app.services.events.Change` appends one row here in
the same transaction (:class:`app.services.context.UnitOfWork`), naming the writer
(``origin``, one per running app), the project, the kind and the cards. Another window,
the command line or a teammate's laptop reads the rows after the last one it saw
(:mod:`app.storage.change_feed`) and updates just those cards. It is a notification
channel, not history: old rows are pruned and it is not exported.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UTCDateTime, utcnow


class ChangeLogEntry(Base):
    __tablename__ = "change_log"
    # AUTOINCREMENT on SQLite: ids never go back after a prune, so "after the last id I
    # saw" stays true.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    origin: Mapped[str] = mapped_column(String(32))
    project_id: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    # The changed cards' ids, comma-separated ("" for a change not about cards).
    card_ids: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
