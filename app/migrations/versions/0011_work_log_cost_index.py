"""work log cost index

Revision ID: 0011_work_log_cost_index
Revises: 0010_status
Create Date: 2026-12-03 14:30:00

The budget figures sum every log of a project (minutes and cost at the rate in force on its
day, per member and day, per epic, per sprint). ``ix_work_log_card_day`` (card, day) made
each of those read the log's row as well; ``ix_work_log_card_cost`` (card, day, member,
minutes) holds everything they read, so they are answered from the index alone. It keeps
(card, day) as its prefix, so it replaces the old index for the card's own log list.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011_work_log_cost_index"
down_revision: str | None = "0010_status"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("work_log") as batch:
        batch.drop_index("ix_work_log_card_day")
        batch.create_index(
            "ix_work_log_card_cost", ["card_id", "day", "member_id", "minutes"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("work_log") as batch:
        batch.drop_index("ix_work_log_card_cost")
        batch.create_index("ix_work_log_card_day", ["card_id", "day"], unique=False)
