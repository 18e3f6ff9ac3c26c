"""Time and money: work logs, running timers, epic budgets and releases (earned value).

A work log is minutes spent by one member on one card on one day; its cost is its hours
times the member's hourly rate in force on that day (:class:`app.models.project.MemberRate`,
the project's own rate before the member's default, the latest start on or before the day).
Minutes are whole numbers so that "90m" and "1.5h" are the same exact amount.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Money, UTCDateTime, utcnow


class WorkLog(Base):
    """Time one member spent on one card on one day."""

    __tablename__ = "work_log"
    __table_args__ = (
        # Covers the budget's sums (migration 0011): read from the index, never the rows.
        Index("ix_work_log_card_cost", "card_id", "day", "member_id", "minutes"),
        Index("ix_work_log_member_day", "member_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("card.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    day: Mapped[dt.date] = mapped_column(Date)
    minutes: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100), default="")
    version: Mapped[int] = mapped_column(Integer, default=1)


class RunningTimer(Base):
    """A member's start/stop timer: at most one per member, its start stored so that it
    survives a restart; stopping it writes a :class:`WorkLog`."""

    __tablename__ = "running_timer"
    __table_args__ = (UniqueConstraint("member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    card_id: Mapped[int] = mapped_column(ForeignKey("card.id", ondelete="CASCADE"))
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class EpicBudget(Base):
    """An epic's own budget, in its project's currency."""

    __tablename__ = "epic_budget"

    card_id: Mapped[int] = mapped_column(
        ForeignKey("card.id", ondelete="CASCADE"), primary_key=True
    )
    amount: Mapped[Decimal] = mapped_column(Money)
    version: Mapped[int] = mapped_column(Integer, default=1)


class Release(Base):
    """A release for earned value (AgileEVM): its scope (chosen epics, or the whole backlog
    when it names none), its planned number of sprints counted from ``first_sprint_id`` (or
    the project's first sprint), and its budget at completion (BAC)."""

    __tablename__ = "release"
    __table_args__ = (UniqueConstraint("project_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    planned_sprints: Mapped[int] = mapped_column(Integer)
    budget_at_completion: Mapped[Decimal] = mapped_column(Money)
    first_sprint_id: Mapped[int | None] = mapped_column(
        ForeignKey("sprint.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)


class ReleaseEpic(Base):
    """An epic in a release's scope."""

    __tablename__ = "release_epic"

    release_id: Mapped[int] = mapped_column(
        ForeignKey("release.id", ondelete="CASCADE"), primary_key=True
    )
    card_id: Mapped[int] = mapped_column(
        ForeignKey("card.id", ondelete="CASCADE"), primary_key=True
    )
