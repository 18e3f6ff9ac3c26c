"""Shaping a project's team and labels: what *Project › Settings* changes, and its inverses.

People are global (one ``member`` row per person, shared by every project they join);
their place in a project (role, hours per day, active) is a ``project_member`` row.
Removing someone from a project deactivates that row: their cards keep the assignee and
the history keeps its names. Labels belong to one project; a merge or a delete changes the
cards that carry them, and each such card gets an ``edited`` history event with the label
ids before and after (as a label change made in the card editor does) and a new version.

Every method is one transaction, publishes ``members_changed`` or ``labels_changed`` after
its commit, and has an inverse for undo (reactivate, rename back, split a merge, restore a
deleted label), itself a new change rather than an erasure.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.errors import Conflict, NotFound, StaleEdit, ValidationError
from app.models import Card, Label, Member, ProjectMember, WorkflowColumn, card_label
from app.services.common import check_id, get_project, record_event
from app.services.context import ServiceContext
from app.services.dto import (
    LabelDeletionDTO,
    LabelDTO,
    LabelMergeDTO,
    LabelUsageDTO,
    TeamMemberDTO,
)
from app.services.events import Change, ChangeKind
from app.services.validation import clean_color, clean_hours_per_day, clean_text

MEMBER_NAME_MAX = 100
ROLE_MAX = 100
LABEL_NAME_MAX = 50


def clean_label_name(value: object) -> str:
    """A label's name: one word of at most 50 characters (as ``add_label`` has it)."""
    name = clean_text(value, "label name", LABEL_NAME_MAX)
    if any(ch.isspace() for ch in name):
        raise ValidationError("A label is one word (use - or _ instead of spaces).")
    return name


class TeamService:
    def __init__(self, context: ServiceContext) -> None:
        self._ctx = context

    # --- people --------------------------------------------------------------------------

    def list_team(self, project_id: int, include_inactive: bool = False) -> list[TeamMemberDTO]:
        """The project's people by name; former members too with ``include_inactive``."""
        with self._ctx.read() as uow:
            session = uow.session
            get_project(session, project_id)
            query = (
                select(Member, ProjectMember)
                .join(ProjectMember, ProjectMember.member_id == Member.id)
                .where(ProjectMember.project_id == project_id)
                .order_by(func.lower(Member.display_name), Member.id)
            )
            if not include_inactive:
                query = query.where(ProjectMember.active.is_(True), Member.active.is_(True))
            assigned = dict(
                session.execute(
                    select(Card.assignee_id, func.count(Card.id))
                    .where(Card.project_id == project_id, Card.archived.is_(False))
                    .group_by(Card.assignee_id)
                ).all()
            )
            return [
                _team_dto(member, link, assigned.get(member.id, 0))
                for member, link in session.execute(query).all()
            ]

    def get_member(self, project_id: int, member_id: int) -> TeamMemberDTO:
        """One person's place in the team, former members too."""
        with self._ctx.read() as uow:
            session = uow.session
            member, link = self._membership(session, project_id, member_id)
            return _team_dto(member, link, self._assigned(session, project_id, member.id))

    def known_people(self) -> list[str]:
        """Everyone known to this database, by name: people are shared between projects,
        so adding someone to a team can pick a person who works on another project."""
        with self._ctx.read() as uow:
            return list(
                uow.session.scalars(
                    select(Member.display_name).order_by(func.lower(Member.display_name))
                )
            )

    def update_member(
        self,
        project_id: int,
        member_id: int,
        *,
        role: str | None = None,
        hours_per_day: object = None,
        active: bool | None = None,
        expected_version: int | None = None,
    ) -> TeamMemberDTO:
        """Change a person's role, hours per day or active flag in one project (None keeps
        a value). Undo is the same call with the old values."""
        clean_role = None if role is None else clean_text(role, "role", ROLE_MAX, required=False)
        hours = None if hours_per_day is None else clean_hours_per_day(hours_per_day)
        if active is not None and not isinstance(active, bool):
            raise ValidationError("Active must be yes or no.")
        with self._ctx.write() as uow:
            session = uow.session
            member, link = self._membership(session, project_id, member_id)
            _check_version(link.version, expected_version, f"{member.display_name}'s place")
            changed = False
            for name, value in (("role", clean_role), ("hours_per_day", hours), ("active", active)):
                if value is not None and getattr(link, name) != value:
                    setattr(link, name, value)
                    changed = True
            if changed:
                link.version += 1
                session.flush()
            dto = _team_dto(member, link, self._assigned(session, project_id, member.id))
            if changed:
                uow.notify(Change(ChangeKind.MEMBERS_CHANGED, project_id))
                uow.commit()
            return dto

    def remove_member(
        self, project_id: int, member_id: int, expected_version: int | None = None
    ) -> TeamMemberDTO:
        """Take a person off the project's team. Their cards keep them as assignee and the
        history keeps their name; :meth:`reactivate_member` brings them back."""
        return self._set_active(project_id, member_id, False, expected_version)

    def reactivate_member(
        self, project_id: int, member_id: int, expected_version: int | None = None
    ) -> TeamMemberDTO:
        return self._set_active(project_id, member_id, True, expected_version)

    def _set_active(
        self, project_id: int, member_id: int, active: bool, expected_version: int | None
    ) -> TeamMemberDTO:
        with self._ctx.write() as uow:
            session = uow.session
            member, link = self._membership(session, project_id, member_id)
            _check_version(link.version, expected_version, f"{member.display_name}'s place")
            if link.active == active and (member.active or not active):
                state = "in" if active else "no longer in"
                raise Conflict(f"{member.display_name} is already {state} this project's team.")
            link.active = active
            if active:
                member.active = True
            link.version += 1
            session.flush()
            dto = _team_dto(member, link, self._assigned(session, project_id, member.id))
            uow.notify(Change(ChangeKind.MEMBERS_CHANGED, project_id))
            uow.commit()
            return dto

    def rename_person(
        self,
        project_id: int,
        member_id: int,
        display_name: str,
        expected_version: int | None = None,
    ) -> TeamMemberDTO:
        """Rename a person everywhere (people are shared by projects). Refused when another
        person already has that name, in any case. ``expected_version``: the person's."""
        name = clean_text(display_name, "member name", MEMBER_NAME_MAX)
        with self._ctx.write() as uow:
            session = uow.session
            member, link = self._membership(session, project_id, member_id)
            _check_version(member.version, expected_version, f"{member.display_name}'s name")
            if member.display_name == name:
                return _team_dto(member, link, self._assigned(session, project_id, member.id))
            clash = session.scalar(
                select(Member.display_name).where(
                    func.lower(Member.display_name) == name.lower(), Member.id != member.id
                )
            )
            if clash is not None:
                raise Conflict(f"There is already a person called {clash}; choose another name.")
            member.display_name = name
            member.version += 1
            session.flush()
            dto = _team_dto(member, link, self._assigned(session, project_id, member.id))
            # Every board that shows this person shows the new name.
            for pid in session.scalars(
                select(ProjectMember.project_id).where(ProjectMember.member_id == member.id)
            ):
                uow.notify(Change(ChangeKind.MEMBERS_CHANGED, pid))
            uow.commit()
            return dto

    @staticmethod
    def _membership(
        session: Session, project_id: int, member_id: int
    ) -> tuple[Member, ProjectMember]:
        get_project(session, project_id)
        check_id(member_id, "member")
        row = session.execute(
            select(Member, ProjectMember)
            .join(ProjectMember, ProjectMember.member_id == Member.id)
            .where(ProjectMember.project_id == project_id, Member.id == member_id)
        ).first()
        if row is None:
            raise NotFound(f"Member {member_id} is not in this project's team.")
        return row[0], row[1]

    @staticmethod
    def _assigned(session: Session, project_id: int, member_id: int) -> int:
        return (
            session.scalar(
                select(func.count(Card.id)).where(
                    Card.project_id == project_id,
                    Card.assignee_id == member_id,
                    Card.archived.is_(False),
                )
            )
            or 0
        )

    # --- labels --------------------------------------------------------------------------

    def list_labels(self, project_id: int) -> list[LabelUsageDTO]:
        """The project's labels by name, each with the number of live cards carrying it."""
        with self._ctx.read() as uow:
            session = uow.session
            get_project(session, project_id)
            counts = dict(
                session.execute(
                    select(card_label.c.label_id, func.count(card_label.c.card_id))
                    .join(Card, Card.id == card_label.c.card_id)
                    .where(Card.project_id == project_id, Card.archived.is_(False))
                    .group_by(card_label.c.label_id)
                ).all()
            )
            labels = session.scalars(
                select(Label)
                .where(Label.project_id == project_id)
                .order_by(func.lower(Label.name), Label.id)
            )
            return [
                LabelUsageDTO(lb.id, lb.project_id, lb.name, lb.color, counts.get(lb.id, 0))
                for lb in labels
            ]

    def rename_label(self, label_id: int, name: str) -> LabelDTO:
        """Rename a label (its cards keep it: they link to the label, not to its name)."""
        name = clean_label_name(name)
        with self._ctx.write() as uow:
            session = uow.session
            label = _get_label(session, label_id)
            if label.name == name:
                return _label_dto(label)
            _check_label_name_free(session, label.project_id, name, label.id)
            label.name = name
            session.flush()
            dto = _label_dto(label)
            uow.notify(Change(ChangeKind.LABELS_CHANGED, label.project_id))
            uow.commit()
            return dto

    def recolor_label(self, label_id: int, color: str) -> LabelDTO:
        chosen = clean_color(color)
        with self._ctx.write() as uow:
            session = uow.session
            label = _get_label(session, label_id)
            if label.color == chosen:
                return _label_dto(label)
            label.color = chosen
            session.flush()
            dto = _label_dto(label)
            uow.notify(Change(ChangeKind.LABELS_CHANGED, label.project_id))
            uow.commit()
            return dto

    def merge_labels(self, source_id: int, target_id: int) -> LabelMergeDTO:
        """Fold ``source`` into ``target``: every card that had the source has the target,
        and the source is gone. :meth:`split_label` undoes it."""
        check_id(source_id, "label")
        check_id(target_id, "label")
        if source_id == target_id:
            raise ValidationError("A label cannot be merged into itself.")
        with self._ctx.write() as uow:
            session = uow.session
            source = _get_label(session, source_id)
            target = _get_label(session, target_id)
            if source.project_id != target.project_id:
                raise ValidationError("Labels can only be merged within one project.")
            had_source = set(_cards_with(session, source.id))
            had_target = set(_cards_with(session, target.id))
            moved = tuple(sorted(had_source - had_target))
            shared = tuple(sorted(had_source & had_target))
            result = LabelMergeDTO(
                source.project_id, _label_dto(source), _label_dto(target), moved, shared
            )
            relabel = _Relabel(session, self._ctx, source.project_id)
            relabel.change(moved, remove=source.id, add=target.id)
            relabel.change(shared, remove=source.id)
            session.delete(source)
            session.flush()
            uow.notify(Change(ChangeKind.LABELS_CHANGED, source.project_id))
            uow.commit()
            return result

    def split_label(self, merge: LabelMergeDTO) -> LabelDTO:
        """Undo a merge: the source label again (a new row, same name and colour) on the
        cards that had it; the cards that had only the source lose the target again."""
        if not isinstance(merge, LabelMergeDTO):
            raise ValidationError("Say which merge to split back.")
        name = clean_label_name(merge.source.name)
        color = clean_color(merge.source.color)
        with self._ctx.write() as uow:
            session = uow.session
            get_project(session, merge.project_id)
            _check_label_name_free(session, merge.project_id, name, None)
            target = session.get(Label, merge.target.id)
            if target is None or target.project_id != merge.project_id:
                raise NotFound(f"The label {merge.target.name!r} no longer exists.")
            label = Label(project_id=merge.project_id, name=name, color=color)
            session.add(label)
            session.flush()
            relabel = _Relabel(session, self._ctx, merge.project_id)
            relabel.change(merge.moved_card_ids, remove=target.id, add=label.id)
            relabel.change(merge.shared_card_ids, add=label.id)
            session.flush()
            dto = _label_dto(label)
            uow.notify(Change(ChangeKind.LABELS_CHANGED, merge.project_id))
            uow.commit()
            return dto

    def delete_label(self, label_id: int) -> LabelDeletionDTO:
        """Delete a label and take it off its cards; :meth:`restore_label` puts it back."""
        with self._ctx.write() as uow:
            session = uow.session
            label = _get_label(session, label_id)
            cards = tuple(sorted(_cards_with(session, label.id)))
            result = LabelDeletionDTO(label.project_id, _label_dto(label), cards)
            _Relabel(session, self._ctx, label.project_id).change(cards, remove=label.id)
            session.delete(label)
            session.flush()
            uow.notify(Change(ChangeKind.LABELS_CHANGED, label.project_id))
            uow.commit()
            return result

    def restore_label(self, deletion: LabelDeletionDTO) -> LabelDTO:
        """Undo a delete: the label again (a new row, same name and colour) on the same
        cards."""
        if not isinstance(deletion, LabelDeletionDTO):
            raise ValidationError("Say which deleted label to restore.")
        name = clean_label_name(deletion.label.name)
        color = clean_color(deletion.label.color)
        with self._ctx.write() as uow:
            session = uow.session
            get_project(session, deletion.project_id)
            _check_label_name_free(session, deletion.project_id, name, None)
            label = Label(project_id=deletion.project_id, name=name, color=color)
            session.add(label)
            session.flush()
            _Relabel(session, self._ctx, deletion.project_id).change(
                deletion.card_ids, add=label.id
            )
            session.flush()
            dto = _label_dto(label)
            uow.notify(Change(ChangeKind.LABELS_CHANGED, deletion.project_id))
            uow.commit()
            return dto


class _Relabel:
    """Changes cards' labels the way a card edit does: new version, an ``edited`` event
    with the sorted label ids before and after."""

    def __init__(self, session: Session, context: ServiceContext, project_id: int) -> None:
        self._session = session
        self._ctx = context
        self._project_id = project_id
        self._categories = dict(
            session.execute(
                select(WorkflowColumn.id, WorkflowColumn.category).where(
                    WorkflowColumn.project_id == project_id
                )
            ).all()
        )

    def change(
        self, card_ids: Iterable[int], remove: int | None = None, add: int | None = None
    ) -> None:
        ids = list(card_ids)
        if not ids:
            return
        cards = self._session.scalars(
            select(Card).where(Card.id.in_(ids), Card.project_id == self._project_id)
        )
        now = self._ctx.clock()
        for card in cards:
            before = sorted(lb.id for lb in card.labels)
            kept = [lb for lb in card.labels if lb.id != remove]
            if add is not None and all(lb.id != add for lb in kept):
                added = self._session.get(Label, add)
                assert added is not None
                kept.append(added)
            after = sorted(lb.id for lb in kept)
            if after == before:
                continue
            card.labels = kept
            card.version += 1
            card.updated_at = now
            record_event(
                self._session,
                self._ctx,
                card,
                "edited",
                {"label_ids": before},
                {"label_ids": after},
                category=self._categories.get(card.column_id),
            )


def _team_dto(member: Member, link: ProjectMember, assigned: int) -> TeamMemberDTO:
    return TeamMemberDTO(
        member_id=member.id,
        project_id=link.project_id,
        display_name=member.display_name,
        role=link.role,
        hours_per_day=Decimal(link.hours_per_day),
        active=bool(link.active and member.active),
        version=link.version,
        person_version=member.version,
        assigned_cards=assigned,
    )


def _label_dto(label: Label) -> LabelDTO:
    return LabelDTO(label.id, label.name, label.color)


def _get_label(session: Session, label_id: int) -> Label:
    check_id(label_id, "label")
    label = session.get(Label, label_id)
    if label is None:
        raise NotFound(f"There is no label with id {label_id}.")
    return label


def _check_label_name_free(
    session: Session, project_id: int, name: str, except_id: int | None
) -> None:
    query = select(Label.name).where(
        Label.project_id == project_id, func.lower(Label.name) == name.lower()
    )
    if except_id is not None:
        query = query.where(Label.id != except_id)
    clash = session.scalar(query)
    if clash is not None:
        raise Conflict(f"The label {clash!r} already exists.")


def _cards_with(session: Session, label_id: int) -> list[int]:
    """Every card carrying the label, archived ones too (their history must stay true)."""
    return list(
        session.scalars(select(card_label.c.card_id).where(card_label.c.label_id == label_id))
    )


def _check_version(current: int, expected: int | None, what: str) -> None:
    if expected is not None and current != expected:
        raise StaleEdit(
            f"{what} was changed by someone else meanwhile (your copy is version {expected}, "
            f"the saved one is {current}). Reload to see the change.",
            current_version=current,
        )
