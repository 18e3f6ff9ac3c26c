"""Projects and their settings, team members and labels (their editing: services/team.py)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from app.clock import today_in
from app.errors import Conflict, NotFound, StaleEdit, ValidationError
from app.models import Holiday, Label, Member, Project, ProjectMember, Sprint, WorkflowColumn
from app.services.common import get_project, project_dto
from app.services.context import ServiceContext
from app.services.dto import LabelDTO, MemberDTO, ProjectDTO, ProjectSettings
from app.services.events import Change, ChangeKind
from app.services.validation import (
    NAME_MAX,
    clean_choice,
    clean_color,
    clean_currency,
    clean_date,
    clean_hours_per_day,
    clean_key,
    clean_money,
    clean_text,
    clean_time_zone,
    clean_weekdays,
)

METHODOLOGIES = ("scrum", "kanban")
DEFAULT_COLUMNS = (
    ("To Do", "todo", None),
    ("In Progress", "in_progress", None),
    ("Done", "done", None),
)
LABEL_PALETTE = (
    "#0052cc",
    "#00875a",
    "#de350b",
    "#ff991f",
    "#6554c0",
    "#00b8d9",
    "#c9372c",
    "#5e6c84",
)


class ProjectService:
    def __init__(self, context: ServiceContext) -> None:
        self._ctx = context

    def list_projects(self) -> list[ProjectDTO]:
        with self._ctx.read() as uow:
            projects = uow.session.scalars(
                select(Project).where(Project.archived.is_(False)).order_by(Project.key)
            )
            return [project_dto(p) for p in projects]

    def today(self, time_zone: str | None) -> dt.date:
        """Today in a project's time zone (``ProjectDTO.time_zone``; UTC when unknown), by
        the services' clock: what a page counts "days left" and default ranges from."""
        return today_in(time_zone, self._ctx.clock())

    def get_project(self, project_id: int) -> ProjectDTO:
        with self._ctx.read() as uow:
            return project_dto(get_project(uow.session, project_id))

    def find_project(self, key: str) -> ProjectDTO:
        """The project with this key (case-insensitive)."""
        with self._ctx.read() as uow:
            project = uow.session.scalar(
                select(Project).where(Project.key == str(key).strip().upper())
            )
            if project is None:
                raise NotFound(f"There is no project with key {key!r}.")
            return project_dto(project)

    def create_project(
        self,
        key: str,
        name: str,
        methodology: str = "scrum",
        columns: tuple[tuple[str, str, int | None], ...] = DEFAULT_COLUMNS,
    ) -> ProjectDTO:
        key = clean_key(key)
        name = clean_text(name, "project name", NAME_MAX)
        methodology = clean_choice(methodology, METHODOLOGIES, "methodology")
        with self._ctx.write() as uow:
            session = uow.session
            if session.scalar(select(Project.id).where(Project.key == key)) is not None:
                raise Conflict(f"A project with key {key} already exists; choose another key.")
            project = Project(key=key, name=name, methodology=methodology)
            session.add(project)
            session.flush()
            for position, (column_name, category, wip) in enumerate(columns):
                session.add(
                    WorkflowColumn(
                        project_id=project.id,
                        name=column_name,
                        position=position,
                        category=category,
                        wip_limit=wip,
                    )
                )
            session.flush()
            dto = project_dto(project)
            uow.notify(Change(ChangeKind.PROJECT_ADDED, project.id))
            uow.commit()
            return dto

    def rename_project(self, project_id: int, name: str) -> ProjectDTO:
        name = clean_text(name, "project name", NAME_MAX)
        with self._ctx.write() as uow:
            project = get_project(uow.session, project_id)
            project.name = name
            project.version += 1
            uow.session.flush()
            dto = project_dto(project)
            uow.notify(Change(ChangeKind.PROJECT_CHANGED, project.id))
            uow.commit()
            return dto

    # --- settings ------------------------------------------------------------------------

    def get_project_settings(self, project_id: int) -> ProjectSettings:
        """The settings as *Project › Settings* shows them (holidays by date)."""
        with self._ctx.read() as uow:
            project = get_project(uow.session, project_id)
            return _settings_of(project)

    def update_project_settings(
        self, project_id: int, settings: ProjectSettings, expected_version: int | None = None
    ) -> ProjectDTO:
        """Save name, methodology, time zone, working calendar, budget and currency at once.

        Refused as a whole when one value is bad, when the project was changed since
        ``expected_version`` (its ``version``), or when it would switch to Kanban while a
        sprint is active. Nothing changed: nothing is written.
        """
        if not isinstance(settings, ProjectSettings):
            raise ValidationError("The project settings must be given as ProjectSettings.")
        wanted = ProjectSettings(
            name=clean_text(settings.name, "project name", NAME_MAX),
            methodology=clean_choice(settings.methodology, METHODOLOGIES, "methodology"),
            time_zone=clean_time_zone(settings.time_zone),
            working_weekdays=clean_weekdays(settings.working_weekdays),
            holidays=_clean_holidays(settings.holidays),
            budget=clean_money(settings.budget, "budget"),
            currency=clean_currency(settings.currency),
        )
        with self._ctx.write() as uow:
            session = uow.session
            project = get_project(session, project_id)
            if expected_version is not None and project.version != expected_version:
                raise StaleEdit(
                    f"The settings of {project.key} were changed by someone else since you "
                    f"opened them (your copy is version {expected_version}, the saved one is "
                    f"{project.version}). Close and reopen them to see the changes.",
                    current_version=project.version,
                )
            if _settings_of(project) == wanted:
                return project_dto(project)
            if wanted.methodology == "kanban" and project.methodology != "kanban":
                active = session.scalar(
                    select(Sprint.name).where(
                        Sprint.project_id == project.id, Sprint.state == "active"
                    )
                )
                if active is not None:
                    raise Conflict(
                        f"The sprint {active!r} is active; complete it before switching "
                        f"{project.key} to Kanban."
                    )
            project.name = wanted.name
            project.methodology = wanted.methodology
            project.time_zone = wanted.time_zone
            project.working_weekdays = wanted.working_weekdays
            project.budget = wanted.budget
            project.currency = wanted.currency
            days = dict(wanted.holidays)
            for holiday in list(project.holidays):
                if holiday.day not in days:
                    project.holidays.remove(holiday)
                else:
                    holiday.name = days.pop(holiday.day)
            # Removals first: a day removed and added back is one row, not a clash.
            session.flush()
            for day, name in days.items():
                project.holidays.append(Holiday(day=day, name=name))
            project.version += 1
            session.flush()
            dto = project_dto(project)
            uow.notify(Change(ChangeKind.PROJECT_CHANGED, project.id))
            uow.commit()
            return dto

    # --- members -------------------------------------------------------------------------

    def list_members(self, project_id: int, include_inactive: bool = False) -> list[MemberDTO]:
        with self._ctx.read() as uow:
            query = (
                select(Member, ProjectMember)
                .join(ProjectMember, ProjectMember.member_id == Member.id)
                .where(ProjectMember.project_id == project_id)
                .order_by(Member.display_name)
            )
            if not include_inactive:
                query = query.where(ProjectMember.active.is_(True), Member.active.is_(True))
            return [
                MemberDTO(m.id, m.display_name, pm.role, m.active and pm.active)
                for m, pm in uow.session.execute(query).all()
            ]

    def add_member(
        self,
        project_id: int,
        display_name: str,
        role: str = "",
        hours_per_day: object = None,
    ) -> MemberDTO:
        """Add a person to the project's team (the person is created if new; a former
        member comes back). ``hours_per_day``: 0 to 24, default 6 for a new member."""
        display_name = clean_text(display_name, "member name", 100)
        role = clean_text(role, "role", 100, required=False)
        hours = None if hours_per_day is None else clean_hours_per_day(hours_per_day)
        with self._ctx.write() as uow:
            session = uow.session
            get_project(session, project_id)
            member = session.scalar(
                select(Member).where(func.lower(Member.display_name) == display_name.lower())
            )
            if member is None:
                member = Member(display_name=display_name)
                session.add(member)
                session.flush()
            member.active = True
            link = session.scalar(
                select(ProjectMember).where(
                    ProjectMember.project_id == project_id, ProjectMember.member_id == member.id
                )
            )
            if link is not None and link.active:
                raise Conflict(f"{member.display_name} is already in this project's team.")
            if link is None:
                link = ProjectMember(project_id=project_id, member_id=member.id, role=role)
                session.add(link)
            else:
                link.active = True
                link.role = role or link.role
                link.version += 1
            if hours is not None:
                link.hours_per_day = hours
            session.flush()
            dto = MemberDTO(member.id, member.display_name, link.role, True)
            uow.notify(Change(ChangeKind.MEMBERS_CHANGED, project_id))
            uow.commit()
            return dto

    def find_member(self, project_id: int, display_name: str) -> MemberDTO:
        """A team member by display name, case-insensitive."""
        wanted = str(display_name).strip().lower()
        for member in self.list_members(project_id, include_inactive=True):
            if member.display_name.lower() == wanted:
                return member
        raise NotFound(f"There is no member called {display_name!r} in this project.")

    # --- labels --------------------------------------------------------------------------

    def list_labels(self, project_id: int) -> list[LabelDTO]:
        with self._ctx.read() as uow:
            labels = uow.session.scalars(
                select(Label).where(Label.project_id == project_id).order_by(Label.name)
            )
            return [LabelDTO(lb.id, lb.name, lb.color) for lb in labels]

    def add_label(self, project_id: int, name: str, color: str | None = None) -> LabelDTO:
        name = clean_text(name, "label name", 50)
        if any(ch.isspace() for ch in name):
            raise ValidationError("A label is one word (use - or _ instead of spaces).")
        with self._ctx.write() as uow:
            session = uow.session
            get_project(session, project_id)
            existing = session.scalar(
                select(Label).where(
                    Label.project_id == project_id, func.lower(Label.name) == name.lower()
                )
            )
            if existing is not None:
                raise Conflict(f"The label {existing.name!r} already exists.")
            count = session.scalar(
                select(func.count(Label.id)).where(Label.project_id == project_id)
            )
            chosen = (
                clean_color(color) if color else LABEL_PALETTE[(count or 0) % len(LABEL_PALETTE)]
            )
            label = Label(project_id=project_id, name=name, color=chosen)
            session.add(label)
            session.flush()
            dto = LabelDTO(label.id, label.name, label.color)
            uow.notify(Change(ChangeKind.LABELS_CHANGED, project_id))
            uow.commit()
            return dto


def _settings_of(project: Project) -> ProjectSettings:
    return ProjectSettings(
        name=project.name,
        methodology=project.methodology,
        time_zone=project.time_zone,
        working_weekdays=project.working_weekdays,
        holidays=tuple((h.day, h.name) for h in sorted(project.holidays, key=lambda h: h.day)),
        budget=project.budget,
        currency=project.currency,
    )


def _clean_holidays(value: object) -> tuple[tuple[dt.date, str], ...]:
    """(date, name) pairs by date; a date listed twice is refused, not merged."""
    if not isinstance(value, list | tuple):
        raise ValidationError("The holidays must be a list of (date, name) pairs.")
    days: dict[dt.date, str] = {}
    for entry in value:
        try:
            day, name = entry
        except (TypeError, ValueError):
            raise ValidationError("Each holiday is a date and a name.") from None
        when = clean_date(day, "holiday")
        if when is None:
            raise ValidationError("A holiday needs a date (YYYY-MM-DD).")
        if when in days:
            raise ValidationError(f"The holiday {when.isoformat()} is listed twice.")
        days[when] = clean_text(name, "holiday name", 200, required=False)
    return tuple(sorted(days.items()))
