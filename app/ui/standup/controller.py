"""View › Standup (Ctrl+U): the standup view over the board, and what its keys change.

Opening it shows the start (who is absent, the order); Start records the standup
(``services.standups.start``; "since the last standup" is the start of the one before,
``services.standups.last_started``) and walks the present people. A move, a block and a
comment are undo commands on the window's stack (the board's own MoveCardCommand through
the card controller, EditCardCommand, :class:`app.ui.comment_commands.AddCommentCommand`,
the Comments tab's own), saved at once; the view
re-reads the speaker's cards when the store hears any change, an undo included. Esc ends
the walk: the summary is stored as the standup's summary (``services.standups.end``) —
a sprint has no comments of its own to post it to — and can be copied or exported.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QLineEdit, QToolBar

from app.errors import DomainError
from app.ui.commands import CommandContext, EditCardCommand

# The standup's view, summary, commands and dates are imported when a standup is opened:
# the window builds this controller at start, and the first paint does not need them.
if TYPE_CHECKING:
    from app.services import Services
    from app.services.dto import CardDTO
    from app.services.standup_data import StandupData
    from app.ui.mainwindow.window import MainWindow
    from app.ui.standup.summary import StandupFacts
    from app.ui.standup.view import StandupView

BLOCK_REASON_MAX = 500
COMMENT_MAX = 20_000


class StandupController(QObject):
    """Opens and closes the standup view in the window's page stack."""

    def __init__(self, window: MainWindow, services: Services, commands: CommandContext) -> None:
        super().__init__(window)
        self._window = window
        self._services = services
        self._commands = commands
        self.view: StandupView | None = None
        self.standup_id: int | None = None
        self.since: dt.datetime | None = None
        self.summary = ""
        self.facts: StandupFacts | None = None
        self._previous: Any = None  # the page shown before the standup
        self._hidden_bars: list[QToolBar] = []
        self._listening = False  # to the bus, while a standup is walked
        window.installEventFilter(self)  # a window closed mid-standup stops listening
        self._refresh = QTimer(self)
        self._refresh.setSingleShot(True)
        self._refresh.setInterval(0)
        self._refresh.timeout.connect(self._reread)
        # What the dialogs ask (tests replace them).
        self.ask_reason: Callable[[CardDTO], str | None] = self._ask_reason
        self.ask_comment: Callable[[CardDTO], str | None] = self._ask_comment
        self.ask_export_path: Callable[[], str | None] = self._ask_export_path

    def handlers(self) -> dict[str, Callable[[], Any]]:
        return {"view.standup": self.open}

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """QObject::eventFilter: the window closing ends the listening (and the timers)."""
        if watched is self._window and event.type() == QEvent.Type.Close:
            self._listen(False)
            if self.view is not None:
                self.view.stop_timers()
        return False

    @property
    def active(self) -> bool:
        return self.view is not None and self._window.pages.currentWidget() is self.view

    # --- opening and closing -----------------------------------------------------------------

    def open(self) -> None:
        """Show the start of a standup over the board (nothing is recorded yet)."""
        w = self._window
        project = w.store.project
        if project is None:
            return
        if self.active:
            return
        try:
            self.since = self._services.standups.last_started(project.id)
            members = [m for m in self._services.projects.list_members(project.id) if m.active]
        except DomainError as exc:
            w.show_error(str(exc))
            return
        from app.ui.dates import format_user_time

        view = self._ensure_view()
        since_text = (
            f"Since the last standup, {format_user_time(self.since, project.time_zone)}"
            if self.since is not None
            else "No standup held yet: since yesterday (the last 24 hours)"
        )
        self.standup_id = None
        self.summary = ""
        view.show_start(f"Standup — {project.name}", since_text, members)
        self._previous = w.pages.currentWidget()
        w.pages.setCurrentWidget(view)
        self._hidden_bars = [b for b in w.findChildren(QToolBar) if b.isVisible()]
        for bar in self._hidden_bars:
            bar.hide()  # the room sees the standup, not the board's controls
        view.setFocus()

    def close(self) -> None:
        """Back to the page the standup was opened from."""
        w = self._window
        if self.view is None:
            return
        self._listen(False)
        self.view.stop_timers()
        for bar in self._hidden_bars:
            bar.show()
        self._hidden_bars = []
        target = self._previous if self._previous is not None else w.board
        if w.pages.indexOf(target) < 0:
            target = w.board
        w.pages.setCurrentWidget(target)
        w.focused_board().setFocus()

    def _ensure_view(self) -> StandupView:
        if self.view is None:
            from app.ui.standup.view import StandupView

            view = StandupView(self._window)
            self._window.pages.addWidget(view)
            self._window.zoom.add_target(view.set_zoom)
            view.started.connect(self._on_started)
            view.ended.connect(self._on_ended)
            view.cancelled.connect(self.close)
            view.move_requested.connect(self._on_move)
            view.block_requested.connect(self._on_block)
            view.comment_requested.connect(self._on_comment)
            view.copy_requested.connect(self.copy_summary)
            view.export_requested.connect(self.export_summary)
            store = self._window.store
            for signal in (
                store.card_added,
                store.card_changed,
                store.card_moved,
                store.card_removed,
                store.board_reset,
            ):
                signal.connect(lambda *_args: self._schedule_reread())
            self.view = view
        return self.view

    # --- the walk ----------------------------------------------------------------------------

    def _data(self) -> StandupData | None:
        project = self._window.store.project
        if project is None or self.view is None:
            return None
        return self._services.standup_data.for_team(
            project.id, self.since, self.view.stale_spin.value()
        )

    def _on_started(self) -> None:
        view = self.view
        project = self._window.store.project
        if view is None or project is None:
            return
        try:
            data = self._data()
            self.standup_id = self._services.standups.start(project.id).id
        except DomainError as exc:
            self._window.show_error(str(exc))
            return
        if data is None:
            return
        self._listen(True)
        view.begin_walk({p.member.id: p for p in data.people})

    def _listen(self, on: bool) -> None:
        """Hear the bus (comments) only while walking: a closed window leaves no listener."""
        if on and not self._listening:
            self._services.bus.subscribe(self._on_bus)
        elif not on and self._listening:
            self._services.bus.unsubscribe(self._on_bus)
        self._listening = on

    def _schedule_reread(self) -> None:
        if self.view is not None and self.view.stage == "walk":
            self._refresh.start()

    def _on_bus(self, change: object) -> None:
        """Comments reach the store as no card change: hear them on the bus as well."""
        kind = getattr(getattr(change, "kind", None), "name", "")
        if kind == "COMMENTED":
            self._schedule_reread()

    def _reread(self) -> None:
        if self.view is None or self.view.stage != "walk":
            return
        try:
            data = self._data()
        except DomainError as exc:
            self._window.statusBar().showMessage(str(exc), 8000)
            return
        if data is not None:
            self.view.update_turns({p.member.id: p for p in data.people})

    def _card(self, card_id: int) -> CardDTO | None:
        return self._window.store.card(card_id)

    def _on_move(self, card_id: int, step: int) -> None:
        """The board's move keys: the card to the previous or next column, last in it."""
        card = self._card(card_id)
        if card is None:
            return
        columns = list(self._window.store.columns)
        index = next((i for i, c in enumerate(columns) if c.id == card.column_id), None)
        if index is None or not 0 <= index + step < len(columns):
            return
        self._window.cards.move_card(card.id, columns[index + step].id, None, None)
        self._reread()
        if self.view is not None:
            self.view.select_card(card.id)

    def _on_block(self, card_id: int) -> None:
        """B: blocked with a reason; on a blocked card, unblocked."""
        card = self._card(card_id)
        if card is None:
            return
        if card.blocked:
            changes: dict[str, Any] = {"blocked": False, "blocked_reason": ""}
        else:
            reason = self.ask_reason(card)
            if reason is None:
                return
            reason = reason.strip()
            if not reason:
                self._window.show_error("Say what blocks it: the reason is what the team reads.")
                return
            if len(reason) > BLOCK_REASON_MAX:
                self._window.show_error(
                    f"A blocked reason is at most {BLOCK_REASON_MAX} characters."
                )
                return
            changes = {"blocked": True, "blocked_reason": reason}
        command = EditCardCommand(self._commands, card, changes)
        command.setText(f"{'Unblock' if card.blocked else 'Block'} {card.key}")
        self._window.push(command)
        self._reread()
        if self.view is not None:
            self.view.select_card(card.id)

    def _on_comment(self, card_id: int) -> None:
        card = self._card(card_id)
        if card is None:
            return
        text = self.ask_comment(card)
        if text is None:
            return
        if not text.strip():
            self._window.show_error("A comment needs some text.")
            return
        if len(text) > COMMENT_MAX:
            self._window.show_error(f"A comment is at most {COMMENT_MAX:,} characters.")
            return
        from app.ui.comment_commands import AddCommentCommand

        self._window.push(AddCommentCommand(self._commands, card.id, card.key, text))
        self._reread()
        if self.view is not None:
            self.view.select_card(card.id)

    # --- the end -----------------------------------------------------------------------------

    def _on_ended(self) -> None:
        view = self.view
        project = self._window.store.project
        if view is None or project is None:
            return
        view.stop_timers()
        self._listen(False)
        try:
            data = self._data()
        except DomainError as exc:
            self._window.show_error(str(exc))
            return
        if data is None:
            return
        from app.ui.dates import format_user_time
        from app.ui.standup.summary import facts, summary_markdown

        since_text = (
            f"Since the last standup ({format_user_time(self.since, project.time_zone)})"
            if self.since is not None
            else "The first standup (the last 24 hours)"
        )
        self.summary = summary_markdown(
            project.name,
            data.today,
            since_text,
            data,
            view.order,
            view.absent_names(),
            view.spoke,
            view.total_seconds(),
            view.too_much_spin.value(),
        )
        self.facts = facts(data, view.order, view.too_much_spin.value())
        saved = "Not saved."
        if self.standup_id is not None:
            try:
                self._services.standups.end(self.standup_id, self.summary)
                saved = (
                    "Saved as this standup's summary (a sprint has no comments to post it "
                    "to): the next standup starts from this one. Copy it or export it below."
                )
            except DomainError as exc:
                saved = f"Not saved: {exc}"
        view.show_summary(self.summary, saved)

    def copy_summary(self) -> None:
        QApplication.clipboard().setText(self.summary)
        self._window.statusBar().showMessage("The standup's summary is on the clipboard.", 5000)

    def export_summary(self) -> None:
        path = self.ask_export_path()
        if not path:
            return
        try:
            Path(path).write_text(self.summary, encoding="utf-8")
        except OSError as exc:
            self._window.show_error(f"Could not write {path}: {exc.strerror or exc}.")
            return
        self._window.statusBar().showMessage(f"Exported the summary to {path}.", 5000)

    # --- the questions -----------------------------------------------------------------------

    def _ask_reason(self, card: CardDTO) -> str | None:
        from PySide6.QtWidgets import QInputDialog  # a dialog: imported when it opens

        text, ok = QInputDialog.getText(
            self._window, f"Block {card.key}", "What blocks it?", QLineEdit.EchoMode.Normal
        )
        return text if ok else None

    def _ask_comment(self, card: CardDTO) -> str | None:
        from PySide6.QtWidgets import QInputDialog  # a dialog: imported when it opens

        text, ok = QInputDialog.getMultiLineText(
            self._window, f"Comment on {card.key}", f"{card.key} {card.title}"
        )
        return text if ok else None

    def _ask_export_path(self) -> str | None:
        project = self._window.store.project
        name = f"standup-{project.key if project else 'summary'}.md"
        from PySide6.QtWidgets import QFileDialog  # a dialog: imported when it opens

        path, _filter = QFileDialog.getSaveFileName(
            self._window, "Export the standup's summary", name, "Markdown (*.md)"
        )
        return path or None


__all__ = ["StandupController"]
