"""Time on the board: "Log time…" (Ctrl+L), the start/stop timer (Ctrl+Shift+T) shown in the
status bar ("⏱ SD-12 0:14", updated each minute), the card editor's Time tab, and their
undo commands.

The timer's start is stored by the service (``running_timer``), so the status bar shows a
timer started before a restart, or in another window. A person has one timer: the key
stops the running one (logging its minutes) and starts nothing else; pressed again, it
starts on the selected card. Each log, delete, start and stop is one step on the window's
undo stack, undone through the service's inverse methods.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QLabel, QWidget

from app.services.dto import CardDTO
from app.services.events import Change, ChangeKind
from app.ui.commands import CommandContext, ServiceCommand

# The log dialog and the Time tab are imported when first used, not on the way to the
# first paint (the window builds this controller at start).
if TYPE_CHECKING:
    from app.services import Services
    from app.services.time import TimerDTO, WorkLogDTO
    from app.ui.dialogs.log_dialog import TimeTab
    from app.ui.mainwindow.window import MainWindow

TICK_MS = 60_000


class AddLogCommand(ServiceCommand):
    """Log time; undo deletes the log, redo adds it back."""

    def __init__(self, context: CommandContext, card: CardDTO, values: dict[str, Any]) -> None:
        super().__init__(context, f"Log time on {card.key}")
        self._card = card
        self._values = dict(values)
        self.log: WorkLogDTO | None = None

    def _redo(self) -> None:
        time = self._ctx.services.time
        if self.log is None:
            v = self._values
            self.log = time.add_log(
                self._card.id, v["member_id"], v["minutes"], v.get("day"), v.get("note", "")
            )
            self.setText(f"Log {self.log.hours:f} h on {self._card.key}")
        else:
            self.log = time.restore_log(self.log)

    def _undo(self) -> None:
        assert self.log is not None
        self._ctx.services.time.delete_log(self.log.id)


class DeleteLogCommand(ServiceCommand):
    """Delete a log; undo puts it back."""

    def __init__(self, context: CommandContext, log: WorkLogDTO) -> None:
        super().__init__(context, f"Delete {log.hours:f} h logged on {log.card_key}")
        self.log = log

    def _redo(self) -> None:
        self.log = self._ctx.services.time.delete_log(self.log.id)

    def _undo(self) -> None:
        self.log = self._ctx.services.time.restore_log(self.log)


class StartTimerCommand(ServiceCommand):
    """Start a person's timer on a card; undo discards it."""

    def __init__(self, context: CommandContext, card: CardDTO, member_id: int) -> None:
        super().__init__(context, f"Start timer on {card.key}")
        self._card = card
        self._member_id = member_id
        self._started: dt.datetime | None = None

    def _redo(self) -> None:
        timer = self._ctx.services.time.start_timer(self._card.id, self._member_id, self._started)
        self._started = timer.started_at

    def _undo(self) -> None:
        self._ctx.services.time.cancel_timer(self._member_id)


class StopTimerCommand(ServiceCommand):
    """Stop a timer, logging its minutes; undo deletes that log and runs the timer again
    from its original start."""

    def __init__(self, context: CommandContext, timer: TimerDTO) -> None:
        super().__init__(context, f"Stop timer on {timer.card_key}")
        self.timer = timer
        self.log: WorkLogDTO | None = None

    def _redo(self) -> None:
        time = self._ctx.services.time
        if self.log is not None:  # redo: the same minutes again, not the time since
            time.cancel_timer(self.timer.member_id)
            self.log = time.restore_log(self.log)
            return
        self.log = time.stop_timer(self.timer.member_id)

    def _undo(self) -> None:
        assert self.log is not None
        time = self._ctx.services.time
        time.delete_log(self.log.id)
        time.start_timer(self.timer.card_id, self.timer.member_id, self.timer.started_at)


class TimeController(QObject):
    """What Ctrl+L, Ctrl+Shift+T and the card editor's Time tab do, and the status bar's
    timer label."""

    def __init__(self, window: MainWindow, services: Services, commands: CommandContext) -> None:
        super().__init__(window)
        self._window = window
        self._services = services
        self._commands = commands
        self.timer_label = QLabel(window)
        self.timer_label.setObjectName("timerLabel")
        self.timer_label.setStyleSheet("font-weight: 600; padding: 0 6px;")
        self.timer_label.hide()
        window.statusBar().addPermanentWidget(self.timer_label)
        self._timers: list[TimerDTO] = []
        self._tick = QTimer(self)
        self._tick.setInterval(TICK_MS)
        self._tick.timeout.connect(self.show_timers)
        self._tick.start()
        self._listening = False

    def handlers(self) -> dict[str, Any]:
        return {"card.log_time": lambda: self.log_time(), "card.timer": self.toggle_timer}

    def listen(self) -> None:
        """Follow the bus (after the window's store exists) and show the running timers."""
        if not self._listening:
            self._services.bus.subscribe(self._on_change)
            self._window.store.board_reset.connect(self.refresh)
            self._listening = True

    def close(self) -> None:
        self._tick.stop()
        if self._listening:
            self._services.bus.unsubscribe(self._on_change)
            self._listening = False

    def _on_change(self, change: Change) -> None:
        if change.kind in (ChangeKind.WORKLOG_CHANGED, ChangeKind.RELOADED):
            self.refresh()

    # --- the status bar ----------------------------------------------------------------

    def refresh(self) -> None:
        """Read the project's running timers again (not while the window paints its first
        board: the services are not built then, app/startup.py; the start-up asks again
        once they are)."""
        if not getattr(self._services, "ready", True):
            return
        project = self._window.store.project
        try:
            self._timers = [] if project is None else self._services.time.running_timers(project.id)
        except Exception:
            self._timers = []
        self.show_timers()

    def show_timers(self) -> None:
        """ "⏱ SD-12 0:14" per running timer (with the person's name when there are several
        or it is not you)."""
        if not self._timers:
            self.timer_label.hide()
            self.timer_label.setText("")
            return
        me = self._services.actor.strip().lower()
        parts = []
        for timer in self._timers:
            minutes = self._services.time.elapsed_minutes(timer)
            text = f"⏱ {timer.card_key} {minutes // 60}:{minutes % 60:02d}"
            if len(self._timers) > 1 or timer.member_name.lower() != me:
                text += f" ({timer.member_name})"
            parts.append(text)
        self.timer_label.setText("  ·  ".join(parts))
        self.timer_label.setToolTip("Running timers; Ctrl+Shift+T stops yours and logs the time")
        self.timer_label.show()

    # --- the actions -------------------------------------------------------------------

    def _card(self) -> CardDTO | None:
        return self._window.focused_board().current_card()

    def _member_for(self, card: CardDTO | None) -> int | None:
        from app.ui.dialogs.log_dialog import default_member

        return default_member(self._window.store.members, self._services.actor, card)

    def log_time(self, parent: QWidget | None = None, card: CardDTO | None = None) -> bool:
        """Open the log dialog for ``card`` (the selected card by default); True if logged."""
        card = card or self._card()
        store = self._window.store
        if card is None or store.project is None:
            self._window.statusBar().showMessage("Select a card to log time on.", 5000)
            return False

        def submit(values: dict[str, Any]) -> str | None:
            command = AddLogCommand(self._commands, card, values)
            command.quiet = True
            self._window.undo_stack.push(command)
            if command.error is None and command.log is not None:
                self._window.statusBar().showMessage(
                    f"Logged {command.log.hours:f} h on {card.key} (Ctrl+Z to undo)", 6000
                )
            return command.error

        from app.ui.dialogs.log_dialog import LogDialog

        dialog = LogDialog(
            card=card,
            members=store.members,
            today=self._services.projects.today(store.project.time_zone),
            submit=submit,
            member_id=self._member_for(card),
            parent=parent or self._window,
        )
        return bool(dialog.exec())

    def delete_log(self, log: WorkLogDTO) -> None:
        if self._window.push(DeleteLogCommand(self._commands, log)):
            self._window.statusBar().showMessage(
                f"Deleted {log.hours:f} h logged on {log.card_key} (Ctrl+Z to undo)", 6000
            )

    def time_tab(self, card: CardDTO) -> TimeTab:
        """The card editor's Time tab for ``card``."""
        from app.ui.dialogs.log_dialog import TimeTab

        return TimeTab(
            services=self._services,
            card=card,
            log_time=lambda parent: self.log_time(parent, card),
            delete_log=self.delete_log,
        )

    def toggle_timer(self) -> None:
        """Stop your running timer (logging it), or start one on the selected card."""
        card = self._card()
        member_id = self._member_for(card)
        if member_id is None:
            mine = [
                t for t in self._timers if t.member_name.lower() == self._services.actor.lower()
            ]
            if not mine:
                self._window.show_error(
                    "Whose timer? Choose who you are (Project › You are…) or assign the card."
                )
                return
            member_id = mine[0].member_id
        running = self._services.time.running_timer(member_id)
        if running is not None:
            command = StopTimerCommand(self._commands, running)
            if self._window.push(command) and command.log is not None:
                self._window.statusBar().showMessage(
                    f"Logged {command.log.hours:f} h on {running.card_key} (Ctrl+Z to undo)", 6000
                )
            return
        if card is None:
            self._window.statusBar().showMessage("Select a card to start a timer on.", 5000)
            return
        if self._window.push(StartTimerCommand(self._commands, card, member_id)):
            self._window.statusBar().showMessage(
                f"Timer started on {card.key}; Ctrl+Shift+T stops it and logs the time", 6000
            )


__all__ = [
    "AddLogCommand",
    "DeleteLogCommand",
    "StartTimerCommand",
    "StopTimerCommand",
    "TimeController",
]
