"""Import from Trello and Jira, Sprintdeck's own export, backups and restore."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from app.errors import ValidationError
from app.models import Project
from app.services.context import ServiceContext
from app.services.events import Change, ChangeKind
from app.services.transfer.backups import backup_file, daily_backup, restore_file
from app.services.transfer.checks import ImportRefused, shown_name
from app.services.transfer.common import (
    ImportCancelled,
    ImportPlan,
    ImportSummary,
    Progress,
    apply_plan,
    find_duplicates,
)
from app.services.transfer.jira import parse_jira_csv
from app.services.transfer.native import counts as native_counts
from app.services.transfer.native import export_data, load_export, restore_data
from app.services.transfer.project_move import (
    check_project_export,
    export_project_data,
    import_project_data,
    project_scope,
)
from app.services.transfer.trello import parse_trello

KINDS = ("trello", "jira-csv", "sprintdeck")


@dataclass(frozen=True, slots=True)
class ImportPreview:
    """What an import would create, shown before anything is written."""

    kind: str
    project_key: str
    project_name: str
    project_exists: bool
    counts: tuple[tuple[str, int], ...]
    columns: tuple[str, ...]
    # (external id, title, column, assignee, labels) of the first cards
    first_rows: tuple[tuple[str, str, str, str, str], ...]
    duplicates: int
    # what will be changed to store the file ("3 titles had control characters removed.")
    notes: tuple[str, ...] = ()


def _too_large(path: str | Path) -> ImportRefused:
    return ImportRefused(f"{shown_name(path)} is too large to import in the memory available.")


def _load_export(path: str | Path) -> dict:
    try:
        return load_export(path)
    except MemoryError as exc:
        raise _too_large(path) from exc


class TransferService:
    def __init__(self, context: ServiceContext) -> None:
        self._ctx = context
        self._cache: tuple[tuple[str, str, float, int], ImportPlan] | None = None

    def _plan(self, kind: str, path: str | Path) -> ImportPlan:
        if kind not in ("trello", "jira-csv"):
            raise ValidationError(f"Unknown kind of import {kind!r}; choose trello or jira-csv.")
        path = Path(path)
        try:
            stat = path.stat()
        except (OSError, ValueError) as exc:  # ValueError: a NUL in the name
            reason = getattr(exc, "strerror", None) or exc
            raise ImportRefused(f"Cannot read {path}: {reason}.") from exc
        tag = (kind, str(path.absolute()), stat.st_mtime, stat.st_size)
        if self._cache is not None and self._cache[0] == tag:
            return self._cache[1]
        try:
            plan = parse_trello(path) if kind == "trello" else parse_jira_csv(path)
        except MemoryError as exc:
            raise _too_large(path) from exc
        self._cache = (tag, plan)
        return plan

    def preview(self, kind: str, path: str | Path, project_key: str | None = None) -> ImportPreview:
        """Read the file (nothing is written) and say what importing it would create."""
        if kind == "sprintdeck":
            data = _load_export(path)
            projects = data["tables"].get("project", [])
            return ImportPreview(
                kind,
                ", ".join(p["key"] for p in projects),
                ", ".join(p["name"] for p in projects),
                False,
                tuple(native_counts(data).items()),
                (),
                tuple(
                    (str(c.get("number")), c.get("title", ""), "", "", "")
                    for c in data["tables"].get("card", [])[:10]
                ),
                0,
            )
        plan = self._plan(kind, path)
        key = (project_key or plan.project_key).strip().upper()
        with self._ctx.read() as uow:
            project_id = uow.session.scalar(select(Project.id).where(Project.key == key))
            duplicates = len(find_duplicates(uow.session, project_id, plan)) if project_id else 0
        return ImportPreview(
            kind=kind,
            project_key=key,
            project_name=plan.project_name,
            project_exists=project_id is not None,
            counts=tuple(plan.counts().items()),
            columns=tuple(c.name for c in plan.columns),
            first_rows=tuple(
                (
                    c.external_id,
                    c.title,
                    c.column,
                    c.assignee or "",
                    ", ".join(c.labels),
                )
                for c in plan.cards[:10]
            ),
            duplicates=duplicates,
            notes=plan.cleaner.lines(),
        )

    def import_file(
        self,
        kind: str,
        path: str | Path,
        project_key: str | None = None,
        on_duplicate: str | None = None,
        progress: Progress | None = None,
    ) -> ImportSummary:
        """Import a Trello board JSON or a Jira CSV in one transaction."""
        plan = self._plan(kind, path)
        return apply_plan(self._ctx, plan, project_key, on_duplicate, progress)

    def export_all(self, path: str | Path, schema: str = "") -> dict[str, int]:
        """Write every project with all its history to ``path``; returns the counts."""
        with self._ctx.read() as uow:
            data = export_data(uow.session, schema)
        _write_json(Path(path), data)
        return native_counts(data)

    def export_project(self, path: str | Path, key: str, schema: str = "") -> dict[str, int]:
        """Write one project with everything that belongs to it (its history, sprints,
        members...) to ``path``, to be imported into another database; returns the counts."""
        with self._ctx.read() as uow:
            data = export_project_data(uow.session, key, schema)
        _write_json(Path(path), data)
        return native_counts(data)

    def import_native(self, path: str | Path, progress: Progress | None = None) -> dict[str, int]:
        """Restore a Sprintdeck export exactly (ids kept) into an empty database, or add the
        project of a project export (sprintdeck export --project) to any database."""
        return self.import_sprintdeck(path, progress=progress).counts

    def import_sprintdeck(
        self,
        path: str | Path,
        key: str | None = None,
        schema: str | None = None,
        progress: Progress | None = None,
    ) -> NativeImport:
        """``import_native``, saying which it was; ``key`` renames a moved project and
        ``schema`` is this app's revision (a project export from a newer one is refused)."""
        data = _load_export(path)
        scope = project_scope(data)
        if scope is None:
            if key is not None:
                raise ImportRefused(
                    f"{shown_name(path)} holds a whole database, not one project; --key is "
                    "for a project export (sprintdeck export --project KEY)."
                )
            with self._ctx.write() as uow:
                restore_data(uow.session, data, progress)
                uow.notify(Change(ChangeKind.RELOADED))
                uow.commit()
            return NativeImport(None, native_counts(data))
        if schema is None:
            from app.dburl import head_revision

            schema = head_revision()
        check_project_export(shown_name(path), data, schema)
        with self._ctx.write() as uow:
            project_id = import_project_data(uow.session, data, key, progress)
            added = uow.session.scalar(select(Project.key).where(Project.id == project_id))
            uow.notify(Change(ChangeKind.PROJECT_ADDED, project_id))
            uow.commit()
        return NativeImport(added, native_counts(data))


@dataclass(frozen=True, slots=True)
class NativeImport:
    """What a Sprintdeck import did: the key of the project it added (None: a restore)."""

    project_key: str | None
    counts: dict[str, int]


def _write_json(target: Path, data: dict) -> None:
    """Write ``data`` next to ``target`` and move it into place (no half-written export)."""
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    try:
        with partial.open("w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False, indent=1)
        os.replace(partial, target)
    except OSError as exc:
        raise ValidationError(f"Cannot write {target}: {exc.strerror or exc}.") from exc
    finally:
        partial.unlink(missing_ok=True)


__all__ = [
    "KINDS",
    "ImportCancelled",
    "ImportPlan",
    "ImportPreview",
    "ImportRefused",
    "ImportSummary",
    "NativeImport",
    "TransferService",
    "backup_file",
    "daily_backup",
    "parse_jira_csv",
    "parse_trello",
    "restore_file",
]
