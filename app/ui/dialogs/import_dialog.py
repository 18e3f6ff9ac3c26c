"""File > Import: choose the kind of file and the file, see what will be created, import.

The dialog only collects choices and shows the preview the transfer service computes; the
import itself is one service call (one transaction), driven with a progress dialog that can
cancel it (a cancelled import leaves nothing behind).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressDialog,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.errors import DomainError
from app.services.dto import ProjectDTO
from app.services.transfer import ImportCancelled
from app.words import counted, plural

ERROR_STYLE = "color: #c9372c; font-weight: 600;"
KINDS = (
    ("trello", "Trello board (JSON export)", "Trello JSON (*.json);;All files (*)"),
    ("jira-csv", "Jira issues (CSV, all fields)", "CSV files (*.csv);;All files (*)"),
    ("sprintdeck", "Sprintdeck export (JSON)", "Sprintdeck JSON (*.json);;All files (*)"),
)
DUPLICATE_CHOICES = (
    ("refuse", "Stop: import nothing"),
    ("skip", "Skip the cards imported before"),
    ("update", "Update the cards imported before"),
)
PREVIEW_HEADERS = ("Source id", "Title", "Column", "Assignee", "Labels")
# Files with more cards than this show a progress dialog while they import.
PROGRESS_THRESHOLD = 200


class ImportDialog(QDialog):
    """Import a Trello board, a Jira CSV or a Sprintdeck export.

    ``transfer`` is the :class:`app.services.transfer.TransferService`; ``projects`` the
    projects a file can be merged into. After ``exec()`` returns Accepted, ``result_lines``
    holds the summary and ``imported_key`` the project the cards went into.
    """

    def __init__(
        self, transfer: Any, projects: Sequence[ProjectDTO], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._transfer = transfer
        self._preview: Any = None
        self.result_lines: list[str] = []
        self.imported_key: str | None = None
        self.setWindowTitle("Import")
        self.setObjectName("importDialog")
        self.setMinimumSize(720, 520)

        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("kindCombo")
        for kind, label, _filter in KINDS:
            self.kind_combo.addItem(label, kind)
        self.file_edit = QLineEdit()
        self.file_edit.setObjectName("fileEdit")
        self.file_edit.setReadOnly(True)
        self.file_edit.setPlaceholderText("Choose a file…")
        self.browse_button = QPushButton("Choose…")
        self.browse_button.setObjectName("browseButton")
        file_row = QHBoxLayout()
        file_row.addWidget(self.file_edit, 1)
        file_row.addWidget(self.browse_button)

        self.project_combo = QComboBox()
        self.project_combo.setObjectName("projectCombo")
        self.project_combo.setEditable(True)
        self.project_combo.addItem("", None)
        for project in projects:
            self.project_combo.addItem(project.key, project.key)
            self.project_combo.setItemData(
                self.project_combo.count() - 1, project.name, Qt.ItemDataRole.ToolTipRole
            )
        line_edit = self.project_combo.lineEdit()
        assert line_edit is not None
        line_edit.setPlaceholderText("from the file (a new key creates a project)")

        self.duplicate_label = QLabel()
        self.duplicate_label.setObjectName("duplicateLabel")
        self.duplicate_combo = QComboBox()
        self.duplicate_combo.setObjectName("duplicateCombo")
        for mode, label in DUPLICATE_CHOICES:
            self.duplicate_combo.addItem(label, mode)

        form = QFormLayout()
        form.addRow("Kind of file", self.kind_combo)
        form.addRow("File", file_row)
        form.addRow("Into project", self.project_combo)
        form.addRow(self.duplicate_label, self.duplicate_combo)

        self.summary_label = QLabel("Choose a file to see what will be imported.")
        self.summary_label.setObjectName("summaryLabel")
        self.summary_label.setWordWrap(True)
        self.preview_table = QTableWidget(0, len(PREVIEW_HEADERS))
        self.preview_table.setObjectName("previewTable")
        self.preview_table.setHorizontalHeaderLabels(list(PREVIEW_HEADERS))
        self.preview_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.preview_table.verticalHeader().setVisible(False)
        self.preview_table.horizontalHeader().setSectionResizeMode(
            1, QHeaderView.ResizeMode.Stretch
        )
        self.error_label = QLabel()
        self.error_label.setObjectName("errorLabel")
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.setWordWrap(True)
        self.error_label.hide()

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.import_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.import_button.setText("Import")
        self.import_button.setEnabled(False)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.preview_table, 1)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)

        self.browse_button.clicked.connect(self.choose_file)
        self.kind_combo.currentIndexChanged.connect(self.refresh_preview)
        self.project_combo.currentTextChanged.connect(self.refresh_preview)
        self.buttons.accepted.connect(self.run_import)
        self.buttons.rejected.connect(self.reject)
        self._show_duplicates(0)

    # --- choices ---------------------------------------------------------------------------

    @property
    def kind(self) -> str:
        return str(self.kind_combo.currentData())

    @property
    def path(self) -> str:
        return self.file_edit.text()

    @property
    def project_key(self) -> str | None:
        text = self.project_combo.currentText().strip().upper()
        return text or None

    @property
    def on_duplicate(self) -> str | None:
        mode = str(self.duplicate_combo.currentData())
        return None if mode == "refuse" else mode

    def choose_file(self) -> None:
        _kind, label, file_filter = next(k for k in KINDS if k[0] == self.kind)
        path, _selected = QFileDialog.getOpenFileName(self, f"Import {label}", "", file_filter)
        if path:
            self.file_edit.setText(path)
            self.refresh_preview()

    # --- preview ---------------------------------------------------------------------------

    def _show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))

    def _show_duplicates(self, count: int) -> None:
        self.duplicate_label.setText(
            (f"{plural(count, 'card')} {'was' if count == 1 else 'were'} imported before")
            if count
            else "Cards imported before"
        )
        self.duplicate_label.setVisible(bool(count))
        self.duplicate_combo.setVisible(bool(count))

    def refresh_preview(self) -> None:
        self._preview = None
        self.preview_table.setRowCount(0)
        self.import_button.setEnabled(False)
        self._show_duplicates(0)
        self._show_error("")
        native = self.kind == "sprintdeck"
        self.project_combo.setEnabled(not native)
        if not self.path:
            self.summary_label.setText("Choose a file to see what will be imported.")
            return
        try:
            preview = self._transfer.preview(
                self.kind, self.path, None if native else self.project_key
            )
        except DomainError as exc:
            self.summary_label.setText("Nothing can be imported from this file.")
            self._show_error(str(exc))
            return
        self._preview = preview
        counts = ", ".join(counted(n, what) for what, n in preview.counts)
        if native:
            head = f"Restores the projects {preview.project_key} exactly: "
        elif preview.project_exists:
            head = f"Merges into the existing project {preview.project_key}: "
        else:
            head = f"Creates the project {preview.project_key} ({preview.project_name}): "
        text = head + counts + "."
        if preview.columns:
            text += " Columns: " + ", ".join(preview.columns) + "."
        if preview.notes:  # what cannot be stored as it is, cleaned on the way in
            text += " Will be cleaned: " + " ".join(preview.notes)
        self.summary_label.setText(text)
        self.preview_table.setRowCount(len(preview.first_rows))
        for row, values in enumerate(preview.first_rows):
            for column, value in enumerate(values):
                self.preview_table.setItem(row, column, QTableWidgetItem(str(value)))
        self._show_duplicates(preview.duplicates)
        self.import_button.setEnabled(True)

    # --- import ----------------------------------------------------------------------------

    def _total_cards(self) -> int:
        if self._preview is None:
            return 0
        return dict(self._preview.counts).get("cards", 0)

    def run_import(self) -> None:
        if self._preview is None:
            return
        progress: QProgressDialog | None = None
        if self._total_cards() > PROGRESS_THRESHOLD:
            progress = QProgressDialog("Importing…", "Cancel", 0, 100, self)
            progress.setObjectName("importProgress")
            progress.setWindowTitle("Import")
            progress.setWindowModality(Qt.WindowModality.WindowModal)
            progress.setMinimumDuration(0)
            progress.setValue(0)

        def report(done: int, total: int) -> None:
            if progress is None:
                return
            progress.setMaximum(max(total, 1))
            progress.setValue(min(done, max(total, 1)))
            QApplication.processEvents()
            if progress.wasCanceled():
                raise ImportCancelled()

        try:
            if self.kind == "sprintdeck":
                counts = self._transfer.import_native(self.path, report)
                self.result_lines = [
                    "Restored " + ", ".join(counted(n, what) for what, n in counts.items()) + "."
                ]
                self.imported_key = None
            else:
                summary = self._transfer.import_file(
                    self.kind,
                    self.path,
                    project_key=self.project_key,
                    on_duplicate=self.on_duplicate,
                    progress=report,
                )
                self.result_lines = summary.lines()
                self.imported_key = summary.project_key
        except DomainError as exc:
            self._show_error(str(exc))
            return
        finally:
            if progress is not None:
                progress.close()
        self.accept()
