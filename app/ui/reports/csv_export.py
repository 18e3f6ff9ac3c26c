"""File > Export board/backlog as CSV: the cards a view shows, in its order, as a CSV file.

The columns are those of ``sprintdeck card list --csv`` (plus a few a spreadsheet wants), so a
file from the window and one from the command line read the same way.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path

from app.metrics.points import format_points
from app.outputs import csv_cell, replace_file
from app.services.dto import CardDTO, ColumnDTO

FIELDS = (
    "key",
    "title",
    "type",
    "column",
    "position",
    "sprint",
    "points",
    "assignee",
    "labels",
    "priority",
    "due_date",
    "blocked",
    "archived",
)


def card_rows(cards: Iterable[CardDTO], columns: Sequence[ColumnDTO]) -> list[dict[str, str]]:
    """One row per card, in the given order; ``position`` is 1-based within its column."""
    names = {c.id: c.name for c in columns}
    positions: dict[int, int] = {}
    rows = []
    for card in cards:
        positions[card.column_id] = positions.get(card.column_id, 0) + 1
        rows.append(
            {
                "key": card.key,
                "title": card.title,
                "type": card.type,
                "column": names.get(card.column_id, ""),
                "position": str(positions[card.column_id]),
                "sprint": card.sprint_name or "",
                "points": format_points(card.points),
                "assignee": card.assignee_name or "",
                "labels": ";".join(sorted(label.name for label in card.labels)),
                "priority": card.priority,
                "due_date": card.due_date.isoformat() if card.due_date else "",
                "blocked": "yes" if card.blocked else "",
                "archived": "yes" if card.archived else "",
            }
        )
    return rows


def export_cards_csv(
    path: str | Path, cards: Iterable[CardDTO], columns: Sequence[ColumnDTO]
) -> int:
    """Write ``cards`` (board or backlog order) to ``path`` as UTF-8 CSV; returns the row count.

    A byte-order mark is written so that spreadsheet programs detect UTF-8 (emoji, accents).
    The file is replaced whole or not at all, with the usual permissions for a new file
    (app.outputs.replace_file). Raises OSError when it cannot be written (the caller
    shows the message).
    """
    rows = card_rows(cards, columns)
    text = io.StringIO(newline="")
    writer = csv.DictWriter(text, fieldnames=FIELDS, lineterminator="\r\n")
    writer.writeheader()
    # Text from the data never reaches a spreadsheet as a formula (OWASP's advice).
    writer.writerows({name: csv_cell(value) for name, value in row.items()} for row in rows)
    replace_file(path, text.getvalue().encode("utf-8-sig"))
    return len(rows)
