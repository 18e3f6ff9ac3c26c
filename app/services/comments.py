"""Comments on cards: ``services.comments``.

A comment is written by the current actor (``services.actor``, *Settings › You are*); when
that name is a member of the card's project the comment names the member too. Only its
author edits or deletes a comment (compared by name, regardless of case, as history names
people). An edit keeps the time it was made (the card says "edited"); a delete keeps the row
with who deleted it (the card says "deleted by NAME") so :meth:`CommentService.restore` can
undo it; :meth:`CommentService.revert_edit` undoes an edit, its "edited" mark included.
:meth:`CommentService.retract` removes one's own comment outright: the undo of posting it,
where "deleted by" would be noise.

Every write is one transaction and publishes ``ChangeKind.COMMENTED`` with the card, so a
board's comment counts and an open card editor refresh. Comments imported from Trello and
Jira (``author`` text, no member) are listed like any other.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.errors import Conflict, NotFound, StaleEdit, ValidationError
from app.models import Card, Comment, Member, Project, ProjectMember
from app.services.comment_markdown import render_markdown
from app.services.common import check_id, fetch_card, get_project
from app.services.context import ServiceContext, UnitOfWork
from app.services.events import Change, ChangeKind

COMMENT_MAX = 20_000


@dataclass(frozen=True, slots=True)
class CommentDTO:
    """One comment as the card editor, the activity feed and the CLI show it. A deleted
    comment has empty ``text`` and ``html`` and says who deleted it."""

    id: int
    card_id: int
    card_key: str
    author: str
    member_id: int | None
    created_at: dt.datetime
    text: str
    html: str
    edited_at: dt.datetime | None
    deleted_at: dt.datetime | None
    deleted_by: str | None
    version: int
    mine: bool

    @property
    def edited(self) -> bool:
        return self.edited_at is not None

    @property
    def deleted(self) -> bool:
        return self.deleted_at is not None


def clean_comment(value: object) -> str:
    """A comment's text: NFC, CRLF as LF, trimmed, 1 to 20,000 characters, no control
    characters but newlines and tabs."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError("A comment must be text.")
    text = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        raise ValidationError("A comment cannot be empty.")
    if len(text) > COMMENT_MAX:
        raise ValidationError(
            f"The comment is {len(text):,} characters long; at most {COMMENT_MAX:,} are allowed."
        )
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\t" for ch in text):
        raise ValidationError("The comment contains control characters (such as NUL).")
    if any(unicodedata.category(ch) == "Cs" for ch in text):
        raise ValidationError("The comment is not valid text (it holds a lone surrogate).")
    return text


def project_member_names(session: Session, project_id: int) -> list[str]:
    """The names @mentions in this project match: its team, former members too."""
    return list(
        session.scalars(
            select(Member.display_name)
            .join(ProjectMember, ProjectMember.member_id == Member.id)
            .where(ProjectMember.project_id == project_id)
        )
    )


class CommentService:
    def __init__(self, context: ServiceContext) -> None:
        self._ctx = context

    # --- reading -------------------------------------------------------------------------

    def list(self, card_id: int) -> list[CommentDTO]:
        """The card's comments, oldest first (newest last), deleted ones included."""
        with self._ctx.read() as uow:
            session = uow.session
            card = _card(session, card_id)
            rows = session.scalars(
                select(Comment)
                .where(Comment.card_id == card.id)
                .order_by(Comment.created_at, Comment.id)
            ).all()
            key = _key(session, card)
            names = project_member_names(session, card.project_id)
            return [self._dto(c, key, names) for c in rows]

    def get(self, comment_id: int) -> CommentDTO:
        with self._ctx.read() as uow:
            comment = _comment(uow.session, comment_id)
            return self._dto_of(uow.session, comment)

    def counts(self, project_id: int) -> dict[int, int]:
        """Card id -> how many comments it has (deleted ones not counted; cards without
        comments left out): one grouped COUNT, what the board reads with its cards."""
        with self._ctx.read() as uow:
            get_project(uow.session, project_id)
            return comment_counts(uow.session, project_id)

    def since(
        self, project_id: int, moment: dt.datetime, member: str | None = None
    ) -> list[CommentDTO]:
        """The project's comments written at or after ``moment`` (deleted ones left out),
        oldest first; with ``member``, only that person's (by name, regardless of case)."""
        if not isinstance(moment, dt.datetime):
            raise ValidationError("'Since' must be a date and time.")
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        with self._ctx.read() as uow:
            session = uow.session
            get_project(session, project_id)
            query = (
                select(Comment, Card.number)
                .join(Card, Card.id == Comment.card_id)
                .where(
                    Card.project_id == project_id,
                    Comment.created_at >= moment,
                    Comment.deleted_at.is_(None),
                )
                .order_by(Comment.created_at, Comment.id)
            )
            if member is not None:
                query = query.where(func.lower(Comment.author) == str(member).strip().lower())
            project_key = session.scalar(select(Project.key).where(Project.id == project_id))
            names = project_member_names(session, project_id)
            return [
                self._dto(c, f"{project_key}-{number}", names)
                for c, number in session.execute(query).all()
            ]

    # --- writing -------------------------------------------------------------------------

    def add(self, card_id: int, text: str) -> CommentDTO:
        """Post a comment on the card as the current actor."""
        body = clean_comment(text)
        with self._ctx.write() as uow:
            session = uow.session
            card = _card(session, card_id)
            if card.archived:
                raise Conflict(f"{_key(session, card)} is deleted; restore it to comment on it.")
            actor = self._ctx.actor
            member_id = session.scalar(
                select(Member.id)
                .join(ProjectMember, ProjectMember.member_id == Member.id)
                .where(
                    ProjectMember.project_id == card.project_id,
                    func.lower(Member.display_name) == actor.lower(),
                )
            )
            comment = Comment(
                card_id=card.id,
                author=actor,
                member_id=member_id,
                created_at=self._ctx.clock(),
                text=body,
                version=1,
            )
            session.add(comment)
            session.flush()
            return self._commit(uow, comment)

    def edit(self, comment_id: int, text: str, expected_version: int | None = None) -> CommentDTO:
        """Change one's own comment; it says "edited" from now on."""
        body = clean_comment(text)
        with self._ctx.write() as uow:
            session = uow.session
            comment = self._own(session, comment_id, "edit", expected_version)
            if comment.deleted_at is not None:
                raise Conflict("That comment was deleted; restore it before editing it.")
            if comment.text == body:
                return self._dto_of(session, comment)
            comment.text = body
            comment.edited_at = self._ctx.clock()
            comment.version += 1
            session.flush()
            return self._commit(uow, comment)

    def revert_edit(self, comment_id: int, text: str, edited_at: dt.datetime | None) -> CommentDTO:
        """Put one's own comment back as it was before an edit: its old text and its old
        "edited" mark (``edited_at``, None for a comment never edited before). The undo of
        :meth:`edit`, which would otherwise leave "edited" on a comment nobody changed."""
        body = clean_comment(text)
        if edited_at is not None and not isinstance(edited_at, dt.datetime):
            raise ValidationError("'Edited at' must be a date and time.")
        with self._ctx.write() as uow:
            session = uow.session
            comment = self._own(session, comment_id, "edit", None)
            if comment.deleted_at is not None:
                raise Conflict("That comment was deleted; restore it before editing it.")
            comment.text = body
            comment.edited_at = edited_at
            comment.version += 1
            session.flush()
            return self._commit(uow, comment)

    def delete(self, comment_id: int, expected_version: int | None = None) -> CommentDTO:
        """Delete one's own comment; the card keeps "deleted by NAME" (:meth:`restore`
        undoes it)."""
        with self._ctx.write() as uow:
            session = uow.session
            comment = self._own(session, comment_id, "delete", expected_version)
            if comment.deleted_at is not None:
                raise Conflict("That comment is already deleted.")
            comment.deleted_at = self._ctx.clock()
            comment.deleted_by = self._ctx.actor
            comment.version += 1
            session.flush()
            return self._commit(uow, comment)

    def restore(self, comment_id: int, expected_version: int | None = None) -> CommentDTO:
        """Bring back one's own deleted comment (the undo of :meth:`delete`)."""
        with self._ctx.write() as uow:
            session = uow.session
            comment = self._own(session, comment_id, "restore", expected_version)
            if comment.deleted_at is None:
                raise Conflict("That comment is not deleted.")
            comment.deleted_at = None
            comment.deleted_by = None
            comment.version += 1
            session.flush()
            return self._commit(uow, comment)

    def retract(self, comment_id: int) -> None:
        """Remove one's own comment without a trace: the undo of :meth:`add`."""
        with self._ctx.write() as uow:
            session = uow.session
            comment = self._own(session, comment_id, "remove", None)
            card = session.get(Card, comment.card_id)
            session.delete(comment)
            session.flush()
            uow.notify(
                Change(ChangeKind.COMMENTED, card.project_id, (fetch_card(session, card.id),))
            )
            uow.commit()

    # --- helpers -------------------------------------------------------------------------

    def _own(
        self, session: Session, comment_id: int, verb: str, expected_version: int | None
    ) -> Comment:
        comment = _comment(session, comment_id, for_update=True)
        if comment.author.lower() != self._ctx.actor.lower():
            raise Conflict(f"Only its author can {verb} a comment; this one is {comment.author}'s.")
        if expected_version is not None and comment.version != expected_version:
            raise StaleEdit(
                "That comment was changed since you read it; reload the card and try again.",
                current_version=comment.version,
            )
        return comment

    def _commit(self, uow: UnitOfWork, comment: Comment) -> CommentDTO:
        session = uow.session
        dto = self._dto_of(session, comment)
        card = fetch_card(session, comment.card_id)
        uow.notify(Change(ChangeKind.COMMENTED, card.project_id, (card,)))
        uow.commit()
        return dto

    def _dto_of(self, session: Session, comment: Comment) -> CommentDTO:
        card = session.get(Card, comment.card_id)
        return self._dto(
            comment, _key(session, card), project_member_names(session, card.project_id)
        )

    def _dto(self, c: Comment, key: str, names: list[str]) -> CommentDTO:
        deleted = c.deleted_at is not None
        return CommentDTO(
            id=c.id,
            card_id=c.card_id,
            card_key=key,
            author=c.author,
            member_id=c.member_id,
            created_at=c.created_at,
            text="" if deleted else c.text,
            html="" if deleted else render_markdown(c.text, names),
            edited_at=c.edited_at,
            deleted_at=c.deleted_at,
            deleted_by=c.deleted_by,
            version=c.version,
            mine=c.author.lower() == self._ctx.actor.lower(),
        )


def _card(session: Session, card_id: int) -> Card:
    check_id(card_id, "card")
    card = session.get(Card, card_id)
    if card is None:
        raise NotFound(f"There is no card with id {card_id}.")
    return card


def _comment(session: Session, comment_id: int, for_update: bool = False) -> Comment:
    check_id(comment_id, "comment")
    comment = session.get(Comment, comment_id, with_for_update=for_update)
    if comment is None:
        raise NotFound(f"There is no comment with id {comment_id}.")
    return comment


def _key(session: Session, card: Card) -> str:
    project_key = session.scalar(select(Project.key).where(Project.id == card.project_id))
    return f"{project_key}-{card.number}"


__all__ = ["COMMENT_MAX", "CommentDTO", "CommentService", "clean_comment"]


def comment_counts(session: Session, project_id: int) -> dict[int, int]:
    """Card id -> its comments, deleted ones not counted (one grouped COUNT; the board's
    SQLAlchemy read uses it too, app/storage/dbapi_board.py says the same in plain SQL)."""
    return {
        card_id: count
        for card_id, count in session.execute(
            select(Comment.card_id, func.count(Comment.id))
            .join(Card, Card.id == Comment.card_id)
            .where(Card.project_id == project_id, Comment.deleted_at.is_(None))
            .group_by(Comment.card_id)
        ).all()
    }
