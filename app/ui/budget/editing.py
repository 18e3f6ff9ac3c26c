"""Editing the money from the Budget page: the project's budget, an epic's budget, and a
release for earned value (the whole backlog or chosen epics, planned sprints, BAC).

Each change is one undoable command (the ServiceCommand pattern of app/ui/commands.py):
``redo`` calls :class:`~app.services.budget.BudgetService`, ``undo`` its inverse (the old
amount set back, the release deleted). The dialogs validate nothing themselves: the service
refuses bad input (a negative budget, a release without BAC, a name taken) with a message
that the dialog shows under its fields, and the dialog stays open with nothing written.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.ui.commands import CommandContext, ServiceCommand

if TYPE_CHECKING:  # a DTO only: the service module itself is SQL
    from app.services.budget import ReleaseDTO

KeyRole = Qt.ItemDataRole.UserRole + 60


def amount_text(value: Decimal | None) -> str:
    """An amount as the edit fields show it (``1800.00``; empty for none)."""
    return "" if value is None else f"{value:.2f}"


# --- commands --------------------------------------------------------------------------------


class SetBudgetCommand(ServiceCommand):
    """Set (or clear) the project's budget; undo sets the old one back."""

    def __init__(
        self, context: CommandContext, project_id: int, new: str, old: Decimal | None
    ) -> None:
        shown = new.strip() or "none"
        super().__init__(context, f"Set the project budget to {shown}")
        self._project, self._new, self._old = project_id, new, old

    def _redo(self) -> None:
        self._ctx.services.budget.set_budget(self._project, self._new)

    def _undo(self) -> None:
        self._ctx.services.budget.set_budget(self._project, self._old)


class SetEpicBudgetCommand(ServiceCommand):
    """Give an epic its own budget (empty: none); undo gives back the old one."""

    def __init__(
        self,
        context: CommandContext,
        project_id: int,
        epic_key: str,
        new: str,
        old: Decimal | None,
    ) -> None:
        shown = new.strip() or "none"
        super().__init__(context, f"Set {epic_key}'s budget to {shown}")
        self._project, self._key, self._new, self._old = project_id, epic_key, new, old

    def _redo(self) -> None:
        self._ctx.services.budget.set_epic_budget(self._project, self._key, self._new)

    def _undo(self) -> None:
        self._ctx.services.budget.set_epic_budget(self._project, self._key, self._old)


class AddReleaseCommand(ServiceCommand):
    """Define a release for earned value; undo deletes it, redo defines it again."""

    def __init__(self, context: CommandContext, project_id: int, values: dict[str, Any]) -> None:
        super().__init__(context, f"Add release {str(values['name']).strip()}")
        self._project = project_id
        self._values = dict(values)
        self.name: str | None = None

    def _redo(self) -> None:
        release = self._ctx.services.budget.add_release(self._project, **self._values)
        self.name = release.name
        remember_release(self._ctx, release)

    def _undo(self) -> None:
        if self.name is not None:
            self._ctx.services.budget.delete_release(self._project, self.name)


class EditReleaseCommand(ServiceCommand):
    """Change a release (name, planned sprints, BAC, scope); undo puts the old values back.

    Each step passes the version the other left, so a change made elsewhere in between is
    refused (a Conflict, shown), never overwritten."""

    def __init__(
        self, context: CommandContext, project_id: int, old: ReleaseDTO, values: dict[str, Any]
    ) -> None:
        super().__init__(context, f"Edit release {old.name}")
        self._project = project_id
        self._old = old
        self._values = dict(values)
        self.name: str | None = None

    def _change(self, name: str, values: dict[str, Any]) -> None:
        seen = self._old.version if self.name is None else None
        expected = self._ctx.release_versions.get((self._project, name.casefold()), seen)
        release = self._ctx.services.budget.update_release(
            self._project, name, expected_version=expected, **values
        )
        self.name = release.name
        remember_release(self._ctx, release)

    def _redo(self) -> None:
        values = dict(self._values)
        values["new_name"] = values.pop("name")
        self._change(self._old.name, values)

    def _undo(self) -> None:
        if self.name is None:
            return
        old = self._old
        self._change(
            self.name,
            {
                "new_name": old.name,
                "planned_sprints": old.planned_sprints,
                "bac": old.bac,
                "epic_keys": list(old.epic_keys),
            },
        )


class DeleteReleaseCommand(ServiceCommand):
    """Remove a release (its epics stay); undo defines it again with the same values."""

    def __init__(self, context: CommandContext, project_id: int, release: ReleaseDTO) -> None:
        super().__init__(context, f"Delete release {release.name}")
        self._project, self._release = project_id, release

    def _redo(self) -> None:
        self._ctx.services.budget.delete_release(self._project, self._release.name)

    def _undo(self) -> None:
        r = self._release
        self._release = self._ctx.services.budget.add_release(
            self._project, r.name, r.planned_sprints, r.bac, list(r.epic_keys)
        )
        remember_release(self._ctx, self._release)


def remember_release(context: CommandContext, release: ReleaseDTO) -> None:
    """Record the version this window's own change of a release left (see EditReleaseCommand)."""
    context.release_versions[(release.project_id, release.name.casefold())] = release.version


# --- dialogs ---------------------------------------------------------------------------------


def _amount_edit(text: str, name: str) -> QLineEdit:
    edit = QLineEdit(text)
    edit.setObjectName(name)
    edit.setPlaceholderText("none")
    edit.setAlignment(Qt.AlignmentFlag.AlignRight)
    return edit


def _error_label() -> QLabel:
    label = QLabel("")
    label.setObjectName("budgetDialogError")
    label.setStyleSheet("color: #c62828")
    label.setWordWrap(True)
    return label


def _buttons(dialog: QDialog) -> QDialogButtonBox:
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons


class BudgetDialog(QDialog):
    """The project's budget: one amount in the project's currency (empty: no budget)."""

    def __init__(self, parent: QWidget, budget: Decimal | None, currency: str) -> None:
        super().__init__(parent)
        self.setWindowTitle("Set budget")
        form = QFormLayout(self)
        self.amount = _amount_edit(amount_text(budget), "budgetAmount")
        caption = QLabel(f"&Budget ({currency}):")
        caption.setBuddy(self.amount)
        form.addRow(caption, self.amount)
        self.error = _error_label()
        form.addRow(self.error)
        form.addRow(_buttons(self))


class EpicBudgetDialog(QDialog):
    """One epic's budget: the epic (a list of the project's epics, each with its budget)
    and the amount (empty: none). Choosing an epic shows its present budget."""

    def __init__(
        self,
        parent: QWidget,
        epics: Sequence[tuple[str, str]],
        budgets: dict[str, Decimal],
        currency: str,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Epic budgets")
        self._budgets = dict(budgets)
        form = QFormLayout(self)
        self.epic = QComboBox()
        self.epic.setObjectName("epicBox")
        for key, title in epics:
            have = budgets.get(key)
            suffix = f" – {have:,.2f}" if have is not None else ""
            self.epic.addItem(f"{key} {title}{suffix}", key)
        epic_caption = QLabel("&Epic:")
        epic_caption.setBuddy(self.epic)
        form.addRow(epic_caption, self.epic)
        self.amount = _amount_edit("", "epicBudgetAmount")
        caption = QLabel(f"&Budget ({currency}):")
        caption.setBuddy(self.amount)
        form.addRow(caption, self.amount)
        self.error = _error_label()
        if not epics:
            self.error.setText("This project has no epics yet.")
        form.addRow(self.error)
        form.addRow(_buttons(self))
        self.epic.currentIndexChanged.connect(self._on_epic)
        self._on_epic()

    def _on_epic(self, *_: object) -> None:
        self.amount.setText(amount_text(self._budgets.get(self.epic_key() or "")))

    def epic_key(self) -> str | None:
        return self.epic.currentData()

    def old_budget(self) -> Decimal | None:
        return self._budgets.get(self.epic_key() or "")


class ReleaseDialog(QDialog):
    """A release for earned value: its name, the number of sprints planned for it, its
    budget at completion (BAC), and its scope: the whole backlog or the epics ticked."""

    def __init__(
        self,
        parent: QWidget,
        epics: Sequence[tuple[str, str]],
        currency: str,
        release: ReleaseDTO | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Release" if release is None else f"Edit release {release.name}")
        self.setMinimumWidth(440)  # a release's name and the epics' titles read in full
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.name = QLineEdit()
        self.name.setObjectName("releaseName")
        name_caption = QLabel("&Name:")
        name_caption.setBuddy(self.name)
        form.addRow(name_caption, self.name)
        self.sprints = QSpinBox()
        self.sprints.setObjectName("releaseSprints")
        self.sprints.setRange(1, 1000)
        self.sprints.setValue(4)
        sprints_caption = QLabel("Planned &sprints:")
        sprints_caption.setBuddy(self.sprints)
        form.addRow(sprints_caption, self.sprints)
        self.bac = _amount_edit("", "releaseBac")
        bac_caption = QLabel(f"Budget at &completion, BAC ({currency}):")
        bac_caption.setBuddy(self.bac)
        form.addRow(bac_caption, self.bac)
        layout.addLayout(form)
        self.whole = QRadioButton("The &whole backlog")
        self.whole.setObjectName("releaseWhole")
        self.chosen = QRadioButton("C&hosen epics:")
        self.chosen.setObjectName("releaseChosen")
        self.whole.setChecked(True)
        layout.addWidget(self.whole)
        layout.addWidget(self.chosen)
        self.epics = QListWidget()
        self.epics.setObjectName("releaseEpics")
        for key, title in epics:
            item = QListWidgetItem(f"{key} {title}")
            item.setData(KeyRole, key)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.epics.addItem(item)
        self.epics.setEnabled(False)
        self.chosen.setEnabled(bool(epics))
        self.chosen.toggled.connect(self.epics.setEnabled)
        layout.addWidget(self.epics)
        self.error = _error_label()
        layout.addWidget(self.error)
        layout.addWidget(_buttons(self))
        if release is not None:
            self._show(release)

    def _show(self, release: ReleaseDTO) -> None:
        """Fill the fields with a release's values (editing it)."""
        self.name.setText(release.name)
        self.sprints.setValue(release.planned_sprints)
        self.bac.setText(amount_text(release.bac))
        keys = set(release.epic_keys)
        for i in range(self.epics.count()):
            item = self.epics.item(i)
            if item.data(KeyRole) in keys:
                item.setCheckState(Qt.CheckState.Checked)
        if keys and self.chosen.isEnabled():
            self.chosen.setChecked(True)

    def chosen_keys(self) -> list[str]:
        if not self.chosen.isChecked():
            return []
        return [
            self.epics.item(i).data(KeyRole)
            for i in range(self.epics.count())
            if self.epics.item(i).checkState() == Qt.CheckState.Checked
        ]

    def values(self) -> dict[str, Any]:
        """What :meth:`BudgetService.add_release` is called with."""
        return {
            "name": self.name.text(),
            "planned_sprints": self.sprints.value(),
            "bac": self.bac.text(),
            "epic_keys": self.chosen_keys(),
        }
