"""Cards (work items) and what hangs off them: labels, watchers, checklist items."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, Hours, Points, RankType, UTCDateTime, utcnow
from app.models.project import Label, Member
from app.services.card_fields import CARD_TYPES as CARD_TYPES

PRIORITIES = ("highest", "high", "medium", "low", "lowest")

card_label = Table(
    "card_label",
    Base.metadata,
    Column("card_id", ForeignKey("card.id", ondelete="CASCADE"), primary_key=True),
    Column("label_id", ForeignKey("label.id", ondelete="CASCADE"), primary_key=True),
)

card_watcher = Table(
    "card_watcher",
    Base.metadata,
    Column("card_id", ForeignKey("card.id", ondelete="CASCADE"), primary_key=True),
    Column("member_id", ForeignKey("member.id", ondelete="CASCADE"), primary_key=True),
)


class Card(Base):
    __tablename__ = "card"
    __table_args__ = (
        UniqueConstraint("project_id", "number"),
        # One ranking per project: the backlog and every column are this order, filtered.
        UniqueConstraint("project_id", "rank"),
        Index("ix_card_column_rank", "column_id", "rank"),
        Index("ix_card_sprint", "sprint_id"),
        # The board's column figures and the cumulative flow's count of cards per column,
        # answered from the index alone (migration 0014).
        Index(
            "ix_card_project_column",
            "project_id",
            "column_id",
            "archived",
            "type",
            "sprint_id",
            "points",
        ),
        # A done column's page, most recently finished first. On SQLite migration 0014 makes
        # resolved_at descending (the page's order, read from the index without a sort);
        # SQLite does not report an index column's direction, so the model names the columns.
        Index("ix_card_column_resolved", "column_id", "resolved_at", "rank"),
        # A parent's children (the search index rewrites their rows when its title changes).
        Index("ix_card_parent", "parent_id"),
        # The backlog's epic progress, answered from the index alone (migration 0015).
        Index(
            "ix_card_project_parent",
            "project_id",
            "parent_id",
            "archived",
            "type",
            "column_id",
            "points",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(10), default="story")
    title: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    priority: Mapped[str] = mapped_column(String(10), default="medium")
    points: Mapped[Decimal | None] = mapped_column(Points, nullable=True)
    estimate_hours: Mapped[Decimal | None] = mapped_column(Hours, nullable=True)
    remaining_hours: Mapped[Decimal | None] = mapped_column(Hours, nullable=True)
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("member.id", ondelete="SET NULL"), nullable=True
    )
    reporter_id: Mapped[int | None] = mapped_column(
        ForeignKey("member.id", ondelete="SET NULL"), nullable=True
    )
    column_id: Mapped[int] = mapped_column(ForeignKey("workflow_column.id"))
    rank: Mapped[str] = mapped_column(RankType)
    sprint_id: Mapped[int | None] = mapped_column(
        ForeignKey("sprint.id", ondelete="SET NULL"), nullable=True
    )
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("card.id", ondelete="SET NULL"), nullable=True
    )
    due_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    blocked_reason: Mapped[str] = mapped_column(String(500), default="")
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    labels: Mapped[list[Label]] = relationship(secondary=card_label, order_by=Label.name)
    watchers: Mapped[list[Member]] = relationship(
        secondary=card_watcher, order_by=Member.display_name
    )
    checklist: Mapped[list[ChecklistItem]] = relationship(
        back_populates="card", cascade="all, delete-orphan", order_by="ChecklistItem.position"
    )


class ChecklistItem(Base):
    __tablename__ = "checklist_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("card.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(String(500))
    done: Mapped[bool] = mapped_column(Boolean, default=False)

    card: Mapped[Card] = relationship(back_populates="checklist")
