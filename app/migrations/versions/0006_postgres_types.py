"""PostgreSQL's own types: aware timestamps, byte-wise rank keys, exact money

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 03:40:00

On PostgreSQL: every time column becomes ``timestamp with time zone`` (the naive values
were UTC, so they are converted ``AT TIME ZONE 'UTC'``); the rank key keeps (or gets) the
``"C"`` collation, so ranks compare byte by byte as on SQLite whatever the database's
locale; money, hours and points are checked to be ``numeric`` with a scale (never a
float). On SQLite nothing changes: it keeps no zone and compares strings byte-wise.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every UTC time column of revisions 0001..0005 (app.models.base.UTCDateTime).
TIMES = {
    "member": ("created_at",),
    "project": ("created_at",),
    "sprint": ("started_at", "closed_at"),
    "card": ("created_at", "updated_at", "resolved_at"),
    "history_event": ("at",),
    "comment": ("created_at",),
    "change_log": ("at",),
}
# Rank keys: ordered byte-wise.
RANKS = {"card": (("rank", 64),)}
# Exact numbers: (precision, scale), as the models declare them.
NUMBERS = {
    "project": (("budget", 14, 2),),
    "member_rate": (("hourly_rate", 14, 2),),
    "project_member": (("hours_per_day", 8, 2),),
    "card": (("points", 7, 1), ("estimate_hours", 8, 2), ("remaining_hours", 8, 2)),
    "sprint_snapshot": (("points", 7, 1),),
    "sprint_capacity": (("hours", 8, 2), ("points", 7, 1)),
    "history_event": (("points_after", 7, 1),),
}


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _existing(table: str, column: str) -> bool:
    found = op.get_bind().exec_driver_sql(
        "SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() "
        "AND table_name = %(t)s AND column_name = %(c)s",
        {"t": table, "c": column},
    )
    return found.first() is not None


def upgrade() -> None:
    if not _postgres():
        return
    for table, columns in TIMES.items():
        for column in columns:
            op.execute(
                f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE timestamp with time zone '
                f"USING \"{column}\" AT TIME ZONE 'UTC'"
            )
    for table, ranks in RANKS.items():
        for column, length in ranks:
            op.execute(
                f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE varchar({length}) COLLATE "C"'
            )
    for table, numbers in NUMBERS.items():
        for column, precision, scale in numbers:
            if _existing(table, column):
                # Already numeric(p, s) (0001..0005 made them so): no rewrite, a check.
                op.execute(
                    f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE '
                    f"numeric({precision}, {scale})"
                )


def downgrade() -> None:
    if not _postgres():
        return
    for table, columns in TIMES.items():
        for column in columns:
            op.execute(
                f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE timestamp without time zone '
                f"USING \"{column}\" AT TIME ZONE 'UTC'"
            )
