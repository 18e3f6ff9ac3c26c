"""SQLAlchemy 2.0 mapped classes. No Qt here, and no behaviour beyond mapping."""

from app.models.base import Base, utcnow
from app.models.capacity import SprintCapacity
from app.models.card import CARD_TYPES, PRIORITIES, Card, ChecklistItem, card_label, card_watcher
from app.models.change_log import ChangeLogEntry
from app.models.comment import IMPORT_SOURCES, Comment, ImportRef
from app.models.history import EVENT_KINDS, HistoryEvent
from app.models.project import (
    WEEKDAYS_MON_FRI,
    Holiday,
    Label,
    Member,
    MemberRate,
    Project,
    ProjectMember,
)
from app.models.sprint import OUTCOMES, SNAPSHOT_KINDS, SPRINT_STATES, Sprint, SprintSnapshot
from app.models.status import StatusSnapshot
from app.models.time_money import EpicBudget, Release, ReleaseEpic, RunningTimer, WorkLog
from app.models.workflow import CATEGORIES, WorkflowColumn

__all__ = [
    "CARD_TYPES",
    "CATEGORIES",
    "EVENT_KINDS",
    "IMPORT_SOURCES",
    "OUTCOMES",
    "PRIORITIES",
    "SNAPSHOT_KINDS",
    "SPRINT_STATES",
    "WEEKDAYS_MON_FRI",
    "Base",
    "Card",
    "ChangeLogEntry",
    "ChecklistItem",
    "Comment",
    "EpicBudget",
    "HistoryEvent",
    "Holiday",
    "ImportRef",
    "Label",
    "Member",
    "MemberRate",
    "Project",
    "ProjectMember",
    "Release",
    "ReleaseEpic",
    "RunningTimer",
    "Sprint",
    "SprintCapacity",
    "SprintSnapshot",
    "StatusSnapshot",
    "WorkLog",
    "WorkflowColumn",
    "card_label",
    "card_watcher",
    "utcnow",
]
