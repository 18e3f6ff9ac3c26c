"""Which cards the board filter's text matches, asked of the database (issue 19).

A card matches when every typed word (the text split at white space) occurs somewhere in
its key, title, assignee's name, parent's title or label names, case aside: what the board
filter matched in memory (``_haystack`` in app/ui/board/view.py), now answered from the
``card_search`` index that migration 0013 made and its triggers keep in each card's own
transaction (app/migrations/versions/0013_card_search.py). Only live cards are in it.

* SQLite: a word of three or more characters is an FTS5 phrase over the trigram index
  (a substring match; the tokenizer folds the case of the text and the word alike); a
  shorter one has no trigram to look up, so it is matched in the project's rows of
  ``card_search`` with ``LIKE``, which folds ASCII letters only: a non-ASCII letter's cases
  are spelt out (``é`` is ``LIKE '%é%' OR LIKE '%É%'``; past eight spellings, one ``GLOB``
  with character classes, ``[éÉ]``).
* PostgreSQL: every word is ``LIKE '%word%'`` over the lower-cased text (both sides
  through ``lower()``), which the pg_trgm index answers for words of three or more.

Case folding is the database's own simple per-letter folding: ``ß`` and ``ss`` are different
words here (Python's ``casefold`` made them one). Whatever is typed is data, never syntax:
quotes, ``*``, ``%``, ``_``, brackets and backslashes match themselves; a word that no
stored text can hold (a NUL, a lone surrogate) matches nothing.
"""

from __future__ import annotations

from operator import itemgetter

from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from app.errors import NotFound, ValidationError
from app.models import Project
from app.services.common import check_id
from app.services.context import ServiceContext, translate_db_error
from app.services.match_sql import (
    MAX_ID,
    TRIGRAM_INDEX_SQL,
    _postgres_query,
    _sqlite_query,
    _storable,
    search_words,
)


def has_trigram_index(connection: Connection) -> bool:
    """Whether this SQLite database has the trigram index (migration 0013 makes it where
    SQLite can; not before 3.34)."""
    return connection.exec_driver_sql(TRIGRAM_INDEX_SQL).first() is not None


class SearchService:
    """The board filter's text search (``services.search``)."""

    def __init__(self, context: ServiceContext) -> None:
        self._context = context
        self._fts: bool | None = None

    def matching(self, project_id: int, text: str) -> frozenset[int]:
        """The ids of the project's live cards whose text holds every word of ``text``
        (all of them for text without words); one query, whatever the project's size."""
        check_id(project_id, "project")
        if not isinstance(text, str):
            raise ValidationError(f"The text to search for must be text, not {text!r:.40}.")
        words = search_words(text)
        if not 0 < project_id <= MAX_ID:
            raise NotFound(f"There is no project with id {project_id}.")
        with self._context.read() as uow:
            session = uow.session
            if not all(_storable(w) for w in words):
                self._project_must_exist(session, project_id)
                return frozenset()
            connection = session.connection()
            postgres = connection.dialect.name == "postgresql"
            if postgres:
                sql, params = _postgres_query(project_id, words)
            else:
                sql, params = _sqlite_query(project_id, words, self._has_fts(connection))
            # The DB-API connection itself, in this transaction: tens of thousands of ids
            # come back for a short word, and SQLAlchemy's rows would double the time.
            raw = connection.connection.driver_connection
            try:
                rows = raw.execute(sql, params).fetchall()
            except connection.dialect.loaded_dbapi.Error as exc:  # not wrapped by SQLAlchemy
                raise translate_db_error(exc) from exc
            found = frozenset(map(itemgetter(0), rows))
            if not found:
                self._project_must_exist(session, project_id)
            return found

    def _has_fts(self, connection: Connection) -> bool:
        """Whether this SQLite database has the trigram index (migration 0013 makes it
        where SQLite can), asked once."""
        if self._fts is None:
            self._fts = has_trigram_index(connection)
        return self._fts

    @staticmethod
    def _project_must_exist(session: Session, project_id: int) -> None:
        if session.get(Project, project_id) is None:
            raise NotFound(f"There is no project with id {project_id}.")
