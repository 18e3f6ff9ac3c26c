"""File > Export sprint report: choose a sprint and a format, preview, export with progress,
then say where the file went (with Open and Show in Folder)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QRectF, QSettings, Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.errors import DomainError
from app.outputs import check_output
from app.reports import sprint_report_render as sr
from app.reports.chart_painting import paint_burndown
from app.services.sprint_report_data import ReportService, SprintReportDTO
from app.ui.reports.export_files import (
    ExportedMessage,
    ask_save_path,
    remember_folder,
    safe_file_name,
    show_exported,
)

FORMAT_LABELS = (
    ("pdf", "PDF — paginated, for printing and e-mail"),
    ("html", "HTML — one self-contained web page"),
    ("md", "Markdown — for a wiki or a chat"),
    ("csv", "CSV — one row per card, for a spreadsheet"),
)


class ChartView(QWidget):
    """Paints one chart of the report (the same drawing as the exported files)."""

    def __init__(self, which: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._which = which
        self._report: SprintReportDTO | None = None
        self.setMinimumSize(420, 240)

    def set_report(self, report: SprintReportDTO | None) -> None:
        self._report = report
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        rect = QRectF(self.rect())
        report = self._report
        if report is None:
            return
        if self._which == "burndown":
            if report.burndown is None:
                painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, "No burndown yet.")
                return
            paint_burndown(painter, rect, report.burndown, self.palette(), "Burndown")
        else:
            sr.paint_report_velocity(painter, rect, report, self.palette())


def report_file_name(sprint_name: str, fmt: str) -> str:
    """The name a report is suggested under: "DEMO Sprint 4 report.pdf"."""
    return f"{safe_file_name(f'{sprint_name} report', 'Sprint report')}.{fmt}"


class ReportDialog(QDialog):
    """Export one sprint's report. ``services`` is the app's Services; ``settings`` the
    window's (the last export folder is kept there), by default the user's settings."""

    def __init__(
        self,
        services: Any,
        project_id: int,
        parent: QWidget | None = None,
        settings: QSettings | None = None,
        database: Path | None = None,
    ) -> None:
        """``database``: the file the window works on; a report is never written over it."""
        super().__init__(parent)
        self.setWindowTitle("Export sprint report")
        self._database = database
        self.resize(860, 680)
        self._services = services
        self._project_id = project_id
        if settings is None:
            from app.ui.application import make_settings

            settings = make_settings()
        self._settings = settings
        self.exported_message: ExportedMessage | None = None
        self._reports: ReportService = services.reports
        self.report: SprintReportDTO | None = None
        self.last_export: Path | None = None

        self.sprint_combo = QComboBox()
        self.format_combo = QComboBox()
        for fmt, label in FORMAT_LABELS:
            self.format_combo.addItem(label, fmt)
        form = QFormLayout()
        form.addRow("&Sprint:", self.sprint_combo)
        form.addRow("&Format:", self.format_combo)

        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.summary_label.font()
        font.setBold(True)
        self.summary_label.setFont(font)

        self.preview = QTextBrowser()
        self.preview.setOpenLinks(False)
        self.burndown_view = ChartView("burndown")
        self.velocity_view = ChartView("velocity")
        self.tabs = QTabWidget()
        self.tabs.addTab(self.preview, "&Report")
        self.tabs.addTab(self.burndown_view, "&Burndown")
        self.tabs.addTab(self.velocity_view, "&Velocity")

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.export_button = QPushButton("&Export…")
        self.export_button.setDefault(True)
        self.buttons.addButton(self.export_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.rejected.connect(self.reject)
        self.export_button.clicked.connect(self._on_export_clicked)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.buttons)

        self._fill_sprints()
        self.sprint_combo.currentIndexChanged.connect(self._on_sprint_changed)
        self._on_sprint_changed()

    # --- choosing ------------------------------------------------------------------------

    def _fill_sprints(self) -> None:
        sprints = [
            s for s in self._services.sprints.list_sprints(self._project_id) if s.state != "planned"
        ]
        current = 0
        for i, s in enumerate(sprints):
            state = " (active)" if s.state == "active" else ""
            self.sprint_combo.addItem(f"{s.name}{state}", s.id)
            if s.state == "active" or (
                s.state == "closed" and not any(x.state == "active" for x in sprints)
            ):
                current = i
        if sprints:
            self.sprint_combo.setCurrentIndex(current)
        else:
            self.sprint_combo.addItem("No sprint has started", None)
            self.sprint_combo.setEnabled(False)

    def _no_sprint_text(self) -> str:
        project = self._services.projects.get_project(self._project_id)
        if project.methodology == "kanban":
            return (
                "A Kanban project has no sprints to report on; its Reports page shows "
                "cumulative flow, the control chart and throughput."
            )
        return "Start a sprint to report on it."

    def select_sprint(self, name: str) -> None:
        for i in range(self.sprint_combo.count()):
            if self.sprint_combo.itemText(i).split(" (")[0].lower() == name.lower():
                self.sprint_combo.setCurrentIndex(i)
                return

    def select_format(self, fmt: str) -> None:
        self.format_combo.setCurrentIndex(self.format_combo.findData(fmt))

    def _on_sprint_changed(self) -> None:
        sprint_id = self.sprint_combo.currentData()
        self.report = None
        if sprint_id is not None:
            try:
                self.report = self._reports.report_for(sprint_id)
            except DomainError as exc:
                self.summary_label.setText(str(exc))
        if self.report is None:
            if sprint_id is None:
                self.summary_label.setText(self._no_sprint_text())
            self.preview.clear()
        else:
            self.summary_label.setText(self.report.summary)
            self.preview.setMarkdown(sr.render_markdown(self.report))
        self.burndown_view.set_report(self.report)
        self.velocity_view.set_report(self.report)
        self.export_button.setEnabled(self.report is not None)

    # --- exporting -----------------------------------------------------------------------

    def _on_export_clicked(self) -> None:
        if self.report is None:
            return
        fmt = self.format_combo.currentData()
        target = ask_save_path(
            self,
            self._settings,
            "Export sprint report",
            report_file_name(self.report.sprint_name, fmt),
            sr.FORMAT_NAMES[fmt],
        )
        if target is None:
            return
        if self.export_to(str(target), fmt):
            remember_folder(self._settings, target)
            self.exported_message = show_exported(
                self, target, "sprint report", "Export sprint report"
            )

    def export_to(self, path: str, fmt: str) -> bool:
        """Write the report with a progress dialog; True when the file was written."""
        assert self.report is not None
        progress = QProgressDialog("Exporting the sprint report…", "Cancel", 0, 100, self)
        progress.setWindowTitle("Export sprint report")
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(300)
        progress.setValue(0)

        def step(done: int, total: int) -> bool:
            progress.setValue(int(100 * done / max(total, 1)))
            QApplication.processEvents()
            return not progress.wasCanceled()

        try:
            checked = check_output(path, database=self._database, what="report")
            sr.write_report(self.report, fmt, str(checked), step)
        except sr.ExportCancelled:
            return False
        except DomainError as exc:
            progress.cancel()
            QMessageBox.warning(self, "Export sprint report", str(exc))
            return False
        finally:
            progress.reset()
            progress.deleteLater()
        self.last_export = Path(path)
        return True


__all__ = ["ChartView", "ReportDialog", "report_file_name"]
