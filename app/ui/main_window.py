"""The main window: project switcher, board, filters, menus, undo stack, remembered state."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QEvent, QPoint, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QToolBar,
    QWidget,
)

from app import __version__
from app.errors import DomainError, StaleEdit
from app.services.dto import CardDTO, SprintDTO
from app.ui.board_view import GROUPINGS, BoardFilter, BoardView
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
from app.ui.store import BoardStore
from app.words import plural

if TYPE_CHECKING:
    from app.services import Services
    from app.ui.backlog_view import BacklogView
    from app.ui.reports_view import ReportsView
    from app.ui.sprint_view import SprintView
    from app.ui.welcome import WelcomePage

CARD_TYPES = ("story", "bug", "task", "spike")
SCRUM_PAGES = ("backlog", "sprint")  # pages a Kanban project does not have
EXTERNAL_POLL_MS = 1500


class MainWindow(QMainWindow):
    """Everything a person sees. Built with its services and settings handed in.

    ``database``: the file the services work on (shown in the title; File › Open Recent).
    The window never opens another database itself: File › Open database… and New
    database… emit ``database_requested`` with the chosen path, and the application
    (app/ui/application.py) closes this window and opens one on that file.
    """

    database_requested = Signal(str)

    def __init__(
        self,
        services: Services,
        settings: QSettings,
        poll_external: Callable[[], bool] | None = None,
        parent: QWidget | None = None,
        database: Path | None = None,
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._settings = settings
        self._poll_external = poll_external
        self._database = database
        self.setWindowTitle(self._title(None))
        self.undo_stack = QUndoStack(self)
        self._commands = CommandContext(services, self._show_error)
        self.store = BoardStore(services, self)
        # Before the boards' own handlers: a loaded board is built once, in its scope.
        self.store.board_reset.connect(self._preset_scopes)
        self.board = BoardView(self.store, self)
        self.board.setObjectName("boardPage")
        # The sprint page (the active sprint's goal, figures and burndown over its own
        # board), the Backlog and the Reports are built the first time they are shown or
        # asked for: the first paint needs only the board. Until then a placeholder holds
        # their place in the page stack.
        self._sprint_page: QSplitter | None = None
        self._sprint_board: BoardView | None = None
        self._sprint_view: SprintView | None = None
        self._sprint_slot = QWidget(self)
        self._board_only_actions: list[QAction] = []
        self._backlog: BacklogView | None = None
        self._backlog_slot = QWidget(self)
        self._reports: ReportsView | None = None
        self._reports_slot = QWidget(self)
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self.board)
        self.pages.addWidget(self._backlog_slot)
        self.pages.addWidget(self._sprint_slot)
        self.pages.addWidget(self._reports_slot)
        self._welcome: WelcomePage | None = None  # built when a database has no project
        self._offer_button: QPushButton | None = None  # a status bar message's one button
        self.setCentralWidget(self.pages)
        self._loading = False

        self._build_actions()
        self._build_toolbar()
        self._build_menus()
        self.statusBar()

        self._connect_board(self.board)
        self.pages.currentChanged.connect(self._on_page_changed)
        self.store.board_reset.connect(self._on_board_reset)

        self._poll_timer = QTimer(self)
        self._poll_timer.setInterval(EXTERNAL_POLL_MS)
        self._poll_timer.timeout.connect(self.check_external_changes)
        if poll_external is not None:
            self._poll_timer.start()

        # The saved project straight away: loading the first one and then switching would
        # read two boards (and, on the first paint, build the services early).
        saved = settings.value("board/project")
        self.reload_projects(select_key=str(saved) if saved else None)
        self._restore_settings()
        self._on_current_card_changed(None)

    # --- construction ------------------------------------------------------------------

    def _action(
        self,
        text: str,
        handler: Callable[[], Any],
        shortcuts: list[QKeySequence] | None = None,
        board_only: bool = False,
        tip: str = "",
    ) -> QAction:
        action = QAction(text, self)
        if shortcuts:
            action.setShortcuts(shortcuts)
        if board_only:
            # Only while the board has focus, so the filter box keeps its own keys.
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self._board_only_actions.append(action)
            for board in self._boards:
                board.addAction(action)
        else:
            self.addAction(action)
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(lambda _checked=False: handler())
        return action

    def _build_actions(self) -> None:
        key = QKeySequence
        self.undo_action = self.undo_stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcuts([key(key.StandardKey.Undo)])
        self.redo_action = self.undo_stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcuts([key("Ctrl+Shift+Z"), key("Ctrl+Y")])
        self.addAction(self.undo_action)
        self.addAction(self.redo_action)
        # Connected after the stack's own slots: by then the step is undone (redone).
        self.undo_action.triggered.connect(self._on_undone)
        self.redo_action.triggered.connect(self._on_redone)

        self.new_card_action = self._action(
            "&New card…", self.new_card, [key("Ctrl+N")], tip="Create a card (Ctrl+N)"
        )
        self.open_card_action = self._action(
            "&Open card…",
            lambda: self.open_card(),
            [key(Qt.Key.Key_Return), key(Qt.Key.Key_Enter)],
            board_only=True,
        )
        self.delete_card_action = self._action(
            "&Delete card…", self.delete_card, [key(key.StandardKey.Delete)], board_only=True
        )
        self.move_left_action = self._action(
            "Move to &previous column",
            lambda: self.move_current(-1),
            [key("Ctrl+Left")],
            board_only=True,
        )
        self.move_right_action = self._action(
            "Move to &next column",
            lambda: self.move_current(1),
            [key("Ctrl+Right")],
            board_only=True,
        )
        self.move_up_action = self._action(
            "Move &up",
            lambda: self.move_current_vertically(-1),
            [key("Ctrl+Up")],
            board_only=True,
        )
        self.move_down_action = self._action(
            "Move do&wn",
            lambda: self.move_current_vertically(1),
            [key("Ctrl+Down")],
            board_only=True,
        )
        self.new_project_action = self._action(
            "New &project…", self.new_project, [key("Ctrl+Shift+N")]
        )
        self.new_database_action = self._action(
            "New &database…",
            self.new_database,
            tip="Create an empty Sprintdeck database file and open it",
        )
        self.open_database_action = self._action(
            "&Open database…",
            self.open_database,
            [key(key.StandardKey.Open)],
            tip="Open another Sprintdeck database file (Ctrl+O)",
        )
        self.demo_project_action = self._action(
            "Add the &demo project",
            self.add_demo_project,
            tip="Add the demo project DEMO: a team, sprints and history to explore",
        )
        self.workflow_action = self._action("Edit &workflow…", self.edit_workflow)
        self.import_action = self._action(
            "&Import from Trello or Jira…", self.import_file, [key("Ctrl+I")]
        )
        self.export_board_csv_action = self._action(
            "Export &board as CSV…", lambda: self.export_csv("board")
        )
        self.export_backlog_csv_action = self._action(
            "Export bac&klog as CSV…", lambda: self.export_csv("backlog")
        )
        self.export_report_action = self._action(
            "Export sprint &report…", self.export_sprint_report, [key("Ctrl+Shift+E")]
        )
        self.create_sprint_action = self._action("&Create sprint…", self.create_sprint)
        self.edit_sprint_action = self._action("&Edit sprint…", self.edit_sprint)
        self.plan_sprint_action = self._action("&Plan sprint (capacity)…", self.plan_sprint)
        self.start_sprint_action = self._action(
            "&Start sprint…", lambda: self.sprint_view.start_sprint()
        )
        self.complete_sprint_action = self._action(
            "C&omplete sprint…", lambda: self.sprint_view.complete_sprint()
        )
        self.reload_action = self._action(
            "&Reload", self.store.reload, [key(key.StandardKey.Refresh)]
        )
        self.find_action = self._action(
            "&Filter cards", self._focus_filter, [key(key.StandardKey.Find)]
        )
        self.clear_filter_action = self._action("&Clear filters", self.clear_filters)
        self.quit_action = self._action("&Quit", self.close, [key(key.StandardKey.Quit)])
        self.page_actions: dict[str, QAction] = {}
        group = QActionGroup(self)
        for name, text, shortcut in (
            ("board", "&Board", "Ctrl+1"),
            ("backlog", "Back&log", "Ctrl+2"),
            ("sprint", "&Sprint", "Ctrl+3"),
            ("reports", "&Reports", "Ctrl+4"),
        ):
            action = self._action(text, lambda n=name: self.show_page(n), [key(shortcut)])
            action.setCheckable(True)
            action.setStatusTip(f"Show the {name} ({shortcut})")
            group.addAction(action)
            self.page_actions[name] = action
        self.page_actions["board"].setChecked(True)

    def _build_toolbar(self) -> None:
        """Two rows: pages, project and New card for every page; below them the board's own
        controls (scope, swimlanes, filters), shown only with a board (Board and Sprint
        pages), so that each page shows its own and nothing hides behind the chevron."""
        bar = QToolBar("Main", self)
        bar.setObjectName("boardToolbar")
        bar.setMovable(False)
        self.addToolBar(bar)
        for action in self.page_actions.values():
            bar.addAction(action)
        bar.addSeparator()
        bar.addWidget(QLabel(" Project "))
        self.project_combo = QComboBox()
        self.project_combo.setObjectName("projectCombo")
        self.project_combo.setMinimumContentsLength(28)
        self.project_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.project_combo.setAccessibleName("Project")
        self.project_combo.currentIndexChanged.connect(self._on_project_chosen)
        bar.addWidget(self.project_combo)
        bar.addAction(self.new_card_action)
        self.addToolBarBreak()
        bar = QToolBar("Board controls", self)
        bar.setObjectName("filterToolbar")
        bar.setMovable(False)
        self.addToolBar(bar)
        self.filter_toolbar = bar
        self.scope_combo = QComboBox()
        self.scope_combo.setObjectName("scopeCombo")
        self.scope_combo.setAccessibleName("Cards shown")
        self.scope_combo.setToolTip("A Scrum board shows the active sprint; switch to all cards")
        self.scope_combo.currentIndexChanged.connect(self._on_scope_chosen)
        self._scope_action = bar.addWidget(self.scope_combo)
        self._scope_separator = bar.addSeparator()
        bar.addWidget(QLabel(" Group "))
        self.group_combo = QComboBox()
        self.group_combo.setAccessibleName("Swimlanes")
        for grouping in GROUPINGS:
            self.group_combo.addItem(
                "No swimlanes" if grouping == "none" else f"By {grouping}", grouping
            )
        self.group_combo.currentIndexChanged.connect(self._on_grouping_chosen)
        bar.addWidget(self.group_combo)
        bar.addSeparator()
        self.filter_edit = QLineEdit()
        self.filter_edit.setObjectName("filterEdit")
        self.filter_edit.setPlaceholderText("Filter cards (Ctrl+F)")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setMinimumWidth(200)
        self.filter_edit.setAccessibleName("Filter text")
        self.filter_edit.textChanged.connect(self._apply_filter)
        bar.addWidget(self.filter_edit)
        self.assignee_combo = QComboBox()
        self.assignee_combo.setAccessibleName("Assignee filter")
        self.label_combo = QComboBox()
        self.label_combo.setAccessibleName("Label filter")
        self.type_combo = QComboBox()
        self.type_combo.setAccessibleName("Type filter")
        self.type_combo.addItem("All types", None)
        for card_type in CARD_TYPES:
            self.type_combo.addItem(card_type.capitalize(), card_type)
        for combo in (self.assignee_combo, self.label_combo, self.type_combo):
            combo.currentIndexChanged.connect(self._apply_filter)
            bar.addWidget(combo)
        bar.addAction(self.clear_filter_action)

    def _build_menus(self) -> None:
        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        file_menu.addAction(self.new_project_action)
        file_menu.addSeparator()
        file_menu.addAction(self.new_database_action)
        file_menu.addAction(self.open_database_action)
        self.recent_menu = file_menu.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self._fill_recent_menu()
        file_menu.addSeparator()
        file_menu.addAction(self.import_action)
        file_menu.addSeparator()
        file_menu.addAction(self.export_board_csv_action)
        file_menu.addAction(self.export_backlog_csv_action)
        file_menu.addAction(self.export_report_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        # Project: the open project's settings, team and labels (project_settings_dialog).
        self.project_settings_action = self._action(
            "&Settings…",
            self.edit_project_settings,
            [QKeySequence("Ctrl+,")],
            tip="Name, calendar, budget, team and labels of this project (Ctrl+,)",
        )
        self.project_menu = menu.addMenu("&Project")
        self.project_menu.addAction(self.new_project_action)
        self.project_menu.addSeparator()
        self.project_menu.addAction(self.project_settings_action)
        self.project_menu.aboutToShow.connect(
            lambda: self.project_settings_action.setEnabled(self.store.project is not None)
        )
        edit_menu = menu.addMenu("&Edit")
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)
        edit_menu.addSeparator()
        edit_menu.addAction(self.find_action)
        edit_menu.addAction(self.clear_filter_action)
        card_menu = menu.addMenu("&Card")
        for action in (self.new_card_action, self.open_card_action, self.delete_card_action):
            card_menu.addAction(action)
        card_menu.addSeparator()
        for action in (
            self.move_left_action,
            self.move_right_action,
            self.move_up_action,
            self.move_down_action,
        ):
            card_menu.addAction(action)
        self.sprint_menu = menu.addMenu("&Sprint")
        for action in (self.create_sprint_action, self.edit_sprint_action, self.plan_sprint_action):
            self.sprint_menu.addAction(action)
        self.sprint_menu.addSeparator()
        self.sprint_menu.addAction(self.start_sprint_action)
        self.sprint_menu.addAction(self.complete_sprint_action)
        view_menu = menu.addMenu("&View")
        for action in self.page_actions.values():
            view_menu.addAction(action)
        board_menu = menu.addMenu("&Board")
        board_menu.addAction(self.workflow_action)
        board_menu.addAction(self.reload_action)
        help_menu = menu.addMenu("&Help")
        help_menu.addAction(self._action("&About Sprintdeck", self._about))

    # --- projects ------------------------------------------------------------------------

    def reload_projects(self, select_key: str | None = None) -> None:
        current = select_key or self.project_combo.currentData()
        projects = self._services.projects.list_projects()
        self._loading = True
        self.project_combo.clear()
        for project in projects:
            self.project_combo.addItem(f"{project.key} — {project.name}", project.key)
        self._loading = False
        index = self.project_combo.findData(current) if current else -1
        self.project_combo.setCurrentIndex(max(index, 0) if projects else -1)
        if index <= 0 and projects:
            self._on_project_chosen(self.project_combo.currentIndex())
        self._show_welcome(not projects)

    def _show_welcome(self, empty: bool) -> None:
        """A database without a project shows the welcome page and its ways to start;
        the pages and the card actions wait until there is a project."""
        self.new_card_action.setEnabled(not empty)
        self._update_pages()
        self.demo_project_action.setEnabled(not self._has_demo())
        if empty:
            self.pages.setCurrentWidget(self.welcome)
            self.setWindowTitle(self._title(None))
        elif self._welcome is not None and self.pages.currentWidget() is self._welcome:
            self.show_page("board")

    @property
    def welcome(self) -> WelcomePage:
        """The page of a database without projects, built the first time it is needed."""
        if self._welcome is None:
            from app.ui.welcome import WelcomePage

            page = WelcomePage(self._database, self)
            page.add_action("project", self.new_project_action, default=True)
            page.add_action("demo", self.demo_project_action)
            page.add_action("import", self.import_action)
            page.add_action("open", self.open_database_action)
            self.pages.addWidget(page)
            self._welcome = page
        return self._welcome

    def _update_toolbar(self) -> None:
        """The board controls row follows the page: scope only on the Board page of a
        Scrum project (the Sprint page always shows the active sprint), the rest with
        either board; nothing of it on the Backlog, Reports or welcome pages."""
        current = self.pages.currentWidget()
        on_board = current is self.board
        on_sprint = self._sprint_page is not None and current is self._sprint_page
        project = self.store.project
        scrum = project is not None and project.methodology == "scrum"
        self.filter_toolbar.setVisible(on_board or on_sprint)
        self._scope_action.setVisible(on_board and scrum)
        self._scope_separator.setVisible(on_board and scrum)

    def _has_demo(self) -> bool:
        return self.project_combo.findData("DEMO") >= 0

    def _title(self, project_name: str | None) -> str:
        parts = [project_name] if project_name else []
        if self._database is not None:
            parts.append(self._database.name)
        return " — ".join([*parts, "Sprintdeck"])

    def select_project(self, key: str) -> None:
        index = self.project_combo.findData(key)
        if index >= 0:
            self.project_combo.setCurrentIndex(index)

    def _on_project_chosen(self, index: int) -> None:
        if self._loading or index < 0:
            return
        key = self.project_combo.itemData(index)
        try:
            project = self._services.projects.find_project(key)
            self.store.load(project.id)
        except DomainError as exc:
            self._show_error(str(exc))
            return
        self.undo_stack.clear()  # undo history belongs to one board
        self.setWindowTitle(self._title(project.name))

    def _on_board_reset(self) -> None:
        self._fill_filter_combos()
        self._fill_scope_combo()
        self._update_pages()

    def _scrum(self) -> bool:
        project = self.store.project
        return project is not None and project.methodology == "scrum"

    def _update_pages(self) -> None:
        """A Kanban board has no sprints: no Backlog or Sprint page, no Sprint menu, no
        sprint report (its Reports page shows flow charts). No project: only the welcome
        page."""
        has_project = self.project_combo.count() > 0
        scrum = has_project and self._scrum()
        for name, action in self.page_actions.items():
            wanted = has_project and (scrum or name not in SCRUM_PAGES)
            action.setVisible(wanted or not has_project)
            action.setEnabled(wanted)
        self.sprint_menu.menuAction().setVisible(scrum or not has_project)
        self.sprint_menu.menuAction().setEnabled(scrum)
        self.export_report_action.setEnabled(scrum)
        if has_project and not scrum and self.current_page() in SCRUM_PAGES:
            self.show_page("board")

    def _scopes(self) -> tuple[int | None, int | None]:
        """(the main board's sprint scope, the sprint page's) for the loaded board: Scrum
        boards show the active sprint unless the person chose all cards."""
        active = self.store.active_sprint
        show_active = active is not None and self._settings.value("board/scope", "active") != "all"
        return (active.id if show_active else None), (active.id if active is not None else -1)

    def _preset_scopes(self) -> None:
        main, sprint = self._scopes()
        self.board.set_sprint_scope(main, rebuild=False)
        if self._sprint_board is not None:
            self._sprint_board.set_sprint_scope(sprint, rebuild=False)

    def _fill_scope_combo(self) -> None:
        """Scrum boards show the active sprint by default; Kanban boards have no sprints."""
        active = self.store.active_sprint
        main, sprint = self._scopes()
        self.scope_combo.blockSignals(True)
        self.scope_combo.clear()
        if active is not None:
            self.scope_combo.addItem(f"Sprint: {active.name}", active.id)
        self.scope_combo.addItem("All cards", None)
        self.scope_combo.setCurrentIndex(0 if main is not None else self.scope_combo.count() - 1)
        self.scope_combo.blockSignals(False)
        self._update_toolbar()
        self.board.set_sprint_scope(main)
        if self._sprint_board is not None:
            self._sprint_board.set_sprint_scope(sprint)
            self._sprint_board.setVisible(active is not None)

    def _on_scope_chosen(self, index: int) -> None:
        if index < 0:
            return
        sprint_id = self.scope_combo.itemData(index)
        self._settings.setValue("board/scope", "all" if sprint_id is None else "active")
        self.board.set_sprint_scope(sprint_id)

    def _fill_filter_combos(self) -> None:
        assignee = self.assignee_combo.currentData()
        label = self.label_combo.currentData()
        for combo in (self.assignee_combo, self.label_combo):
            combo.blockSignals(True)
            combo.clear()
        self.assignee_combo.addItem("Everyone", None)
        self.assignee_combo.addItem("Unassigned", -1)
        for member in self.store.members:
            self.assignee_combo.addItem(member.display_name, member.id)
        self.label_combo.addItem("All labels", None)
        for lb in self.store.labels:
            self.label_combo.addItem(lb.name, lb.id)
        for combo, value in ((self.assignee_combo, assignee), (self.label_combo, label)):
            combo.setCurrentIndex(max(combo.findData(value), 0))
            combo.blockSignals(False)
        self._apply_filter()

    # --- filters and grouping ------------------------------------------------------------

    def current_filter(self) -> BoardFilter:
        return BoardFilter(
            text=self.filter_edit.text(),
            assignee_id=self.assignee_combo.currentData(),
            label_id=self.label_combo.currentData(),
            card_type=self.type_combo.currentData(),
        )

    def _apply_filter(self) -> None:
        for board in self._boards:
            board.set_filter(self.current_filter())

    def clear_filters(self) -> None:
        self.filter_edit.clear()
        for combo in (self.assignee_combo, self.label_combo, self.type_combo):
            combo.setCurrentIndex(0)

    def _focus_filter(self) -> None:
        self.filter_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_edit.selectAll()

    def _on_grouping_chosen(self, index: int) -> None:
        for board in self._boards:
            board.set_grouping(self.group_combo.itemData(index))

    # --- card operations -----------------------------------------------------------------

    def push(self, command: ServiceCommand) -> bool:
        """Run a command through the undo stack; False (and a message) if it was refused."""
        self.undo_stack.push(command)
        return command.error is None

    def _on_undone(self) -> None:
        """Say what was undone (and so replace "Deleted …, Ctrl+Z to undo")."""
        index = self.undo_stack.index()
        if index < self.undo_stack.count():
            self.statusBar().showMessage(f"Undone: {self.undo_stack.text(index)}", 5000)

    def _on_redone(self) -> None:
        index = self.undo_stack.index()
        if index > 0:
            self.statusBar().showMessage(f"Redone: {self.undo_stack.text(index - 1)}", 5000)

    def focused_board(self) -> BoardView:
        """The board the person is looking at: the main board or the sprint page's."""
        if self._sprint_page is not None and self.pages.currentWidget() is self._sprint_page:
            return self.sprint_board
        return self.board

    def show_page(self, name: str) -> None:
        if self.project_combo.count() == 0:
            self.pages.setCurrentWidget(self.welcome)  # no project: nothing else to show
            return
        if name in SCRUM_PAGES and self.store.project is not None and not self._scrum():
            name = "board"
        if name == "reports":
            self.pages.setCurrentWidget(self.reports)
            return
        if name == "backlog":
            self.pages.setCurrentWidget(self.backlog)
            return
        if name == "sprint":
            self.sprint_view  # noqa: B018 - built before the page shows
            self.pages.setCurrentWidget(self.sprint_page)
            return
        self.pages.setCurrentWidget(self._pages().get(name, self.board))

    @property
    def sprint_view(self) -> SprintView:
        """The sprint page's goal, figures and burndown, built on first use."""
        if self._sprint_view is None:
            from app.ui.sprint_view import SprintView

            view = SprintView(self._services, self._services.charts, self.store, self)
            view.sprints_changed.connect(self.store.reload)
            page = self.sprint_page
            page.insertWidget(0, view)
            page.setStretchFactor(0, 2)
            page.setStretchFactor(1, 3)
            self._sprint_view = view
        return self._sprint_view

    @property
    def sprint_page(self) -> QSplitter:
        """The Sprint page: its SprintView (see :attr:`sprint_view`) over its own board."""
        if self._sprint_page is None:
            page = QSplitter(Qt.Orientation.Vertical, self)
            page.setObjectName("sprintPage")
            board = BoardView(self.store, self)
            for action in self._board_only_actions:
                board.addAction(action)
            self._connect_board(board)
            board.set_grouping(self.board.grouping)
            board.set_filter(self.current_filter())
            active = self.store.active_sprint
            board.set_sprint_scope(self._scopes()[1], rebuild=False)
            board.rebuild()
            board.setVisible(active is not None)
            page.addWidget(board)
            self._sprint_page, self._sprint_board = page, board
            self._fill_slot(self._sprint_slot, page)
        return self._sprint_page

    @property
    def sprint_board(self) -> BoardView:
        """The Sprint page's board: the active sprint's cards."""
        self.sprint_page  # noqa: B018 - built with its page
        assert self._sprint_board is not None
        return self._sprint_board

    @property
    def _boards(self) -> tuple[BoardView, ...]:
        if self._sprint_board is None:
            return (self.board,)
        return (self.board, self._sprint_board)

    def _connect_board(self, board: BoardView) -> None:
        board.open_requested.connect(self.open_card)
        board.context_menu_requested.connect(self._on_context_menu)
        board.move_requested.connect(self._on_move_requested)
        board.current_card_changed.connect(self._on_current_card_changed)

    @property
    def backlog(self) -> BacklogView:
        """The Backlog page, built on first use."""
        if self._backlog is None:
            from app.ui.backlog_view import BacklogView

            view = BacklogView(self.store, self._services, self._commands, self.push, self)
            view.setObjectName("backlogPage")
            view.open_requested.connect(self.open_card)
            self._backlog = view
            self._fill_slot(self._backlog_slot, view)
        return self._backlog

    @property
    def reports(self) -> ReportsView:
        """The Reports page, built on first use."""
        if self._reports is None:
            from app.ui.reports_view import ReportsView

            view = ReportsView(self._services.charts, self._services, self.store, self)
            view.setObjectName("reportsPage")
            self._reports = view
            self._fill_slot(self._reports_slot, view)
        return self._reports

    def _fill_slot(self, slot: QWidget, page: QWidget) -> None:
        """Put a page built late where its placeholder was in the page stack."""
        showing = self.pages.currentWidget() is slot
        self.pages.insertWidget(self.pages.indexOf(slot), page)
        if showing:
            self.pages.setCurrentWidget(page)
        self.pages.removeWidget(slot)
        slot.deleteLater()

    def _pages(self) -> dict[str, QWidget]:
        return {
            "board": self.board,
            "backlog": self._backlog or self._backlog_slot,
            "sprint": self._sprint_page or self._sprint_slot,
            "reports": self._reports or self._reports_slot,
        }

    def current_page(self) -> str:
        current = self.pages.currentWidget()
        return next((n for n, page in self._pages().items() if page is current), "board")

    def _on_page_changed(self, _index: int) -> None:
        name = self.current_page()
        if name == "sprint":
            self.sprint_view  # noqa: B018 - however the page was reached, it is complete
        for page_name, action in self.page_actions.items():
            action.setChecked(page_name == name)
        self._update_toolbar()
        self._on_current_card_changed(self.focused_board().current_card())

    def _on_move_requested(
        self,
        card_id: int,
        column_id: int,
        after_id: int | None,
        before_id: int | None,
        lane_values: dict[str, Any] | None = None,
    ) -> None:
        """Move a card (drag and drop, keys, menu). Dropped into another swimlane, the card
        also takes that lane's assignee, epic or priority: both in one undoable step."""
        card = self.store.card(card_id)
        column = self.store.column(column_id)
        if card is None or column is None:
            return
        changes = {
            name: value
            for name, value in (lane_values or {}).items()
            if previous_value(card, name) != value
        }
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
        if self.push(command):
            self.focused_board().select_card(card_id)
            self.statusBar().showMessage(message, 4000)

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
            neighbour = self.store.card(after_id if after_id is not None else before_id or -1)
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
        card = self.focused_board().current_card()
        if card is None:
            return
        columns = list(self.store.columns)
        index = next((i for i, c in enumerate(columns) if c.id == card.column_id), None)
        if index is None or not 0 <= index + step < len(columns):
            return
        self._on_move_requested(card.id, columns[index + step].id, None, None)

    def move_current_vertically(self, step: int) -> None:
        """Swap the selected card with the visible card above (-1) or below (+1)."""
        card = self.focused_board().current_card()
        if card is None:
            return
        above, below = self.focused_board().neighbours_in_view(card.id)
        if step < 0 and above is not None:
            self._on_move_requested(card.id, card.column_id, None, above.id)
        elif step > 0 and below is not None:
            self._on_move_requested(card.id, card.column_id, below.id, None)

    def card_menu(self, card: CardDTO) -> QMenu:
        """The right-click menu of a card: open, move to any column or end, delete."""
        menu = QMenu(self)
        menu.addAction(self.open_card_action)
        move_menu = menu.addMenu("Move &to")
        for column in self.store.columns:
            action = move_menu.addAction(column.name)
            action.setEnabled(column.id != card.column_id)
            action.triggered.connect(
                lambda _checked=False, c=column.id: self._on_move_requested(card.id, c, None, None)
            )
        above, below = self.focused_board().neighbours_in_view(card.id)
        top = menu.addAction("Move to t&op of column")
        top.setEnabled(above is not None)
        top.triggered.connect(lambda: self._move_to_end(card.id, top=True))
        bottom = menu.addAction("Move to &bottom of column")
        bottom.setEnabled(below is not None)
        bottom.triggered.connect(lambda: self._move_to_end(card.id, top=False))
        menu.addSeparator()
        menu.addAction(self.delete_card_action)
        return menu

    def _on_context_menu(self, card_id: int, position: QPoint) -> None:
        card = self.store.card(card_id)
        if card is not None:
            self.card_menu(card).exec(position)

    def _move_to_end(self, card_id: int, top: bool) -> None:
        card = self.store.card(card_id)
        if card is None:
            return
        cards = [
            c
            for c in self.store.cards()
            if c.column_id == card.column_id and c.id != card_id and c.type != "epic"
        ]
        if not cards:
            return
        if top:
            self._on_move_requested(card_id, card.column_id, None, cards[0].id)
        else:
            self._on_move_requested(card_id, card.column_id, cards[-1].id, None)

    def new_card(self) -> None:
        project = self.store.project
        if project is None:
            self._show_error("Create a project first (File > New project).")
            return
        from app.ui.card_dialog import CardDialog

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
        if self.current_page() == "backlog":
            self.statusBar().showMessage(f"Created {card.key}", 5000)
            return
        board = self.focused_board()
        if board.select_card(card.id):
            self.statusBar().showMessage(f"Created {card.key}", 5000)
            return
        where = card.sprint_name or "the backlog"
        if board.sprint_scope is not None and card.sprint_id != board.sprint_scope:
            scope = self.store.active_sprint
            shown = scope.name if scope is not None else "this sprint"
            reason = f"it is in {where}, and the board shows {shown}"
        else:
            reason = "the filters hide it"
        self._offer(
            f"Created {card.key}, not shown: {reason}.", "Show it", self._show_card_fn(card)
        )

    def _show_card_fn(self, card: CardDTO) -> Callable[[], None]:
        def show() -> None:
            if self.current_page() == "sprint" and card.sprint_id != self.board.sprint_scope:
                self.show_page("board")
            if self.board.sprint_scope is not None and card.sprint_id != self.board.sprint_scope:
                self.scope_combo.setCurrentIndex(self.scope_combo.findData(None))
            if self.focused_board().view_for(card.id) is None:
                self.clear_filters()
            self.focused_board().select_card(card.id)

        return show

    def _offer(self, message: str, action_text: str, action: Callable[[], None]) -> None:
        """A status bar message with one button (until the next message or 15 s)."""
        self._clear_offer()
        button = QPushButton(action_text, self)
        button.setObjectName("statusOffer")
        button.setFlat(True)

        def run() -> None:
            self._clear_offer()
            action()

        button.clicked.connect(run)
        self.statusBar().addPermanentWidget(button)
        self._offer_button = button
        self.statusBar().showMessage(message, 15000)
        QTimer.singleShot(15000, button, self._clear_offer)

    def _clear_offer(self) -> None:
        button = self._offer_button
        if button is not None:
            self._offer_button = None
            self.statusBar().removeWidget(button)
            button.deleteLater()

    def open_card(self, card_id: int | None = None) -> None:
        card = (
            self.store.card(card_id) if card_id is not None else self.focused_board().current_card()
        )
        if card is None:
            return
        from app.ui.card_dialog import CardDialog

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
        dialog = self._card_dialog(CardDialog, card, submit, history)
        dialog.exec()
        if self.current_page() != "backlog":
            self.focused_board().select_card(card.id)

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
        box = QMessageBox(self)
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
        self, dialog_class: Any, card: CardDTO | None, submit: Any, history: Any = ()
    ) -> Any:
        """The card editor. A new card starts in the sprint the board shows (the backlog
        from the Backlog page); the Sprint field lets the person choose otherwise."""
        backlog = self.current_page() == "backlog"
        return dialog_class(
            columns=self.store.columns,
            members=self.store.members,
            labels=self.store.labels,
            epics=self.store.epics,
            submit=submit,
            card=card,
            history=history,
            sprints=self.store.sprints,
            default_sprint_id=None if backlog else self.focused_board().sprint_scope,
            project=self.store.project,
            parent=self,
        )

    def delete_card(self) -> None:
        card = self.focused_board().current_card()
        if card is None:
            return
        answer = QMessageBox.question(
            self,
            "Delete card",
            f"Delete {card.key} “{card.title}”?\n\nIt is archived: Undo (Ctrl+Z) brings it back "
            "with the same key and history.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        if self.push(ArchiveCardCommand(self._commands, card)):
            self.statusBar().showMessage(f"Deleted {card.key} (Ctrl+Z to undo)", 6000)

    def _on_current_card_changed(self, card: CardDTO | None) -> None:
        has_card = card is not None
        for action in (
            self.open_card_action,
            self.delete_card_action,
            self.move_left_action,
            self.move_right_action,
            self.move_up_action,
            self.move_down_action,
        ):
            action.setEnabled(has_card)

    # --- projects and workflow dialogs ---------------------------------------------------

    def new_project(self) -> None:
        from app.ui.project_dialog import ProjectDialog

        created: list[str] = []

        def submit(key: str, name: str, methodology: str) -> str | None:
            try:
                project = self._services.projects.create_project(key, name, methodology)
            except DomainError as exc:
                return str(exc)
            created.append(project.key)
            return None

        dialog = ProjectDialog(submit, self)
        if dialog.exec() and created:
            self.reload_projects(select_key=created[0])
            self.select_project(created[0])

    def add_demo_project(self) -> None:
        """The demo project DEMO, as on a first start (a team, sprints, real history)."""
        if self._has_demo():
            self.select_project("DEMO")
            return
        try:
            project = self._services.add_demo_project()
        except DomainError as exc:
            self._show_error(str(exc))
            return
        self.reload_projects(select_key=project.key)
        self.select_project(project.key)
        self.statusBar().showMessage(f"Added the demo project {project.key}", 5000)

    # --- databases -------------------------------------------------------------------------

    def _database_folder(self) -> str:
        if self._database is not None:
            return str(self._database.parent)
        return str(Path.home())

    def new_database(self) -> None:
        """Create an empty database file and open it (this window closes)."""
        from app.ui.recent import ask_new_database

        chosen = ask_new_database(self, Path(self._database_folder()))
        if chosen is None:
            return
        if isinstance(chosen, str):
            self._show_error(chosen)
            return
        self.database_requested.emit(str(chosen))

    def open_database(self, path: str | None = None) -> None:
        """Open another database file (this window closes; the new one opens on it)."""
        if path is None:
            path, _filter = QFileDialog.getOpenFileName(
                self,
                "Open a Sprintdeck database",
                self._database_folder(),
                "Sprintdeck databases (*.db);;All files (*)",
            )
            if not path:
                return
        elif not Path(path).exists():
            self._show_error(f"{path} is no longer there; it was moved or deleted.")
            return
        if self._database is not None and Path(path).absolute() == self._database:
            return
        self.database_requested.emit(path)

    def _fill_recent_menu(self) -> None:
        from app.ui.recent import recent_files

        self.recent_menu.clear()
        current = str(self._database) if self._database is not None else None
        recent = [p for p in recent_files(self._settings) if p != current]
        for number, path in enumerate(recent, start=1):
            action = self.recent_menu.addAction(f"&{number} {Path(path).name}  —  {path}")
            action.triggered.connect(lambda _checked=False, p=path: self.open_database(p))
        if not recent:
            self.recent_menu.addAction("No other database opened yet").setEnabled(False)

    # --- sprints ---------------------------------------------------------------------------

    def _open_sprints(self) -> list[SprintDTO]:
        """The project's planned and active sprints, active first."""
        project = self.store.project
        if project is None:
            return []
        sprints = [
            s for s in self._services.sprints.list_sprints(project.id) if s.state != "closed"
        ]
        return sorted(sprints, key=lambda s: (s.state != "active", s.start_date or dt.date.max))

    def _choose_sprint(self, title: str) -> SprintDTO | None:
        sprints = self._open_sprints()
        if not sprints:
            self._show_error(
                "There is no planned or active sprint; create one first (Sprint > Create sprint)."
            )
            return None
        if len(sprints) == 1:
            return sprints[0]
        names = [f"{s.name} ({s.state})" for s in sprints]
        choice, ok = QInputDialog.getItem(self, title, "Sprint:", names, 0, False)
        return sprints[names.index(choice)] if ok else None

    def create_sprint(self) -> None:
        project = self.store.project
        if project is None:
            return
        from app.ui.sprint_dialog import create_sprint

        sprint = create_sprint(self._services.sprints, project.id, self)
        if sprint is not None:
            self.statusBar().showMessage(f"Created {sprint.name}", 5000)
            self.store.reload()

    def edit_sprint(self) -> None:
        sprint = self._choose_sprint("Edit sprint")
        if sprint is None:
            return
        from app.ui.sprint_dialog import edit_sprint

        if edit_sprint(self._services.sprints, sprint, self) is not None:
            self.store.reload()

    def plan_sprint(self) -> None:
        sprint = self._choose_sprint("Plan sprint")
        if sprint is None:
            return
        from app.ui.planning_dialog import PlanningDialog

        PlanningDialog(self._services.sprints, sprint.id, self).exec()
        if self._backlog is not None:  # one not built yet will read the plan when it is
            self._backlog.refresh()

    def import_file(self) -> None:
        from app.services.transfer import TransferService
        from app.ui.import_dialog import ImportDialog

        dialog = ImportDialog(
            TransferService(self._services.context), self._services.projects.list_projects(), self
        )
        if dialog.exec():
            self.reload_projects(select_key=dialog.imported_key)
            if dialog.imported_key:
                self.select_project(dialog.imported_key)
            self.store.reload()
            if dialog.result_lines:
                QMessageBox.information(self, "Import finished", "\n".join(dialog.result_lines))

    def export_csv(self, which: str) -> None:
        """The cards as a person sees them: the board (filters and sprint scope applied) or
        the backlog (cards in no sprint), one row per card."""
        project = self.store.project
        if project is None:
            return
        from app.ui.csv_export import export_cards_csv

        if which == "board":
            board = self.focused_board()
            cards = [
                c for _col, _h, models in board.column_parts() for m in models for c in m.cards()
            ]
        else:
            cards = [c for c in self.store.cards() if c.sprint_id is None and c.type != "epic"]
        from app.outputs import check_output
        from app.ui.export_files import (
            ask_save_path,
            remember_folder,
            safe_file_name,
            show_exported,
        )

        title = f"Export {which} as CSV"
        name = f"{safe_file_name(f'{project.name} {which}', which)}.csv"
        target = ask_save_path(self, self._settings, title, name, "CSV files (*.csv)")
        if target is None:
            return
        try:
            target = check_output(target, database=self._database, what="CSV file")
            count = export_cards_csv(target, cards, self.store.columns)
        except DomainError as exc:
            self._show_error(str(exc))
            return
        except OSError as exc:
            self._show_error(f"Could not write {target}: {exc.strerror or exc}")
            return
        remember_folder(self._settings, target)
        show_exported(self, target, f"{which} ({plural(count, 'card')})", title)

    def export_sprint_report(self) -> None:
        project = self.store.project
        if project is None:
            return
        if project.methodology != "scrum":
            self._show_error("Sprint reports are for Scrum projects; this is a Kanban board.")
            return
        from app.ui.report_dialog import ReportDialog

        ReportDialog(
            self._services, project.id, self, self._settings, database=self._database
        ).exec()

    def edit_workflow(self) -> None:
        project = self.store.project
        if project is None:
            return
        from app.ui.workflow_dialog import WorkflowDialog

        dialog = WorkflowDialog(self._services.workflow, project.id, self)
        dialog.exec()
        self.store.reload()

    def edit_project_settings(self) -> None:
        """Project › Settings…: each change there is a step on this window's undo stack."""
        project = self.store.project
        if project is None:
            return
        from app.ui.project_settings_dialog import ProjectSettingsDialog

        dialog = ProjectSettingsDialog(
            self._services, project.id, self.push, self, undo_stack=self.undo_stack
        )
        dialog.exec()
        dialog.deleteLater()
        # The board has reloaded on every change already (the store hears them). Not
        # reload_projects(): choosing the project again clears the undo stack, and the
        # dialog's steps would be lost; only the names shown need refreshing.
        names = {p.key: p.name for p in self._services.projects.list_projects()}
        for index in range(self.project_combo.count()):
            key = self.project_combo.itemData(index)
            if key in names:
                self.project_combo.setItemText(index, f"{key} — {names[key]}")
        if self.store.project is not None:
            self.setWindowTitle(self._title(self.store.project.name))

    # --- external changes ------------------------------------------------------------------

    def check_external_changes(self) -> bool:
        """Reload when another process (the CLI, a second window) committed a change."""
        if self._poll_external is None or not self._poll_external():
            return False
        self.store.reload()
        self.statusBar().showMessage("The board was updated with changes made elsewhere.", 5000)
        return True

    def changeEvent(self, event: QEvent) -> None:
        """QWidget::changeEvent: look for outside changes when the window is activated."""
        if event.type() == QEvent.Type.ActivationChange and self.isActiveWindow():
            self.check_external_changes()
        super().changeEvent(event)

    # --- messages and settings -------------------------------------------------------------

    def _show_error(self, message: str) -> None:
        self.statusBar().showMessage(message, 8000)
        QMessageBox.warning(self, "Sprintdeck", message)

    def _about(self) -> None:
        QMessageBox.about(
            self,
            "About Sprintdeck",
            f"<b>Sprintdeck {__version__}</b><p>A Kanban/Scrum board for technical project "
            "managers and their teams.</p>",
        )

    def _restore_settings(self) -> None:
        s = self._settings
        geometry = s.value("window/geometry")
        if isinstance(geometry, QByteArray | bytes):
            self.restoreGeometry(QByteArray(geometry))
        else:
            self.resize(1280, 800)
        state = s.value("window/state")
        if isinstance(state, QByteArray | bytes):
            self.restoreState(QByteArray(state))
        key = s.value("board/project")
        if key:
            self.select_project(str(key))
        self.show_page(str(s.value("window/page", "board")))
        grouping = s.value("board/grouping", "none")
        self.group_combo.setCurrentIndex(max(self.group_combo.findData(grouping), 0))
        self.filter_edit.setText(str(s.value("filter/text", "") or ""))
        for name, combo in (
            ("assignee", self.assignee_combo),
            ("label", self.label_combo),
            ("type", self.type_combo),
        ):
            value = s.value(f"filter/{name}")
            if value not in (None, ""):
                if name != "type":
                    value = int(value)
                combo.setCurrentIndex(max(combo.findData(value), 0))

    def save_settings(self) -> None:
        s = self._settings
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState())
        project = self.store.project
        if project is not None:
            s.setValue("board/project", project.key)
        s.setValue("board/grouping", self.board.grouping)
        s.setValue("window/page", self.current_page())
        f = self.current_filter()
        s.setValue("filter/text", f.text)
        s.setValue("filter/assignee", "" if f.assignee_id is None else f.assignee_id)
        s.setValue("filter/label", "" if f.label_id is None else f.label_id)
        s.setValue("filter/type", f.card_type or "")
        s.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        """QWidget::closeEvent: remember where the person left off."""
        self.save_settings()
        self._poll_timer.stop()
        self.store.close()
        super().closeEvent(event)
