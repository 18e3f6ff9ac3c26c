"""index the history by sprint and the cards by project and column (charts)

Revision ID: 0012_chart_indexes
Revises: 0011_work_log_cost_index
Create Date: 2026-12-03 15:30:00

The burndown and the live sprint facts ask which cards were ever in a sprint
(``sprint_id_after = :sprint``); without an index that scans the project's whole history,
a cost that grew with every card ever stored. ``(sprint_id_after, card_id)`` answers it from
the index alone, on SQLite and PostgreSQL alike.

The cumulative flow counts the cards per column at the start of its range from the card
table (the history replays only the range): ``card(project_id, column_id, archived, type)``
covers that count.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012_chart_indexes"
down_revision: str | None = "0011_work_log_cost_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_history_event_sprint_card", "history_event", ["sprint_id_after", "card_id"])
    op.create_index(
        "ix_card_project_column", "card", ["project_id", "column_id", "archived", "type"]
    )


def downgrade() -> None:
    op.drop_index("ix_card_project_column", table_name="card")
    op.drop_index("ix_history_event_sprint_card", table_name="history_event")
