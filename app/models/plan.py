"""Plans and risks: milestones and their scope, card dependencies, the risk register, and
published forecasts (each with the seed that reproduces it)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Money, UTCDateTime, utcnow

RISK_STATUSES = ("open", "mitigating", "closed", "happened")


def _key(column: str) -> Mapped[int]:
    """A part of a link table's primary key naming ``column`` (deleted with it)."""
    return mapped_column(ForeignKey(column, ondelete="CASCADE"), primary_key=True)


class Milestone(Base):
    __tablename__ = "milestone"
    __table_args__ = (UniqueConstraint("project_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    day: Mapped[dt.date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)


class MilestoneScope(Base):
    """A card or an epic (and so its children) in a milestone's scope."""

    __tablename__ = "milestone_scope"

    milestone_id: Mapped[int] = _key("milestone.id")
    card_id: Mapped[int] = _key("card.id")


class CardDependency(Base):
    """``blocker_id`` blocks ``blocked_id`` (the service refuses a link that closes a cycle)."""

    __tablename__ = "card_dependency"

    blocker_id: Mapped[int] = _key("card.id")
    blocked_id: Mapped[int] = mapped_column(
        ForeignKey("card.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Risk(Base):
    """One risk of the register: probability and impact (1-5) before the response
    (inherent) and after it (residual); exposure is their product."""

    __tablename__ = "risk"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)  # ... within the project
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    probability: Mapped[int] = mapped_column(Integer)
    impact: Mapped[int] = mapped_column(Integer)
    residual_probability: Mapped[int | None] = mapped_column(Integer, nullable=True)
    residual_impact: Mapped[int | None] = mapped_column(Integer, nullable=True)
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("member.id", ondelete="SET NULL"), nullable=True
    )
    response: Mapped[str] = mapped_column(Text, default="")
    trigger: Mapped[str] = mapped_column(Text, default="")
    proximity: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(12), default="open")
    schedule_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    cost_impact: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)


class RiskCard(Base):
    """A card or an epic a risk is linked to."""

    __tablename__ = "risk_card"

    risk_id: Mapped[int] = _key("risk.id")
    card_id: Mapped[int] = _key("card.id")


class RiskMilestone(Base):
    __tablename__ = "risk_milestone"

    risk_id: Mapped[int] = _key("risk.id")
    milestone_id: Mapped[int] = _key("milestone.id")


class Forecast(Base):
    """A published forecast: what was asked (JSON), the seed and trials that reproduce it,
    and its answer (JSON: percentiles, histogram), so a status report can show it again."""

    __tablename__ = "forecast"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    question: Mapped[str] = mapped_column(Text)
    seed: Mapped[int] = mapped_column(Integer)
    trials: Mapped[int] = mapped_column(Integer)
    answer: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100), default="")
