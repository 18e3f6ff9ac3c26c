"""a search index over the text the board filter searches (issue 19)

Revision ID: 0013_card_search
Revises: 0012_chart_indexes
Create Date: 2026-12-04 20:00:00

The board filter matches a typed word anywhere in a card's key, title, assignee's name,
parent's title and label names (``_haystack`` in app/ui/board/view.py). It scanned every
card in memory; ``card_search`` answers it from the database instead
(app/services/search.py).

The table ``card_search(card_id, project_id, body)`` holds, on both engines, one row per
live card with its text (lower-cased on PostgreSQL):

* SQLite: an FTS5 index with the trigram tokenizer over it (``card_search_fts``, external
  content: the text is stored once), so a word of three or more characters is a substring
  match from the index, case-folded by the tokenizer (Unicode letters too); shorter words
  are matched in ``card_search`` itself (``LIKE``/``GLOB``, a scan of the project's rows).
  A SQLite without the trigram tokenizer (before 3.34) gets no FTS index: every word is
  then such a scan;
* PostgreSQL: a pg_trgm GIN index on ``body`` where the extension can be created (else no
  index: ``LIKE`` still answers, by a scan).

Triggers keep it in the transaction that changes what it holds: a card added, edited
(number, title, assignee, parent, project, archived) or deleted; a label linked, unlinked
or relinked; and the renames of what cards show: a parent's title, a member's display
name, a label's name, a project's key. The migration fills it for the cards already there.

``card.parent_id`` gets an index: a parent's new title finds its children through it.

A later migration that rebuilds ``card`` on SQLite (``batch_alter_table("card")``: copy,
drop, rename) drops the triggers on ``card`` with the old table, and one that rebuilds
``card_label``, ``label``, ``member`` or ``project`` drops theirs: it must make them again
(as :func:`_sqlite_triggers` here does), or the index silently goes stale.
"""

import sqlite3
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_card_search"
down_revision: str | None = "0012_chart_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# --- SQLite -------------------------------------------------------------------------------

# The row of every live card that ``{where}`` selects; the fields are joined by a space (a
# typed word holds no space, so it never matches across two fields, as in the board filter).
_SQLITE_ROWS = """
INSERT INTO card_search (card_id, project_id, body)
SELECT c.id, c.project_id,
       p.key || '-' || c.number || ' ' || c.title || ' ' || coalesce(m.display_name, '')
       || ' ' || coalesce(parent.title, '') || ' ' || coalesce(
           (SELECT group_concat(l.name, ' ') FROM card_label cl JOIN label l ON l.id = cl.label_id
            WHERE cl.card_id = c.id), '')
FROM card c
JOIN project p ON p.id = c.project_id
LEFT JOIN member m ON m.id = c.assignee_id
LEFT JOIN card parent ON parent.id = c.parent_id
WHERE NOT c.archived AND ({where})"""


def _sqlite_refresh(ids: str) -> str:
    """Statements that write again the rows of the cards whose ids ``ids`` selects."""
    return (
        f"DELETE FROM card_search WHERE card_id IN ({ids});\n"
        + _SQLITE_ROWS.format(where=f"c.id IN ({ids})")
        + ";"
    )


def _sqlite_triggers() -> dict[str, str]:
    """Trigger name -> its definition: the card's text into ``card_search``, and each
    ``card_search`` row into the FTS index over it (an external-content table: SQLite's
    pattern of a delete with the old values, then an insert)."""
    fts_insert = "INSERT INTO card_search_fts (rowid, body) VALUES (NEW.card_id, NEW.body);"
    fts_delete = (
        "INSERT INTO card_search_fts (card_search_fts, rowid, body) "
        "VALUES ('delete', OLD.card_id, OLD.body);"
    )
    return {
        "card_search_fts_added": f"AFTER INSERT ON card_search BEGIN\n{fts_insert}\nEND",
        "card_search_fts_removed": f"AFTER DELETE ON card_search BEGIN\n{fts_delete}\nEND",
        "card_search_fts_changed": "AFTER UPDATE ON card_search BEGIN\n"
        f"{fts_delete}\n{fts_insert}\nEND",
        "card_search_card_added": "AFTER INSERT ON card BEGIN\n"
        + _SQLITE_ROWS.format(where="c.id = NEW.id")
        + ";\nEND",
        "card_search_card_edited": "AFTER UPDATE OF project_id, number, title, assignee_id, "
        "parent_id, archived ON card BEGIN\n" + _sqlite_refresh("SELECT NEW.id") + "\nEND",
        "card_search_parent_renamed": "AFTER UPDATE OF title ON card "
        "WHEN OLD.title IS NOT NEW.title BEGIN\n"
        + _sqlite_refresh("SELECT id FROM card WHERE parent_id = NEW.id")
        + "\nEND",
        # Also done by the foreign key's cascade; this one holds where foreign keys are off.
        "card_search_card_deleted": "AFTER DELETE ON card BEGIN\n"
        "DELETE FROM card_search WHERE card_id = OLD.id;\nEND",
        "card_search_label_linked": "AFTER INSERT ON card_label BEGIN\n"
        + _sqlite_refresh("SELECT NEW.card_id")
        + "\nEND",
        "card_search_label_unlinked": "AFTER DELETE ON card_label BEGIN\n"
        + _sqlite_refresh("SELECT OLD.card_id")
        + "\nEND",
        "card_search_label_relinked": "AFTER UPDATE ON card_label BEGIN\n"
        + _sqlite_refresh("SELECT OLD.card_id UNION SELECT NEW.card_id")
        + "\nEND",
        "card_search_label_renamed": "AFTER UPDATE OF name ON label "
        "WHEN OLD.name IS NOT NEW.name BEGIN\n"
        + _sqlite_refresh("SELECT card_id FROM card_label WHERE label_id = NEW.id")
        + "\nEND",
        "card_search_member_renamed": "AFTER UPDATE OF display_name ON member "
        "WHEN OLD.display_name IS NOT NEW.display_name BEGIN\n"
        + _sqlite_refresh("SELECT id FROM card WHERE assignee_id = NEW.id")
        + "\nEND",
        "card_search_project_rekeyed": "AFTER UPDATE OF key ON project "
        "WHEN OLD.key IS NOT NEW.key BEGIN\n"
        + _sqlite_refresh("SELECT id FROM card WHERE project_id = NEW.id")
        + "\nEND",
    }


def _trigram_available() -> bool:
    """Whether this SQLite has FTS5's trigram tokenizer (3.34 and later, FTS5 built in)."""
    if sqlite3.sqlite_version_info < (3, 34, 0):
        return False
    options = {row[0] for row in op.get_bind().exec_driver_sql("PRAGMA compile_options")}
    return "ENABLE_FTS5" in options


def _sqlite_upgrade() -> None:
    _create_search_table()
    op.execute(_SQLITE_ROWS.format(where="1"))
    triggers = _sqlite_triggers()
    if _trigram_available():
        # columnsize=0: no per-row sizes (nothing ranks by them).
        op.execute(
            "CREATE VIRTUAL TABLE card_search_fts USING fts5(body, content = 'card_search', "
            "content_rowid = 'card_id', tokenize = 'trigram', columnsize = 0)"
        )
        op.execute("INSERT INTO card_search_fts (card_search_fts) VALUES ('rebuild')")
    else:  # an older SQLite: card_search alone, every word a scan (app/services/search.py)
        triggers = {k: v for k, v in triggers.items() if not k.startswith("card_search_fts_")}
    for name, definition in triggers.items():
        op.execute(f"CREATE TRIGGER {name} {definition}")


def _sqlite_downgrade() -> None:
    for name in _sqlite_triggers():
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS card_search_fts")
    op.drop_table("card_search")


def _create_search_table() -> None:
    op.create_table(
        "card_search",
        sa.Column(
            "card_id",
            sa.Integer(),
            sa.ForeignKey("card.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
    )
    op.create_index("ix_card_search_project", "card_search", ["project_id"])


# --- PostgreSQL ---------------------------------------------------------------------------

# Upserted, then the rows of cards no longer live deleted: two writers refreshing the same
# card at once (a label renamed while its card is edited) never trip over each other's row.
_PG_REFRESH = """
CREATE FUNCTION card_search_refresh(ids integer[]) RETURNS void LANGUAGE sql AS $$
INSERT INTO card_search (card_id, project_id, body)
SELECT c.id, c.project_id, lower(
    p.key || '-' || c.number || ' ' || c.title || ' ' || coalesce(m.display_name, '')
    || ' ' || coalesce(parent.title, '') || ' ' || coalesce(
        (SELECT string_agg(l.name, ' ') FROM card_label cl JOIN label l ON l.id = cl.label_id
         WHERE cl.card_id = c.id), ''))
FROM card c
JOIN project p ON p.id = c.project_id
LEFT JOIN member m ON m.id = c.assignee_id
LEFT JOIN card parent ON parent.id = c.parent_id
WHERE c.id = ANY(ids) AND NOT c.archived
ON CONFLICT (card_id) DO UPDATE SET project_id = EXCLUDED.project_id, body = EXCLUDED.body;
DELETE FROM card_search s WHERE s.card_id = ANY(ids)
    AND NOT EXISTS (SELECT 1 FROM card c WHERE c.id = s.card_id AND NOT c.archived);
$$"""

# Trigger function -> (its body's statement, the trigger's table and event).
_PG_TRIGGERS = {
    "card_search_card_changed": (
        """PERFORM card_search_refresh(ARRAY[NEW.id]);
    IF TG_OP = 'UPDATE' AND NEW.title IS DISTINCT FROM OLD.title THEN
        PERFORM card_search_refresh(ARRAY(SELECT id FROM card WHERE parent_id = NEW.id));
    END IF;""",
        "AFTER INSERT OR UPDATE OF project_id, number, title, assignee_id, parent_id, archived "
        "ON card",
    ),
    "card_search_labels_changed": (
        """IF TG_OP = 'DELETE' THEN
        PERFORM card_search_refresh(ARRAY[OLD.card_id]);
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM card_search_refresh(ARRAY[OLD.card_id, NEW.card_id]);
    ELSE
        PERFORM card_search_refresh(ARRAY[NEW.card_id]);
    END IF;""",
        "AFTER INSERT OR UPDATE OR DELETE ON card_label",
    ),
    "card_search_label_renamed": (
        "PERFORM card_search_refresh("
        "ARRAY(SELECT card_id FROM card_label WHERE label_id = NEW.id));",
        "AFTER UPDATE OF name ON label",
    ),
    "card_search_member_renamed": (
        "PERFORM card_search_refresh(ARRAY(SELECT id FROM card WHERE assignee_id = NEW.id));",
        "AFTER UPDATE OF display_name ON member",
    ),
    "card_search_project_rekeyed": (
        "PERFORM card_search_refresh(ARRAY(SELECT id FROM card WHERE project_id = NEW.id));",
        "AFTER UPDATE OF key ON project",
    ),
}


def _pg_upgrade() -> None:
    _create_search_table()
    bind = op.get_bind()
    # pg_trgm is a trusted extension (PostgreSQL 13+: a database owner may create it), but
    # a server without the contrib modules lacks it: then no index, and LIKE scans.
    try:
        with bind.begin_nested():
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except sa.exc.DBAPIError:
        pass
    trigram = bind.exec_driver_sql(
        "SELECT 1 FROM pg_opclass WHERE opcname = 'gin_trgm_ops'"
    ).first()
    if trigram is not None:
        op.execute("CREATE INDEX ix_card_search_body ON card_search USING gin (body gin_trgm_ops)")
    op.execute(_PG_REFRESH)
    for name, (body, event) in _PG_TRIGGERS.items():
        op.execute(
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            f"BEGIN\n    {body}\n    RETURN NULL;\nEND\n$$"
        )
        op.execute(f"CREATE TRIGGER {name} {event} FOR EACH ROW EXECUTE FUNCTION {name}()")
    op.execute("SELECT card_search_refresh(ARRAY(SELECT id FROM card))")


def _pg_downgrade() -> None:
    for name, (_body, event) in _PG_TRIGGERS.items():
        table = event.rsplit(" ON ", 1)[1]
        op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    op.execute("DROP FUNCTION IF EXISTS card_search_refresh(integer[])")
    op.drop_table("card_search")  # its indexes with it; pg_trgm stays (others may use it)


def upgrade() -> None:
    op.create_index("ix_card_parent", "card", ["parent_id"])
    if op.get_bind().dialect.name == "postgresql":
        _pg_upgrade()
    else:
        _sqlite_upgrade()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _pg_downgrade()
    else:
        _sqlite_downgrade()
    op.drop_index("ix_card_parent", table_name="card")
