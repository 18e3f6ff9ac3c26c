"""The main window: the pages in one stack, two toolbar rows, the menus, the status bar.

What the window's commands do lives beside it: card_controller (cards), project_bar
(projects, databases), sprints (Sprint menu), transfers (import, export), settings
(remembered state, settings dialogs), board_controls (scope, swimlanes, filters); the
actions and menus are named in actions, the pages registered in registry.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QUndoStack
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QPushButton,
    QToolBar,
    QWidget,
)

from app import __version__
from app.errors import DomainError
from app.services.dto import CardDTO
from app.ui.board.view import BoardView
from app.ui.budget.export import StatusExport
from app.ui.commands import CommandContext, ServiceCommand
from app.ui.drags import dragging
from app.ui.mainwindow.actions import Actions, build_menus
from app.ui.mainwindow.board_controls import BoardControls
from app.ui.mainwindow.card_controller import CardController
from app.ui.mainwindow.project_bar import ProjectBar
from app.ui.mainwindow.registry import PAGES, PageContext, PageStack
from app.ui.mainwindow.settings import WindowSettings
from app.ui.mainwindow.sprints import SprintCommands
from app.ui.mainwindow.transfers import TransferCommands
from app.ui.standup.controller import StandupController
from app.ui.store import BoardStore
from app.ui.timer import TimeController
from app.ui.you_are import YouAre
from app.ui.zoom import FullScreen, Zoom

if TYPE_CHECKING:
    from app.services import Services
    from app.ui.backlog.view import BacklogView
    from app.ui.reports.view import ReportsView
    from app.ui.sprint.page import SprintPage
    from app.ui.sprint.view import SprintView
    from app.ui.welcome import WelcomePage

# How often the change feed is asked (it costs one PRAGMA on SQLite, a flag on PostgreSQL):
# often enough that a teammate's move shows within a second.
EXTERNAL_POLL_MS = 500


class MainWindow(QMainWindow):
    """Everything a person sees. Built with its services and settings handed in.

    ``database``: the file the services work on (shown in the title; File › Open Recent).
    The window never opens another database itself: File › Open database… and New
    database… emit ``database_requested`` with the chosen path, and the application
    (app/ui/application.py) closes this window and opens one on that file.

    The actions are ``window.named_actions[name]`` (app/ui/mainwindow/actions.py) and also
    attributes under their old names (``window.new_card_action``, ``window.page_actions``).
    """

    database_requested = Signal(str)
    # Emitted from the change feed's listening thread (PostgreSQL's NOTIFY); queued into
    # the GUI thread, where it polls the feed at once.
    external_rang = Signal()

    def __init__(
        self,
        services: Services,
        settings: QSettings,
        poll_external: Callable[[], object] | None = None,
        parent: QWidget | None = None,
        database: Path | None = None,
        connection_problem: Callable[[], str | None] | None = None,
    ) -> None:
        super().__init__(parent)
        self._services = services
        self.settings = settings
        self._poll_external = poll_external
        self._connection_problem = connection_problem
        self._shown_problem: str | None = None
        self._database = database
        # The last search of the filter text and its answer, while the boards of one
        # keystroke ask (the board and the sprint page); forgotten when the event loop runs.
        self._searched: tuple[tuple[int, str], frozenset[int]] | None = None
        self.setWindowTitle(self.title(None))
        self.undo_stack = QUndoStack(self)
        self._commands = CommandContext(services, self.show_error)
        self.store = BoardStore(services, self)
        # Before the boards' own handlers: a loaded board is built once, in its scope.
        self.store.board_reset.connect(lambda: self.controls.preset_scopes())
        self._boards: list[BoardView] = []
        self._welcome: WelcomePage | None = None  # built when a database has no project
        self._offer_button: QPushButton | None = None  # a status bar message's one button

        self.cards = CardController(self, services, self._commands)
        self.projects = ProjectBar(self, services, database)
        self.window_settings = WindowSettings(self, services, settings)
        self.sprints = SprintCommands(self, services)
        self.transfers = TransferCommands(self, services, database)
        self.status_export = StatusExport(self, services, database)  # File › Export status
        self.you_are = YouAre(self, services, settings)  # before any change is made
        self.zoom = Zoom(self, settings)  # before the boards, which it scales
        self.standup = StandupController(self, services, self._commands)
        self.time = TimeController(self, services, self._commands)  # Ctrl+L, the timer
        self.named_actions = Actions(self, self.undo_stack, PAGES)
        self.full_screen = FullScreen(self, self.named_actions["view.full_screen"])
        self.named_actions.bind(self._handlers())
        for attr, action in self.named_actions.attributes().items():
            setattr(self, attr, action)  # window.new_card_action, … (tests, scripts)
        # Connected after the stack's own slots: by then the step is undone (redone).
        self.named_actions["edit.undo"].triggered.connect(self.cards.on_undone)
        self.named_actions["edit.redo"].triggered.connect(self.cards.on_redone)
        self.controls = BoardControls(
            self,
            self.store,
            settings,
            self.named_actions["filter.clear"],
            lambda: tuple(self._boards),
            lambda: self.sprint_page.board if self.pages.built("sprint") else None,
        )
        context = PageContext(
            self, self.store, services, self._commands, self.push, self.open_card, self._new_board
        )
        self.pages = PageStack(context, PAGES, self)
        self.board: BoardView = self._boards[0]  # the Board page's, built with the window
        self.setCentralWidget(self.pages)

        self._build_toolbars()
        self.menus = build_menus(self, self.named_actions)
        self.projects.use_recent_menu(self.recent_menu)
        self.project_menu.aboutToShow.connect(
            lambda: self.named_actions["project.settings"].setEnabled(
                self.store.project is not None
            )
        )
        self.named_actions["page.board"].setChecked(True)
        # "Connection lost — reconnecting…" while a database server is out of reach.
        self.connection_label = QLabel(self)
        self.connection_label.setObjectName("connectionProblem")
        self.connection_label.setStyleSheet("color: #b3261e; font-weight: 600;")
        self.connection_label.hide()
        self.statusBar().addPermanentWidget(self.connection_label)

        self.pages.currentChanged.connect(self._on_page_changed)
        self.store.board_reset.connect(self._on_board_reset)
        self.time.listen()

        self._poll_timer = QTimer(self)
        self._poll_timer.setInterval(EXTERNAL_POLL_MS)
        self._poll_timer.timeout.connect(self.check_external_changes)
        self.external_rang.connect(self.check_external_changes, Qt.ConnectionType.QueuedConnection)
        if poll_external is not None:
            self._poll_timer.start()

        # The saved project straight away: loading the first one and then switching would
        # read two boards (and, on the first paint, build the services early).
        self.reload_projects(select_key=self.window_settings.saved_project())
        self.window_settings.restore()
        self.cards.on_current_card_changed(None)

    # --- construction ------------------------------------------------------------------

    def _handlers(self) -> dict[str, Callable[[], Any]]:
        handlers: dict[str, Callable[[], Any]] = {
            f"page.{page.name}": lambda n=page.name: self.show_page(n) for page in PAGES
        }
        for part in (self.cards, self.projects, self.window_settings, self.sprints, self.you_are):
            handlers.update(part.handlers())
        handlers.update(self.zoom.handlers())
        handlers.update(self.standup.handlers())
        handlers["view.full_screen"] = lambda: self.full_screen.toggle()
        handlers.update(self.time.handlers())
        handlers.update(self.transfers.handlers())
        handlers.update(self.status_export.handlers())
        handlers.update(
            {
                "board.reload": self.store.reload,
                "filter.find": lambda: self.controls.focus_filter(),
                "filter.clear": lambda: self.controls.clear_filters(),
                "app.quit": self.close,
                "help.about": self._about,
            }
        )
        return handlers

    def _new_board(self) -> BoardView:
        """A board for a page: the card keys and menus, the controls' filter and grouping."""
        board = BoardView(self.store, self, search=self._search_cards)
        self.named_actions.add_to_board(board)
        self.cards.connect_board(board)
        self.controls.sync(board)
        self._boards.append(board)
        self.zoom.add_target(board.set_zoom)
        return board

    def _search_cards(self, project_id: int, text: str) -> frozenset[int] | None:
        """The board filter's question to the search index (``services.search``); None
        while the window paints first (the filter then matches the cards in memory rather
        than build the services before the paint)."""
        if not getattr(self._services, "ready", True):
            return None
        if self._searched is not None and self._searched[0] == (project_id, text):
            return self._searched[1]
        found = self._services.search.matching(project_id, text)
        if self._searched is None:
            QTimer.singleShot(0, self, self._forget_search)
        self._searched = ((project_id, text), found)
        return found

    def _forget_search(self) -> None:
        self._searched = None

    def _build_toolbars(self) -> None:
        """Two rows: pages, project and New card for every page; below them the board's own
        controls (scope, swimlanes, filters), shown only with a board (Board and Sprint
        pages), so that each page shows its own and nothing hides behind the chevron."""
        bar = QToolBar("Main", self)
        bar.setObjectName("boardToolbar")
        bar.setMovable(False)
        self.addToolBar(bar)
        for action in self.named_actions.pages.values():
            bar.addAction(action)
        bar.addSeparator()
        bar.addWidget(QLabel(" Project "))
        bar.addWidget(self.projects.make_combo())
        bar.addAction(self.named_actions["card.new"])
        self.addToolBarBreak()
        self.addToolBar(self.controls.build_toolbar())

    def title(self, project_name: str | None) -> str:
        parts = [project_name] if project_name else []
        if self._database is not None:
            parts.append(self._database.name)
        return " — ".join([*parts, "Sprintdeck"])

    # --- pages ---------------------------------------------------------------------------

    def show_page(self, name: str) -> None:
        if not self.projects.has_projects():
            self.pages.setCurrentWidget(self.welcome)  # no project: nothing else to show
            return
        page = self.pages.registry.get(name, self.pages.registry["board"])
        if page.scrum_only and self.store.project is not None and not self._scrum():
            page = self.pages.registry["board"]
        self.pages.show_page(page.name)

    def current_page(self) -> str:
        return self.pages.current_name() or "board"

    def built_page(self, name: str) -> QWidget | None:
        return self.pages.built(name)

    def _on_page_changed(self, _index: int) -> None:
        name = self.current_page()
        for page_name, action in self.named_actions.pages.items():
            action.setChecked(page_name == name)
        self._update_toolbar()
        self.cards.on_current_card_changed(self.focused_board().current_card())

    def focused_board(self) -> BoardView:
        """The board the person is looking at: the main board or the sprint page's."""
        current = self.pages.currentWidget()
        return next((b for b in self._boards[1:] if current.isAncestorOf(b)), self.board)

    def _update_toolbar(self) -> None:
        current = self.pages.currentWidget()
        on_a_board = any(b is current or current.isAncestorOf(b) for b in self._boards)
        self.controls.follow_page(current is self.board, on_a_board)

    def _scrum(self) -> bool:
        project = self.store.project
        return project is not None and project.methodology == "scrum"

    def _update_pages(self) -> None:
        """A Kanban board has no sprints: no Backlog or Sprint page, no Sprint menu, no
        sprint report (its Reports page shows flow charts). No project: only the welcome
        page."""
        has_project = self.projects.has_projects()
        scrum = has_project and self._scrum()
        for name, action in self.named_actions.pages.items():
            wanted = has_project and (scrum or not self.pages.registry[name].scrum_only)
            action.setVisible(wanted or not has_project)
            action.setEnabled(wanted)
        self.sprint_menu.menuAction().setVisible(scrum or not has_project)
        self.sprint_menu.menuAction().setEnabled(scrum)
        self.named_actions.allow("scrum", scrum)
        if has_project and not scrum and self.pages.registry[self.current_page()].scrum_only:
            self.show_page("board")

    def _on_board_reset(self) -> None:
        self.controls.fill_filter_combos()
        self.controls.fill_scope_combo()
        self._update_toolbar()
        self.controls.apply_scopes()
        self._update_pages()

    def show_welcome(self, empty: bool) -> None:
        """A database without a project shows the welcome page and its ways to start;
        the pages and the card actions wait until there is a project."""
        self.named_actions.allow("project", not empty)
        self._update_pages()
        self.named_actions.allow("no_demo", not self.projects.has_demo())
        if empty:
            self.pages.setCurrentWidget(self.welcome)
            self.setWindowTitle(self.title(None))
        elif self._welcome is not None and self.pages.currentWidget() is self._welcome:
            self.show_page("board")

    @property
    def welcome(self) -> WelcomePage:
        """The page of a database without projects, built the first time it is needed."""
        if self._welcome is None:
            from app.ui.welcome import WelcomePage

            page = WelcomePage(self._database, self)
            page.add_action("project", self.named_actions["project.new"], default=True)
            page.add_action("demo", self.named_actions["project.demo"])
            page.add_action("import", self.named_actions["file.import"])
            page.add_action("open", self.named_actions["database.open"])
            self.pages.addWidget(page)
            self._welcome = page
        return self._welcome

    @property
    def backlog(self) -> BacklogView:
        """The Backlog page, built on first use."""
        return self.pages.page("backlog")  # type: ignore[return-value]

    @property
    def reports(self) -> ReportsView:
        """The Reports page, built on first use."""
        return self.pages.page("reports")  # type: ignore[return-value]

    @property
    def sprint_page(self) -> SprintPage:
        """The Sprint page: its SprintView (see :attr:`sprint_view`) over its own board."""
        return self.pages.page("sprint")  # type: ignore[return-value]

    @property
    def sprint_view(self) -> SprintView:
        """The sprint page's goal, figures and burndown, built on first use."""
        return self.sprint_page.view

    @property
    def sprint_board(self) -> BoardView:
        """The Sprint page's board: the active sprint's cards."""
        return self.sprint_page.board

    @property
    def page_actions(self) -> dict[str, QAction]:
        return self.named_actions.pages

    @property
    def recent_menu(self) -> QMenu:
        return self.menus["recent"]

    @property
    def project_menu(self) -> QMenu:
        return self.menus["project"]

    @property
    def sprint_menu(self) -> QMenu:
        return self.menus["sprint"]

    # --- what the parts do, under the window's names (tests, scripts, application) -----

    @property
    def project_combo(self) -> QComboBox:
        return self.projects.combo

    def reload_projects(self, select_key: str | None = None) -> None:
        self.projects.reload_projects(select_key)

    def select_project(self, key: str) -> None:
        self.projects.select_project(key)

    def push(self, command: ServiceCommand) -> bool:
        """Run a command through the undo stack; False (and a message) if it was refused."""
        return self.cards.push(command)

    def open_card(self, card_id: int | None = None) -> None:
        self.cards.open_card(card_id)

    def card_menu(self, card: CardDTO) -> QMenu:
        return self.cards.card_menu(card)

    def plan_sprint(self) -> None:
        self.sprints.plan_sprint()

    def edit_project_settings(self) -> None:
        self.window_settings.edit_project_settings()

    def save_settings(self) -> None:
        self.window_settings.save()

    def clear_filters(self) -> None:
        self.controls.clear_filters()

    @property
    def filter_toolbar(self) -> QToolBar:
        return self.controls.toolbar

    @property
    def _scope_action(self) -> QAction:
        return self.controls.scope_action

    @property
    def scope_combo(self) -> QComboBox:
        return self.controls.scope_combo

    @property
    def group_combo(self) -> QComboBox:
        return self.controls.group_combo

    @property
    def filter_edit(self) -> QLineEdit:
        return self.controls.filter_edit

    @property
    def assignee_combo(self) -> QComboBox:
        return self.controls.assignee_combo

    @property
    def label_combo(self) -> QComboBox:
        return self.controls.label_combo

    @property
    def type_combo(self) -> QComboBox:
        return self.controls.type_combo

    # --- messages, outside changes, closing ----------------------------------------------

    def show_error(self, message: str) -> None:
        self.statusBar().showMessage(message, 8000)
        from PySide6.QtWidgets import QMessageBox  # a message box: made when shown

        QMessageBox.warning(self, "Sprintdeck", message)

    def offer(self, message: str, action_text: str, action: Callable[[], None]) -> None:
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

    def _about(self) -> None:
        from PySide6.QtWidgets import QMessageBox  # a message box: made when shown

        QMessageBox.about(
            self,
            "About Sprintdeck",
            f"<b>Sprintdeck {__version__}</b><p>A Kanban/Scrum board for technical project "
            "managers and their teams.</p>",
        )

    def check_external_changes(self) -> bool:
        """Take in what another process (the CLI, a second window) committed.

        ``poll_external`` is the runtime's change feed (``ChangeFeed.poll``): it publishes
        those changes on the services' bus, as deltas, and the store updates just the cards
        they name (or reloads, when the feed cannot tell what changed)."""
        self._show_connection_problem()
        if dragging():  # rows must not move under the cursor; the next poll takes them in
            return False
        try:
            if self._poll_external is None or not self._poll_external():
                return False
        except DomainError as exc:  # the server went away between the bell and the read
            self.statusBar().showMessage(str(exc), 8000)  # not a dialog: the poll repeats
            return False
        self._show_connection_problem()
        self.statusBar().showMessage("The board was updated with changes made elsewhere.", 5000)
        return True

    def _show_connection_problem(self) -> None:
        problem = self._connection_problem() if self._connection_problem is not None else None
        if problem == self._shown_problem:
            return
        self._shown_problem = problem
        self.connection_label.setText(problem or "")
        self.connection_label.setVisible(problem is not None)
        if problem is None:
            self.statusBar().showMessage("Connected again; the board is up to date.", 5000)

    def changeEvent(self, event: QEvent) -> None:
        """QWidget::changeEvent: look for outside changes when the window is activated."""
        if event.type() == QEvent.Type.ActivationChange and self.isActiveWindow():
            self.check_external_changes()
        super().changeEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        """QWidget::closeEvent: remember where the person left off."""
        self.window_settings.save()
        self._poll_timer.stop()
        self.time.close()
        self.store.close()
        super().closeEvent(event)
