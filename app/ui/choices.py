"""The fixed choice lists the UI offers, with the labels a person reads.

They mirror the values the services accept. The UI keeps its own copy because it may not
import ``app.models``; the services still refuse anything outside their own lists.
"""

from __future__ import annotations

from app.services.card_fields import CARD_TYPES as CARD_TYPES

PRIORITIES: tuple[str, ...] = ("highest", "high", "medium", "low", "lowest")
CATEGORIES: tuple[str, ...] = ("todo", "in_progress", "done")
METHODOLOGIES: tuple[str, ...] = ("scrum", "kanban")

CARD_TYPE_LABELS: dict[str, str] = {
    "story": "Story",
    "bug": "Bug",
    "task": "Task",
    "spike": "Spike",
    "epic": "Epic",
}
PRIORITY_LABELS: dict[str, str] = {
    "highest": "Highest",
    "high": "High",
    "medium": "Medium",
    "low": "Low",
    "lowest": "Lowest",
}
CATEGORY_LABELS: dict[str, str] = {
    "todo": "To do",
    "in_progress": "In progress",
    "done": "Done",
}
METHODOLOGY_LABELS: dict[str, str] = {
    "scrum": "Scrum",
    "kanban": "Kanban",
}

# Fibonacci-like scale most teams estimate with; free entry stays possible.
POINT_SCALE: tuple[str, ...] = ("0", "0.5", "1", "2", "3", "5", "8", "13", "20", "40", "100")


def label_for(value: str, labels: dict[str, str]) -> str:
    """The human label of ``value``; an unknown value (a newer database) is shown as is."""
    return labels.get(value, value.replace("_", " ").capitalize())
