"""index the board's column figures and a done column's newest-first page

Revision ID: 0014_board_page_indexes
Revises: 0013_card_search
Create Date: 2026-12-04 21:10:00

The board's headers count and sum every column's live cards in one ``GROUP BY column_id``
(``BoardService.column_figures``; the cumulative flow counts the same way). The index of
0012, ``card(project_id, column_id, archived, type)``, found the rows but the points were
read from the table, one row at a time: about 0.5 s at 200,000 cards. Widened with
``sprint_id`` and ``points`` it answers the count from the index alone (about 40 ms).

A done column lists its most recently finished cards first
(``ORDER BY resolved_at DESC NULLS LAST, rank``); without an index in that order every done
card of the column was sorted to read a page of 100 (about 150 ms at 200,000 cards).
``card(column_id, resolved_at DESC, rank)`` gives the page in order: SQLite puts NULLs
first in ascending order, so a descending index ends with them, as ``NULLS LAST`` asks.

Only indexes: no table is rebuilt, so the search triggers of 0013 stay.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_board_page_indexes"
down_revision: str | None = "0013_card_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_card_project_column", table_name="card")
    op.create_index(
        "ix_card_project_column",
        "card",
        ["project_id", "column_id", "archived", "type", "sprint_id", "points"],
    )
    # SQLite: descending, the page's order. PostgreSQL reports an index column's direction
    # (and would then differ from the model), so it gets the columns in plain order: its
    # done page is found by column and sorted there (not one of issue 19's targets).
    sqlite = op.get_bind().dialect.name == "sqlite"
    resolved = sa.text("resolved_at DESC") if sqlite else "resolved_at"
    op.create_index("ix_card_column_resolved", "card", ["column_id", resolved, "rank"])


def downgrade() -> None:
    op.drop_index("ix_card_column_resolved", table_name="card")
    op.drop_index("ix_card_project_column", table_name="card")
    op.create_index(
        "ix_card_project_column", "card", ["project_id", "column_id", "archived", "type"]
    )
