"""Workflow columns of a project's board."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base

CATEGORIES = ("todo", "in_progress", "done")


class WorkflowColumn(Base):
    """A board column. Archived, never deleted, so history and charts keep their meaning."""

    __tablename__ = "workflow_column"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(60))
    position: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(12), default="todo")
    wip_limit: Mapped[int | None] = mapped_column(Integer, nullable=True)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)
