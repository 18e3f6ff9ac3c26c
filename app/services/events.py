"""Change notifications: one per committed transaction, published after the commit."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from app.services.dto import CardDTO


@dataclass(frozen=True)
class Change:
    """What a committed transaction changed.

    ``kind`` is past tense: card_added, card_changed, card_moved, card_archived, card_restored,
    columns_changed, project_added, project_changed, members_changed, labels_changed, reloaded.
    ``cards`` carries the cards' new state so a view can update those rows only.
    """

    kind: str
    project_id: int | None = None
    cards: tuple[CardDTO, ...] = ()
    previous_column_ids: tuple[int, ...] = field(default=())


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
