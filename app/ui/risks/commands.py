"""The Risks page's undoable steps (app/ui/commands.py's ServiceCommand pattern): add, edit,
close and delete a risk; each undo is a new change through services.risks.

A step based on a risk checks its version (a teammate's edit in between is refused as a
conflict, as cards are). The versions this window's own steps produced are kept in one
:class:`RiskVersions` the page shares among its commands, so undoing an older step after a
newer one on the same risk still builds on the right version.
"""

from __future__ import annotations

from typing import Any

from app.services.risks import RiskDTO
from app.ui.commands import CommandContext, ServiceCommand


class RiskVersions:
    """The version of each risk (by project and number) as this window's last step left
    it; a risk this window has not changed yet is taken at the version the person saw."""

    def __init__(self) -> None:
        self._versions: dict[tuple[int, int], int] = {}

    def remember(self, risk: RiskDTO) -> RiskDTO:
        """Note the version ``risk`` was returned with; returns it."""
        self._versions[(risk.project_id, risk.number)] = risk.version
        return risk

    def of(self, risk: RiskDTO) -> int:
        """The version a step on ``risk`` is based on."""
        return self._versions.get((risk.project_id, risk.number), risk.version)


def risk_fields(risk: RiskDTO) -> dict[str, Any]:
    """Everything the dialog edits, as :meth:`RiskService.update_risk` takes it (what an
    undo writes back)."""
    return {
        "title": risk.title,
        "description": risk.description,
        "probability": risk.probability,
        "impact": risk.impact,
        "residual_probability": risk.residual_probability,
        "residual_impact": risk.residual_impact,
        "owner": risk.owner_id,
        "response": risk.response,
        "trigger": risk.trigger,
        "proximity": risk.proximity,
        "status": risk.status,
        "schedule_days": risk.schedule_days,
        "cost_impact": None if risk.cost_impact is None else str(risk.cost_impact),
        "epics": list(risk.epic_keys),
        "cards": list(risk.card_keys),
        "milestones": list(risk.milestones),
    }


class AddRiskCommand(ServiceCommand):
    """Add a risk; undo deletes it, redo restores it with the same key."""

    def __init__(
        self,
        context: CommandContext,
        versions: RiskVersions,
        project_id: int,
        values: dict[str, Any],
    ) -> None:
        super().__init__(context, f"Add risk {str(values.get('title', '')).strip()}")
        self._versions = versions
        self._project = project_id
        self._values = dict(values)
        self.risk: RiskDTO | None = None  # as added (or restored)
        self._deleted: RiskDTO | None = None

    def _redo(self) -> None:
        risks = self._ctx.services.risks
        if self._deleted is None:
            self.risk = self._versions.remember(risks.add_risk(self._project, **self._values))
        else:
            self.risk = self._versions.remember(risks.restore_risk(self._deleted))

    def _undo(self) -> None:
        assert self.risk is not None
        self._deleted = self._ctx.services.risks.delete_risk(
            self._project, self.risk.number, expected_version=self._versions.of(self.risk)
        )


class EditRiskCommand(ServiceCommand):
    """Write changed fields of a risk; undo writes the previous values back."""

    def __init__(
        self,
        context: CommandContext,
        versions: RiskVersions,
        risk: RiskDTO,
        changes: dict[str, Any],
        text: str | None = None,
    ) -> None:
        super().__init__(context, text or f"Edit {risk.key}")
        self._versions = versions
        self._risk = risk
        self._changes = dict(changes)
        old = risk_fields(risk)
        self._previous = {name: old[name] for name in changes}

    def _redo(self) -> None:
        self._write(self._changes)

    def _undo(self) -> None:
        self._write(self._previous)

    def _write(self, values: dict[str, Any]) -> None:
        updated = self._ctx.services.risks.update_risk(
            self._risk.project_id,
            self._risk.number,
            expected_version=self._versions.of(self._risk),
            **values,
        )
        self._versions.remember(updated)


class DeleteRiskCommand(ServiceCommand):
    """Delete a risk; undo restores it (same key, fields and links)."""

    def __init__(self, context: CommandContext, versions: RiskVersions, risk: RiskDTO) -> None:
        super().__init__(context, f"Delete {risk.key}")
        self._versions = versions
        self._risk = risk
        self._deleted: RiskDTO | None = None

    def _redo(self) -> None:
        self._deleted = self._ctx.services.risks.delete_risk(
            self._risk.project_id, self._risk.number, expected_version=self._versions.of(self._risk)
        )

    def _undo(self) -> None:
        assert self._deleted is not None
        self._versions.remember(self._ctx.services.risks.restore_risk(self._deleted))


def changed_values(risk: RiskDTO, values: dict[str, Any]) -> dict[str, Any]:
    """Those of the dialog's ``values`` that differ from ``risk`` (an edit writes only
    those, so a teammate's change to another field is not overwritten)."""
    old = risk_fields(risk)
    changes: dict[str, Any] = {}
    for name, value in values.items():
        before = old.get(name)
        if name in ("epics", "cards", "milestones"):
            if sorted(k.upper() for k in value) != sorted(k.upper() for k in before):
                changes[name] = value
        elif name == "proximity":
            shown = before.isoformat() if before else None
            if (value or None) != shown:
                changes[name] = value
        elif name in ("title", "description", "response", "trigger"):
            if str(value).strip() != str(before).strip():
                changes[name] = value
        elif value != before and not (value in (None, "") and before in (None, "")):
            changes[name] = value
    return changes
