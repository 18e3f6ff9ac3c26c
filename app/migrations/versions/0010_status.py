"""status report snapshots

Revision ID: 0010_status
Revises: 0009_plan
Create Date: 2026-12-02 15:50:00

The figures of each exported project status report, stored as JSON text so that a past
report renders the same for ever. ``taken_at`` is ``timestamp with time zone`` on
PostgreSQL and naive UTC on SQLite (as 0007's times).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_status"
down_revision: str | None = "0009_plan"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=op.get_bind().dialect.name == "postgresql")


def upgrade() -> None:
    op.create_table(
        "status_snapshot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("taken_at", _utc(), nullable=False),
        sa.Column("taken_by", sa.String(length=100), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_status_snapshot_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_snapshot")),
    )
    op.create_index(
        "ix_status_snapshot_project_taken", "status_snapshot", ["project_id", "taken_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_status_snapshot_project_taken", table_name="status_snapshot")
    op.drop_table("status_snapshot")
