"""A member's capacity for one sprint: hours (or points) and days off."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import ForeignKey, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Hours, Points


class SprintCapacity(Base):
    """How much one team member can take on in one sprint.

    ``hours`` overrides the default (the member's hours per day times the sprint's working
    days less ``days_off``); ``points`` is an optional capacity in story points.
    """

    __tablename__ = "sprint_capacity"
    __table_args__ = (UniqueConstraint("sprint_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sprint_id: Mapped[int] = mapped_column(ForeignKey("sprint.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    hours: Mapped[Decimal | None] = mapped_column(Hours, nullable=True)
    points: Mapped[Decimal | None] = mapped_column(Points, nullable=True)
    days_off: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)
