"""The card commands of the window: new, open (edit, with conflicts), move (columns, order,
swimlanes), delete (archive; Undo restores), the card's right-click menu; every change a
step on the window's undo stack."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QPoint
from PySide6.QtWidgets import QMenu

from app.errors import DomainError, StaleEdit
from app.services.dto import CardDTO
from app.ui.board.view import BoardView
from app.ui.commands import (
    ArchiveCardCommand,
    CommandContext,
    CompoundCommand,
    CreateCardCommand,
    EditCardCommand,
    MoveCardCommand,
    ServiceCommand,
    changed_fields,
    previous_value,
)

if TYPE_CHECKING:
    from app.services import Services
    from app.ui.mainwindow.actions import Actions
    from app.ui.mainwindow.window import MainWindow


class CardController(QObject):
    """What the Card menu, the board's keys, drag and drop and the card editor do."""

    def __init__(self, window: MainWindow, services: Services, commands: CommandContext) -> None:
        super().__init__(window)
        self._window = window
        self._services = services
        self._commands = commands
        self.store = window.store
        self.undo_stack = window.undo_stack

    def handlers(self) -> dict[str, Callable[[], Any]]:
        return {
            "card.new": self.new_card,
            "card.open": lambda: self.open_card(),
            "card.delete": self.delete_card,
            "card.move_left": lambda: self.move_current(-1),
            "card.move_right": lambda: self.move_current(1),
            "card.move_up": lambda: self.move_current_vertically(-1),
            "card.move_down": lambda: self.move_current_vertically(1),
        }

    @property
    def _actions(self) -> Actions:
        return self._window.named_actions

    def _board(self) -> BoardView:
        return self._window.focused_board()

    def _status(self, message: str, timeout: int) -> None:
        self._window.statusBar().showMessage(message, timeout)

    def connect_board(self, board: BoardView) -> None:
        board.open_requested.connect(self.open_card)
        board.context_menu_requested.connect(self._on_context_menu)
        board.move_requested.connect(self.move_card)
        board.current_card_changed.connect(self.on_current_card_changed)

    def on_current_card_changed(self, card: CardDTO | None) -> None:
        self._actions.allow("card", card is not None)

    # --- the undo stack ------------------------------------------------------------------

    def push(self, command: ServiceCommand) -> bool:
        """Run a command through the undo stack; False (and a message) if it was refused."""
        self.undo_stack.push(command)
        return command.error is None

    def on_undone(self) -> None:
        """Say what was undone (and so replace "Deleted …, Ctrl+Z to undo")."""
        index = self.undo_stack.index()
        if index < self.undo_stack.count():
            self._status(f"Undone: {self.undo_stack.text(index)}", 5000)

    def on_redone(self) -> None:
        index = self.undo_stack.index()
        if index > 0:
            self._status(f"Redone: {self.undo_stack.text(index - 1)}", 5000)

    # --- moves ---------------------------------------------------------------------------

    def move_card(
        self,
        card_id: int,
        column_id: int,
        after_id: int | None,
        before_id: int | None,
        lane_values: dict[str, Any] | None = None,
        follow: bool = True,
    ) -> None:
        """Move a card (drag and drop, keys, menu). Dropped into another swimlane, the card
        also takes that lane's assignee, epic or priority: both in one undoable step.
        ``follow``: select it where it lands (False: to the bottom of a long column, which
        the list would have to read down to)."""
        card = self.store.card(card_id)
        column = self.store.column(column_id)
        if card is None or column is None:
            return
        changes = {
            name: value
            for name, value in (lane_values or {}).items()
            if previous_value(card, name) != value
        }
        if column_id == card.column_id and column.category == "done" and not changes:
            # A done column lists the most recently finished first (app/ui/board/model.py):
            # there is no order within it to change.
            self._status(
                f"{column.name} lists cards by when they were finished, newest first.", 4000
            )
            return
        move = MoveCardCommand(self._commands, card, column_id, column.name, after_id, before_id)
        # The Edit menu says what Undo will do ("Undo Move …"); the status bar what was done.
        text, message = (
            self._move_words(card, column, after_id, before_id, changes, past)
            for past in (False, True)
        )
        if changes:
            command: Any = CompoundCommand(
                text, [move, EditCardCommand(self._commands, card, changes, after_move=True)]
            )
        else:
            command = move
            command.setText(text)
        if self.push(command) and follow:
            self._board().select_card(card_id)
            self._status(message, 4000)

    def _move_words(
        self,
        card: CardDTO,
        column: Any,
        after_id: int | None,
        before_id: int | None,
        changes: dict[str, Any],
        past: bool,
    ) -> str:
        """What a move does (``past``: did), in words: to another column, or up or down
        within one, and the lane's value it takes ("Moved DEMO-4 up in In Review")."""
        move = "Moved" if past else "Move"
        if column.id != card.column_id:
            where = f"{move} {card.key} to {column.name}"
        else:
            neighbour = self.store.peek(after_id if after_id is not None else before_id or -1)
            if neighbour is None:
                where = f"{move} {card.key} within {column.name}"
            else:
                way = "up" if neighbour.rank < card.rank else "down"
                where = f"{move} {card.key} {way} in {column.name}"
        if not changes:
            return where
        lane = self._lane_words(changes, past)
        if column.id != card.column_id:
            return f"{where}; {lane}"
        if past:
            return f"{card.key} {lane}"  # "DEMO-4 assigned to Grace Hopper"
        return f"{lane[:1].upper()}{lane[1:]} ({card.key})"  # "Assign to Grace Hopper (DEMO-4)"

    def _lane_words(self, changes: dict[str, Any], past: bool) -> str:
        words = []
        if "assignee_id" in changes:
            member = next((m for m in self.store.members if m.id == changes["assignee_id"]), None)
            if member is None:
                words.append("unassigned" if past else "unassign")
            else:
                words.append(f"{'assigned' if past else 'assign'} to {member.display_name}")
        if "parent_id" in changes:
            epic = next((e for e in self.store.epics if e.id == changes["parent_id"]), None)
            if epic is None:
                words.append("taken out of its epic" if past else "take out of its epic")
            else:
                words.append(f"put in epic {epic.title}")
        if "priority" in changes:
            words.append(f"priority set to {changes['priority']}")
        return ", ".join(words)

    def move_current(self, step: int) -> None:
        """Move the selected card to the next (+1) or previous (-1) column, last in it."""
        card = self._board().current_card()
        if card is None:
            return
        columns = list(self.store.columns)
        index = next((i for i, c in enumerate(columns) if c.id == card.column_id), None)
        if index is None or not 0 <= index + step < len(columns):
            return
        self.move_card(card.id, columns[index + step].id, None, None)

    def move_current_vertically(self, step: int) -> None:
        """Swap the selected card with the visible card above (-1) or below (+1)."""
        card = self._board().current_card()
        if card is None:
            return
        above, below = self._board().neighbours_in_view(card.id)
        if step < 0 and above is not None:
            self.move_card(card.id, card.column_id, None, above.id)
        elif step > 0 and below is not None:
            self.move_card(card.id, card.column_id, below.id, None)

    def card_menu(self, card: CardDTO) -> QMenu:
        """The right-click menu of a card: open, move to any column or end, delete."""
        menu = QMenu(self._window)
        menu.addAction(self._actions["card.open"])
        move_menu = menu.addMenu("Move &to")
        for column in self.store.columns:
            action = move_menu.addAction(column.name)
            action.setEnabled(column.id != card.column_id)
            action.triggered.connect(
                lambda _checked=False, c=column.id: self.move_card(card.id, c, None, None)
            )
        above, below = self._board().neighbours_in_view(card.id)
        if self._in_done_column(card):
            above = below = None  # ordered by when finished: no top or bottom to move to
        top = menu.addAction("Move to t&op of column")
        top.setEnabled(above is not None)
        top.triggered.connect(lambda: self._move_to_end(card.id, top=True))
        bottom = menu.addAction("Move to &bottom of column")
        bottom.setEnabled(below is not None)
        bottom.triggered.connect(lambda: self._move_to_end(card.id, top=False))
        menu.addSeparator()
        menu.addAction(self._actions["card.log_time"])
        menu.addAction(self._actions["card.timer"])
        menu.addSeparator()
        menu.addAction(self._actions["card.delete"])
        return menu

    def _on_context_menu(self, card_id: int, position: QPoint) -> None:
        card = self.store.card(card_id)
        if card is not None:
            self.card_menu(card).exec(position)

    def _in_done_column(self, card: CardDTO) -> bool:
        column = self.store.column(card.column_id)
        return column is not None and column.category == "done"

    def _move_to_end(self, card_id: int, top: bool) -> None:
        card = self.store.peek(card_id)
        if card is None:
            return
        # The column's end from the database: a long column is not read to find it.
        try:
            end = self._services.board.column_end(card.column_id, last=not top, excluding=card_id)
        except DomainError as exc:
            self._window.show_error(str(exc))
            return
        if end is None:
            return
        if top:
            self.move_card(card_id, card.column_id, None, end)
        else:
            self.move_card(card_id, card.column_id, end, None, follow=False)

    # --- new, open, delete ---------------------------------------------------------------

    def new_card(self) -> None:
        project = self.store.project
        if project is None:
            self._window.show_error("Create a project first (File > New project).")
            return
        from app.ui.dialogs.card_dialog import CardDialog

        created: list[CardDTO] = []

        def submit(values: dict[str, Any]) -> str | None:
            command = CreateCardCommand(self._commands, project.id, values)
            self.undo_stack.push(command)
            if command.error is not None:
                return command.error
            assert command.result is not None
            created.append(command.result)
            return None

        dialog = self._card_dialog(CardDialog, None, submit)
        if dialog.exec() and created:
            self._announce_created(self.store.card(created[0].id) or created[0])

    def _announce_created(self, card: CardDTO) -> None:
        """Select the new card; if the board does not show it (another sprint, the
        backlog, a filter), say where it went and offer to show it."""
        if self._window.current_page() == "backlog":
            self._status(f"Created {card.key}", 5000)
            return
        board = self._board()
        if board.select_card(card.id):
            self._status(f"Created {card.key}", 5000)
            return
        where = card.sprint_name or "the backlog"
        if board.sprint_scope is not None and card.sprint_id != board.sprint_scope:
            scope = self.store.active_sprint
            shown = scope.name if scope is not None else "this sprint"
            reason = f"it is in {where}, and the board shows {shown}"
        else:
            reason = "the filters hide it"
        self._window.offer(
            f"Created {card.key}, not shown: {reason}.", "Show it", self._show_card_fn(card)
        )

    def _show_card_fn(self, card: CardDTO) -> Callable[[], None]:
        window = self._window

        def show() -> None:
            main = window.board
            if window.current_page() == "sprint" and card.sprint_id != main.sprint_scope:
                window.show_page("board")
            if main.sprint_scope is not None and card.sprint_id != main.sprint_scope:
                window.controls.show_all_cards()
            if self._board().view_for(card.id) is None:
                window.controls.clear_filters()
            self._board().select_card(card.id)

        return show

    def open_card(self, card_id: int | None = None) -> None:
        card = self.store.card(card_id) if card_id is not None else self._board().current_card()
        if card is None:
            return
        from app.ui.dialogs.card_dialog import CardDialog

        def submit(values: dict[str, Any]) -> str | None:
            # Based on the version the person opened: a teammate's change in between is a
            # conflict to resolve, never something to overwrite silently.
            command = EditCardCommand(self._commands, card, values)
            command.quiet = True
            self.undo_stack.push(command)
            if isinstance(command.exception, StaleEdit):
                return self._resolve_conflict(card, values)
            return command.error

        history = self._services.cards.history(card.id)
        from app.ui.dialogs.comments_tab import CommentsSetup

        comments = CommentsSetup(self._services, self._commands, self.undo_stack)
        dialog = self._card_dialog(CardDialog, card, submit, history, comments=comments)
        time_tab = self._window.time.time_tab(card)
        dialog.add_time_tab(time_tab)
        dialog.exec()
        time_tab.close_tab()
        if self._window.current_page() != "backlog":
            self._board().select_card(card.id)

    def _resolve_conflict(self, opened: CardDTO, values: dict[str, Any]) -> str | None:
        """Someone else saved the card while it was open: show what they changed and let the
        person apply their own change on top, or take the saved card and drop theirs."""
        try:
            saved = self._services.cards.get_card(opened.id)
        except DomainError as exc:
            return str(exc)
        theirs = changed_fields(opened, saved)
        if opened.column_id != saved.column_id:
            names = [
                getattr(self.store.column(c), "name", "?")
                for c in (opened.column_id, saved.column_id)
            ]
            theirs.insert(0, ("column", names[0], names[1]))
        lines = [f"• {name}: {before} → {after}" for name, before, after in theirs]
        from PySide6.QtWidgets import QMessageBox  # a message box: made when shown

        box = QMessageBox(self._window)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(f"{opened.key} changed meanwhile")
        box.setText(
            f"{opened.key} was saved by someone else while you were editing it."
            + ("\n\nTheir changes:\n" + "\n".join(lines) if lines else "")
        )
        box.setInformativeText(
            "Apply your changes on top of theirs (fields you did not touch keep their "
            "values), or discard yours and see the saved card?"
        )
        apply = box.addButton("Apply mine on top", QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton("Discard mine", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton("Keep editing", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(apply)
        box.exec()
        clicked = box.clickedButton()
        if clicked is apply:
            command = EditCardCommand(self._commands, saved, values)
            command.quiet = True
            self.undo_stack.push(command)
            return command.error
        if clicked is discard:
            self.store.reload()
            return None
        return "Not saved yet: the card changed meanwhile (see above)."

    def _card_dialog(
        self,
        dialog_class: Any,
        card: CardDTO | None,
        submit: Any,
        history: Any = (),
        comments: Any = None,
    ) -> Any:
        """The card editor. A new card starts in the sprint the board shows (the backlog
        from the Backlog page); the Sprint field lets the person choose otherwise."""
        backlog = self._window.current_page() == "backlog"
        return dialog_class(
            columns=self.store.columns,
            members=self.store.members,
            labels=self.store.labels,
            epics=self.store.epics,
            submit=submit,
            card=card,
            history=history,
            sprints=self.store.sprints,
            default_sprint_id=None if backlog else self._board().sprint_scope,
            project=self.store.project,
            parent=self._window,
            comments=comments,
        )

    def delete_card(self) -> None:
        card = self._board().current_card()
        if card is None:
            return
        from PySide6.QtWidgets import QMessageBox  # a message box: made when shown

        answer = QMessageBox.question(
            self._window,
            "Delete card",
            f"Delete {card.key} “{card.title}”?\n\nIt is archived: Undo (Ctrl+Z) brings it back "
            "with the same key and history.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        if self.push(ArchiveCardCommand(self._commands, card)):
            self._status(f"Deleted {card.key} (Ctrl+Z to undo)", 6000)
