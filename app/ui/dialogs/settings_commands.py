"""Undo commands for *Project › Settings*: the project's settings, its team and its labels.

``redo()`` calls the service, ``undo()`` its inverse (a new change in the history). The
first ``redo()`` is based on what the person saw (the version of the row shown, so a
teammate's change in between is refused as a conflict). A later undo or redo first checks
that what it is about to change still holds what this step left there, and refuses (the
step is dropped from the stack, the message shown) when someone else changed it meanwhile:
versions alone cannot tell, since other steps on the same stack change them too.

Labels are found by name (unique in a project, in any case), not by id: undoing a delete or
a merge creates the label again under a new id, and the steps around it must still find it.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from app.errors import Conflict, NotFound
from app.services.dto import (
    LabelDeletionDTO,
    LabelDTO,
    LabelMergeDTO,
    ProjectSettings,
    TeamMemberDTO,
)
from app.ui.commands import CommandContext, ServiceCommand


class SettingsCommand(ServiceCommand):
    """A step that changes a project, its team or its labels (no card result to remember)."""

    def __init__(self, context: CommandContext, text: str, project_id: int) -> None:
        super().__init__(context, text)
        self._project_id = project_id
        self._services = context.services

    def _redo(self) -> None:
        self._forward()
        return None

    def _undo(self) -> None:
        self._backward()
        return None

    def _forward(self) -> None:
        raise NotImplementedError

    def _backward(self) -> None:
        raise NotImplementedError

    def _changed_elsewhere(self, what: str) -> Conflict:
        return Conflict(
            f"{what} changed elsewhere since this step, so it cannot be undone or redone."
        )


# --- project settings --------------------------------------------------------------------


class ProjectSettingsCommand(SettingsCommand):
    """Save the General tab; undo saves the settings as they were."""

    def __init__(
        self,
        context: CommandContext,
        project_id: int,
        project_key: str,
        before: ProjectSettings,
        after: ProjectSettings,
        version: int,
    ) -> None:
        super().__init__(context, f"Change the settings of {project_key}", project_id)
        self._before = before
        self._after = after
        self._version = version
        self._key = project_key

    def _forward(self) -> None:
        if not self._done_once:
            saved = self._services.projects.update_project_settings(
                self._project_id, self._after, expected_version=self._version
            )
            # As the service cleaned them (trimmed name, upper-case currency...): what a
            # later undo or redo will find there.
            self._after = self._services.projects.get_project_settings(saved.id)
            return
        self._set(self._before, self._after)

    def _backward(self) -> None:
        self._set(self._after, self._before)

    def _set(self, expected: ProjectSettings, wanted: ProjectSettings) -> None:
        projects = self._services.projects
        # The version before the values: a change in between is then a stale edit.
        version = projects.get_project(self._project_id).version
        if projects.get_project_settings(self._project_id) != expected:
            raise self._changed_elsewhere(f"The settings of {self._key}")
        projects.update_project_settings(self._project_id, wanted, expected_version=version)


# --- people ------------------------------------------------------------------------------


def _member_values(member: TeamMemberDTO) -> dict[str, Any]:
    return {
        "display_name": member.display_name,
        "role": member.role,
        "hours_per_day": member.hours_per_day,
        "active": member.active,
    }


class MemberCommand(SettingsCommand):
    """Change a person's name, role, hours per day or place in the team (active)."""

    def __init__(
        self, context: CommandContext, member: TeamMemberDTO, text: str, **after: Any
    ) -> None:
        super().__init__(context, text, member.project_id)
        unknown = set(after) - {"display_name", "role", "hours_per_day", "active"}
        assert not unknown, unknown
        self._member = member
        self._before = {name: _member_values(member)[name] for name in after}
        self._after = dict(after)

    def _forward(self) -> None:
        if not self._done_once:
            done = self._write(self._after, self._member)
            # As the service cleaned them: what undo will expect to find.
            self._after = {name: _member_values(done)[name] for name in self._after}
            return
        self._set(self._before, self._after)

    def _backward(self) -> None:
        self._set(self._after, self._before)

    def _set(self, expected: dict[str, Any], wanted: dict[str, Any]) -> None:
        current = self._services.team.get_member(self._project_id, self._member.member_id)
        values = _member_values(current)
        if any(values[name] != value for name, value in expected.items()):
            raise self._changed_elsewhere(f"{current.display_name}'s place in the team")
        self._write(wanted, current)

    def _write(self, wanted: dict[str, Any], seen: TeamMemberDTO) -> TeamMemberDTO:
        team = self._services.team
        if "display_name" in wanted:
            return team.rename_person(
                self._project_id,
                seen.member_id,
                wanted["display_name"],
                expected_version=seen.person_version,
            )
        return team.update_member(
            self._project_id,
            seen.member_id,
            role=wanted.get("role"),
            hours_per_day=wanted.get("hours_per_day"),
            active=wanted.get("active"),
            expected_version=seen.version,
        )


def rename_member_command(
    context: CommandContext, member: TeamMemberDTO, name: str
) -> MemberCommand:
    return MemberCommand(
        context, member, f"Rename {member.display_name} to {name.strip()}", display_name=name
    )


def role_command(context: CommandContext, member: TeamMemberDTO, role: str) -> MemberCommand:
    return MemberCommand(context, member, f"Change {member.display_name}'s role", role=role)


def hours_command(
    context: CommandContext, member: TeamMemberDTO, hours: Decimal | str
) -> MemberCommand:
    return MemberCommand(
        context, member, f"Change {member.display_name}'s hours per day", hours_per_day=hours
    )


def active_command(context: CommandContext, member: TeamMemberDTO, active: bool) -> MemberCommand:
    text = (
        f"Bring {member.display_name} back to the team"
        if active
        else f"Remove {member.display_name} from the team"
    )
    return MemberCommand(context, member, text, active=active)


class AddMemberCommand(SettingsCommand):
    """Add a person (new, known from another project, or a former member); undo takes them
    off the team again (the person stays known: people are shared by projects)."""

    def __init__(
        self,
        context: CommandContext,
        project_id: int,
        name: str,
        role: str = "",
        hours_per_day: Decimal | str | None = None,
    ) -> None:
        super().__init__(context, f"Add {name.strip()} to the team", project_id)
        self._name = name
        self._role = role
        self._hours = hours_per_day
        self.member_id: int | None = None

    def _forward(self) -> None:
        if self.member_id is None:
            added = self._services.projects.add_member(
                self._project_id, self._name, self._role, hours_per_day=self._hours
            )
            self.member_id = added.id
            self.setText(f"Add {added.display_name} to the team")
            return
        current = self._services.team.get_member(self._project_id, self.member_id)
        if current.active:
            raise self._changed_elsewhere(f"{current.display_name}'s place in the team")
        self._services.team.update_member(
            self._project_id,
            self.member_id,
            role=self._role or None,
            hours_per_day=self._hours,
            active=True,
            expected_version=current.version,
        )

    def _backward(self) -> None:
        assert self.member_id is not None
        current = self._services.team.get_member(self._project_id, self.member_id)
        if not current.active:
            raise self._changed_elsewhere(f"{current.display_name}'s place in the team")
        self._services.team.remove_member(
            self._project_id, self.member_id, expected_version=current.version
        )


# --- labels ------------------------------------------------------------------------------


class LabelCommand(SettingsCommand):
    def _label(self, name: str) -> LabelDTO:
        """The project's label of that name now (any case)."""
        wanted = name.lower()
        for label in self._services.projects.list_labels(self._project_id):
            if label.name.lower() == wanted:
                return label
        raise NotFound(f"There is no label {name!r} any more; it was changed elsewhere.")


class AddLabelCommand(LabelCommand):
    """Add a label; undo deletes it, redo restores it (on the same cards, if any)."""

    def __init__(
        self, context: CommandContext, project_id: int, name: str, color: str | None = None
    ) -> None:
        super().__init__(context, f"Add label {name.strip()}", project_id)
        self._name = name
        self._color = color
        self.label: LabelDTO | None = None
        self._deletion: LabelDeletionDTO | None = None

    def _forward(self) -> None:
        if self._deletion is None:
            self.label = self._services.projects.add_label(
                self._project_id, self._name, self._color
            )
            self.setText(f"Add label {self.label.name}")
        else:
            self.label = self._services.team.restore_label(self._deletion)

    def _backward(self) -> None:
        assert self.label is not None
        current = self._label(self.label.name)
        self._deletion = self._services.team.delete_label(current.id)


class RenameLabelCommand(LabelCommand):
    def __init__(
        self, context: CommandContext, project_id: int, label: LabelDTO, name: str
    ) -> None:
        super().__init__(context, f"Rename label {label.name} to {name.strip()}", project_id)
        self._old = label.name
        self._new = name

    def _forward(self) -> None:
        renamed = self._services.team.rename_label(self._label(self._old).id, self._new)
        self._new = renamed.name

    def _backward(self) -> None:
        self._services.team.rename_label(self._label(self._new).id, self._old)


class RecolorLabelCommand(LabelCommand):
    def __init__(
        self, context: CommandContext, project_id: int, label: LabelDTO, color: str
    ) -> None:
        super().__init__(context, f"Change the colour of label {label.name}", project_id)
        self._name = label.name
        self._old = label.color
        self._new = color.lower()

    def _forward(self) -> None:
        self._set(self._old, self._new)

    def _backward(self) -> None:
        self._set(self._new, self._old)

    def _set(self, expected: str, wanted: str) -> None:
        current = self._label(self._name)
        if current.color != expected:
            raise self._changed_elsewhere(f"The colour of label {current.name}")
        self._services.team.recolor_label(current.id, wanted)


class MergeLabelsCommand(LabelCommand):
    """Merge one label into another; undo splits it back onto the cards that had it."""

    def __init__(
        self, context: CommandContext, project_id: int, source: LabelDTO, target: LabelDTO
    ) -> None:
        super().__init__(context, f"Merge label {source.name} into {target.name}", project_id)
        self._source = source.name
        self._target = target.name
        self.merge: LabelMergeDTO | None = None

    def _forward(self) -> None:
        source, target = self._label(self._source), self._label(self._target)
        self.merge = self._services.team.merge_labels(source.id, target.id)

    def _backward(self) -> None:
        assert self.merge is not None
        # The target may have been deleted and restored (a new id) by a later step's undo.
        merge = replace(self.merge, target=self._label(self._target))
        self._services.team.split_label(merge)


class DeleteLabelCommand(LabelCommand):
    """Delete a label (taken off its cards); undo restores it on the same cards."""

    def __init__(self, context: CommandContext, project_id: int, label: LabelDTO) -> None:
        super().__init__(context, f"Delete label {label.name}", project_id)
        self._name = label.name
        self.deletion: LabelDeletionDTO | None = None

    def _forward(self) -> None:
        self.deletion = self._services.team.delete_label(self._label(self._name).id)

    def _backward(self) -> None:
        assert self.deletion is not None
        self._services.team.restore_label(self.deletion)
