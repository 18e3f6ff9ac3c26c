"""sprint snapshots: the commitment taken at start and the outcome taken at close

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 18:40:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sprint_snapshot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sprint_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("card_id", sa.Integer(), nullable=False),
        sa.Column("points", sa.Numeric(precision=7, scale=1), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("destination", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["card_id"],
            ["card.id"],
            name=op.f("fk_sprint_snapshot_card_id_card"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sprint_id"],
            ["sprint.id"],
            name=op.f("fk_sprint_snapshot_sprint_id_sprint"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sprint_snapshot")),
        sa.UniqueConstraint(
            "sprint_id",
            "kind",
            "card_id",
            name=op.f("uq_sprint_snapshot_sprint_id_kind_card_id"),
        ),
    )
    with op.batch_alter_table("sprint_snapshot", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sprint_snapshot_sprint_id"), ["sprint_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("sprint_snapshot", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sprint_snapshot_sprint_id"))

    op.drop_table("sprint_snapshot")
