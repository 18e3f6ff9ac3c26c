"""SQLAlchemy 2.0 mapped classes. No Qt here, and no behaviour beyond mapping."""

from app.models.base import Base, utcnow
from app.models.capacity import SprintCapacity
from app.models.card import CARD_TYPES, PRIORITIES, Card, ChecklistItem, card_label, card_watcher
from app.models.change_log import ChangeLogEntry
from app.models.comment import IMPORT_SOURCES, Comment, ImportRef, Standup
from app.models.history import EVENT_KINDS, HistoryEvent
from app.models.plan import (
    RISK_STATUSES,
    CardDependency,
    Forecast,
    Milestone,
    MilestoneScope,
    Risk,
    RiskCard,
    RiskMilestone,
)
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
    "RISK_STATUSES",
    "SNAPSHOT_KINDS",
    "SPRINT_STATES",
    "WEEKDAYS_MON_FRI",
    "Base",
    "Card",
    "CardDependency",
    "ChangeLogEntry",
    "ChecklistItem",
    "Comment",
    "EpicBudget",
    "Forecast",
    "HistoryEvent",
    "Holiday",
    "ImportRef",
    "Label",
    "Member",
    "MemberRate",
    "Milestone",
    "MilestoneScope",
    "Project",
    "ProjectMember",
    "Release",
    "ReleaseEpic",
    "Risk",
    "RiskCard",
    "RiskMilestone",
    "RunningTimer",
    "Sprint",
    "SprintCapacity",
    "SprintSnapshot",
    "Standup",
    "StatusSnapshot",
    "WorkLog",
    "WorkflowColumn",
    "card_label",
    "card_watcher",
    "utcnow",
]
