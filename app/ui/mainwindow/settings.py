"""Settings: where the person left off (window geometry, project, page, swimlanes,
filters in QSettings) and the entry points of the settings dialogs (Project › Settings…,
Board › Edit workflow…)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QObject, QSettings

if TYPE_CHECKING:
    from app.services import Services
    from app.ui.mainwindow.window import MainWindow


class WindowSettings(QObject):
    """The window's remembered state (``settings``) and its settings dialogs."""

    def __init__(self, window: MainWindow, services: Services, settings: QSettings) -> None:
        super().__init__(window)
        self._window = window
        self._services = services
        self.settings = settings

    def handlers(self) -> dict[str, Callable[[], Any]]:
        return {
            "project.settings": self.edit_project_settings,
            "board.workflow": self.edit_workflow,
        }

    def saved_project(self) -> str | None:
        saved = self.settings.value("board/project")
        return str(saved) if saved else None

    def restore(self) -> None:
        w, s = self._window, self.settings
        geometry = s.value("window/geometry")
        if isinstance(geometry, QByteArray | bytes):
            w.restoreGeometry(QByteArray(geometry))
        else:
            w.resize(1280, 800)
        state = s.value("window/state")
        if isinstance(state, QByteArray | bytes):
            w.restoreState(QByteArray(state))
        key = s.value("board/project")
        if key:
            w.projects.select_project(str(key))
        w.show_page(str(s.value("window/page", "board")))
        controls = w.controls
        grouping = s.value("board/grouping", "none")
        controls.group_combo.setCurrentIndex(max(controls.group_combo.findData(grouping), 0))
        controls.filter_edit.setText(str(s.value("filter/text", "") or ""))
        for name, combo in (
            ("assignee", controls.assignee_combo),
            ("label", controls.label_combo),
            ("type", controls.type_combo),
        ):
            value = s.value(f"filter/{name}")
            if value not in (None, ""):
                if name != "type":
                    value = int(value)
                combo.setCurrentIndex(max(combo.findData(value), 0))

    def save(self) -> None:
        w, s = self._window, self.settings
        s.setValue("window/geometry", w.saveGeometry())
        s.setValue("window/state", w.saveState())
        project = w.store.project
        if project is not None:
            s.setValue("board/project", project.key)
        s.setValue("board/grouping", w.board.grouping)
        s.setValue("window/page", w.current_page())
        f = w.controls.current_filter()
        s.setValue("filter/text", f.text)
        s.setValue("filter/assignee", "" if f.assignee_id is None else f.assignee_id)
        s.setValue("filter/label", "" if f.label_id is None else f.label_id)
        s.setValue("filter/type", f.card_type or "")
        s.sync()

    # --- the settings dialogs ------------------------------------------------------------

    def edit_workflow(self) -> None:
        w = self._window
        project = w.store.project
        if project is None:
            return
        from app.ui.dialogs.workflow_dialog import WorkflowDialog

        dialog = WorkflowDialog(self._services.workflow, project.id, w)
        dialog.exec()
        w.store.reload()

    def edit_project_settings(self) -> None:
        """Project › Settings…: each change there is a step on this window's undo stack."""
        w = self._window
        project = w.store.project
        if project is None:
            return
        from app.ui.dialogs.project_settings import ProjectSettingsDialog

        dialog = ProjectSettingsDialog(
            self._services, project.id, w.push, w, undo_stack=w.undo_stack
        )
        dialog.exec()
        dialog.deleteLater()
        # The board has reloaded on every change already (the store hears them). Not
        # reload_projects(): choosing the project again clears the undo stack, and the
        # dialog's steps would be lost; only the names shown need refreshing.
        w.projects.refresh_names()
        if w.store.project is not None:
            w.setWindowTitle(w.title(w.store.project.name))
