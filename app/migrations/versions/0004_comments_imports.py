"""comments on cards, and import references (to spot a file imported twice)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 19:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("card_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["card_id"], ["card.id"], name=op.f("fk_comment_card_id_card"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comment")),
    )
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.create_index("ix_comment_card_at", ["card_id", "created_at"], unique=False)
    op.create_table(
        "import_ref",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("external_id", sa.String(length=100), nullable=False),
        sa.Column("card_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["card_id"], ["card.id"], name=op.f("fk_import_ref_card_id_card"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_import_ref_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_ref")),
        sa.UniqueConstraint(
            "project_id",
            "source",
            "external_id",
            name=op.f("uq_import_ref_project_id_source_external_id"),
        ),
    )
    with op.batch_alter_table("import_ref", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_import_ref_card_id"), ["card_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("import_ref", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_ref_card_id"))
    op.drop_table("import_ref")
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.drop_index("ix_comment_card_at")
    op.drop_table("comment")
