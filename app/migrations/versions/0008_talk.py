"""comments grow an author member, edits and soft deletes; standups

Revision ID: 0008_talk
Revises: 0007
Create Date: 2026-12-02 15:45:00

``comment`` gains ``member_id`` (the team member who wrote it in the app; None for imported
comments), ``edited_at``, ``deleted_at``/``deleted_by`` (a deleted comment leaves "deleted by
NAME" and can be restored) and ``version``. ``standup`` records each standup held, so "since
the last standup" is the start of the newest one. Times are ``timestamp with time zone`` on
PostgreSQL (as 0006 made the others) and naive UTC on SQLite.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_talk"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=op.get_bind().dialect.name == "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("comment") as batch:
        batch.add_column(sa.Column("member_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("edited_at", _utc(), nullable=True))
        batch.add_column(sa.Column("deleted_at", _utc(), nullable=True))
        batch.add_column(sa.Column("deleted_by", sa.String(length=100), nullable=True))
        batch.add_column(
            sa.Column("version", sa.Integer(), nullable=False, server_default=sa.text("1"))
        )
        batch.create_foreign_key(
            op.f("fk_comment_member_id_member"),
            "member",
            ["member_id"],
            ["id"],
            ondelete="SET NULL",
        )
    # The default was for the rows already there; the model writes the version itself.
    with op.batch_alter_table("comment") as batch:
        batch.alter_column("version", server_default=None)

    op.create_table(
        "standup",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("started_at", _utc(), nullable=False),
        sa.Column("ended_at", _utc(), nullable=True),
        sa.Column("started_by", sa.String(length=100), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_standup_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_standup")),
    )
    op.create_index("ix_standup_project_started", "standup", ["project_id", "started_at"])


def downgrade() -> None:
    op.drop_index("ix_standup_project_started", table_name="standup")
    op.drop_table("standup")
    with op.batch_alter_table("comment") as batch:
        batch.drop_constraint("fk_comment_member_id_member", type_="foreignkey")
        batch.drop_column("version")
        batch.drop_column("deleted_by")
        batch.drop_column("deleted_at")
        batch.drop_column("edited_at")
        batch.drop_column("member_id")
