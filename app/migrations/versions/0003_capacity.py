"""sprint capacity: each member's hours, points and days off for a sprint

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 19:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sprint_capacity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sprint_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("hours", sa.Numeric(precision=8, scale=2), nullable=True),
        sa.Column("points", sa.Numeric(precision=7, scale=1), nullable=True),
        sa.Column("days_off", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["member.id"],
            name=op.f("fk_sprint_capacity_member_id_member"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sprint_id"],
            ["sprint.id"],
            name=op.f("fk_sprint_capacity_sprint_id_sprint"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sprint_capacity")),
        sa.UniqueConstraint(
            "sprint_id", "member_id", name=op.f("uq_sprint_capacity_sprint_id_member_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("sprint_capacity")
