"""The board filter's SQL, without SQLAlchemy (issue 19): what app/services/search.py
and BoardService ask through SQLAlchemy, and what the window's first paint asks on its
own sqlite3 connection (app/startup.py, before SQLAlchemy is imported), from one text.

:func:`match_sql` turns a :class:`~app.services.dto.CardMatch` into SQL fragments with
``:name`` parameters (both SQLAlchemy's ``text()`` and sqlite3 take them);
:func:`matching_page_ids` and :func:`matching_figures` run a filtered column's page and the
matches' counts through a ``Rows`` callable, so the services and the first paint share the
plans (a walk of the column for a common word, the search index for a rare one). See
app/services/search.py for how words match.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from app.services.dto import CardMatch

# Whether a SQLite file has migration 0013's trigram index (not before SQLite 3.34): a row.
TRIGRAM_INDEX_SQL = "SELECT 1 FROM sqlite_master WHERE name = 'card_search_fts'"

Rows = Callable[[str, dict[str, Any]], Sequence[Sequence[Any]]]
"""(SQL with :name parameters, the parameters) -> the rows."""

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


# A filtered column page walks the column's first this many cards in its order, testing
# each card's text (a common word fills a page within a few hundred); a page not full by
# then is read from the search index's matches instead (a rare word: few of them to sort).
# When the share of the column that matches is known (``density``, from column_figures)
# and too small for a page within this many, the walk is skipped.
WALK_ROWS = 4000

MATCH_FIGURES = (
    "SELECT c.column_id, count(*) AS n, sum(c.points) AS points, count(c.points) AS estimated"
)


def matching_figures_sql(
    m: MatchSQL, postgres: bool, sprint_id: int | None
) -> tuple[str, dict[str, Any]]:
    """The matches' count and points per column (one GROUP BY: SQLite from the search
    index's matches to their cards, in the cards' key order); rows of (column id, count,
    points, estimated count). ``m`` must not be ``nothing``."""
    params: dict[str, Any] = {**m.params, "m_false": False}
    where = ["c.project_id = :project", "c.archived = :m_false", "c.type != 'epic'", *m.fields]
    if sprint_id is not None:
        where.append("c.sprint_id = :sprint")
        params["sprint"] = sprint_id
    if not m.words:
        source = "card c"
    elif postgres:
        source = "card c JOIN card_search s ON s.card_id = c.id"
        where += m.source_where
    else:
        source = f"{m.source} CROSS JOIN card c ON c.id = {m.source_id}"
        where = [*m.source_where, *where]
    sql = f"{MATCH_FIGURES} FROM {source} WHERE {' AND '.join(where)} GROUP BY c.column_id"
    return sql, params


def matching_page_ids(
    rows: Rows,
    m: MatchSQL,
    postgres: bool,
    column_id: int,
    sprint_id: int | None,
    newest_first: bool,
    offset: int,
    limit: int,
    density: float | None,
) -> list[int]:
    """The ids of a filtered column's page, in its order (one query; two or three when a
    column walk finds too few matches among its first cards, see WALK_ROWS)."""
    if m.nothing:
        return []
    params: dict[str, Any] = {
        **m.params,
        "m_false": False,
        "column": column_id,
        "limit": limit,
        "offset": offset,
    }
    # "+ 0": the column's index (in the page's order) is the one to walk, not the
    # project's (which would sort the column's every card).
    where = [
        "c.project_id + 0 = :project",
        "c.column_id = :column",
        "c.archived = :m_false",
        "c.type != 'epic'",
        *m.fields,
    ]
    if sprint_id is not None:
        where.append("c.sprint_id = :sprint")
        params["sprint"] = sprint_id
    if newest_first:
        nulls = " NULLS LAST" if postgres else ""  # SQLite: NULL is the least already
        order = f"c.resolved_at DESC{nulls}, c.rank"
    else:
        order = "c.rank"
    tail = f" ORDER BY {order} LIMIT :limit OFFSET :offset"
    if not m.words:
        sql = f"SELECT c.id FROM card c WHERE {' AND '.join(where)}"
        return [r[0] for r in rows(sql + tail, params)]
    if postgres:  # its planner weighs the two ways itself
        sql = (
            "SELECT c.id FROM card c JOIN card_search s ON s.card_id = c.id "
            f"WHERE {' AND '.join([*where, *m.body])}"
        )
        return [r[0] for r in rows(sql + tail, params)]
    if density is None or density * WALK_ROWS >= offset + limit:
        walked = _walk(rows, where, m, params, newest_first, tail)
        if walked is not None:
            return walked
    sql = (
        f"SELECT c.id FROM {m.source} CROSS JOIN card c ON c.id = {m.source_id} "
        f"WHERE {' AND '.join([*m.source_where, *where])}"
    )
    return [r[0] for r in rows(sql + tail, params)]


def _walk(
    rows: Rows,
    where: list[str],
    m: MatchSQL,
    params: dict[str, Any],
    newest_first: bool,
    tail: str,
) -> list[int] | None:
    """SQLite: the page found by walking the column's first WALK_ROWS cards in its order
    (each card's text tested by its key), or None when they hold too few matches (a rare
    word: the search index's matches are fewer to sort). Bounded by the key of the
    WALK_ROWS-th card, read from the column's index: a walk never reads more."""
    bound_params = {"column": params["column"], "k": WALK_ROWS}
    if newest_first:
        found = rows(
            "SELECT resolved_at, rank FROM card WHERE column_id = :column "
            "ORDER BY resolved_at DESC, rank LIMIT 1 OFFSET :k",
            bound_params,
        )
        bound = found[0] if found else None
        if bound is not None and bound[0] is None:
            return None  # the bound among cards without a date: not worth a walk
        limits = (
            []
            if bound is None
            else ["c.resolved_at >= :w_at", "(c.resolved_at > :w_at OR c.rank <= :w_rank)"]
        )
        extra = {} if bound is None else {"w_at": bound[0], "w_rank": bound[1]}
    else:
        found = rows(
            "SELECT rank FROM card WHERE column_id = :column ORDER BY rank LIMIT 1 OFFSET :k",
            bound_params,
        )
        bound = found[0] if found else None
        limits = [] if bound is None else ["c.rank <= :w_rank"]
        extra = {} if bound is None else {"w_rank": bound[0]}
    sql = (
        "SELECT c.id FROM card c CROSS JOIN card_search s ON s.card_id = c.id "
        f"WHERE {' AND '.join([*where, *limits, *m.body])}"
    )
    ids = [r[0] for r in rows(sql + tail, {**params, **extra})]
    if bound is None or len(ids) == params["limit"]:
        return ids  # the whole column walked, or the page full within the bound
    return None
