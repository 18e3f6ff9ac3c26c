"""Standups held on a project: ``services.standups``.

The standup mode calls :meth:`StandupService.start` when a standup begins and
:meth:`StandupService.end` with its summary when it ends. "Since the last standup" (the
activity feed, the standup's "what changed") is :meth:`StandupService.last_started`: the
start of the newest standup, ended or not. :meth:`StandupService.list` and
``sprintdeck standup list|show`` give the past standups' summaries back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from app.errors import Conflict, NotFound
from app.models import Standup
from app.services.common import check_id, get_project
from app.services.context import ServiceContext
from app.services.validation import clean_multiline

SUMMARY_MAX = 100_000


@dataclass(frozen=True, slots=True)
class StandupDTO:
    id: int
    project_id: int
    started_at: dt.datetime
    ended_at: dt.datetime | None
    started_by: str
    summary: str


class StandupService:
    def __init__(self, context: ServiceContext) -> None:
        self._ctx = context

    def start(self, project_id: int) -> StandupDTO:
        """Record that a standup starts now, held by the current actor."""
        with self._ctx.write() as uow:
            get_project(uow.session, project_id)
            row = Standup(
                project_id=project_id,
                started_at=self._ctx.clock(),
                started_by=self._ctx.actor,
                summary="",
            )
            uow.session.add(row)
            uow.session.flush()
            dto = _dto(row)
            uow.commit()
            return dto

    def end(self, standup_id: int, summary: str = "") -> StandupDTO:
        """Record the end of a standup and its summary (Markdown text)."""
        text = clean_multiline(summary, "standup summary", SUMMARY_MAX)
        with self._ctx.write() as uow:
            check_id(standup_id, "standup")
            row = uow.session.get(Standup, standup_id, with_for_update=True)
            if row is None:
                raise NotFound(f"There is no standup with id {standup_id}.")
            if row.ended_at is not None:
                raise Conflict("That standup has already ended.")
            row.ended_at = self._ctx.clock()
            row.summary = text
            uow.session.flush()
            dto = _dto(row)
            uow.commit()
            return dto

    def last(self, project_id: int) -> StandupDTO | None:
        """The project's newest standup, or None before the first."""
        with self._ctx.read() as uow:
            get_project(uow.session, project_id)
            row = uow.session.scalar(
                select(Standup)
                .where(Standup.project_id == project_id)
                .order_by(Standup.started_at.desc(), Standup.id.desc())
                .limit(1)
            )
            return None if row is None else _dto(row)

    def list(self, project_id: int) -> list[StandupDTO]:
        """The project's standups, newest first, with their summaries: where a standup's
        summary ("add it to the sprint") lives on after the standup mode is closed."""
        with self._ctx.read() as uow:
            get_project(uow.session, project_id)
            rows = uow.session.scalars(
                select(Standup)
                .where(Standup.project_id == project_id)
                .order_by(Standup.started_at.desc(), Standup.id.desc())
            ).all()
            return [_dto(row) for row in rows]

    def get(self, standup_id: int) -> StandupDTO:
        with self._ctx.read() as uow:
            check_id(standup_id, "standup")
            row = uow.session.get(Standup, standup_id)
            if row is None:
                raise NotFound(f"There is no standup with id {standup_id}.")
            return _dto(row)

    def last_started(self, project_id: int) -> dt.datetime | None:
        """When the project's last standup started (None before the first)."""
        last = self.last(project_id)
        return None if last is None else last.started_at


def _dto(row: Standup) -> StandupDTO:
    return StandupDTO(
        row.id, row.project_id, row.started_at, row.ended_at, row.started_by, row.summary
    )


__all__ = ["StandupDTO", "StandupService"]
