"""index the backlog's epic progress and its sprint sections

Revision ID: 0015_epic_progress_index
Revises: 0014_board_page_indexes
Create Date: 2026-12-06 21:40:00

The backlog's epics panel shows each epic's cards and points, done and in all
(``BoardService.epic_progress``: one ``GROUP BY parent_id`` over the project's live cards).
Read from the table that is about 100 ms at 200,000 cards, with a sort for the grouping;
``card(project_id, parent_id, archived, type, column_id, points)`` answers it from the index
alone, already in the grouping's order (about 25 ms).

Only an index: no table is rebuilt, so the search triggers of 0013 stay.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015_epic_progress_index"
down_revision: str | None = "0014_board_page_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_card_project_parent",
        "card",
        ["project_id", "parent_id", "archived", "type", "column_id", "points"],
    )


def downgrade() -> None:
    op.drop_index("ix_card_project_parent", table_name="card")
