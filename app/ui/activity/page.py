"""*View › Activity*: what changed in the project since a moment, grouped by person or by
card, filtered by person and kind; a line opens its card (click, or Enter).

"Since" offers the last standup held, the last time I looked at this page (kept per user
and project in the window's settings, written when I leave the page), yesterday, or a date.
The feed itself is :meth:`app.services.activity.ActivityService.feed`.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QStyle,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.errors import DomainError
from app.services.activity import KIND_LABELS, KINDS, ActivityDTO
from app.ui.dates import format_user_time
from app.ui.mainwindow.registry import PageContext
from app.ui.pages import RefreshWhenShown

SINCE_CHOICES = (
    ("standup", "the last standup"),
    ("looked", "I last looked"),
    ("yesterday", "yesterday"),
    ("date", "a date…"),
)
CARD_ROLE = Qt.ItemDataRole.UserRole
LINK_COLOR = QColor("#0b5cad")


class ActivityPage(RefreshWhenShown, QWidget):
    """See the module docstring."""

    def __init__(self, ctx: PageContext) -> None:
        super().__init__(ctx.window)
        self.setObjectName("activityPage")
        self._ctx = ctx
        self._services = ctx.services
        self._store = ctx.store
        self.feed: ActivityDTO | None = None

        self.since_combo = QComboBox()
        self.since_combo.setObjectName("activitySince")
        for value, text in SINCE_CHOICES:
            self.since_combo.addItem(text, value)
        self.since_combo.setCurrentIndex(2)
        self.date_edit = QDateEdit()
        self.date_edit.setObjectName("activityDate")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.date_edit.setDate(QDate.currentDate().addDays(-7))
        self.date_edit.hide()
        self.person_combo = QComboBox()
        self.person_combo.setObjectName("activityPerson")
        self.person_combo.addItem("Everyone", None)
        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("activityKind")
        self.kind_combo.addItem("All kinds", None)
        for kind in KINDS:
            self.kind_combo.addItem(KIND_LABELS[kind], kind)
        self.group_combo = QComboBox()
        self.group_combo.setObjectName("activityGroup")
        self.group_combo.addItem("By person", "person")
        self.group_combo.addItem("By card", "card")

        since_label = QLabel("&Since")
        since_label.setBuddy(self.since_combo)
        bar = QHBoxLayout()
        bar.addWidget(since_label)
        bar.addWidget(self.since_combo)
        bar.addWidget(self.date_edit)
        bar.addSpacing(12)
        for caption, combo in (
            ("&Person", self.person_combo),
            ("&Kind", self.kind_combo),
            ("&Group", self.group_combo),
        ):
            label = QLabel(caption)
            label.setBuddy(combo)
            bar.addWidget(label)
            bar.addWidget(combo)
        bar.addStretch(1)

        self.summary = QLabel()
        self.summary.setObjectName("activitySummary")
        self.tree = QTreeWidget()
        self.tree.setObjectName("activityTree")
        self.tree.setColumnCount(4)
        self.tree.setHeaderLabels(["When", "Who", "Card", "What"])
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        header = self.tree.header()
        for column in range(3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        # A line is a link: a click opens its card, and so does Enter. (Where the style
        # activates on a single click, itemActivated already covers the click.)
        self.tree.itemActivated.connect(self._open_item)
        if not self.tree.style().styleHint(QStyle.StyleHint.SH_ItemView_ActivateItemOnSingleClick):
            self.tree.itemClicked.connect(self._open_item)

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.summary)
        layout.addWidget(self.tree, 1)

        self.since_combo.currentIndexChanged.connect(self._on_since_changed)
        self.date_edit.dateChanged.connect(lambda _d: self.refresh())
        for combo in (self.person_combo, self.kind_combo, self.group_combo):
            combo.currentIndexChanged.connect(lambda _i: self.refresh())
        for signal in (
            self._store.board_reset,
            self._store.card_added,
            self._store.card_changed,
            self._store.card_moved,
            self._store.card_removed,
        ):
            signal.connect(self._on_store_changed)
        self.refresh()

    # --- choosing ------------------------------------------------------------------------

    def _on_since_changed(self) -> None:
        self.date_edit.setVisible(self.since_combo.currentData() == "date")
        self.refresh()

    def _on_store_changed(self, *_args: object) -> None:
        if not self.defer_while_hidden():
            self.refresh()

    def _settings_key(self) -> str | None:
        project = self._store.project
        if project is None:
            return None
        who = self._services.actor.replace("/", "_")
        return f"activity/last_looked/{project.key}/{who}"

    def last_looked(self) -> dt.datetime | None:
        """When I last left this page, for this project (None: never)."""
        key = self._settings_key()
        settings = getattr(self._ctx.window, "settings", None)
        if key is None or settings is None:
            return None
        value = settings.value(key)
        try:
            moment = dt.datetime.fromisoformat(str(value)) if value else None
        except ValueError:
            return None
        return moment if moment is None or moment.tzinfo else moment.replace(tzinfo=dt.UTC)

    def remember_looked(self) -> None:
        """Record now as the moment I last looked (what "I last looked" starts from)."""
        key = self._settings_key()
        settings = getattr(self._ctx.window, "settings", None)
        if key is not None and settings is not None:
            settings.setValue(key, self._services.context.clock().isoformat())

    def showEvent(self, event: QShowEvent) -> None:
        """QWidget::showEvent: read the feed again each time ("yesterday", "I last looked"
        move on while the page is away)."""
        self._stale = True
        super().showEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:
        """QWidget::hideEvent: leaving the page is having looked."""
        super().hideEvent(event)
        if self.feed is not None:
            self.remember_looked()

    def _since(self, project_id: int) -> tuple[dt.datetime, str]:
        """The moment chosen, and a note when it had to fall back on yesterday."""
        choice = self.since_combo.currentData()
        activity = self._services.activity
        if choice == "standup":
            started = self._services.standups.last_started(project_id)
            if started is not None:
                return started, ""
            return activity.resolve_since(project_id, "yesterday"), (
                "No standup has been held yet: showing since yesterday."
            )
        if choice == "looked":
            looked = self.last_looked()
            if looked is not None:
                return looked, ""
            return activity.resolve_since(project_id, "yesterday"), (
                "You have not looked here before: showing since yesterday."
            )
        if choice == "date":
            day = self.date_edit.date().toPython()
            return activity.resolve_since(project_id, day.isoformat()), ""
        return activity.resolve_since(project_id, "yesterday"), ""

    # --- showing -------------------------------------------------------------------------

    def refresh(self) -> None:
        project = self._store.project
        self.tree.clear()
        if project is None:
            self.feed = None
            self.summary.setText("Open a project to see what changed in it.")
            return
        try:
            since, note = self._since(project.id)
            feed = self._services.activity.feed(
                project.id,
                since,
                member=self.person_combo.currentData(),
                kinds=None
                if self.kind_combo.currentData() is None
                else [self.kind_combo.currentData()],
            )
        except DomainError as exc:
            self.feed = None
            self.summary.setText(str(exc))
            return
        self.feed = feed
        self._offer_people(feed.people)
        zone = project.time_zone
        count = len(feed.items)
        head = (
            f"{count} change{'s' if count != 1 else ''} since {format_user_time(since, zone)}"
            if count
            else f"Nothing changed since {format_user_time(since, zone)}."
        )
        self.summary.setText(f"{head}  {note}".strip())
        groups = feed.by_person() if self.group_combo.currentData() == "person" else feed.by_card()
        bold = QFont(self.tree.font())
        bold.setBold(True)
        link_font = QFont(self.tree.font())
        link_font.setUnderline(True)
        for group in groups:
            n = len(group.items)
            top = QTreeWidgetItem([f"{group.title}  ·  {n} change{'s' if n != 1 else ''}"])
            top.setFont(0, bold)
            top.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.tree.addTopLevelItem(top)
            top.setFirstColumnSpanned(True)  # (only once the item is in the tree)
            for item in reversed(group.items):  # the latest first under each heading
                line = QTreeWidgetItem(
                    [format_user_time(item.at, zone), item.person, item.card_key, item.text]
                )
                line.setData(0, CARD_ROLE, item.card_id)
                line.setForeground(2, QBrush(LINK_COLOR))
                line.setFont(2, link_font)
                tip = f"{item.card_key} {item.card_title}: click to open the card"
                for column in range(4):
                    line.setToolTip(column, tip)
                top.addChild(line)
            top.setExpanded(True)

    def _offer_people(self, people: tuple[str, ...]) -> None:
        current = self.person_combo.currentData()
        wanted = [None, *people]
        if current is not None and current not in wanted:
            wanted.append(current)
        shown = [self.person_combo.itemData(i) for i in range(self.person_combo.count())]
        if shown == wanted:
            return
        self.person_combo.blockSignals(True)
        self.person_combo.clear()
        for name in wanted:
            self.person_combo.addItem("Everyone" if name is None else name, name)
        self.person_combo.setCurrentIndex(max(self.person_combo.findData(current), 0))
        self.person_combo.blockSignals(False)

    def lines(self) -> list[QTreeWidgetItem]:
        """Every card line, in the order shown."""
        out = []
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            out += [top.child(j) for j in range(top.childCount())]
        return out

    def _open_item(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        card_id = item.data(0, CARD_ROLE)
        if card_id is not None:
            self._ctx.open_card(int(card_id))


__all__ = ["ActivityPage"]
