"""Change notifications: one per committed transaction, published after the commit.

The same :class:`Change` reaches the bus whether the change was made by this process (the
unit of work publishes it after its commit) or by another one (the storage seam's change
feed, :mod:`app.storage.change_feed`, reads the ``change_log`` rows every writer appends
in its own transaction and publishes them here), so a view updates the rows a change
touched whoever made it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from app.services.dto import CardDTO


class ChangeKind(StrEnum):
    """What kind of thing a committed transaction changed (past tense).

    A ``StrEnum``: a kind compares equal to its text, which is what ``change_log.kind``
    stores.
    """

    CARD_ADDED = "card_added"
    CARD_CHANGED = "card_changed"
    CARD_MOVED = "card_moved"
    CARDS_RANKED = "cards_ranked"
    CARD_ARCHIVED = "card_archived"
    CARD_RESTORED = "card_restored"
    COLUMNS_CHANGED = "columns_changed"
    PROJECT_ADDED = "project_added"
    PROJECT_CHANGED = "project_changed"
    MEMBERS_CHANGED = "members_changed"
    LABELS_CHANGED = "labels_changed"
    SPRINTS_CHANGED = "sprints_changed"
    COMMENTED = "commented"  # a comment was added, edited, deleted or restored on its card
    WORKLOG_CHANGED = "worklog_changed"  # work logs, rates or timers (app/services/time.py)
    PLANS_CHANGED = "plans_changed"  # a milestone, its scope or a card dependency changed
    RISKS_CHANGED = "risks_changed"  # the risk register (services.risks)
    FORECAST_PUBLISHED = "forecast_published"  # a forecast was stored (services.forecasts)
    RELOADED = "reloaded"

    @property
    def about_cards(self) -> bool:
        """True for the kinds that carry the cards they changed (a view updates those rows)."""
        return self in CARD_KINDS


CARD_KINDS = frozenset(
    {
        ChangeKind.CARD_ADDED,
        ChangeKind.CARD_CHANGED,
        ChangeKind.CARD_MOVED,
        ChangeKind.CARDS_RANKED,
        ChangeKind.CARD_ARCHIVED,
        ChangeKind.CARD_RESTORED,
    }
)


@dataclass(frozen=True)
class Change:
    """What a committed transaction changed.

    ``kind`` is a :class:`ChangeKind` (text is accepted and converted, so an unknown kind is
    refused at once). ``cards`` carries the cards' new state so a view can update those rows
    only. ``elsewhere`` is True for a change another process made (from the change feed).
    """

    kind: ChangeKind
    project_id: int | None = None
    cards: tuple[CardDTO, ...] = ()
    previous_column_ids: tuple[int, ...] = field(default=())
    elsewhere: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.kind, ChangeKind):
            object.__setattr__(self, "kind", ChangeKind(self.kind))


Listener = Callable[[Change], None]


class ChangeBus:
    """A plain observer list; the UI adapts it into Qt signals."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def publish(self, change: Change) -> None:
        for listener in list(self._listeners):
            listener(change)
