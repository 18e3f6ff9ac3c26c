"""plans and risks: milestones, dependencies, the risk register, forecasts

Revision ID: 0009_plan
Revises: 0008_talk
Create Date: 2026-12-02 16:00:52

Milestones and their scope (cards and epics), "blocks / is blocked by" links between cards,
the risk register (inherent and residual probability and impact, owner, response, trigger,
proximity, status, schedule and cost impact, links to cards and milestones) and published
forecasts with the seed that reproduces them. Times are ``timestamp with time zone`` on
PostgreSQL and naive UTC on SQLite, as in 0006.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_plan"
down_revision: str | None = "0008_talk"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=op.get_bind().dialect.name == "postgresql")


def upgrade() -> None:
    op.create_table(
        "forecast",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("trials", sa.Integer(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_forecast_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forecast")),
    )
    op.create_table(
        "milestone",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_milestone_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_milestone")),
        sa.UniqueConstraint("project_id", "name", name=op.f("uq_milestone_project_id_name")),
    )
    op.create_table(
        "risk",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("probability", sa.Integer(), nullable=False),
        sa.Column("impact", sa.Integer(), nullable=False),
        sa.Column("residual_probability", sa.Integer(), nullable=True),
        sa.Column("residual_impact", sa.Integer(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("response", sa.Text(), nullable=False),
        sa.Column("trigger", sa.Text(), nullable=False),
        sa.Column("proximity", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("schedule_days", sa.Integer(), nullable=True),
        sa.Column("cost_impact", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["member.id"], name=op.f("fk_risk_owner_id_member"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_risk_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk")),
    )
    op.create_table(
        "risk_milestone",
        sa.Column("risk_id", sa.Integer(), nullable=False),
        sa.Column("milestone_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["milestone_id"],
            ["milestone.id"],
            name=op.f("fk_risk_milestone_milestone_id_milestone"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["risk_id"],
            ["risk.id"],
            name=op.f("fk_risk_milestone_risk_id_risk"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("risk_id", "milestone_id", name=op.f("pk_risk_milestone")),
    )
    op.create_table(
        "card_dependency",
        sa.Column("blocker_id", sa.Integer(), nullable=False),
        sa.Column("blocked_id", sa.Integer(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.ForeignKeyConstraint(
            ["blocked_id"],
            ["card.id"],
            name=op.f("fk_card_dependency_blocked_id_card"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["blocker_id"],
            ["card.id"],
            name=op.f("fk_card_dependency_blocker_id_card"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("blocker_id", "blocked_id", name=op.f("pk_card_dependency")),
    )
    with op.batch_alter_table("card_dependency", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_card_dependency_blocked_id"), ["blocked_id"], unique=False
        )

    op.create_table(
        "milestone_scope",
        sa.Column("milestone_id", sa.Integer(), nullable=False),
        sa.Column("card_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["card_id"],
            ["card.id"],
            name=op.f("fk_milestone_scope_card_id_card"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["milestone_id"],
            ["milestone.id"],
            name=op.f("fk_milestone_scope_milestone_id_milestone"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("milestone_id", "card_id", name=op.f("pk_milestone_scope")),
    )
    op.create_table(
        "risk_card",
        sa.Column("risk_id", sa.Integer(), nullable=False),
        sa.Column("card_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["card_id"], ["card.id"], name=op.f("fk_risk_card_card_id_card"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["risk_id"], ["risk.id"], name=op.f("fk_risk_card_risk_id_risk"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("risk_id", "card_id", name=op.f("pk_risk_card")),
    )


def downgrade() -> None:
    op.drop_table("risk_card")
    op.drop_table("milestone_scope")
    with op.batch_alter_table("card_dependency", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_card_dependency_blocked_id"))

    op.drop_table("card_dependency")
    op.drop_table("risk_milestone")
    op.drop_table("risk")
    op.drop_table("milestone")
    op.drop_table("forecast")
