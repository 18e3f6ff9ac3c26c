"""File › Import from Trello or Jira…, Export board/backlog as CSV…, Export sprint report…"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject

from app.errors import DomainError
from app.words import plural

if TYPE_CHECKING:
    from app.services import Services
    from app.ui.mainwindow.window import MainWindow


class TransferCommands(QObject):
    """Cards in and out of the database, through files the person chooses."""

    def __init__(self, window: MainWindow, services: Services, database: Path | None) -> None:
        super().__init__(window)
        self._window = window
        self._services = services
        self._database = database
        self.store = window.store

    def handlers(self) -> dict[str, Callable[[], Any]]:
        return {
            "file.import": self.import_file,
            "export.board_csv": lambda: self.export_csv("board"),
            "export.backlog_csv": lambda: self.export_csv("backlog"),
            "export.report": self.export_sprint_report,
        }

    def import_file(self) -> None:
        from app.ui.dialogs.import_dialog import ImportDialog

        w = self._window
        dialog = ImportDialog(self._services.transfer, self._services.projects.list_projects(), w)
        if dialog.exec():
            w.projects.reload_projects(select_key=dialog.imported_key)
            if dialog.imported_key:
                w.projects.select_project(dialog.imported_key)
            self.store.reload()
            if dialog.result_lines:
                from PySide6.QtWidgets import QMessageBox  # a message box: made when shown

                QMessageBox.information(w, "Import finished", "\n".join(dialog.result_lines))

    def export_csv(self, which: str) -> None:
        """The cards as a person sees them: the board (filters and sprint scope applied) or
        the backlog (cards in no sprint), one row per card."""
        project = self.store.project
        if project is None:
            return
        from app.ui.reports.csv_export import export_cards_csv

        w = self._window
        if which == "board":
            board = w.focused_board()
            cards = board.shown_cards()
        else:
            cards = [c for c in self.store.cards() if c.sprint_id is None and c.type != "epic"]
        from app.outputs import check_output
        from app.ui.reports.export_files import (
            ask_save_path,
            remember_folder,
            safe_file_name,
            show_exported,
        )

        title = f"Export {which} as CSV"
        name = f"{safe_file_name(f'{project.name} {which}', which)}.csv"
        target = ask_save_path(w, w.settings, title, name, "CSV files (*.csv)")
        if target is None:
            return
        try:
            target = check_output(target, database=self._database, what="CSV file")
            count = export_cards_csv(target, cards, self.store.columns)
        except DomainError as exc:
            w.show_error(str(exc))
            return
        except OSError as exc:
            w.show_error(f"Could not write {target}: {exc.strerror or exc}")
            return
        remember_folder(w.settings, target)
        show_exported(w, target, f"{which} ({plural(count, 'card')})", title)

    def export_sprint_report(self) -> None:
        project = self.store.project
        if project is None:
            return
        if project.methodology != "scrum":
            self._window.show_error(
                "Sprint reports are for Scrum projects; this is a Kanban board."
            )
            return
        from app.ui.reports.report_dialog import ReportDialog

        w = self._window
        ReportDialog(self._services, project.id, w, w.settings, database=self._database).exec()
