"""Workflow columns: add, rename, reorder, categorise, limit and archive."""

from __future__ import annotations

from sqlalchemy import func, select

from app.errors import Conflict, NotFound, StaleEdit, ValidationError
from app.models import CATEGORIES, Card, WorkflowColumn
from app.services.common import check_id, column_dto, get_project, record_event
from app.services.context import ServiceContext
from app.services.dto import ColumnDTO
from app.services.events import Change, ChangeKind
from app.services.validation import clean_choice, clean_text, clean_wip_limit

_UNSET = object()


def _check_position(position: object) -> None:
    if isinstance(position, bool) or not isinstance(position, int):
        raise ValidationError("The position is a whole number from 0.")


class WorkflowService:
    def __init__(self, context: ServiceContext) -> None:
        self._ctx = context

    def list_columns(self, project_id: int, include_archived: bool = False) -> list[ColumnDTO]:
        with self._ctx.read() as uow:
            get_project(uow.session, project_id)
            query = select(WorkflowColumn).where(WorkflowColumn.project_id == project_id)
            if not include_archived:
                query = query.where(WorkflowColumn.archived.is_(False))
            columns = uow.session.scalars(query.order_by(WorkflowColumn.position))
            return [column_dto(c) for c in columns]

    def find_column(self, project_id: int, name: str) -> ColumnDTO:
        """A live column by name, case-insensitive."""
        wanted = str(name).strip().lower()
        columns = self.list_columns(project_id)
        for column in columns:
            if column.name.lower() == wanted:
                return column
        names = ", ".join(c.name for c in columns)
        raise NotFound(f"There is no column called {name!r}; the columns are: {names}.")

    def add_column(
        self,
        project_id: int,
        name: str,
        category: str = "in_progress",
        wip_limit: int | None = None,
        position: int | None = None,
    ) -> ColumnDTO:
        """Add a column at ``position`` (0-based among live columns; default: before the
        first done column, or last)."""
        name = clean_text(name, "column name", 60)
        category = clean_choice(category, CATEGORIES, "column category")
        wip_limit = clean_wip_limit(wip_limit)
        if position is not None:
            _check_position(position)
        with self._ctx.write() as uow:
            session = uow.session
            get_project(session, project_id)
            live = self._live(session, project_id)
            self._check_unique(live, name)
            if position is None:
                done = [i for i, c in enumerate(live) if c.category == "done"]
                position = done[0] if done and category != "done" else len(live)
            position = max(0, min(position, len(live)))
            column = WorkflowColumn(
                project_id=project_id,
                name=name,
                category=category,
                wip_limit=wip_limit,
                position=0,
            )
            session.add(column)
            live.insert(position, column)
            self._renumber(session, project_id, live)
            session.flush()
            dto = column_dto(column)
            uow.notify(Change(ChangeKind.COLUMNS_CHANGED, project_id))
            uow.commit()
            return dto

    def update_column(
        self,
        column_id: int,
        *,
        name: str | None = None,
        category: str | None = None,
        wip_limit: object = _UNSET,
        expected_version: int | None = None,
    ) -> ColumnDTO:
        with self._ctx.write() as uow:
            session = uow.session
            column = self._get(session, column_id)
            if expected_version is not None and column.version != expected_version:
                raise StaleEdit(
                    f"The column {column.name!r} was changed by someone else; reload and retry.",
                    column.version,
                )
            if name is not None:
                name = clean_text(name, "column name", 60)
                others = [c for c in self._live(session, column.project_id) if c.id != column.id]
                self._check_unique(others, name)
                column.name = name
            if category is not None:
                column.category = clean_choice(category, CATEGORIES, "column category")
            if wip_limit is not _UNSET:
                column.wip_limit = clean_wip_limit(wip_limit)
            column.version += 1
            session.flush()
            dto = column_dto(column)
            uow.notify(Change(ChangeKind.COLUMNS_CHANGED, column.project_id))
            uow.commit()
            return dto

    def move_column(self, column_id: int, new_position: int) -> list[ColumnDTO]:
        """Put a column at ``new_position`` (0-based among live columns)."""
        _check_position(new_position)
        with self._ctx.write() as uow:
            session = uow.session
            column = self._get(session, column_id)
            if column.archived:
                raise Conflict(f"The column {column.name!r} is archived; restore it first.")
            live = [c for c in self._live(session, column.project_id) if c.id != column.id]
            live.insert(max(0, min(new_position, len(live))), column)
            self._renumber(session, column.project_id, live)
            session.flush()
            result = [column_dto(c) for c in live]
            uow.notify(Change(ChangeKind.COLUMNS_CHANGED, column.project_id))
            uow.commit()
            return result

    def archive_column(self, column_id: int, move_cards_to: int | None = None) -> ColumnDTO:
        """Archive a column. Its live cards must go somewhere: ``move_cards_to`` names where
        (they keep their rank, so their order is preserved)."""
        with self._ctx.write() as uow:
            session = uow.session
            column = self._get(session, column_id)
            if column.archived:
                raise Conflict(f"The column {column.name!r} is already archived.")
            live = self._live(session, column.project_id)
            if len(live) <= 1:
                raise Conflict("A board needs at least one column; this is the last one.")
            cards = list(
                session.scalars(
                    select(Card).where(Card.column_id == column.id, Card.archived.is_(False))
                )
            )
            if cards:
                if move_cards_to is None:
                    raise Conflict(
                        f"The column {column.name!r} still holds {len(cards)} card(s); "
                        "choose a column to move them to before archiving it."
                    )
                target = self._get(session, move_cards_to)
                if (
                    target.project_id != column.project_id
                    or target.archived
                    or target.id == column.id
                ):
                    raise ValidationError("Choose another live column of the same board.")
                for card in cards:
                    card.column_id = target.id
                    card.version += 1
                    record_event(
                        session,
                        self._ctx,
                        card,
                        "moved",
                        {"column": column.name, "category": column.category},
                        {"column": target.name, "category": target.category},
                        category=target.category,
                    )
            column.archived = True
            column.version += 1
            remaining = [c for c in live if c.id != column.id]
            self._renumber(session, column.project_id, remaining)
            column.position = len(remaining) + session.scalar(
                select(func.count(WorkflowColumn.id)).where(
                    WorkflowColumn.project_id == column.project_id,
                    WorkflowColumn.archived.is_(True),
                )
            )
            session.flush()
            dto = column_dto(column)
            uow.notify(Change(ChangeKind.COLUMNS_CHANGED, column.project_id))
            uow.commit()
            return dto

    def restore_column(self, column_id: int, position: int | None = None) -> ColumnDTO:
        with self._ctx.write() as uow:
            session = uow.session
            column = self._get(session, column_id)
            if not column.archived:
                raise Conflict(f"The column {column.name!r} is not archived.")
            live = self._live(session, column.project_id)
            self._check_unique(live, column.name)
            column.archived = False
            column.version += 1
            live.insert(len(live) if position is None else max(0, min(position, len(live))), column)
            self._renumber(session, column.project_id, live)
            session.flush()
            dto = column_dto(column)
            uow.notify(Change(ChangeKind.COLUMNS_CHANGED, column.project_id))
            uow.commit()
            return dto

    # --- helpers -------------------------------------------------------------------------

    @staticmethod
    def _get(session, column_id: int) -> WorkflowColumn:  # type: ignore[no-untyped-def]
        check_id(column_id, "column")
        column = session.get(WorkflowColumn, column_id, with_for_update=True)
        if column is None:
            raise NotFound(f"There is no column with id {column_id}.")
        return column

    @staticmethod
    def _live(session, project_id: int) -> list[WorkflowColumn]:  # type: ignore[no-untyped-def]
        return list(
            session.scalars(
                select(WorkflowColumn)
                .where(WorkflowColumn.project_id == project_id, WorkflowColumn.archived.is_(False))
                .order_by(WorkflowColumn.position)
            )
        )

    @staticmethod
    def _check_unique(columns: list[WorkflowColumn], name: str) -> None:
        if any(c.name.lower() == name.lower() for c in columns):
            raise Conflict(f"There is already a column called {name!r}.")

    @staticmethod
    def _renumber(session, project_id: int, ordered: list[WorkflowColumn]) -> None:  # type: ignore[no-untyped-def]
        for index, column in enumerate(ordered):
            if column.position != index:
                column.position = index
                if column.id is not None:
                    column.version += 1
