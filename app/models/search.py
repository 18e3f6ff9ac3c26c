"""The card search index: tables no mapped class describes.

Migration 0013 (app/migrations/versions/0013_card_search.py) makes ``card_search``, one row
per live card holding the text the board filter searches, kept by triggers in the card's
own transaction; on SQLite an FTS5 index with the trigram tokenizer over it (which keeps
shadow tables of its own), on PostgreSQL a pg_trgm index. Only
:mod:`app.services.search` reads it; the schema comparison with the models and the team
set-up name it from here.
"""

from __future__ import annotations

SEARCH_TABLE = "card_search"
# The table, SQLite's FTS5 index over it and the shadow tables SQLite keeps for that index
# (PostgreSQL has the first only).
SEARCH_TABLES = frozenset(
    {SEARCH_TABLE, f"{SEARCH_TABLE}_fts"}
    | {f"{SEARCH_TABLE}_fts_{part}" for part in ("data", "idx", "content", "docsize", "config")}
)


def is_search_table(name: str | None) -> bool:
    """Whether ``name`` is one of the search index's tables (kept by triggers, not mapped)."""
    return name in SEARCH_TABLES


def include_name(name: str | None, type_: str, _parent_names: object = None) -> bool:
    """Alembic's ``include_name`` hook: a comparison of the schema with the models (and
    autogenerate) leaves the search index's tables alone."""
    return not (type_ == "table" and is_search_table(name))
