"""The Sprint menu: create, edit, plan (capacity), start and complete a sprint."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject

from app.services.dto import SprintDTO

if TYPE_CHECKING:
    from app.services import Services
    from app.ui.mainwindow.window import MainWindow


class SprintCommands(QObject):
    """What the Sprint menu's items do (start and complete: the Sprint page's buttons)."""

    def __init__(self, window: MainWindow, services: Services) -> None:
        super().__init__(window)
        self._window = window
        self._services = services
        self.store = window.store

    def handlers(self) -> dict[str, Callable[[], Any]]:
        return {
            "sprint.create": self.create_sprint,
            "sprint.edit": self.edit_sprint,
            "sprint.plan": self.plan_sprint,
            "sprint.start": lambda: self._window.sprint_view.start_sprint(),
            "sprint.complete": lambda: self._window.sprint_view.complete_sprint(),
        }

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
            self._window.show_error(
                "There is no planned or active sprint; create one first (Sprint > Create sprint)."
            )
            return None
        if len(sprints) == 1:
            return sprints[0]
        names = [f"{s.name} ({s.state})" for s in sprints]
        from PySide6.QtWidgets import QInputDialog  # a dialog: imported when it opens

        choice, ok = QInputDialog.getItem(self._window, title, "Sprint:", names, 0, False)
        return sprints[names.index(choice)] if ok else None

    def create_sprint(self) -> None:
        project = self.store.project
        if project is None:
            return
        from app.ui.sprint.sprint_dialog import create_sprint

        sprint = create_sprint(self._services.sprints, project.id, self._window)
        if sprint is not None:
            self._window.statusBar().showMessage(f"Created {sprint.name}", 5000)
            self.store.reload()

    def edit_sprint(self) -> None:
        sprint = self._choose_sprint("Edit sprint")
        if sprint is None:
            return
        from app.ui.sprint.sprint_dialog import edit_sprint

        if edit_sprint(self._services.sprints, sprint, self._window) is not None:
            self.store.reload()

    def plan_sprint(self) -> None:
        sprint = self._choose_sprint("Plan sprint")
        if sprint is None:
            return
        from app.ui.sprint.planning_dialog import PlanningDialog

        PlanningDialog(
            self._services.sprints, sprint.id, self._window, plans=self._services.plans
        ).exec()
        backlog = self._window.built_page("backlog")
        if backlog is not None:  # one not built yet will read the plan when it is
            backlog.refresh()  # type: ignore[attr-defined]
