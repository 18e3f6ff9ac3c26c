"""Projects, their working calendar, people and labels."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, Hours, Money, UTCDateTime, utcnow

# Monday..Friday as a bit mask (bit 0 = Monday), the calendar most teams start from.
WEEKDAYS_MON_FRI = 0b0011111


class Project(Base):
    __tablename__ = "project"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(10), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    methodology: Mapped[str] = mapped_column(String(10), default="scrum")  # scrum | kanban
    description: Mapped[str] = mapped_column(Text, default="")
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    working_weekdays: Mapped[int] = mapped_column(Integer, default=WEEKDAYS_MON_FRI)
    budget: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    next_card_number: Mapped[int] = mapped_column(Integer, default=1)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    holidays: Mapped[list[Holiday]] = relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="Holiday.day"
    )


class Holiday(Base):
    """A non-working day in a project's calendar (burndown ideal lines stay flat on it)."""

    __tablename__ = "holiday"
    __table_args__ = (UniqueConstraint("project_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    day: Mapped[dt.date] = mapped_column(Date)
    name: Mapped[str] = mapped_column(String(200), default="")

    project: Mapped[Project] = relationship(back_populates="holidays")


class Member(Base):
    """A person. People are global so that workload can be seen across projects."""

    __tablename__ = "member"

    id: Mapped[int] = mapped_column(primary_key=True)
    display_name: Mapped[str] = mapped_column(String(100), unique=True)
    email: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)


class ProjectMember(Base):
    """A person's place in one project's team: role and default capacity per sprint."""

    __tablename__ = "project_member"
    __table_args__ = (UniqueConstraint("project_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(100), default="")
    hours_per_day: Mapped[Decimal] = mapped_column(Hours, default=Decimal("6"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    member: Mapped[Member] = relationship()


class MemberRate(Base):
    """An hourly rate that applies from ``effective_from`` until the next one (budget tracking).

    ``project_id`` None is the member's default rate; a project's own rate for the member
    comes before it on that project's logs (OpenProject's rule). One rate per member, project
    (or none) and start date: the service refuses a second (NULLs do not collide in a UNIQUE
    constraint, so the database alone cannot)."""

    __tablename__ = "member_rate"
    __table_args__ = (UniqueConstraint("member_id", "project_id", "effective_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), nullable=True
    )
    effective_from: Mapped[dt.date] = mapped_column(Date)
    hourly_rate: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")


class Label(Base):
    __tablename__ = "label"
    __table_args__ = (UniqueConstraint("project_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(50))
    color: Mapped[str] = mapped_column(String(7), default="#5e6c84")
