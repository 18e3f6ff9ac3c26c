"""Status report snapshots: the figures of a project status report as exported.

A past report never changes: when a status report is exported its figures (progress,
budget, earned value, workload) are stored here as JSON text, and a past report is rendered
from its row, not recomputed from today's data.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UTCDateTime, utcnow


class StatusSnapshot(Base):
    __tablename__ = "status_snapshot"
    __table_args__ = (Index("ix_status_snapshot_project_taken", "project_id", "taken_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    taken_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    taken_by: Mapped[str] = mapped_column(String(100), default="")
    payload: Mapped[str] = mapped_column(Text)
