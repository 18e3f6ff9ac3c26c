"""Comments on cards, and where imported cards came from (to spot a second import)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
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


class ImportRef(Base):
    """One imported card's identity in its source (a Trello card id, a Jira issue key)."""

    __tablename__ = "import_ref"
    __table_args__ = (UniqueConstraint("project_id", "source", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(100))
    card_id: Mapped[int] = mapped_column(ForeignKey("card.id", ondelete="CASCADE"), index=True)
