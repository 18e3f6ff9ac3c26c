"""Time spent and what it costs: work logs, hourly rates and start/stop timers.

A work log is whole minutes one project member spent on one card on one day (in the
project's zone). Its cost is never stored: every read re-costs the logs from the rates
(:func:`app.metrics.costing.rate_in_force`), so a rate added or changed later re-costs the
logs from its date up to the next rate. A rate applies to a project's logs only in that
project's currency (a default rate in another currency is skipped), so a project's money is
never a sum of two currencies.

Timer rule: one running timer per person. Starting a second one is refused (Conflict) rather
than stopping the first silently; stopping writes a log of the elapsed minutes (at least 1)
dated the day the timer started.

Every write is one transaction, publishes ``worklog_changed`` after its commit, and the
UI's undo uses the inverse methods (``delete_log`` undoes ``add_log``; ``restore_log``
re-adds a deleted one; ``edit_log`` with the old values undoes an edit).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.clock import today_in
from app.errors import Conflict, NotFound, StaleEdit, ValidationError
from app.metrics.costing import (
    CENT,
    MAX_MINUTES,
    log_cost,
    minutes_to_hours,
    parse_duration,
    rate_in_force,
)
from app.models import Card, Member, Project, ProjectMember
from app.models.project import MemberRate
from app.models.time_money import RunningTimer, WorkLog
from app.services.common import check_id, get_project
from app.services.context import ServiceContext
from app.services.events import Change, ChangeKind
from app.services.validation import (
    CURRENCY_PATTERN,
    clean_date,
    clean_text,
)

NOTE_MAX = 2000
RATE_MAX = Decimal("100000.00")  # an hourly rate above this is a typo


@dataclass(frozen=True)
class WorkLogDTO:
    """One log as a person reads it: who, when, how long, and what it cost at the rate
    in force that day (``rate`` None: no rate had started; the cost is then 0.00)."""

    id: int
    card_id: int
    card_key: str
    card_title: str
    project_id: int
    member_id: int
    member_name: str
    day: dt.date
    minutes: int
    note: str
    rate: Decimal | None
    currency: str
    cost: Decimal
    version: int

    @property
    def hours(self) -> Decimal:
        return minutes_to_hours(self.minutes)


@dataclass(frozen=True)
class CardTimeDTO:
    """A card's time: its logs (oldest first), the total, the estimate and what remains.

    ``remaining_hours`` is the card's own remaining hours when set, else the estimate less
    the time logged (never below zero), else None."""

    card_id: int
    card_key: str
    logs: tuple[WorkLogDTO, ...]
    logged_minutes: int
    cost: Decimal
    currency: str
    estimate_hours: Decimal | None
    remaining_hours: Decimal | None

    @property
    def logged_hours(self) -> Decimal:
        return minutes_to_hours(self.logged_minutes)


@dataclass(frozen=True)
class RateDTO:
    id: int
    member_id: int
    member_name: str
    project_id: int | None
    project_key: str | None
    effective_from: dt.date
    hourly_rate: Decimal
    currency: str


@dataclass(frozen=True)
class TimerDTO:
    member_id: int
    member_name: str
    card_id: int
    card_key: str
    project_id: int
    started_at: dt.datetime


def clean_minutes(value: object) -> int:
    """Minutes as an int (1..1440), or a duration as people type it ("1.5h", "90m")."""
    if isinstance(value, str):
        return parse_duration(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError("The time spent must be a duration such as 1.5h or 90m.")
    if value <= 0:
        raise ValidationError("The time spent must be at least one minute.")
    if value > MAX_MINUTES:
        raise ValidationError("The time spent cannot be more than 24 hours.")
    return value


def clean_rate_amount(value: object) -> Decimal:
    """An hourly rate: a number of at most two decimals, 0 to 100,000."""
    if isinstance(value, bool) or value is None or (isinstance(value, str) and not value.strip()):
        raise ValidationError("Give the hourly rate, such as 85.00.")
    try:
        amount = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation as exc:
        raise ValidationError(f"The hourly rate {str(value)[:40]!r} is not a number.") from exc
    if not amount.is_finite():
        raise ValidationError("The hourly rate must be a number.")
    if amount < 0:
        raise ValidationError("An hourly rate cannot be negative.")
    if amount > RATE_MAX:
        raise ValidationError("An hourly rate cannot be more than 100,000.00.")
    if amount != amount.quantize(CENT):
        raise ValidationError("An hourly rate has at most two decimals (cents).")
    return amount.quantize(CENT)


def _clean_currency(value: object) -> str:
    text = str(value or "").strip().upper()
    if not CURRENCY_PATTERN.match(text):
        raise ValidationError(f"The currency {str(value)[:20]!r} is not a code such as EUR.")
    return text


class TimeService:
    def __init__(self, context: ServiceContext) -> None:
        self._ctx = context

    # --- logs ----------------------------------------------------------------------------

    def add_log(
        self,
        card_id: int,
        member_id: int,
        minutes: int | str,
        day: dt.date | str | None = None,
        note: str = "",
    ) -> WorkLogDTO:
        """Log time on a card for a member of its project (today in the project's zone by
        default). Refused: no time, more than 24 h that day for that person (all their logs
        summed), a future day, someone not in the team."""
        spent = clean_minutes(minutes)
        text = clean_text(note, "note", NOTE_MAX, required=False)
        with self._ctx.write() as uow:
            session = uow.session
            card, project = self._card(session, card_id)
            member = self._team_member(session, project, member_id)
            when = self._day(project, day)
            self._check_day_total(session, member, when, spent)
            log = WorkLog(
                card_id=card.id,
                member_id=member.id,
                day=when,
                minutes=spent,
                note=text,
                created_by=self._ctx.actor,
                created_at=self._ctx.clock(),
            )
            session.add(log)
            session.flush()
            dto = self._dtos(session, project, [log])[0]
            uow.notify(Change(ChangeKind.WORKLOG_CHANGED, project.id))
            uow.commit()
            return dto

    def restore_log(self, log: WorkLogDTO) -> WorkLogDTO:
        """Add a deleted log back (undo of :meth:`delete_log`), checked as a new one."""
        return self.add_log(log.card_id, log.member_id, log.minutes, log.day, log.note)

    def edit_log(
        self,
        log_id: int,
        *,
        minutes: int | str | None = None,
        day: dt.date | str | None = None,
        note: str | None = None,
        member_id: int | None = None,
        expected_version: int | None = None,
    ) -> WorkLogDTO:
        """Change a log's time, day, note or person (None keeps a value); checked as a new
        log. Undo is the same call with the old values."""
        spent = None if minutes is None else clean_minutes(minutes)
        text = None if note is None else clean_text(note, "note", NOTE_MAX, required=False)
        with self._ctx.write() as uow:
            session = uow.session
            log = self._log(session, log_id)
            if expected_version is not None and log.version != expected_version:
                raise StaleEdit(
                    "Someone else changed this log since you opened it; nothing was changed.",
                    log.version,
                )
            _card, project = self._card(session, log.card_id)
            member = self._team_member(
                session, project, log.member_id if member_id is None else member_id
            )
            when = log.day if day is None else self._day(project, day)
            spent = log.minutes if spent is None else spent
            self._check_day_total(session, member, when, spent, without=log.id)
            changed = (
                log.minutes != spent
                or log.day != when
                or log.member_id != member.id
                or (text is not None and log.note != text)
            )
            if changed:
                log.minutes, log.day, log.member_id = spent, when, member.id
                if text is not None:
                    log.note = text
                log.version += 1
                session.flush()
            dto = self._dtos(session, project, [log])[0]
            if changed:
                uow.notify(Change(ChangeKind.WORKLOG_CHANGED, project.id))
                uow.commit()
            return dto

    def delete_log(self, log_id: int) -> WorkLogDTO:
        """Delete a log; the DTO returned is what :meth:`restore_log` puts back."""
        with self._ctx.write() as uow:
            session = uow.session
            log = self._log(session, log_id)
            _card, project = self._card(session, log.card_id)
            dto = self._dtos(session, project, [log])[0]
            session.delete(log)
            session.flush()
            uow.notify(Change(ChangeKind.WORKLOG_CHANGED, project.id))
            uow.commit()
            return dto

    def get_log(self, log_id: int) -> WorkLogDTO:
        with self._ctx.read() as uow:
            log = self._log(uow.session, log_id)
            _card, project = self._card(uow.session, log.card_id)
            return self._dtos(uow.session, project, [log])[0]

    def card_logs(self, card_id: int) -> list[WorkLogDTO]:
        """A card's logs, oldest day first."""
        return list(self.card_time(card_id).logs)

    def card_time(self, card_id: int) -> CardTimeDTO:
        """A card's logs with its totals, estimate and remaining hours."""
        with self._ctx.read() as uow:
            session = uow.session
            card, project = self._card(session, card_id)
            logs = session.scalars(
                select(WorkLog).where(WorkLog.card_id == card.id).order_by(WorkLog.day, WorkLog.id)
            ).all()
            dtos = tuple(self._dtos(session, project, logs))
            total = sum((d.minutes for d in dtos), 0)
            if card.remaining_hours is not None:
                remaining: Decimal | None = card.remaining_hours
            elif card.estimate_hours is not None:
                remaining = max(card.estimate_hours - minutes_to_hours(total), Decimal("0.00"))
            else:
                remaining = None
            return CardTimeDTO(
                card_id=card.id,
                card_key=f"{project.key}-{card.number}",
                logs=dtos,
                logged_minutes=total,
                cost=sum((d.cost for d in dtos), Decimal("0.00")),
                currency=project.currency,
                estimate_hours=card.estimate_hours,
                remaining_hours=remaining,
            )

    def project_logs(
        self,
        project_id: int,
        *,
        member_id: int | None = None,
        date_from: dt.date | str | None = None,
        date_to: dt.date | str | None = None,
    ) -> list[WorkLogDTO]:
        """A project's logs by day, then card, optionally one person's and within dates
        (both ends included)."""
        start = clean_date(date_from, "from date")
        end = clean_date(date_to, "to date")
        if start and end and start > end:
            raise ValidationError("The from date comes after the to date.")
        with self._ctx.read() as uow:
            session = uow.session
            project = get_project(session, project_id)
            query = (
                select(WorkLog)
                .join(Card, Card.id == WorkLog.card_id)
                .where(Card.project_id == project.id)
                .order_by(WorkLog.day, Card.number, WorkLog.id)
            )
            if member_id is not None:
                query = query.where(WorkLog.member_id == check_id(member_id, "member"))
            if start is not None:
                query = query.where(WorkLog.day >= start)
            if end is not None:
                query = query.where(WorkLog.day <= end)
            return self._dtos(session, project, session.scalars(query).all())

    # --- rates ---------------------------------------------------------------------------

    def set_rate(
        self,
        member_id: int,
        amount: object,
        effective_from: dt.date | str | None,
        project_id: int | None = None,
        currency: str | None = None,
    ) -> RateDTO:
        """Set a person's hourly rate from a day on: their default (``project_id`` None, in
        ``currency`` or EUR) or one project's own (in that project's currency). A rate on
        the same day for the same scope is replaced."""
        rate = clean_rate_amount(amount)
        if effective_from is None or (isinstance(effective_from, str) and not effective_from):
            raise ValidationError("A rate needs the date it applies from.")
        start = clean_date(effective_from, "date the rate applies from")
        assert start is not None
        with self._ctx.write() as uow:
            session = uow.session
            member = session.get(Member, check_id(member_id, "member"))
            if member is None:
                raise NotFound(f"There is no person with id {member_id}.")
            project: Project | None = None
            if project_id is not None:
                project = get_project(session, project_id)
                in_team = session.scalar(
                    select(ProjectMember.id).where(
                        ProjectMember.project_id == project.id,
                        ProjectMember.member_id == member.id,
                    )
                )
                if in_team is None:
                    raise ValidationError(f"{member.display_name} is not in {project.key}'s team.")
                code = project.currency if currency is None else _clean_currency(currency)
                if code != project.currency:
                    raise ValidationError(
                        f"{project.key} counts in {project.currency}; a rate there cannot be "
                        f"in {code}."
                    )
            else:
                code = "EUR" if currency is None else _clean_currency(currency)
            row = session.scalar(
                select(MemberRate).where(
                    MemberRate.member_id == member.id,
                    MemberRate.effective_from == start,
                    MemberRate.project_id.is_(None)
                    if project is None
                    else MemberRate.project_id == project.id,
                )
            )
            if row is None:
                row = MemberRate(
                    member_id=member.id,
                    project_id=None if project is None else project.id,
                    effective_from=start,
                    hourly_rate=rate,
                    currency=code,
                )
                session.add(row)
            else:
                row.hourly_rate, row.currency = rate, code
            session.flush()
            dto = _rate_dto(row, member, project)
            for pid in self._projects_of(session, member.id, project):
                uow.notify(Change(ChangeKind.WORKLOG_CHANGED, pid))
            uow.commit()
            return dto

    def list_rates(
        self, member_id: int | None = None, project_id: int | None = None
    ) -> list[RateDTO]:
        """Rates by person, then scope (defaults first), then start date. With
        ``project_id``: that project's own rates and the defaults of its team."""
        with self._ctx.read() as uow:
            session = uow.session
            query = (
                select(MemberRate, Member, Project)
                .join(Member, Member.id == MemberRate.member_id)
                .outerjoin(Project, Project.id == MemberRate.project_id)
                .order_by(
                    func.lower(Member.display_name),
                    Member.id,
                    MemberRate.project_id.is_not(None),
                    Project.key,
                    MemberRate.effective_from,
                )
            )
            if member_id is not None:
                query = query.where(MemberRate.member_id == check_id(member_id, "member"))
            if project_id is not None:
                get_project(session, project_id)
                team = select(ProjectMember.member_id).where(ProjectMember.project_id == project_id)
                query = query.where(
                    or_(
                        MemberRate.project_id == project_id,
                        MemberRate.project_id.is_(None) & MemberRate.member_id.in_(team),
                    )
                )
            return [_rate_dto(r, m, p) for r, m, p in session.execute(query).all()]

    def delete_rate(self, rate_id: int) -> RateDTO:
        """Delete a rate (the logs it costed fall back to the rate before it); the DTO
        returned is what ``set_rate`` puts back for undo."""
        with self._ctx.write() as uow:
            session = uow.session
            row = session.get(MemberRate, check_id(rate_id, "rate"))
            if row is None:
                raise NotFound(f"There is no rate with id {rate_id}.")
            member = session.get(Member, row.member_id)
            project = None if row.project_id is None else session.get(Project, row.project_id)
            assert member is not None
            dto = _rate_dto(row, member, project)
            pids = self._projects_of(session, member.id, project)
            session.delete(row)
            session.flush()
            for pid in pids:
                uow.notify(Change(ChangeKind.WORKLOG_CHANGED, pid))
            uow.commit()
            return dto

    # --- timers --------------------------------------------------------------------------

    def start_timer(
        self, card_id: int, member_id: int, started_at: dt.datetime | None = None
    ) -> TimerDTO:
        """Start a person's timer on a card (now, or ``started_at`` when undoing a stop).
        Refused when their timer already runs (stop it first: nothing is stopped silently)."""
        now = self._now()
        begin = now if started_at is None else _aware(started_at)
        if begin > now:
            raise ValidationError("A timer cannot start in the future.")
        with self._ctx.write() as uow:
            session = uow.session
            card, project = self._card(session, card_id)
            member = self._team_member(session, project, member_id)
            running = session.scalar(
                select(RunningTimer).where(RunningTimer.member_id == member.id)
            )
            if running is not None:
                key = self._card_key(session, running.card_id)
                raise Conflict(
                    f"{member.display_name}'s timer is already running on {key}; stop it first."
                )
            timer = RunningTimer(member_id=member.id, card_id=card.id, started_at=begin)
            session.add(timer)
            session.flush()
            dto = TimerDTO(
                member.id,
                member.display_name,
                card.id,
                f"{project.key}-{card.number}",
                project.id,
                timer.started_at,
            )
            uow.notify(Change(ChangeKind.WORKLOG_CHANGED, project.id))
            uow.commit()
            return dto

    def stop_timer(self, member_id: int, note: str = "") -> WorkLogDTO:
        """Stop a person's timer and log the minutes it ran (at least 1), dated the day it
        started in the project's zone. Refused (timer kept) when that would put the person
        over 24 h that day: :meth:`cancel_timer` discards it."""
        text = clean_text(note, "note", NOTE_MAX, required=False)
        with self._ctx.write() as uow:
            session = uow.session
            timer = self._timer(session, member_id)
            card, project = self._card(session, timer.card_id)
            member = self._team_member(session, project, timer.member_id)
            started = _aware(timer.started_at)
            elapsed = int((self._now() - started).total_seconds() // 60)
            spent = max(1, elapsed)
            if spent > MAX_MINUTES:
                raise ValidationError(
                    f"The timer ran for more than 24 hours (since {started:%Y-%m-%d %H:%M} "
                    "UTC); cancel it and log the time by hand."
                )
            when = today_in(project.time_zone, started)
            self._check_day_total(session, member, when, spent)
            log = WorkLog(
                card_id=card.id,
                member_id=member.id,
                day=when,
                minutes=spent,
                note=text,
                created_by=self._ctx.actor,
                created_at=self._now(),
            )
            session.add(log)
            session.delete(timer)
            session.flush()
            dto = self._dtos(session, project, [log])[0]
            uow.notify(Change(ChangeKind.WORKLOG_CHANGED, project.id))
            uow.commit()
            return dto

    def cancel_timer(self, member_id: int) -> TimerDTO:
        """Discard a person's running timer without logging anything."""
        with self._ctx.write() as uow:
            session = uow.session
            timer = self._timer(session, member_id)
            dto = self._timer_dto(session, timer)
            session.delete(timer)
            session.flush()
            uow.notify(Change(ChangeKind.WORKLOG_CHANGED, dto.project_id))
            uow.commit()
            return dto

    def running_timer(self, member_id: int) -> TimerDTO | None:
        """A person's running timer, or None."""
        with self._ctx.read() as uow:
            session = uow.session
            timer = session.scalar(
                select(RunningTimer).where(RunningTimer.member_id == check_id(member_id, "member"))
            )
            return None if timer is None else self._timer_dto(session, timer)

    def running_timers(self, project_id: int) -> list[TimerDTO]:
        """The timers running on a project's cards, by person."""
        with self._ctx.read() as uow:
            session = uow.session
            get_project(session, project_id)
            timers = session.scalars(
                select(RunningTimer)
                .join(Card, Card.id == RunningTimer.card_id)
                .join(Member, Member.id == RunningTimer.member_id)
                .where(Card.project_id == project_id)
                .order_by(func.lower(Member.display_name))
            ).all()
            return [self._timer_dto(session, t) for t in timers]

    def elapsed_minutes(self, timer: TimerDTO) -> int:
        """How long a timer has run, by the services' clock (what the status bar shows)."""
        return max(0, int((self._now() - _aware(timer.started_at)).total_seconds() // 60))

    def find_person(self, display_name: str) -> tuple[int, str]:
        """A person anywhere in this database by name, case-insensitive: (id, name)."""
        wanted = str(display_name).strip().lower()
        with self._ctx.read() as uow:
            row = uow.session.execute(
                select(Member.id, Member.display_name).where(
                    func.lower(Member.display_name) == wanted
                )
            ).first()
            if row is None:
                shown = str(display_name).strip()[:60]
                raise NotFound(f"There is no person called {shown!r}.")
            return int(row[0]), str(row[1])

    # --- helpers -------------------------------------------------------------------------

    def _now(self) -> dt.datetime:
        return _aware(self._ctx.clock())

    @staticmethod
    def _card(session: Session, card_id: int) -> tuple[Card, Project]:
        card = session.get(Card, check_id(card_id, "card"))
        if card is None:
            raise NotFound(f"There is no card with id {card_id}.")
        project = session.get(Project, card.project_id)
        assert project is not None
        return card, project

    @staticmethod
    def _card_key(session: Session, card_id: int) -> str:
        row = session.execute(
            select(Project.key, Card.number)
            .join(Project, Project.id == Card.project_id)
            .where(Card.id == card_id)
        ).first()
        return "?" if row is None else f"{row[0]}-{row[1]}"

    @staticmethod
    def _log(session: Session, log_id: int) -> WorkLog:
        log = session.get(WorkLog, check_id(log_id, "work log"))
        if log is None:
            raise NotFound(f"There is no work log with id {log_id} (it may have been deleted).")
        return log

    @staticmethod
    def _timer(session: Session, member_id: int) -> RunningTimer:
        timer = session.scalar(
            select(RunningTimer).where(RunningTimer.member_id == check_id(member_id, "member"))
        )
        if timer is None:
            raise NotFound("No timer is running for this person.")
        return timer

    def _timer_dto(self, session: Session, timer: RunningTimer) -> TimerDTO:
        card, project = self._card(session, timer.card_id)
        member = session.get(Member, timer.member_id)
        assert member is not None
        return TimerDTO(
            member.id,
            member.display_name,
            card.id,
            f"{project.key}-{card.number}",
            project.id,
            _aware(timer.started_at),
        )

    @staticmethod
    def _team_member(session: Session, project: Project, member_id: int) -> Member:
        row = session.execute(
            select(Member, ProjectMember.active)
            .join(ProjectMember, ProjectMember.member_id == Member.id)
            .where(
                ProjectMember.project_id == project.id,
                Member.id == check_id(member_id, "member"),
            )
        ).first()
        if row is None:
            name = session.scalar(select(Member.display_name).where(Member.id == member_id))
            who = name or f"Person {member_id}"
            raise ValidationError(f"{who} is not a member of {project.key}; add them to the team.")
        if not row[1] or not row[0].active:
            raise ValidationError(f"{row[0].display_name} is no longer in {project.key}'s team.")
        return row[0]

    def _day(self, project: Project, value: dt.date | str | None) -> dt.date:
        today = today_in(project.time_zone, self._ctx.clock())
        day = clean_date(value, "day") if value is not None else today
        assert day is not None
        if day > today:
            raise ValidationError(
                f"Time cannot be logged on {day.isoformat()}, a day still to come "
                f"(today is {today.isoformat()} in {project.key}'s time zone)."
            )
        return day

    @staticmethod
    def _check_day_total(
        session: Session, member: Member, day: dt.date, minutes: int, without: int | None = None
    ) -> None:
        query = select(func.coalesce(func.sum(WorkLog.minutes), 0)).where(
            WorkLog.member_id == member.id, WorkLog.day == day
        )
        if without is not None:
            query = query.where(WorkLog.id != without)
        already = int(session.scalar(query) or 0)
        if already + minutes > MAX_MINUTES:
            logged = minutes_to_hours(already)
            raise ValidationError(
                f"{member.display_name} already logged {logged:f} h on {day.isoformat()}; "
                "a day has only 24 hours."
            )

    @staticmethod
    def _projects_of(session: Session, member_id: int, project: Project | None) -> list[int]:
        if project is not None:
            return [project.id]
        return list(
            session.scalars(
                select(ProjectMember.project_id).where(ProjectMember.member_id == member_id)
            )
        )

    @staticmethod
    def _dtos(session: Session, project: Project, logs: Sequence[WorkLog]) -> list[WorkLogDTO]:
        """Logs as DTOs, each re-costed from the rates in force on its day."""
        if not logs:
            return []
        member_ids = {log.member_id for log in logs}
        card_ids = {log.card_id for log in logs}
        names = dict(
            session.execute(
                select(Member.id, Member.display_name).where(Member.id.in_(member_ids))
            ).all()
        )
        cards = {
            row[0]: (row[1], row[2])
            for row in session.execute(
                select(Card.id, Card.number, Card.title).where(Card.id.in_(card_ids))
            ).all()
        }
        rates = [
            r
            for r in session.scalars(
                select(MemberRate).where(
                    MemberRate.member_id.in_(member_ids),
                    or_(MemberRate.project_id.is_(None), MemberRate.project_id == project.id),
                )
            )
            if r.currency == project.currency
        ]
        out = []
        for log in logs:
            rate = rate_in_force(rates, log.member_id, project.id, log.day)
            amount = None if rate is None else rate.hourly_rate
            number, title = cards[log.card_id]
            out.append(
                WorkLogDTO(
                    id=log.id,
                    card_id=log.card_id,
                    card_key=f"{project.key}-{number}",
                    card_title=title,
                    project_id=project.id,
                    member_id=log.member_id,
                    member_name=names.get(log.member_id, "?"),
                    day=log.day,
                    minutes=log.minutes,
                    note=log.note,
                    rate=amount,
                    currency=project.currency,
                    cost=log_cost(log.minutes, amount),
                    version=log.version,
                )
            )
        return out


def project_costs(
    session: Session, project: Project, start: dt.date, end: dt.date
) -> list[WorkLogDTO]:
    """A project's costed logs dated ``start``..``end`` (the sprint report reads these in
    its own transaction)."""
    logs = session.scalars(
        select(WorkLog)
        .join(Card, Card.id == WorkLog.card_id)
        .where(Card.project_id == project.id, WorkLog.day >= start, WorkLog.day <= end)
        .order_by(WorkLog.day, Card.number, WorkLog.id)
    ).all()
    return TimeService._dtos(session, project, logs)


def _aware(when: dt.datetime) -> dt.datetime:
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)


def _rate_dto(row: MemberRate, member: Member, project: Project | None) -> RateDTO:
    return RateDTO(
        id=row.id,
        member_id=row.member_id,
        member_name=member.display_name,
        project_id=row.project_id,
        project_key=None if project is None else project.key,
        effective_from=row.effective_from,
        hourly_rate=Decimal(row.hourly_rate).quantize(CENT),
        currency=row.currency,
    )


__all__ = [
    "CardTimeDTO",
    "RateDTO",
    "TimeService",
    "TimerDTO",
    "WorkLogDTO",
    "clean_minutes",
    "clean_rate_amount",
    "project_costs",
]
