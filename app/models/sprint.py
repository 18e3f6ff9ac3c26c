"""Sprints of a Scrum project, and the snapshots taken when one starts and when it closes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Points, UTCDateTime

SPRINT_STATES = ("planned", "active", "closed")
SNAPSHOT_KINDS = ("commitment", "outcome")
# Outcome of a card at the close of a sprint:
# completed          in the sprint at close, in a done column (committed or added after start)
# not_completed      in the sprint at close, not done; ``destination`` says where it went
# removed            in the commitment, no longer in the sprint (or archived) at close
# completed_outside  in the commitment, left the sprint, but done at close
OUTCOMES = ("completed", "not_completed", "removed", "completed_outside")


class Sprint(Base):
    __tablename__ = "sprint"
    __table_args__ = (UniqueConstraint("project_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    goal: Mapped[str] = mapped_column(Text, default="")
    start_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    end_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    state: Mapped[str] = mapped_column(String(10), default="planned")
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)


class SprintSnapshot(Base):
    """One card in a sprint's commitment (taken at start) or outcome (taken at close).

    Written once and never updated: a closed sprint's report reads these rows, so later
    edits of the cards (re-estimates, moves, archiving) do not change it.
    """

    __tablename__ = "sprint_snapshot"
    __table_args__ = (UniqueConstraint("sprint_id", "kind", "card_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sprint_id: Mapped[int] = mapped_column(ForeignKey("sprint.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12))  # commitment | outcome
    card_id: Mapped[int] = mapped_column(ForeignKey("card.id", ondelete="CASCADE"))
    points: Mapped[Decimal | None] = mapped_column(Points, nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(20), nullable=True)
    destination: Mapped[str | None] = mapped_column(String(100), nullable=True)
