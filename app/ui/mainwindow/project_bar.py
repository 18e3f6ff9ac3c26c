"""The project bar: the project chooser in the toolbar, switching projects, new and demo
projects, and the database files (File › New database…, Open database…, Open recent)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QComboBox, QMenu

from app.errors import DomainError

if TYPE_CHECKING:
    from app.services import Services
    from app.ui.mainwindow.window import MainWindow


class ProjectBar(QObject):
    """The chooser (``combo``: one item per project, its key as data) and what switches it.

    Choosing a project loads its board into the store and clears the undo stack (undo
    history belongs to one board). The window never opens another database itself: it
    emits ``database_requested`` and the application opens a window on that file.
    """

    def __init__(self, window: MainWindow, services: Services, database: Path | None) -> None:
        super().__init__(window)
        self._window = window
        self._services = services
        self._database = database
        self._loading = False
        self.combo: QComboBox  # made by make_combo(), with the toolbar
        self.recent_menu: QMenu | None = None

    def make_combo(self) -> QComboBox:
        """The chooser, made when the toolbar is (after the board, for the focus chain)."""
        self.combo = QComboBox()
        self.combo.setObjectName("projectCombo")
        self.combo.setMinimumContentsLength(28)
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.combo.setAccessibleName("Project")
        self.combo.currentIndexChanged.connect(self._on_project_chosen)
        return self.combo

    def handlers(self) -> dict[str, Callable[[], Any]]:
        return {
            "project.new": self.new_project,
            "project.demo": self.add_demo_project,
            "database.new": self.new_database,
            "database.open": lambda: self.open_database(),
        }

    # --- projects ------------------------------------------------------------------------

    def has_projects(self) -> bool:
        return self.combo.count() > 0

    def has_demo(self) -> bool:
        return self.combo.findData("DEMO") >= 0

    def reload_projects(self, select_key: str | None = None) -> None:
        current = select_key or self.combo.currentData()
        projects = self._services.projects.list_projects()
        self._loading = True
        self.combo.clear()
        for project in projects:
            self.combo.addItem(f"{project.key} — {project.name}", project.key)
        self._loading = False
        index = self.combo.findData(current) if current else -1
        self.combo.setCurrentIndex(max(index, 0) if projects else -1)
        if index <= 0 and projects:
            self._on_project_chosen(self.combo.currentIndex())
        self._window.show_welcome(not projects)

    def select_project(self, key: str) -> None:
        index = self.combo.findData(key)
        if index >= 0:
            self.combo.setCurrentIndex(index)

    def refresh_names(self) -> None:
        """The projects' names as they are now, without choosing one again."""
        names = {p.key: p.name for p in self._services.projects.list_projects()}
        for index in range(self.combo.count()):
            key = self.combo.itemData(index)
            if key in names:
                self.combo.setItemText(index, f"{key} — {names[key]}")

    def _on_project_chosen(self, index: int) -> None:
        if self._loading or index < 0:
            return
        key = self.combo.itemData(index)
        window = self._window
        try:
            project = self._services.projects.find_project(key)
            window.store.load(project.id)
        except DomainError as exc:
            window.show_error(str(exc))
            return
        window.undo_stack.clear()  # undo history belongs to one board
        window.setWindowTitle(window.title(project.name))

    def new_project(self) -> None:
        from app.ui.dialogs.project_dialog import ProjectDialog

        created: list[str] = []

        def submit(key: str, name: str, methodology: str) -> str | None:
            try:
                project = self._services.projects.create_project(key, name, methodology)
            except DomainError as exc:
                return str(exc)
            created.append(project.key)
            return None

        dialog = ProjectDialog(submit, self._window)
        if dialog.exec() and created:
            self.reload_projects(select_key=created[0])
            self.select_project(created[0])

    def add_demo_project(self) -> None:
        """The demo project DEMO, as on a first start (a team, sprints, real history)."""
        if self.has_demo():
            self.select_project("DEMO")
            return
        try:
            project = self._services.add_demo_project()
        except DomainError as exc:
            self._window.show_error(str(exc))
            return
        self.reload_projects(select_key=project.key)
        self.select_project(project.key)
        self._window.statusBar().showMessage(f"Added the demo project {project.key}", 5000)

    # --- databases -----------------------------------------------------------------------

    def _database_folder(self) -> str:
        if self._database is not None:
            return str(self._database.parent)
        return str(Path.home())

    def new_database(self) -> None:
        """Create an empty database file and open it (this window closes)."""
        from app.ui.recent import ask_new_database

        chosen = ask_new_database(self._window, Path(self._database_folder()))
        if chosen is None:
            return
        if isinstance(chosen, str):
            self._window.show_error(chosen)
            return
        self._window.database_requested.emit(str(chosen))

    def open_database(self, path: str | None = None) -> None:
        """Open another database file (this window closes; the new one opens on it)."""
        if path is None:
            from PySide6.QtWidgets import QFileDialog  # a dialog: imported when it opens

            path, _filter = QFileDialog.getOpenFileName(
                self._window,
                "Open a Sprintdeck database",
                self._database_folder(),
                "Sprintdeck databases (*.db);;All files (*)",
            )
            if not path:
                return
        elif not Path(path).exists():
            self._window.show_error(f"{path} is no longer there; it was moved or deleted.")
            return
        if self._database is not None and Path(path).absolute() == self._database:
            return
        self._window.database_requested.emit(path)

    def use_recent_menu(self, menu: QMenu) -> None:
        """File › Open recent: the other databases opened lately, filled when it opens."""
        self.recent_menu = menu
        menu.aboutToShow.connect(self._fill_recent_menu)
        self._fill_recent_menu()

    def _fill_recent_menu(self) -> None:
        from app.ui.recent import recent_files

        menu = self.recent_menu
        assert menu is not None
        menu.clear()
        current = str(self._database) if self._database is not None else None
        recent = [p for p in recent_files(self._window.settings) if p != current]
        for number, path in enumerate(recent, start=1):
            action = menu.addAction(f"&{number} {Path(path).name}  —  {path}")
            action.triggered.connect(lambda _checked=False, p=path: self.open_database(p))
        if not recent:
            menu.addAction("No other database opened yet").setEnabled(False)
