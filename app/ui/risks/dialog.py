"""The add/edit dialog of a risk: every field of the register, the owner from the team, and
the epics, milestones and cards it is linked to.

Probability and impact are spin boxes that only hold 1–5 (a residual one also "none"). The
dialog checks what it can before it closes (an empty title, a proximity date that is a
date, a whole number of days, card keys that are cards of the project) and shows the reason
on its error line; what only the service can check comes back there too (the page keeps
the dialog open and calls :meth:`RiskDialog.show_error`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.services.risks import RISK_STATUSES, RiskDTO

NO_OWNER = "(nobody)"
KEY_SPLIT = re.compile(r"[\s,;]+")


class RiskDialog(QDialog):
    """Add (``risk`` None) or edit a risk. ``members``: (id, name) of the team;
    ``epics``: (key, title); ``milestones``: names; ``card_keys``: the project's card keys
    (to refuse an unknown key before the service is asked)."""

    def __init__(
        self,
        parent: QWidget,
        risk: RiskDTO | None = None,
        *,
        members: Sequence[tuple[int, str]] = (),
        epics: Sequence[tuple[str, str]] = (),
        milestones: Sequence[str] = (),
        card_keys: Iterable[str] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("riskDialog")
        self.setWindowTitle(f"Edit {risk.key}" if risk else "New risk")
        self._card_keys = None if card_keys is None else {k.upper() for k in card_keys}
        outer = QVBoxLayout(self)
        columns = QHBoxLayout()
        outer.addLayout(columns)
        left = QFormLayout()
        columns.addLayout(left, 3)

        self.title = QLineEdit(risk.title if risk else "", self)
        self.title.setPlaceholderText("What could go wrong")
        left.addRow("&Title", self.title)
        self.description = QPlainTextEdit(risk.description if risk else "", self)
        self.description.setTabChangesFocus(True)
        self.description.setFixedHeight(60)
        left.addRow("&Description", self.description)

        scales = QGroupBox("Probability × impact (1–5 each)", self)
        grid = QGridLayout(scales)
        grid.addWidget(QLabel("Probability", scales), 0, 1)
        grid.addWidget(QLabel("Impact", scales), 0, 2)
        grid.addWidget(QLabel("Exposure", scales), 0, 3)
        self.probability = self._spin(1, risk.probability if risk else 3)
        self.impact = self._spin(1, risk.impact if risk else 3)
        self.residual_probability = self._spin(0, (risk.residual_probability or 0) if risk else 0)
        self.residual_impact = self._spin(0, (risk.residual_impact or 0) if risk else 0)
        self.inherent_exposure = QLabel(scales)
        self.residual_exposure = QLabel(scales)
        inherent_label = QLabel("&Inherent (before the response)", scales)
        inherent_label.setBuddy(self.probability)
        residual_label = QLabel("&Residual (after it; none: as inherent)", scales)
        residual_label.setBuddy(self.residual_probability)
        for row, (label, p, i, shown) in enumerate(
            (
                (inherent_label, self.probability, self.impact, self.inherent_exposure),
                (residual_label, self.residual_probability, self.residual_impact,
                 self.residual_exposure),
            ),
            start=1,
        ):  # fmt: skip
            grid.addWidget(label, row, 0)
            grid.addWidget(p, row, 1)
            grid.addWidget(i, row, 2)
            grid.addWidget(shown, row, 3)
            p.valueChanged.connect(self._show_exposure)
            i.valueChanged.connect(self._show_exposure)
        left.addRow(scales)

        self.owner = QComboBox(self)
        self.owner.addItem(NO_OWNER, None)
        for member_id, name in members:
            self.owner.addItem(name, member_id)
        if risk and risk.owner_id is not None:
            found = self.owner.findData(risk.owner_id)
            if found < 0:  # no longer on the team: still shown as the owner
                self.owner.addItem(risk.owner or f"member {risk.owner_id}", risk.owner_id)
                found = self.owner.count() - 1
            self.owner.setCurrentIndex(found)
        left.addRow("&Owner", self.owner)
        self.status = QComboBox(self)
        self.status.addItems(RISK_STATUSES)
        self.status.setCurrentText(risk.status if risk else "open")
        left.addRow("&Status", self.status)
        self.response = QPlainTextEdit(risk.response if risk else "", self)
        self.response.setTabChangesFocus(True)
        self.response.setFixedHeight(60)
        self.response.setPlaceholderText("What we do about it")
        left.addRow("Response &plan", self.response)
        self.trigger = QLineEdit(risk.trigger if risk else "", self)
        self.trigger.setPlaceholderText("What shows it is happening")
        left.addRow("Tri&gger", self.trigger)
        self.proximity = QLineEdit(
            risk.proximity.isoformat() if risk and risk.proximity else "", self
        )
        self.proximity.setPlaceholderText("YYYY-MM-DD (when it may strike)")
        left.addRow("Pro&ximity date", self.proximity)
        self.schedule_days = QLineEdit(
            "" if risk is None or risk.schedule_days is None else str(risk.schedule_days), self
        )
        self.schedule_days.setPlaceholderText("working days of delay if it strikes")
        left.addRow("Sc&hedule impact (days)", self.schedule_days)
        self.cost_impact = QLineEdit(
            "" if risk is None or risk.cost_impact is None else str(risk.cost_impact), self
        )
        self.cost_impact.setPlaceholderText("cost if it strikes, e.g. 1200.50")
        left.addRow("&Cost impact", self.cost_impact)

        right = QVBoxLayout()
        columns.addLayout(right, 2)
        linked_epics = set(risk.epic_keys) if risk else set()
        epics_label = QLabel("Linked &epics", self)
        right.addWidget(epics_label)
        self.epics = QListWidget(self)
        epics_label.setBuddy(self.epics)
        for key, title in epics:
            item = QListWidgetItem(f"{key}  {title}", self.epics)
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked if key in linked_epics else Qt.CheckState.Unchecked
            )
        right.addWidget(self.epics, 1)
        linked_milestones = {m.lower() for m in risk.milestones} if risk else set()
        milestones_label = QLabel("Linked &milestones", self)
        right.addWidget(milestones_label)
        self.milestones = QListWidget(self)
        milestones_label.setBuddy(self.milestones)
        for name in milestones:
            item = QListWidgetItem(name, self.milestones)
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked
                if name.lower() in linked_milestones
                else Qt.CheckState.Unchecked
            )
        for widget, what in ((self.epics, "epics"), (self.milestones, "milestones")):
            if widget.count() == 0:
                empty = QListWidgetItem(f"(this project has no {what} yet)", widget)
                empty.setFlags(Qt.ItemFlag.NoItemFlags)
        right.addWidget(self.milestones, 1)
        cards_label = QLabel("Linked c&ards (keys, comma separated)", self)
        right.addWidget(cards_label)
        self.cards = QLineEdit(", ".join(risk.card_keys) if risk else "", self)
        self.cards.setPlaceholderText("e.g. WEB-12, WEB-40")
        cards_label.setBuddy(self.cards)
        right.addWidget(self.cards)

        self.error = QLabel("", self)
        self.error.setObjectName("riskDialogError")
        self.error.setStyleSheet("color: #c62828")
        self.error.setWordWrap(True)
        outer.addWidget(self.error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        outer.addWidget(self.buttons)
        self._show_exposure()
        self.resize(820, 560)

    def _spin(self, low: int, value: int) -> QSpinBox:
        spin = QSpinBox(self)
        spin.setRange(low, 5)
        if low == 0:
            spin.setSpecialValueText("none")
        spin.setValue(value)
        return spin

    def _show_exposure(self) -> None:
        p, i = self.probability.value(), self.impact.value()
        self.inherent_exposure.setText(str(p * i))
        rp = self.residual_probability.value() or p
        ri = self.residual_impact.value() or i
        self.residual_exposure.setText(str(rp * ri))

    # --- checking and values -------------------------------------------------------------

    def show_error(self, message: str) -> None:
        """Show why the risk was refused; the dialog stays open with what was typed."""
        self.error.setText(message)

    def problem(self) -> str | None:
        """Why the dialog's values cannot be saved, in one line; None when they look fine
        (the service checks them again)."""
        if not self.title.text().strip():
            return "The risk title cannot be empty."
        text = self.proximity.text().strip()
        if text:
            try:
                dt.date.fromisoformat(text)
            except ValueError:
                return f"The proximity date {text!r} is not a date (YYYY-MM-DD)."
        days = self.schedule_days.text().strip()
        if days and not (days.isdigit() and int(days) <= 1000):
            return f"The schedule impact is a whole number of days from 0 to 1000, not {days!r}."
        if self._card_keys is not None:
            unknown = [k for k in self.card_list() if k.upper() not in self._card_keys]
            if unknown:
                return f"There is no card {unknown[0].upper()} in this project."
        return None

    def accept(self) -> None:
        """QDialog.accept, unless :meth:`problem` finds one (shown on the error line)."""
        problem = self.problem()
        if problem is not None:
            self.show_error(problem)
            return
        self.error.setText("")
        super().accept()

    def card_list(self) -> list[str]:
        """The keys typed in the cards box."""
        return [k for k in KEY_SPLIT.split(self.cards.text().strip()) if k]

    @staticmethod
    def _checked(widget: QListWidget) -> list[str]:
        return [
            widget.item(row).data(Qt.ItemDataRole.UserRole)
            for row in range(widget.count())
            if widget.item(row).checkState() == Qt.CheckState.Checked
        ]

    def values(self) -> dict[str, Any]:
        """The dialog's fields as :meth:`RiskService.add_risk` / ``update_risk`` take them."""
        return {
            "title": self.title.text(),
            "description": self.description.toPlainText(),
            "probability": self.probability.value(),
            "impact": self.impact.value(),
            "residual_probability": self.residual_probability.value() or None,
            "residual_impact": self.residual_impact.value() or None,
            "owner": self.owner.currentData(),
            "response": self.response.toPlainText(),
            "trigger": self.trigger.text(),
            "proximity": self.proximity.text().strip() or None,
            "status": self.status.currentText(),
            "schedule_days": self.schedule_days.text().strip() or None,
            "cost_impact": self.cost_impact.text().strip() or None,
            "epics": self._checked(self.epics),
            "cards": self.card_list(),
            "milestones": self._checked(self.milestones),
        }
