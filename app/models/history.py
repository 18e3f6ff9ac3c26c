"""The append-only history every chart and report is computed from."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Points, UTCDateTime, utcnow

EVENT_KINDS = (
    "created",
    "moved",
    "ranked",
    "estimated",
    "sprint_changed",
    "assigned",
    "edited",
    "blocked",
    "unblocked",
    "archived",
    "restored",
)


class HistoryEvent(Base):
    """One change to a card, written in the same transaction as the change itself.

    ``before``/``after`` hold the changed fields. The ``*_after`` columns repeat the card's
    state after the event (column, its category at that moment, sprint, points, archived),
    so burndown, cumulative flow and cycle time are a replay of this table alone, and editing
    a card or a column later never rewrites what a closed sprint's report says.
    """

    __tablename__ = "history_event"
    __table_args__ = (
        Index("ix_history_event_card_at", "card_id", "at"),
        Index("ix_history_event_project_at", "project_id", "at"),
        # Which cards were ever in a sprint (the burndown, the live sprint facts).
        Index("ix_history_event_sprint_card", "sprint_id_after", "card_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    card_id: Mapped[int] = mapped_column(ForeignKey("card.id", ondelete="CASCADE"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    before: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    after: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    column_id_after: Mapped[int | None] = mapped_column(Integer, nullable=True)
    category_after: Mapped[str | None] = mapped_column(String(12), nullable=True)
    sprint_id_after: Mapped[int | None] = mapped_column(Integer, nullable=True)
    points_after: Mapped[Decimal | None] = mapped_column(Points, nullable=True)
    archived_after: Mapped[bool] = mapped_column(Boolean, default=False)
