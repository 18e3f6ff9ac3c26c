"""time and money: work logs, running timers, project rates, epic budgets, releases

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 15:05:00

``member_rate`` gains ``project_id`` (None: the member's default rate) and its unique key
becomes (member, project, start date). The new tables' times are ``timestamp with time
zone`` on PostgreSQL (as 0006 made the others) and naive UTC on SQLite.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MONEY = sa.Numeric(precision=14, scale=2)


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=op.get_bind().dialect.name == "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("member_rate") as batch:
        batch.add_column(sa.Column("project_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_member_rate_project_id_project"),
            "project",
            ["project_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.drop_constraint("uq_member_rate_member_id_effective_from", type_="unique")
        batch.create_unique_constraint(
            op.f("uq_member_rate_member_id_project_id_effective_from"),
            ["member_id", "project_id", "effective_from"],
        )

    op.create_table(
        "work_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("card_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["card_id"], ["card.id"], name=op.f("fk_work_log_card_id_card"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["member.id"],
            name=op.f("fk_work_log_member_id_member"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_log")),
    )
    op.create_index("ix_work_log_card_day", "work_log", ["card_id", "day"])
    op.create_index("ix_work_log_member_day", "work_log", ["member_id", "day"])

    op.create_table(
        "running_timer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("card_id", sa.Integer(), nullable=False),
        sa.Column("started_at", _utc(), nullable=False),
        sa.ForeignKeyConstraint(
            ["card_id"],
            ["card.id"],
            name=op.f("fk_running_timer_card_id_card"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["member.id"],
            name=op.f("fk_running_timer_member_id_member"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_running_timer")),
        sa.UniqueConstraint("member_id", name=op.f("uq_running_timer_member_id")),
    )

    op.create_table(
        "epic_budget",
        sa.Column("card_id", sa.Integer(), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["card_id"], ["card.id"], name=op.f("fk_epic_budget_card_id_card"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("card_id", name=op.f("pk_epic_budget")),
    )

    op.create_table(
        "release",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("planned_sprints", sa.Integer(), nullable=False),
        sa.Column("budget_at_completion", MONEY, nullable=False),
        sa.Column("first_sprint_id", sa.Integer(), nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_release_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["first_sprint_id"],
            ["sprint.id"],
            name=op.f("fk_release_first_sprint_id_sprint"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_release")),
        sa.UniqueConstraint("project_id", "name", name=op.f("uq_release_project_id_name")),
    )

    op.create_table(
        "release_epic",
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("card_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["release_id"],
            ["release.id"],
            name=op.f("fk_release_epic_release_id_release"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["card_id"],
            ["card.id"],
            name=op.f("fk_release_epic_card_id_card"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("release_id", "card_id", name=op.f("pk_release_epic")),
    )


def downgrade() -> None:
    op.drop_table("release_epic")
    op.drop_table("release")
    op.drop_table("epic_budget")
    op.drop_table("running_timer")
    op.drop_index("ix_work_log_member_day", table_name="work_log")
    op.drop_index("ix_work_log_card_day", table_name="work_log")
    op.drop_table("work_log")
    with op.batch_alter_table("member_rate") as batch:
        batch.drop_constraint("uq_member_rate_member_id_project_id_effective_from", type_="unique")
        batch.drop_constraint("fk_member_rate_project_id_project", type_="foreignkey")
        batch.drop_column("project_id")
        batch.create_unique_constraint(
            op.f("uq_member_rate_member_id_effective_from"), ["member_id", "effective_from"]
        )
