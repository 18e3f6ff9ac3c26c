"""One QUndoCommand per service operation: redo() calls the service, undo() its inverse.

An undo is a new change in the history, not an erasure. A command that the service refuses
marks itself obsolete (QUndoStack then drops it) and reports the readable message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QUndoCommand

from app.errors import DomainError
from app.services.dto import CardDTO
from app.words import plural

if TYPE_CHECKING:
    from app.services import Services


@dataclass
class CommandContext:
    """What commands share: the services, where errors go, and the versions this window
    saw its own changes produce (so a teammate's edit in between is caught as a conflict)."""

    services: Services
    report_error: Callable[[str], None]
    versions: dict[int, int] = field(default_factory=dict)
    # (project id, case-folded name) -> the version this window's own last change of that
    # release left (a release deleted and added back by an undo starts at a new version).
    release_versions: dict[tuple[int, str], int] = field(default_factory=dict)

    def remember(self, card: CardDTO) -> CardDTO:
        self.versions[card.id] = card.version
        return card

    def version_of(self, card: CardDTO) -> int:
        return self.versions.get(card.id, card.version)


class ServiceCommand(QUndoCommand):
    """Runs a service call; on a domain error it reports it and makes itself obsolete."""

    def __init__(self, context: CommandContext, text: str) -> None:
        super().__init__(text)
        self._ctx = context
        self.error: str | None = None
        self.exception: DomainError | None = None
        # Set by a caller that shows the refusal itself (a dialog's error line).
        self.quiet = False
        self.result: CardDTO | None = None
        self._done_once = False

    def redo(self) -> None:
        """QUndoCommand::redo."""
        self._guarded(self._redo)
        self._done_once = True

    def _expected(self, card: CardDTO) -> int:
        """The version the change is based on: what the user saw the first time, afterwards
        what this window's own last change of that card produced."""
        return self._ctx.version_of(card) if self._done_once else card.version

    def undo(self) -> None:
        """QUndoCommand::undo."""
        self._guarded(self._undo)

    def _guarded(self, action: Callable[[], CardDTO | None]) -> None:
        try:
            result = action()
        except DomainError as exc:
            self.error = str(exc)
            self.exception = exc
            self.setObsolete(True)
            if not self.quiet:
                self._ctx.report_error(self.error)
            return
        if result is not None:
            self.result = self._ctx.remember(result)

    def _redo(self) -> CardDTO | None:
        raise NotImplementedError

    def _undo(self) -> CardDTO | None:
        raise NotImplementedError


class MoveCardCommand(ServiceCommand):
    """Move a card to a column and place (drag and drop, keyboard moves)."""

    def __init__(
        self,
        context: CommandContext,
        card: CardDTO,
        to_column_id: int,
        to_column_name: str,
        after_id: int | None = None,
        before_id: int | None = None,
    ) -> None:
        same = to_column_id == card.column_id
        text = f"Reorder {card.key}" if same else f"Move {card.key} to {to_column_name}"
        super().__init__(context, text)
        self._card = card
        self._to_column_id = to_column_id
        self._after_id = after_id
        self._before_id = before_id
        self._new_rank: str | None = None

    def _redo(self) -> CardDTO:
        board = self._ctx.services.board
        version = self._expected(self._card)
        if self._new_rank is None:
            moved = board.move_card(
                self._card.id,
                self._to_column_id,
                after_id=self._after_id,
                before_id=self._before_id,
                expected_version=version,
            )
            self._new_rank = moved.rank
            return moved
        return board.move_card(
            self._card.id, self._to_column_id, rank=self._new_rank, expected_version=version
        )

    def _undo(self) -> CardDTO:
        return self._ctx.services.board.move_card(
            self._card.id,
            self._card.column_id,
            rank=self._card.rank,
            expected_version=self._ctx.version_of(self._card),
        )


class CreateCardCommand(ServiceCommand):
    """Create a card; undo archives it, redo restores it (same key, same history)."""

    def __init__(self, context: CommandContext, project_id: int, values: dict[str, Any]) -> None:
        super().__init__(context, "Create card")
        self._project_id = project_id
        self._values = dict(values)
        self._created: CardDTO | None = None

    def _redo(self) -> CardDTO:
        cards = self._ctx.services.cards
        if self._created is None:
            self._created = cards.create_card(self._project_id, **self._values)
            self.setText(f"Create {self._created.key}")
            return self._created
        return cards.restore_card(
            self._created.id, expected_version=self._ctx.version_of(self._created)
        )

    def _undo(self) -> CardDTO:
        assert self._created is not None
        return self._ctx.services.cards.archive_card(
            self._created.id, expected_version=self._ctx.version_of(self._created)
        )


class EditCardCommand(ServiceCommand):
    """Apply edited fields; undo writes the previous values back.

    A ``sprint_id`` among the changes moves the card into that sprint (None: the backlog)
    the way the backlog does, through ``SprintService.plan_card``, after the other fields;
    undo takes it back to its sprint first. When the move is refused the other fields are
    written back, so the step is all or nothing.
    """

    def __init__(
        self,
        context: CommandContext,
        card: CardDTO,
        changes: dict[str, Any],
        after_move: bool = False,
    ) -> None:
        """``after_move``: the second part of a compound step whose first part changed the
        same card (a drop into another lane): it builds on the version that part made."""
        super().__init__(context, f"Edit {card.key}")
        self._card = card
        self._changes = dict(changes)
        self._previous = {name: previous_value(card, name) for name in changes}
        self._after_move = after_move

    def _redo(self) -> CardDTO:
        expected = (
            self._ctx.version_of(self._card) if self._after_move else self._expected(self._card)
        )
        return self._apply(self._changes, self._previous, expected, sprint_first=False)

    def _undo(self) -> CardDTO:
        return self._apply(
            self._previous, self._changes, self._ctx.version_of(self._card), sprint_first=True
        )

    def _apply(
        self, values: dict[str, Any], other: dict[str, Any], expected: int, sprint_first: bool
    ) -> CardDTO:
        """Write ``values`` (the sprint first or last); when the second service call is
        refused, the first is reverted to ``other`` before the refusal goes on."""
        card_id = self._card.id
        cards, sprints = self._ctx.services.cards, self._ctx.services.sprints
        fields = _without_sprint(values)
        if "sprint_id" not in values:
            return cards.update_card(card_id, fields, expected_version=expected)
        if not fields:
            return sprints.plan_card(card_id, values["sprint_id"], expected_version=expected)
        if sprint_first:
            moved = self._ctx.remember(
                sprints.plan_card(card_id, values["sprint_id"], expected_version=expected)
            )
            try:
                return cards.update_card(card_id, fields, expected_version=moved.version)
            except DomainError:
                self._revert(
                    lambda: sprints.plan_card(
                        card_id, other["sprint_id"], expected_version=moved.version
                    )
                )
                raise
        edited = self._ctx.remember(cards.update_card(card_id, fields, expected_version=expected))
        try:
            return sprints.plan_card(card_id, values["sprint_id"], expected_version=edited.version)
        except DomainError:
            self._revert(
                lambda: cards.update_card(
                    card_id, _without_sprint(other), expected_version=edited.version
                )
            )
            raise

    def _revert(self, call: Callable[[], CardDTO]) -> None:
        try:
            self._ctx.remember(call())
        except DomainError:
            pass  # changed meanwhile by someone else; their change stands


def _without_sprint(values: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in values.items() if name != "sprint_id"}


class ArchiveCardCommand(ServiceCommand):
    """Delete a card (archive it); undo restores it with the same key and history."""

    def __init__(self, context: CommandContext, card: CardDTO) -> None:
        super().__init__(context, f"Delete {card.key}")
        self._card = card

    def _redo(self) -> CardDTO:
        return self._ctx.services.cards.archive_card(
            self._card.id, expected_version=self._expected(self._card)
        )

    def _undo(self) -> CardDTO:
        return self._ctx.services.cards.restore_card(
            self._card.id, expected_version=self._ctx.version_of(self._card)
        )


def previous_value(card: CardDTO, name: str) -> Any:
    """A card's value for an editable field, in the form update_card accepts."""
    if name == "label_ids":
        return [label.id for label in card.labels]
    if name == "watcher_ids":
        return list(card.watcher_ids)
    if name == "checklist":
        return [(item.text, item.done) for item in card.checklist]
    if name in ("points", "estimate_hours", "remaining_hours"):
        value = getattr(card, name)
        return None if value is None else str(value)
    return getattr(card, name)


class RankCardsCommand(ServiceCommand):
    """Re-rank cards in the project's single ranking (the backlog's order), keeping their
    relative order; undo puts every card back on its exact previous rank key."""

    def __init__(
        self,
        context: CommandContext,
        cards: list[CardDTO],
        after_id: int | None = None,
        before_id: int | None = None,
        text: str | None = None,
    ) -> None:
        ordered = sorted(cards, key=lambda c: c.rank)
        if text is None:
            text = f"Rank {ordered[0].key}" if len(ordered) == 1 else f"Rank {len(ordered)} cards"
        super().__init__(context, text)
        self._cards = ordered
        self._after_id = after_id
        self._before_id = before_id
        self._new_ranks: dict[int, str] | None = None
        self._columns = {c.id: c.column_id for c in ordered}

    def _redo(self) -> None:
        board = self._ctx.services.board
        if self._new_ranks is None:
            moved = board.rank_cards(
                [c.id for c in self._cards],
                after_id=self._after_id,
                before_id=self._before_id,
                expected_versions={c.id: self._ctx.version_of(c) for c in self._cards},
            )
            for dto in moved:
                self._ctx.remember(dto)
                self._columns[dto.id] = dto.column_id
            self._new_ranks = {dto.id: dto.rank for dto in moved}
            return None
        self._restore({c.id: self._new_ranks[c.id] for c in self._cards})
        return None

    def _undo(self) -> None:
        self._restore({c.id: c.rank for c in self._cards})
        return None

    def _restore(self, ranks: dict[int, str]) -> None:
        # One transaction: the keys may swap between the moving cards themselves.
        restored = self._ctx.services.board.restore_ranks(
            ranks, expected_versions={c.id: self._ctx.version_of(c) for c in self._cards}
        )
        for dto in restored:
            self._ctx.remember(dto)
            self._columns[dto.id] = dto.column_id


class PlanCardsCommand(ServiceCommand):
    """Put cards into a sprint (or the backlog: None); undo puts each back where it was.

    All or nothing: when the service refuses one card, the cards already planned go back.
    """

    def __init__(
        self,
        context: CommandContext,
        cards: list[CardDTO],
        sprint_id: int | None,
        sprint_name: str | None = None,
    ) -> None:
        ordered = sorted(cards, key=lambda c: c.rank)
        what = ordered[0].key if len(ordered) == 1 else f"{len(ordered)} cards"
        super().__init__(context, f"Move {what} to {sprint_name or 'the backlog'}")
        self._cards = ordered
        self._sprint_id = sprint_id

    def _redo(self) -> None:
        self._plan({c.id: self._sprint_id for c in self._cards})
        return None

    def _undo(self) -> None:
        self._plan({c.id: c.sprint_id for c in self._cards})
        return None

    def _plan(self, targets: dict[int, int | None]) -> None:
        sprints = self._ctx.services.sprints
        done: list[tuple[CardDTO, int | None]] = []
        try:
            for card in self._cards:
                before = sprints.plan_card(
                    card.id, targets[card.id], expected_version=self._ctx.version_of(card)
                )
                self._ctx.remember(before)
                done.append((card, before.sprint_id))
        except DomainError:
            self._roll_back(done, targets)
            raise

    def _roll_back(self, done: list[tuple[CardDTO, int | None]], targets: dict) -> None:
        sprints = self._ctx.services.sprints
        for card, _now in reversed(done):
            back = card.sprint_id if targets[card.id] == self._sprint_id else self._sprint_id
            try:
                self._ctx.remember(
                    sprints.plan_card(card.id, back, expected_version=self._ctx.version_of(card))
                )
            except DomainError:
                pass  # someone else changed it meanwhile; their change stands


class CompoundCommand(QUndoCommand):
    """Several commands as one step (plan into a sprint and rank at the drop position).

    Runs its parts in order and undoes them in reverse; when a part is refused, the parts
    already done are undone and the whole step is dropped from the stack.
    """

    def __init__(self, text: str, parts: list[ServiceCommand]) -> None:
        super().__init__(text)
        self._parts = parts
        self.error: str | None = None

    def redo(self) -> None:
        """QUndoCommand::redo."""
        for done, part in enumerate(self._parts):
            part.redo()
            if part.error is not None:
                self.error = part.error
                for earlier in reversed(self._parts[:done]):
                    earlier.undo()
                self.setObsolete(True)
                return

    def undo(self) -> None:
        """QUndoCommand::undo."""
        for part in reversed(self._parts):
            part.undo()
            if part.error is not None:
                self.error = part.error
                self.setObsolete(True)
                return


_SHOWN_FIELDS = (
    ("title", "title"),
    ("type", "type"),
    ("priority", "priority"),
    ("points", "points"),
    ("assignee_name", "assignee"),
    ("sprint_name", "sprint"),
    ("parent_key", "epic"),
    ("due_date", "due date"),
    ("blocked", "blocked"),
    ("blocked_reason", "blocked reason"),
    ("description", "description"),
    ("estimate_hours", "estimate"),
    ("remaining_hours", "remaining"),
)


def changed_fields(before: CardDTO, after: CardDTO) -> list[tuple[str, str, str]]:
    """(field, before, after) for what a person would notice changed on a card."""

    def shown(value: Any) -> str:
        if value is None or value == "":
            return "—"
        text = str(value)
        return text if len(text) <= 60 else text[:59] + "…"

    changes = []
    for attribute, label in _SHOWN_FIELDS:
        old, new = getattr(before, attribute), getattr(after, attribute)
        if old != new:
            changes.append((label, shown(old), shown(new)))
    old_labels = ", ".join(lb.name for lb in before.labels)
    new_labels = ", ".join(lb.name for lb in after.labels)
    if old_labels != new_labels:
        changes.append(("labels", shown(old_labels), shown(new_labels)))
    if before.checklist != after.checklist:
        changes.append(
            (
                "checklist",
                plural(len(before.checklist), "item"),
                plural(len(after.checklist), "item"),
            )
        )
    return changes
