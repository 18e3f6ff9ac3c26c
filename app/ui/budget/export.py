"""*File › Export status report…*: the project status report, stored as a snapshot and
written as PDF, HTML, Markdown or CSV (the format from the file's extension).

The output path gets the same checks as every export (app/outputs.check_output: never over
the database in use, a folder that exists, …) before the snapshot is stored, so a refused
path leaves nothing behind. Exporting records a report rather than changing the project, so
there is nothing to undo; a past report is rendered again with ``sprintdeck report --kind
status --as-of N``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject

from app.errors import DomainError

# The export's helpers are imported when File › Export status report… is used: the window
# builds this object at start, and the first paint does not need them.
if TYPE_CHECKING:
    from app.services import Services
    from app.ui.mainwindow.window import MainWindow
    from app.ui.reports.export_files import ExportedMessage

TITLE = "Export status report"
FILTER = "PDF document (*.pdf);;Web page (*.html);;Markdown (*.md);;Spreadsheet CSV (*.csv)"


class StatusExport(QObject):
    def __init__(self, window: MainWindow, services: Services, database: Path | None) -> None:
        super().__init__(window)
        self._window = window
        self._services = services
        self._database = database
        self.exported_message: ExportedMessage | None = None
        self.last_export: Path | None = None

    def handlers(self) -> dict[str, Callable[[], Any]]:
        return {"export.status": self.export_status_report}

    def export_status_report(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        from app.outputs import check_output
        from app.reports import status_report_render as st
        from app.ui.reports.export_files import (
            ask_save_path,
            remember_folder,
            safe_file_name,
            show_exported,
        )

        w = self._window
        project = w.store.project
        if project is None:
            return
        name = f"{safe_file_name(f'{project.name} status', 'status')}.pdf"
        target = ask_save_path(w, w.settings, TITLE, name, FILTER)
        if target is None:
            return
        fmt = st.format_for(target)
        if fmt is None:
            QMessageBox.warning(
                w, TITLE, f"“{target.name}” is not a .pdf, .html, .md or .csv file name."
            )
            return
        try:
            checked = check_output(str(target), database=self._database, what="report")
            report = self._services.status_reports.take(project.id)
            st.write_status_report(report, fmt, str(checked))
        except DomainError as exc:
            QMessageBox.warning(w, TITLE, str(exc))
            return
        self.last_export = target
        remember_folder(w.settings, target)
        self.exported_message = show_exported(w, target, "status report", TITLE)
