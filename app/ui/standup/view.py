"""The standup view: who is here, then one person at a time, then the summary.

Three stages in one widget (a QStackedWidget): the **start** (who is absent, fixed or
shuffled order, the thresholds), the **walk** (the speaker's blocked cards, cards in progress
by age, what they finished or moved since the last standup, their comments; a timer per
speaker and the total) and the **summary**. The view shows and asks; what it changes goes
through :class:`~app.ui.standup.controller.StandupController` (undo commands, services).

Keys on the walk: Right or Space next person, Left previous, Up/Down choose a card,
Ctrl+Left/Ctrl+Right move it to the previous/next column (the board's move keys), B mark it
blocked with a reason (or unblock it), C comment on it, Ctrl+Z undo (the window's), Esc end
the standup. Esc on the start goes back to the board without holding a standup.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.services.dto import MemberDTO
from app.ui.standup.summary import DEFAULT_TOO_MUCH, minutes_seconds
from app.words import plural

if TYPE_CHECKING:  # not at run time: the window (and so the first paint) imports this
    from app.services.standup_data import PersonStandup

# The services' DEFAULT_STALE_AFTER (app/services/standup_data.py imports SQLAlchemy, which
# the first paint must not; tests/ui/test_standup.py checks the two agree).
DEFAULT_STALE_AFTER = 3

CARD_ID_ROLE = Qt.ItemDataRole.UserRole + 1
SOFT_LIMIT_MINUTES = 2  # a speaker's timer turns amber after this
AMBER = "#b76e00"
RED = QColor("#b42318")
STALE = QColor("#b76e00")
BASE_POINTS = 15.0  # the standup's text at zoom 1: bigger than the board's, for the room
KEYS_HINT = (
    "→ / Space next   ← previous   ↑ ↓ choose a card   Ctrl+← / Ctrl+→ move it   "
    "B blocked   C comment   Ctrl+Z undo   F11 full screen   Esc end"
)


class StandupView(QWidget):
    """The standup on the shared screen (see the module's docstring)."""

    started = Signal()  # Start pressed: who is present and how is in the view's fields
    turn_changed = Signal(int)  # the member now speaking
    ended = Signal()  # Esc on the walk: the controller writes the summary
    cancelled = Signal()  # Esc on the start, or the summary closed: back to the board
    move_requested = Signal(int, int)  # card, step (-1 previous column, +1 next)
    block_requested = Signal(int)  # card
    comment_requested = Signal(int)  # card
    copy_requested = Signal()
    export_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("standupPage")
        self.clock: Callable[[], float] = time.monotonic  # tests set it
        self.rng = random.Random()
        self._zoom = 1.0
        self._members: list[MemberDTO] = []
        self.order: list[int] = []  # the present people's ids, in speaking order
        self.index = 0
        self._turns: dict[int, PersonStandup] = {}
        self.spoke: dict[int, float] = {}  # seconds per speaker, so far
        self._turn_started: float | None = None
        self._walk_started: float | None = None
        self._ended_at: float | None = None

        self.stages = QStackedWidget(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.addWidget(self.stages)
        self._build_start()
        self._build_walk()
        self._build_summary()
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self.refresh_timers)
        self.set_zoom(1.0)

    # --- building --------------------------------------------------------------------------

    def _build_start(self) -> None:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.start_title = QLabel("Standup")
        self.start_title.setObjectName("standupTitle")
        self.since_label = QLabel()
        self.since_label.setObjectName("standupSince")
        layout.addWidget(self.start_title)
        layout.addWidget(self.since_label)
        layout.addWidget(QLabel("Who is here? (untick the absent: they are skipped)"))
        self.present_list = QListWidget()
        self.present_list.setObjectName("standupPresent")
        layout.addWidget(self.present_list, 1)
        form = QFormLayout()
        self.order_combo = QComboBox()
        self.order_combo.addItem("The team's order", "fixed")
        self.order_combo.addItem("Shuffled", "shuffled")
        form.addRow("&Order", self.order_combo)
        self.stale_spin = QSpinBox()
        self.stale_spin.setRange(1, 365)
        self.stale_spin.setValue(DEFAULT_STALE_AFTER)
        self.stale_spin.setSuffix(" working days")
        form.addRow("Flag cards in a column &longer than", self.stale_spin)
        self.limit_spin = QSpinBox()
        self.limit_spin.setRange(1, 30)
        self.limit_spin.setValue(SOFT_LIMIT_MINUTES)
        self.limit_spin.setSuffix(" min")
        form.addRow("Time per &person", self.limit_spin)
        self.too_much_spin = QSpinBox()
        self.too_much_spin.setRange(1, 50)
        self.too_much_spin.setValue(DEFAULT_TOO_MUCH)
        form.addRow("Too &much is more than (cards in progress)", self.too_much_spin)
        layout.addLayout(form)
        buttons = QHBoxLayout()
        self.start_button = QPushButton("&Start the standup")
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(self._on_start)
        self.cancel_button = QPushButton("Back to the board (Esc)")
        self.cancel_button.clicked.connect(self.cancelled)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.start_button)
        layout.addLayout(buttons)
        self.stages.addWidget(page)
        self.start_page = page

    def _build_walk(self) -> None:
        page = QWidget()
        layout = QVBoxLayout(page)
        top = QHBoxLayout()
        self.person_label = QLabel()
        self.person_label.setObjectName("standupPerson")
        self.position_label = QLabel()
        self.position_label.setObjectName("standupPosition")
        self.speaker_timer = QLabel()
        self.speaker_timer.setObjectName("standupSpeakerTimer")
        self.total_timer = QLabel()
        self.total_timer.setObjectName("standupTotalTimer")
        top.addWidget(self.person_label)
        top.addWidget(self.position_label)
        top.addStretch(1)
        top.addWidget(self.speaker_timer)
        top.addSpacing(24)
        top.addWidget(self.total_timer)
        layout.addLayout(top)
        self.next_label = QLabel()
        self.next_label.setObjectName("standupNext")
        layout.addWidget(self.next_label)
        self.cards_list = QListWidget()
        self.cards_list.setObjectName("standupCards")
        self.cards_list.setFrameShape(QFrame.Shape.NoFrame)
        self.cards_list.setWordWrap(True)
        self.cards_list.installEventFilter(self)
        layout.addWidget(self.cards_list, 1)
        self.keys_label = QLabel(KEYS_HINT)
        self.keys_label.setObjectName("standupKeys")
        self.keys_label.setWordWrap(True)
        layout.addWidget(self.keys_label)
        self.stages.addWidget(page)
        self.walk_page = page

    def _build_summary(self) -> None:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.summary_title = QLabel("Standup summary")
        self.summary_title.setObjectName("standupTitle")
        layout.addWidget(self.summary_title)
        self.saved_label = QLabel()
        self.saved_label.setObjectName("standupSaved")
        self.saved_label.setWordWrap(True)
        layout.addWidget(self.saved_label)
        self.summary_text = QPlainTextEdit()
        self.summary_text.setObjectName("standupSummary")
        self.summary_text.setReadOnly(True)
        layout.addWidget(self.summary_text, 1)
        buttons = QHBoxLayout()
        self.copy_button = QPushButton("&Copy")
        self.copy_button.clicked.connect(self.copy_requested)
        self.export_button = QPushButton("&Export as Markdown…")
        self.export_button.clicked.connect(self.export_requested)
        self.close_button = QPushButton("Back to the &board (Esc)")
        self.close_button.clicked.connect(self.cancelled)
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.export_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)
        self.stages.addWidget(page)
        self.summary_page = page

    # --- zoom ------------------------------------------------------------------------------

    def set_zoom(self, zoom: float) -> None:
        """The window's zoom (app/ui/zoom.py): the whole standup's text scales with it."""
        self._zoom = zoom
        font = QFont(self.font())
        font.setPointSizeF(BASE_POINTS * zoom)
        self.setFont(font)
        for label, factor in (
            (self.person_label, 2.2),
            (self.start_title, 2.0),
            (self.summary_title, 2.0),
            (self.speaker_timer, 1.8),
            (self.total_timer, 1.2),
            (self.position_label, 1.2),
            (self.keys_label, 0.8),
            (self.next_label, 0.9),
        ):
            bigger = QFont(font)
            bigger.setPointSizeF(BASE_POINTS * zoom * factor)
            bigger.setBold(factor >= 1.8)
            label.setFont(bigger)
        for child in (self.cards_list, self.summary_text, self.present_list):
            child.setFont(font)

    @property
    def zoom(self) -> float:
        return self._zoom

    # --- the start ---------------------------------------------------------------------------

    def show_start(self, title: str, since_text: str, members: list[MemberDTO]) -> None:
        self._members = list(members)
        self.start_title.setText(title)
        self.since_label.setText(since_text)
        self.present_list.clear()
        for member in members:
            item = QListWidgetItem(member.display_name)
            item.setData(CARD_ID_ROLE, member.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            self.present_list.addItem(item)
        self.stages.setCurrentWidget(self.start_page)
        self.start_button.setEnabled(bool(members))
        self.present_list.setFocus()
        if self.present_list.count():
            self.present_list.setCurrentRow(0)

    def present_ids(self) -> list[int]:
        """The ticked people, in the team's order."""
        return [
            int(self.present_list.item(i).data(CARD_ID_ROLE))
            for i in range(self.present_list.count())
            if self.present_list.item(i).checkState() == Qt.CheckState.Checked
        ]

    def absent_names(self) -> list[str]:
        present = set(self.present_ids())
        return [m.display_name for m in self._members if m.id not in present]

    def set_present(self, member_id: int, here: bool) -> None:
        """Tick or untick a person (what a click on their check box does)."""
        for i in range(self.present_list.count()):
            item = self.present_list.item(i)
            if item.data(CARD_ID_ROLE) == member_id:
                item.setCheckState(Qt.CheckState.Checked if here else Qt.CheckState.Unchecked)

    def _on_start(self) -> None:
        present = self.present_ids()
        if not present:
            self.since_label.setText("Tick at least one person: nobody would speak.")
            return
        if self.order_combo.currentData() == "shuffled":
            self.rng.shuffle(present)
        self.order = present
        self.started.emit()

    # --- the walk ----------------------------------------------------------------------------

    def begin_walk(self, turns: dict[int, PersonStandup]) -> None:
        """Start at the first present person, the timers at zero."""
        self._turns = dict(turns)
        self.spoke = {member_id: 0.0 for member_id in self.order}
        self._walk_started = self.clock()
        self._ended_at = None
        self.index = 0
        self.stages.setCurrentWidget(self.walk_page)
        self._tick.start()
        self._enter_turn()

    def update_turns(self, turns: dict[int, PersonStandup]) -> None:
        """Fresh data (a card moved or blocked, undone): the speaker's list again, the
        chosen card kept."""
        self._turns = dict(turns)
        if self.stages.currentWidget() is self.walk_page:
            self._show_person(keep=self.current_card_id())

    @property
    def current_member_id(self) -> int | None:
        return self.order[self.index] if self.order else None

    def current_person(self) -> PersonStandup | None:
        member_id = self.current_member_id
        return None if member_id is None else self._turns.get(member_id)

    def go(self, step: int) -> None:
        """Next (+1) or previous (-1) person; past the last one the standup ends."""
        target = self.index + step
        if target < 0:
            return
        self._close_turn()
        if target >= len(self.order):
            self._turn_started = None
            self.ended.emit()
            return
        self.index = target
        self._enter_turn()

    def _enter_turn(self) -> None:
        self._turn_started = self.clock()
        self._show_person()
        self.cards_list.setFocus()
        member_id = self.current_member_id
        if member_id is not None:
            self.turn_changed.emit(member_id)

    def _close_turn(self) -> None:
        member_id = self.current_member_id
        if member_id is not None and self._turn_started is not None:
            self.spoke[member_id] = self.spoke.get(member_id, 0.0) + (
                self.clock() - self._turn_started
            )
        self._turn_started = None

    def stop_timers(self) -> None:
        """The walk is over: the current turn and the total stop counting."""
        self._close_turn()
        self._ended_at = self.clock()
        self._tick.stop()

    def speaker_seconds(self) -> float:
        member_id = self.current_member_id
        running = self.clock() - self._turn_started if self._turn_started is not None else 0.0
        return self.spoke.get(member_id, 0.0) + running if member_id is not None else 0.0

    def total_seconds(self) -> float:
        if self._walk_started is None:
            return 0.0
        end = self._ended_at if self._ended_at is not None else self.clock()
        return end - self._walk_started

    def over_limit(self) -> bool:
        return self.speaker_seconds() > self.limit_spin.value() * 60

    def refresh_timers(self) -> None:
        limit = self.limit_spin.value() * 60
        self.speaker_timer.setText(
            f"{minutes_seconds(self.speaker_seconds())} / {minutes_seconds(limit)}"
        )
        self.speaker_timer.setStyleSheet(f"color: {AMBER};" if self.over_limit() else "")
        self.speaker_timer.setToolTip(
            "Over the time per person" if self.over_limit() else "This person's time"
        )
        self.total_timer.setText(f"Total {minutes_seconds(self.total_seconds())}")

    def _show_person(self, keep: int | None = None) -> None:
        person = self.current_person()
        self.refresh_timers()
        self.cards_list.clear()
        if person is None:
            self.person_label.setText("")
            return
        self.person_label.setText(person.member.display_name)
        self.position_label.setText(f"  {self.index + 1} of {len(self.order)}")
        following = self.order[self.index + 1] if self.index + 1 < len(self.order) else None
        upcoming = self._turns.get(following) if following is not None else None
        self.next_label.setText(
            f"Next: {upcoming.member.display_name}" if upcoming else "Last one: → ends"
        )
        stale_after = self.stale_spin.value()

        def section(title: str) -> None:
            item = QListWidgetItem(title)
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            bold = QFont(self.cards_list.font())
            bold.setBold(True)
            bold.setPointSizeF(bold.pointSizeF() * 1.1)
            item.setFont(bold)
            item.setForeground(QBrush(self.palette().color(self.foregroundRole())))
            self.cards_list.addItem(item)

        def card_line(text: str, card_id: int, color: QColor | None = None) -> None:
            item = QListWidgetItem("    " + text)
            item.setData(CARD_ID_ROLE, card_id)
            if color is not None:
                item.setForeground(QBrush(color))
            self.cards_list.addItem(item)

        if person.blocked:
            section(f"Blocked ({len(person.blocked)})")
            for s in person.blocked:
                reason = f" — {s.card.blocked_reason}" if s.card.blocked_reason else ""
                card_line(f"⛔ {s.card.key}  {s.card.title}{reason}", s.card.id, RED)
        section(f"In progress ({len(person.in_progress)})")
        if not person.in_progress:
            card_line("nothing in progress", -1)
        for s in person.in_progress:
            age = plural(s.days_in_column, "day")
            flag = f"  ⚑ over {stale_after} days" if s.stale else ""
            card_line(
                f"{s.card.key}  {s.card.title} — {s.column_name}, {age}{flag}",
                s.card.id,
                STALE if s.stale else None,
            )
        if person.finished:
            section(f"Finished since the last standup ({len(person.finished)})")
            for m in person.finished:
                card_line(f"✔ {m.card_key}  {m.title}", m.card_id)
        if person.moved:
            section(f"Moved since the last standup ({len(person.moved)})")
            for m in person.moved:
                card_line(f"{m.card_key}  {m.title}: {m.from_column} → {m.to_column}", m.card_id)
        if person.comments:
            section(f"Their comments since the last standup ({len(person.comments)})")
            for c in person.comments:
                text = " ".join(c.text.split())
                if len(text) > 160:
                    text = text[:159] + "…"
                card_line(f"💬 {c.card_key}: {text}", c.card_id)
        for i in range(self.cards_list.count()):
            item = self.cards_list.item(i)
            if item.data(CARD_ID_ROLE) == -1:
                item.setFlags(Qt.ItemFlag.NoItemFlags)
        rows = self.card_rows()
        if rows:
            wanted = next(
                (r for r in rows if self.cards_list.item(r).data(CARD_ID_ROLE) == keep), rows[0]
            )
            self.cards_list.setCurrentRow(wanted)

    def card_rows(self) -> list[int]:
        """The rows of the list that are cards (not section titles)."""
        return [
            i
            for i in range(self.cards_list.count())
            if (self.cards_list.item(i).flags() & Qt.ItemFlag.ItemIsSelectable)
            and self.cards_list.item(i).data(CARD_ID_ROLE) not in (None, -1)
        ]

    def shown_lines(self) -> list[str]:
        """What the screen lists for the speaker, top to bottom (sections and cards)."""
        return [self.cards_list.item(i).text().strip() for i in range(self.cards_list.count())]

    def current_card_id(self) -> int | None:
        item = self.cards_list.currentItem()
        if item is None or not (item.flags() & Qt.ItemFlag.ItemIsSelectable):
            return None
        value = item.data(CARD_ID_ROLE)
        return int(value) if value not in (None, -1) else None

    def select_card(self, card_id: int) -> bool:
        for row in self.card_rows():
            if self.cards_list.item(row).data(CARD_ID_ROLE) == card_id:
                self.cards_list.setCurrentRow(row)
                return True
        return False

    # --- the summary -------------------------------------------------------------------------

    def show_summary(self, text: str, saved: str) -> None:
        self.stop_timers()
        self.summary_text.setPlainText(text)
        self.saved_label.setText(saved)
        self.stages.setCurrentWidget(self.summary_page)
        self.close_button.setFocus()

    @property
    def stage(self) -> str:
        """ "start", "walk" or "summary"."""
        current = self.stages.currentWidget()
        if current is self.walk_page:
            return "walk"
        if current is self.summary_page:
            return "summary"
        return "start"

    # --- keys --------------------------------------------------------------------------------

    def eventFilter(self, watched: object, event: object) -> bool:
        """QObject::eventFilter: the walk's keys reach the list first (it would take the
        arrows and Space for itself)."""
        if (
            watched is self.cards_list
            and isinstance(event, QKeyEvent)
            and event.type() == QKeyEvent.Type.KeyPress
            and self._walk_key(event)
        ):
            return True
        return super().eventFilter(watched, event)  # type: ignore[arg-type]

    def _walk_key(self, event: QKeyEvent) -> bool:
        key = event.key()
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        plain = mods == Qt.KeyboardModifier.NoModifier
        ctrl = mods == Qt.KeyboardModifier.ControlModifier
        if plain and key in (Qt.Key.Key_Right, Qt.Key.Key_Space):
            self.go(1)
        elif plain and key == Qt.Key.Key_Left:
            self.go(-1)
        elif plain and key == Qt.Key.Key_Escape:
            self._close_turn()
            self.ended.emit()
        elif ctrl and key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            card_id = self.current_card_id()
            if card_id is not None:
                self.move_requested.emit(card_id, -1 if key == Qt.Key.Key_Left else 1)
        elif plain and key == Qt.Key.Key_B:
            card_id = self.current_card_id()
            if card_id is not None:
                self.block_requested.emit(card_id)
        elif plain and key == Qt.Key.Key_C:
            card_id = self.current_card_id()
            if card_id is not None:
                self.comment_requested.emit(card_id)
        else:
            return False
        return True

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """QWidget::keyPressEvent: Esc leaves the start and the summary; the walk's keys
        work wherever the focus is in the view."""
        if self.stage == "walk" and self._walk_key(event):
            return
        if event.key() == Qt.Key.Key_Escape and self.stage in ("start", "summary"):
            self.cancelled.emit()
            return
        super().keyPressEvent(event)


__all__ = ["CARD_ID_ROLE", "SOFT_LIMIT_MINUTES", "StandupView"]
