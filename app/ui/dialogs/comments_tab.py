"""The card editor's Comments tab: the card's comments (newest last, Markdown rendered by
the service, safely), the card's history interleaved on request, and a box to write in.

Ctrl+Enter posts (or saves the comment being edited; Esc stops editing). Typing "@" offers
the project's members. Edit and Delete show on one's own comments only; every change goes
through the window's undo stack, and Ctrl+Z here undoes it (the dialog is modal, so the
window's own Undo cannot be reached while it is open).

While it is shown the tab hears the change bus: a comment made elsewhere on this card (the
standup, the CLI, another window or process through the change feed) redraws the timeline
and leaves the box being typed in, and the scroll position unless it was at the bottom,
alone.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QStringListModel, Qt, QTimer, Signal
from PySide6.QtGui import (
    QHideEvent,
    QKeyEvent,
    QKeySequence,
    QShortcut,
    QShowEvent,
    QTextCursor,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QCompleter,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.errors import DomainError
from app.services.comments import CommentDTO
from app.services.dto import CardDTO, HistoryEventDTO
from app.services.events import Change, ChangeKind
from app.services.history_text import HistoryNames, describe_event
from app.ui.commands import CommandContext, ServiceCommand
from app.ui.comment_commands import AddCommentCommand, DeleteCommentCommand, EditCommentCommand
from app.ui.dates import format_user_time

if TYPE_CHECKING:
    from app.services import Services

ERROR_STYLE = "color: #c9372c; font-weight: 600;"
MUTED = "color: #6b778c;"
# "@" at the start or after a space, then what has been typed of a name (names may hold
# spaces, so the prefix may too; at most 40 characters).
_MENTION_PREFIX = re.compile(r"(?:^|(?<=\s))@([^@\n]{0,40})$")


@dataclass(frozen=True)
class CommentsSetup:
    """What the Comments tab needs from the window: services, the commands' context and
    the undo stack its changes go on."""

    services: Services
    commands: CommandContext
    undo_stack: QUndoStack


class CommentEditor(QPlainTextEdit):
    """The text box: Ctrl+Enter submits, Esc cancels an edit, "@" completes a member."""

    submitted = Signal()
    cancelled = Signal()

    def __init__(self, members: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("commentEditor")
        self.setTabChangesFocus(True)
        # Kept as an attribute: the completer does not own its model, which would be
        # collected (and the completion left empty) otherwise.
        self._names = QStringListModel(sorted(members, key=str.lower), self)
        self.completer = QCompleter(self._names, self)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.completer.setWidget(self)
        self.completer.activated.connect(self.insert_mention)

    @staticmethod
    def _is_submit(event: QKeyEvent) -> bool:
        return event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and bool(
            event.modifiers() & Qt.KeyboardModifier.ControlModifier
        )

    def event(self, event: QEvent) -> bool:
        """QWidget::event: Ctrl+Enter is this box's, not the dialog's Save shortcut."""
        if event.type() == QEvent.Type.ShortcutOverride and self._is_submit(event):  # type: ignore[arg-type]
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """QWidget::keyPressEvent."""
        popup = self.completer.popup()
        if popup.isVisible() and event.key() in (
            Qt.Key.Key_Return,
            Qt.Key.Key_Enter,
            Qt.Key.Key_Tab,
            Qt.Key.Key_Escape,
        ):
            event.ignore()  # the completer takes these
            return
        if self._is_submit(event):
            self.submitted.emit()
            return
        if event.key() == Qt.Key.Key_Escape:
            self.cancelled.emit()
            return
        super().keyPressEvent(event)
        self._update_completion()

    def mention_prefix(self) -> str | None:
        """What follows the "@" being typed at the cursor, or None when not in a mention."""
        cursor = self.textCursor()
        block = cursor.block().text()[: cursor.positionInBlock()]
        match = _MENTION_PREFIX.search(block)
        return None if match is None else match.group(1)

    def _update_completion(self) -> None:
        prefix = self.mention_prefix()
        popup = self.completer.popup()
        if prefix is None:
            popup.hide()
            return
        self.completer.setCompletionPrefix(prefix)
        if self.completer.completionCount() == 0:
            popup.hide()
            return
        popup.setCurrentIndex(self.completer.completionModel().index(0, 0))
        rect = self.cursorRect()
        rect.setWidth(popup.sizeHintForColumn(0) + popup.verticalScrollBar().sizeHint().width() + 8)
        self.completer.complete(rect)

    def insert_mention(self, name: str) -> None:
        """Replace the "@prefix" at the cursor by "@Name "."""
        prefix = self.mention_prefix()
        cursor = self.textCursor()
        if prefix is not None:
            cursor.movePosition(
                QTextCursor.MoveOperation.Left, QTextCursor.MoveMode.KeepAnchor, len(prefix) + 1
            )
        cursor.insertText(f"@{name} ")
        self.setTextCursor(cursor)
        self.completer.popup().hide()


class CommentsTab(QWidget):
    """See the module docstring. ``history`` and ``names`` are the History tab's."""

    changed = Signal(int)  # how many comments (not deleted) the card has now

    def __init__(
        self,
        setup: CommentsSetup,
        card: CardDTO,
        history: Sequence[HistoryEventDTO],
        names: HistoryNames,
        members: Sequence[str],
        zone: str | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("commentsTab")
        self._setup = setup
        self._card = card
        self._history = list(history)
        self._names = names
        self._zone = zone
        self._comments: list[CommentDTO] = []
        self._editing: CommentDTO | None = None
        self._kept_scroll = 0
        # Per comment id, its Edit and Delete buttons (tests and keyboard users find them).
        self.edit_buttons: dict[int, QPushButton] = {}
        self.delete_buttons: dict[int, QPushButton] = {}
        self.entries: list[QLabel] = []

        self.history_check = QCheckBox("Show &history")
        self.history_check.setObjectName("showHistoryCheck")
        self.history_check.setToolTip("Interleave the card's changes with its comments")
        self.history_check.toggled.connect(lambda _on: self.refresh())
        self.caption = QLabel()
        self.caption.setObjectName("commentsCaption")
        top = QHBoxLayout()
        top.addWidget(self.caption, 1)
        top.addWidget(self.history_check)

        self.scroll = QScrollArea()
        self.scroll.setObjectName("commentsScroll")
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.StyledPanel)
        self.scroll.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

        self.editor = CommentEditor(members)
        self.editor.setPlaceholderText(
            "Write a comment (Markdown; @ mentions someone). Ctrl+Enter posts."
        )
        self.editor.setMaximumHeight(110)
        self.editor.submitted.connect(self.submit)
        self.editor.cancelled.connect(self.cancel_edit)
        self.post_button = QPushButton("&Post")
        self.post_button.setObjectName("postCommentButton")
        self.post_button.setAutoDefault(False)
        self.post_button.setToolTip("Post the comment (Ctrl+Enter)")
        self.post_button.clicked.connect(self.submit)
        self.cancel_button = QPushButton("Cancel edit")
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.cancel_edit)
        self.cancel_button.hide()
        self.error_label = QLabel()
        self.error_label.setObjectName("commentError")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.hide()
        buttons = QHBoxLayout()
        buttons.addWidget(self.error_label, 1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.post_button)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.scroll, 1)
        layout.addWidget(self.editor)
        layout.addLayout(buttons)

        undo = QShortcut(QKeySequence.StandardKey.Undo, self)
        undo.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        undo.activated.connect(self.undo)
        redo = QShortcut(QKeySequence.StandardKey.Redo, self)
        redo.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        redo.activated.connect(self.redo)
        # Comments made elsewhere: heard on the bus while shown, redrawn once per burst.
        self._listening = False
        self._pending = QTimer(self)
        self._pending.setSingleShot(True)
        self._pending.setInterval(0)
        self._pending.timeout.connect(lambda: self.refresh(follow=False))
        self.refresh()

    # --- hearing changes made elsewhere -----------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        """QWidget::showEvent: listen while shown (and catch up on what was missed)."""
        super().showEvent(event)
        if not self._listening:
            self._setup.services.bus.subscribe(self._on_change)
            self._listening = True
            self._pending.start()

    def hideEvent(self, event: QHideEvent) -> None:
        """QWidget::hideEvent: a hidden tab (or closed editor) leaves no listener behind."""
        self.stop_listening()
        super().hideEvent(event)

    def stop_listening(self) -> None:
        if self._listening:
            self._setup.services.bus.unsubscribe(self._on_change)
            self._listening = False
        self._pending.stop()

    def _on_change(self, change: Change) -> None:
        """A comment on this card (or, from another process, on this project: the change
        feed names no cards for comments), or a reload from elsewhere: redraw soon."""
        if change.kind is ChangeKind.COMMENTED:
            if change.project_id is not None and change.project_id != self._card.project_id:
                return
            if change.cards and all(c.id != self._card.id for c in change.cards):
                return
        elif change.kind is not ChangeKind.RELOADED or (
            change.project_id is not None and change.project_id != self._card.project_id
        ):
            return
        self._pending.start()

    # --- what is shown ---------------------------------------------------------------------

    @property
    def comments(self) -> list[CommentDTO]:
        return list(self._comments)

    def refresh(self, follow: bool = True) -> None:
        """Read the card's comments again and lay out the timeline, newest last. ``follow``
        scrolls to the newest; without it (a change from elsewhere) the view stays where the
        reader scrolled to, unless that was the bottom. The text box is never touched."""
        self._pending.stop()  # this read covers any redraw a change had asked for
        bar = self.scroll.verticalScrollBar()
        at_bottom = bar.value() >= bar.maximum() - 4
        kept = bar.value()
        try:
            self._comments = self._setup.services.comments.list(self._card.id)
        except DomainError as exc:
            self._show_error(str(exc))
            self._comments = []
        live = sum(1 for c in self._comments if not c.deleted)
        self.caption.setText(
            f"{live} comment{'s' if live != 1 else ''}, the latest at the bottom"
            if live
            else "No comments yet: be the first."
        )
        rows: list[tuple[dt.datetime, int, object]] = [
            (_aware(c.created_at), 1, c) for c in self._comments
        ]
        if self.history_check.isChecked():
            rows += [(_aware(e.at), 0, e) for e in self._history]
        rows.sort(key=lambda r: (r[0], r[1]))
        self.edit_buttons, self.delete_buttons, self.entries = {}, {}, []
        body = QWidget()
        body.setObjectName("commentsBody")
        column = QVBoxLayout(body)
        column.setContentsMargins(6, 6, 6, 6)
        column.setSpacing(8)
        for _at, _order, item in rows:
            if isinstance(item, CommentDTO):
                column.addWidget(self._comment_widget(item))
            else:
                column.addWidget(self._history_widget(item))  # type: ignore[arg-type]
        column.addStretch(1)
        self.scroll.setWidget(body)
        if follow or at_bottom:
            QTimer.singleShot(0, self._scroll_to_bottom)
        else:
            self._kept_scroll = kept
            QTimer.singleShot(0, self._restore_scroll)
        self.changed.emit(live)

    def _restore_scroll(self) -> None:
        self.scroll.verticalScrollBar().setValue(self._kept_scroll)

    def _scroll_to_bottom(self) -> None:
        bar = self.scroll.verticalScrollBar()
        bar.setValue(bar.maximum())

    def _comment_widget(self, c: CommentDTO) -> QWidget:
        box = QFrame()
        box.setObjectName("commentBox")
        box.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(8, 6, 8, 6)
        when = format_user_time(c.created_at, self._zone)
        head = QHBoxLayout()
        marks = ""
        if c.edited and not c.deleted:
            marks = f' <span style="{MUTED}">· edited</span>'
        who = QLabel(f"<b>{html.escape(c.author)}</b> <span style='{MUTED}'>{when}</span>{marks}")
        who.setTextFormat(Qt.TextFormat.RichText)
        head.addWidget(who, 1)
        if c.mine and not c.deleted:
            edit = QPushButton("Edit")
            edit.setObjectName("editCommentButton")
            edit.setAutoDefault(False)
            edit.setFlat(True)
            edit.clicked.connect(lambda _=False, c=c: self.start_edit(c))
            delete = QPushButton("Delete")
            delete.setObjectName("deleteCommentButton")
            delete.setAutoDefault(False)
            delete.setFlat(True)
            delete.clicked.connect(lambda _=False, c=c: self.delete(c))
            head.addWidget(edit)
            head.addWidget(delete)
            self.edit_buttons[c.id] = edit
            self.delete_buttons[c.id] = delete
        layout.addLayout(head)
        if c.deleted:
            text = QLabel(
                f"<i style='{MUTED}'>Comment deleted by {html.escape(c.deleted_by or '')}</i>"
            )
        else:
            text = QLabel(c.html)
            text.setOpenExternalLinks(True)
        text.setObjectName("commentText")
        text.setTextFormat(Qt.TextFormat.RichText)
        text.setWordWrap(True)
        text.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.LinksAccessibleByMouse
        )
        layout.addWidget(text)
        self.entries.append(text)
        return box

    def _history_widget(self, event: HistoryEventDTO) -> QWidget:
        when = format_user_time(event.at, self._zone)
        what = html.escape(describe_event(event, self._names)).replace("\n", "; ")
        label = QLabel(f"<span style='{MUTED}'>{when} · {html.escape(event.actor)}: {what}</span>")
        label.setObjectName("historyEntry")
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setWordWrap(True)
        self.entries.append(label)
        return label

    # --- doing -----------------------------------------------------------------------------

    def submit(self) -> None:
        """Post the text (or save the comment being edited) through the undo stack."""
        text = self.editor.toPlainText()
        if self._editing is not None:
            command: ServiceCommand = EditCommentCommand(self._setup.commands, self._editing, text)
        else:
            command = AddCommentCommand(self._setup.commands, self._card.id, self._card.key, text)
        if self._push(command):
            self.editor.clear()
            self._end_edit()
            self.refresh()
        self.editor.setFocus()

    def start_edit(self, comment: CommentDTO) -> None:
        """Put one's own comment into the box to change it; Ctrl+Enter saves, Esc stops."""
        self._editing = comment
        self.editor.setPlainText(comment.text)
        self.editor.moveCursor(QTextCursor.MoveOperation.End)
        self.post_button.setText("&Save edit")
        self.cancel_button.show()
        self.editor.setFocus()

    def cancel_edit(self) -> None:
        if self._editing is not None:
            self.editor.clear()
        self._end_edit()

    def _end_edit(self) -> None:
        self._editing = None
        self.post_button.setText("&Post")
        self.cancel_button.hide()

    def delete(self, comment: CommentDTO) -> None:
        if self._push(DeleteCommentCommand(self._setup.commands, comment)):
            self.refresh()
        self.scroll.setFocus()

    def undo(self) -> None:
        """Undo the last comment change. Only a comment change: the window's stack also
        holds board moves, which nobody expects Ctrl+Z in a card's comments to undo."""
        stack = self._setup.undo_stack
        if not isinstance(stack.command(stack.index() - 1), _COMMENT_COMMANDS):
            self._show_error("Nothing to undo in the comments.")
            return
        stack.undo()
        self.error_label.hide()
        self.refresh()

    def redo(self) -> None:
        stack = self._setup.undo_stack
        if not isinstance(stack.command(stack.index()), _COMMENT_COMMANDS):
            return
        stack.redo()
        self.refresh()

    def _push(self, command: ServiceCommand) -> bool:
        command.quiet = True
        self._setup.undo_stack.push(command)
        if command.error is not None:
            self._show_error(command.error)
            return False
        self.error_label.hide()
        return True

    def _show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()


_COMMENT_COMMANDS = (AddCommentCommand, EditCommentCommand, DeleteCommentCommand)


def _aware(at: dt.datetime) -> dt.datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)


__all__ = ["CommentEditor", "CommentsSetup", "CommentsTab"]
