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

import unicodedata
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from app.errors import NotFound, ValidationError
from app.models import Project
from app.services.common import check_id
from app.services.context import ServiceContext, translate_db_error
from app.services.dto import CardMatch

MAX_ID = 2**31 - 1  # ids are database integers: a bigger one is no id at all
TRIGRAM = 3  # the shortest word the trigram index can look up
_GLOB_SPECIAL = frozenset("*?[")


def search_words(text: str) -> tuple[str, ...]:
    """The words of ``text`` to look for: split at white space, NFC-normalised (as stored
    text is), without repeats, and without a word that a longer one already contains
    (``fix fi`` needs only ``fix``)."""
    words = unicodedata.normalize("NFC", text).split()
    first: dict[str, str] = {}
    for word in words:
        first.setdefault(word.casefold(), word)
    folded = sorted(first.items(), key=lambda kv: -len(kv[0]))
    kept: list[tuple[str, str]] = []
    for fold, word in folded:
        if not any(fold in longer for longer, _ in kept):
            kept.append((fold, word))
    return tuple(word for _fold, word in kept)


def _storable(word: str) -> bool:
    """Whether some stored text could contain ``word`` (NUL and lone surrogates can't be
    stored: card fields refuse control characters, and the databases hold valid UTF-8)."""
    if "\x00" in word:
        return False
    try:
        word.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _cases(char: str) -> set[str]:
    """``char`` and its other cases that are one character long."""
    found = {char, char.lower(), char.upper(), char.casefold(), char.title(), char.swapcase()}
    return {c for c in found if len(c) == 1}


def glob_pattern(word: str) -> str:
    """A SQLite ``GLOB`` pattern matching text that contains ``word`` in any case."""
    parts = []
    for char in word:
        cases = _cases(char)
        if len(cases) == 1:
            parts.append(f"[{char}]" if char in _GLOB_SPECIAL else char)
        else:  # letters only: never ']', '^' or '-', which a character class reads
            parts.append("[" + "".join(sorted(cases)) + "]")
    return "*" + "".join(parts) + "*"


def fts_phrase(word: str) -> str:
    """``word`` as an FTS5 string: every character literal (a quote is doubled)."""
    return '"' + word.replace('"', '""') + '"'


def like_contains(word: str) -> str:
    """A ``LIKE ... ESCAPE '\\'`` pattern for text containing ``word`` as typed."""
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# A short non-ASCII word is tried in each of its cases with LIKE (a fast scan) up to this
# many; past that, one GLOB of character classes (a slower scan, but one).
MAX_CASE_VARIANTS = 8


def _short_word(word: str, name: str, mark: str) -> tuple[str, dict[str, str]]:
    """SQLite's condition for a word too short for the trigram index (one or two
    characters), over ``s.body``: ``LIKE`` folds ASCII letters itself; the other letters'
    cases are spelt out."""
    variants = [""]
    for char in word:
        cases = sorted(_cases(char)) if not char.isascii() else [char]
        variants = [v + c for v in variants for c in cases]
    if len(variants) > MAX_CASE_VARIANTS:
        return f"s.body GLOB {mark.format(name)}", {name: glob_pattern(word)}
    names = [f"{name}_{i}" for i in range(len(variants))]
    likes = " OR ".join(f"s.body LIKE {mark.format(n)} ESCAPE '\\'" for n in names)
    return f"({likes})", {n: like_contains(v) for n, v in zip(names, variants, strict=True)}


def _sqlite_query(
    project_id: int, words: tuple[str, ...], fts: bool = True
) -> tuple[str, dict[str, Any]]:
    """``fts``: the database has the trigram index (not on a SQLite older than 3.34)."""
    mark = ":{}"
    params: dict[str, Any] = {"project": project_id}
    where = ["s.project_id = :project"]
    long = [w for w in words if len(w) >= TRIGRAM] if fts else []
    for i, word in enumerate(w for w in words if w not in long):
        condition, values = _short_word(word, f"short{i}", mark)
        where.append(condition)
        params.update(values)
    if not long:
        return "SELECT s.card_id FROM card_search s WHERE " + " AND ".join(where), params
    params["phrases"] = " AND ".join(fts_phrase(w) for w in long)
    # CROSS JOIN: the index's matches first, then their rows (never the other way round).
    return (
        "SELECT s.card_id FROM card_search_fts CROSS JOIN card_search s "
        "ON s.card_id = card_search_fts.rowid WHERE card_search_fts MATCH :phrases AND "
        + " AND ".join(where),
        params,
    )


def _postgres_query(project_id: int, words: tuple[str, ...]) -> tuple[str, dict[str, Any]]:
    params: dict[str, Any] = {"project": project_id}
    where = ["project_id = %(project)s"]
    for i, word in enumerate(words):
        where.append(f"body LIKE lower(%(like{i})s) ESCAPE '\\'")
        params[f"like{i}"] = like_contains(word)
    return "SELECT card_id FROM card_search WHERE " + " AND ".join(where), params


@dataclass(frozen=True, slots=True)
class MatchSQL:
    """A :class:`~app.services.dto.CardMatch` as SQL fragments over ``card c`` (and
    ``card_search s``), with ``:name`` parameters (SQLAlchemy ``text()``, both engines).

    Two ways to find the matching cards of a column, for two kinds of filter:

    * ``source`` (a FROM clause yielding ``source_id``, with ``source_where``): the search
      index's matches first, then their cards. Its cost is the number of matches in the
      project: the plan for a rare word, and for the grouped counts (every match counted);
    * ``body``: conditions on ``s.body`` of one card, for walking a column in its order
      (``card`` by ``ix_card_column_rank``, then the card's ``card_search`` row by its
      key): a page of a common word is found after a few hundred cards, whatever the
      project's size. A one- or two-character word, which matches most cards, is only
      ever asked this way or counted by one scan of the project's rows.

    ``fields``: the conditions on the card's own columns (assignee, label, type).
    ``nothing``: a word no stored text can hold (the filter matches no card).
    """

    words: tuple[str, ...]
    fields: tuple[str, ...]
    body: tuple[str, ...]
    source: str
    source_id: str
    source_where: tuple[str, ...]
    params: dict[str, Any]
    nothing: bool = False


def match_sql(match: CardMatch, project_id: int, postgres: bool, fts: bool = True) -> MatchSQL:
    """The SQL of ``match`` in ``project_id`` (see :class:`MatchSQL`); ``fts``: the SQLite
    database has the trigram index."""
    params: dict[str, Any] = {"project": project_id}
    fields = []
    if match.assignee_id is not None:
        if match.assignee_id == -1:
            fields.append("c.assignee_id IS NULL")
        else:
            fields.append("c.assignee_id = :m_assignee")
            params["m_assignee"] = match.assignee_id
    if match.label_id is not None:
        fields.append(
            "EXISTS (SELECT 1 FROM card_label cl WHERE cl.card_id = c.id "
            "AND cl.label_id = :m_label)"
        )
        params["m_label"] = match.label_id
    if match.card_type is not None:
        fields.append("c.type = :m_type")
        params["m_type"] = match.card_type
    words = search_words(match.text)
    nothing = not all(_storable(w) for w in words)
    if nothing or not words:
        return MatchSQL((), tuple(fields), (), "", "", (), params, nothing)
    body: list[str] = []
    if postgres:
        for i, word in enumerate(words):
            body.append(f"s.body LIKE lower(:m_like{i}) ESCAPE '\\'")
            params[f"m_like{i}"] = like_contains(word)
        return MatchSQL(
            words,
            tuple(fields),
            tuple(body),
            "card_search s",
            "s.card_id",
            ("s.project_id = :project", *body),
            params,
        )
    long = [w for w in words if len(w) >= TRIGRAM] if fts else []
    short_body: list[str] = []
    for i, word in enumerate(words):
        condition, values = _short_word(word, f"m_word{i}", ":{}")
        body.append(condition)
        params.update(values)
        if word not in long:
            short_body.append(condition)
    if not long:  # one scan of the project's rows of card_search
        return MatchSQL(
            words,
            tuple(fields),
            tuple(body),
            "card_search s",
            "s.card_id",
            ("s.project_id = :project", *short_body),
            params,
        )
    params["m_phrases"] = " AND ".join(fts_phrase(w) for w in long)
    where = ["card_search_fts MATCH :m_phrases"]
    source = "card_search_fts"
    if short_body:  # the short words are tested on the matches' text
        source += " CROSS JOIN card_search s ON s.card_id = card_search_fts.rowid"
        where += short_body
    return MatchSQL(
        words,
        tuple(fields),
        tuple(body),
        source,
        "card_search_fts.rowid",
        tuple(where),
        params,
    )


def has_trigram_index(connection: Connection) -> bool:
    """Whether this SQLite database has the trigram index (migration 0013 makes it where
    SQLite can; not before 3.34)."""
    found = connection.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE name = 'card_search_fts'"
    ).first()
    return found is not None


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
