"""Comments on cards, standups, and where imported cards came from (to spot a second import).

A comment names its author as text (``author``, what Trello and Jira imports write) and, when
it was written in the app by a member of the team, that member (``member_id``). An edit sets
``edited_at``; a delete keeps the row (``deleted_at``/``deleted_by``) so the card says
"deleted by NAME" and undo can restore it. ``version`` is for optimistic locking.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UTCDateTime, utcnow

IMPORT_SOURCES = ("trello", "jira", "sprintdeck")


class Comment(Base):
    __tablename__ = "comment"
    __table_args__ = (Index("ix_comment_card_at", "card_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("card.id", ondelete="CASCADE"))
    author: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    text: Mapped[str] = mapped_column(Text, default="")
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("member.id", ondelete="SET NULL"), nullable=True
    )
    edited_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    deleted_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)


class Standup(Base):
    """One daily standup held on a project: "since the last standup" means the start of the
    last one held (``started_at`` of the newest row)."""

    __tablename__ = "standup"
    __table_args__ = (Index("ix_standup_project_started", "project_id", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    started_by: Mapped[str] = mapped_column(String(100), default="")
    summary: Mapped[str] = mapped_column(Text, default="")


class ImportRef(Base):
    """One imported card's identity in its source (a Trello card id, a Jira issue key)."""

    __tablename__ = "import_ref"
    __table_args__ = (UniqueConstraint("project_id", "source", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(100))
    card_id: Mapped[int] = mapped_column(ForeignKey("card.id", ondelete="CASCADE"), index=True)
