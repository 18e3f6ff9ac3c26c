"""The card editor's Links tab: what a card blocks and what blocks it, with add and remove.
Each change is an undoable command on the window's undo stack (Ctrl+Z in the window)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import DomainError
from app.services.plans import CardLinksDTO
from app.ui.commands import CommandContext, ServiceCommand

CardIdRole = Qt.ItemDataRole.UserRole + 1


class LinkCommand(ServiceCommand):
    """Add (or remove) "blocker blocks blocked"; undo does the opposite."""

    def __init__(self, context: CommandContext, blocker: int, blocked: int, add: bool, text: str):
        super().__init__(context, text)
        self._blocker, self._blocked, self._add = blocker, blocked, add

    def _redo(self) -> None:
        self._apply(self._add)

    def _undo(self) -> None:
        self._apply(not self._add)

    def _apply(self, add: bool) -> None:
        plans = self._ctx.services.plans
        (plans.link if add else plans.unlink)(self._blocker, self._blocked)


class LinksTab(QWidget):
    """Two lists ("Blocks", "Blocked by"), a key box and add / remove buttons."""

    def __init__(self, setup: Any, card_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cardLinksTab")
        self._setup = setup
        self._card_id = card_id
        layout = QVBoxLayout(self)
        self.lists: dict[str, QListWidget] = {}
        self.keys: dict[str, QLineEdit] = {}
        for side, title in (("blocked_by", "Blocked by"), ("blocks", "Blocks")):
            layout.addWidget(QLabel(f"<b>{title}</b>"))
            listing = QListWidget(self)
            listing.setObjectName(f"links_{side}")
            layout.addWidget(listing)
            row = QHBoxLayout()
            key = QLineEdit(self)
            key.setPlaceholderText("Card key, such as SD-4")
            key.setObjectName(f"links_{side}_key")
            add = QPushButton("Add", self)
            add.setObjectName(f"links_{side}_add")
            remove = QPushButton("Remove", self)
            remove.setObjectName(f"links_{side}_remove")
            add.clicked.connect(lambda _=False, s=side: self.add(s))
            key.returnPressed.connect(lambda s=side: self.add(s))
            remove.clicked.connect(lambda _=False, s=side: self.remove(s))
            row.addWidget(key, 1)
            row.addWidget(add)
            row.addWidget(remove)
            layout.addLayout(row)
            self.lists[side], self.keys[side] = listing, key
        self.error = QLabel(self)
        self.error.setObjectName("linksError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b42318;")
        layout.addWidget(self.error)
        self.refresh()

    def refresh(self) -> None:
        links: CardLinksDTO = self._setup.services.plans.links(self._card_id)
        for side, cards in (("blocks", links.blocks), ("blocked_by", links.blocked_by)):
            listing = self.lists[side]
            listing.clear()
            for card in cards:
                mark = "✓ " if card.done else ""
                item = QListWidgetItem(f"{mark}{card.key}  {card.title}")
                item.setData(CardIdRole, card.id)
                listing.addItem(item)

    def add(self, side: str) -> None:
        key = self.keys[side].text()
        try:
            other = self._setup.services.cards.find_card(key).id
        except DomainError as exc:
            self.error.setText(str(exc))
            return
        self._push(side, other, True, f"Link {key.strip().upper()}")
        if not self.error.text():
            self.keys[side].clear()

    def remove(self, side: str) -> None:
        item = self.lists[side].currentItem()
        if item is None:
            self.error.setText("Select a card in the list to remove its link.")
            return
        self._push(side, int(item.data(CardIdRole)), False, "Remove link")

    def _push(self, side: str, other: int, add: bool, text: str) -> None:
        blocker, blocked = (
            (other, self._card_id) if side == "blocked_by" else (self._card_id, other)
        )
        command = LinkCommand(self._setup.commands, blocker, blocked, add, text)
        command.quiet = True
        self._setup.undo_stack.push(command)
        self.error.setText(command.error or "")
        self.refresh()
