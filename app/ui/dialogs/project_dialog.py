"""The dialog that starts a new project: its key, its name and how the team works.

Like every dialog here it only collects input; ``submit`` calls the service and returns the
refusal message, which is shown while the dialog stays open.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.ui.choices import METHODOLOGIES, METHODOLOGY_LABELS, label_for

ERROR_STYLE = "color: #c9372c; font-weight: 600;"
KEY_MAX = 10

SubmitProject = Callable[[str, str, str], str | None]


class _UpperCaseValidator(QValidator):
    """Upper-cases the key as it is typed: keys are upper case, and people type lower case."""

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        return QValidator.State.Acceptable, text.upper(), pos


class ProjectDialog(QDialog):
    """Ask for a new project's key, name and methodology."""

    def __init__(self, submit: SubmitProject, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._submit = submit
        self.setWindowTitle("New project")
        self.setObjectName("projectDialog")
        self.setMinimumWidth(420)

        self.key_edit = QLineEdit()
        self.key_edit.setObjectName("keyEdit")
        self.key_edit.setMaxLength(KEY_MAX)
        self.key_edit.setValidator(_UpperCaseValidator(self.key_edit))
        self.key_edit.setPlaceholderText("e.g. WEB")
        self.key_edit.setToolTip(
            "2 to 10 letters or digits, starting with a letter; card keys start with it (WEB-1)"
        )
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("nameEdit")
        self.name_edit.setPlaceholderText("e.g. Web shop relaunch")

        self.methodology_group = QButtonGroup(self)
        self.methodology_buttons: dict[str, QRadioButton] = {}
        methods = QHBoxLayout()
        for value in METHODOLOGIES:
            button = QRadioButton(label_for(value, METHODOLOGY_LABELS))
            self.methodology_group.addButton(button)
            self.methodology_buttons[value] = button
            methods.addWidget(button)
        methods.addStretch(1)
        self.methodology_buttons["scrum"].setChecked(True)
        self.methodology_buttons["scrum"].setText("&Scrum (sprints)")
        self.methodology_buttons["kanban"].setText("K&anban (continuous flow)")

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("&Key:", self.key_edit)
        form.addRow("&Name:", self.name_edit)
        form.addRow("Method:", methods)

        self.error_label = QLabel()
        self.error_label.setObjectName("errorLabel")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.hide()

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Create")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

        self.key_edit.textChanged.connect(self._on_text_edited)
        self.name_edit.textChanged.connect(self._on_text_edited)
        self._on_text_edited()
        self.key_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def methodology(self) -> str:
        """``"scrum"`` or ``"kanban"``, as the service names them."""
        for value, button in self.methodology_buttons.items():
            if button.isChecked():
                return value
        return METHODOLOGIES[0]

    def accept(self) -> None:
        """Create the project through ``submit``; stay open showing the refusal, if any."""
        if not self.ok_button.isEnabled():
            return
        error = self._submit(
            self.key_edit.text().strip(), self.name_edit.text().strip(), self.methodology()
        )
        if error:
            self.error_label.setText(error)
            self.error_label.show()
            return
        self.error_label.hide()
        super().accept()

    def _on_text_edited(self) -> None:
        self.ok_button.setEnabled(
            bool(self.key_edit.text().strip()) and bool(self.name_edit.text().strip())
        )
