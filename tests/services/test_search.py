"""SearchService: the board filter's text asked of the card_search index (migration 0013),
on SQLite (FTS5 trigram) and PostgreSQL (lower-cased text, pg_trgm), kept by triggers."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from alembic import command
from sqlalchemy import text

import app.db
from app.bootstrap import Runtime, open_runtime
from app.db import create_db_engine, opened_engine, session_factories
from app.errors import DatabaseProblem, NotFound, ValidationError
from app.services import Services, build_services
from app.services.dto import CardDTO, ProjectDTO
from app.services.match_sql import glob_pattern, search_words
from tests.helpers import make_runtime


@dataclass
class World:
    runtime: Runtime
    services: Services
    project: ProjectDTO
    other: ProjectDTO
    ada: int
    bob: int
    backend: int
    epic: CardDTO
    login: CardDTO  # Ada's, labelled backend, in the epic
    eclair: CardDTO
    odd: CardDTO  # quotes and wildcards in its title
    plain: CardDTO
    elsewhere: CardDTO  # in the other project

    def find(self, typed: str, project: ProjectDTO | None = None) -> set[str]:
        """The keys of the cards the service says match ``typed``."""
        project = project or self.project
        ids = self.services.search.matching(project.id, typed)
        assert isinstance(ids, frozenset)
        cards = self.services.cards.list_cards(project.id, include_archived=True)
        return {c.key for c in cards if c.id in ids}

    def expected(self, typed: str) -> set[str]:
        """What the board filter matched in memory: every case-folded word in the card's
        key, title, assignee, parent title and label names (app/ui/board/view.py)."""
        words = typed.casefold().split()
        found = set()
        for card in self.services.cards.list_cards(self.project.id):
            haystack = " ".join(
                (
                    card.key,
                    card.title,
                    card.assignee_name or "",
                    card.parent_title or "",
                    " ".join(lb.name for lb in card.labels),
                )
            ).casefold()
            if all(w in haystack for w in words):
                found.add(card.key)
        return found


@pytest.fixture
def world(runtime: Runtime) -> World:
    s = runtime.services
    project = s.projects.create_project("SD", "Sprintdeck")
    other = s.projects.create_project("OT", "Other")
    ada = s.projects.add_member(project.id, "Ada Lovelace").id
    bob = s.projects.add_member(project.id, "Bob Builder").id
    backend = s.projects.add_label(project.id, "backend").id
    epic = s.cards.create_card(project.id, "Payments epic", type="epic")  # SD-1
    login = s.cards.create_card(  # SD-2
        project.id, "Fix the LOGIN page", assignee_id=ada, label_ids=[backend], parent_id=epic.id
    )
    eclair = s.cards.create_card(project.id, "Éclair ordering")  # SD-3
    odd = s.cards.create_card(  # SD-4
        project.id, 'Say "hi" 100% a_b *star* [x] ^caret back\\slash it\'s-done'
    )
    plain = s.cards.create_card(project.id, "Plain axb 100 percent")  # SD-5
    elsewhere = s.cards.create_card(other.id, "Fix the other login")  # OT-1
    return World(
        runtime, s, project, other, ada, bob, backend, epic, login, eclair, odd, plain, elsewhere
    )


def test_a_word_is_found_in_the_key_title_assignee_parent_and_labels(world: World) -> None:
    assert world.find("sd-2") == {"SD-2"}
    assert world.find("ogin pa") == {"SD-2"}  # two words, both substrings of the title
    assert world.find("lovel") == {"SD-2"}  # the assignee's name
    assert world.find("payments") == {"SD-1", "SD-2"}  # the epic, and its card by its title
    assert world.find("backen") == {"SD-2"}  # a label's name
    assert world.find("percent") == {"SD-5"}
    assert world.find("nothing like it") == set()


def test_case_does_not_matter_ascii_or_not(world: World) -> None:
    for typed in ("LOGIN", "login", "LoGiN", "FIX THE"):
        assert world.find(typed) == {"SD-2"}, typed
    for typed in ("éclair", "ÉCLAIR", "éCLAIR", "é", "É", "éc", "ÉC"):
        assert world.find(typed) == {"SD-3"}, typed
    # Typed decomposed (E + combining acute, as some keyboards send it): stored text is NFC.
    assert world.find("E\u0301clair") == {"SD-3"}


def test_every_word_must_match_in_any_order(world: World) -> None:
    assert world.find("fix login") == {"SD-2"}
    assert world.find("login fix") == {"SD-2"}
    assert world.find("fix éclair") == set()
    assert world.find("  fix\tlogin\u3000page  ") == {"SD-2"}  # any white space splits
    assert world.find("fix fix fi") == {"SD-2"}


def test_short_words_match_too(world: World) -> None:
    assert world.find("sd") == {"SD-1", "SD-2", "SD-3", "SD-4", "SD-5"}
    assert world.find("ax") == {"SD-5"}
    assert world.find("fi lo") == {"SD-2"}
    assert world.find("x") == {"SD-2", "SD-4", "SD-5"}  # fiX, [x], aXb
    assert world.find("fix x") == {"SD-2"}
    assert world.find("fix ax") == set()


def test_the_answers_are_what_the_board_filter_matched(world: World) -> None:
    for typed in (
        "a", "e", "SD", "sd-", "-", "1", "10", "100", "100 %", "ix", "fix", "fix the",
        "Ada", "ada lov", "epic", "ord", "é", "ér", "he", "the", "a b", "t", "c i",
    ):  # fmt: skip
        assert world.find(typed) == world.expected(typed), typed


def test_quotes_and_wildcards_match_themselves(world: World) -> None:
    odd = {"SD-4"}
    for typed in ('"', '"hi"', '"hi', "*", "*star*", "%", "100%", "_", "a_b", "'", "it's",
                  "[x]", "[", "]", "^", "^caret", "\\", "back\\slash", "s-d", "?"):  # fmt: skip
        expected = odd if typed != "?" else set()
        assert world.find(typed) == expected, typed
    # The wildcards do not stand for other characters: a_b is not axb, 100% is not 100 p.
    assert world.find("a_b") == odd and world.find("100%") == odd
    # FTS5 and LIKE syntax is text: none of this raises.
    for typed in ("AND", "OR", "NOT", "NEAR(", "fix OR login", "fix*", "^fix", "col:fix",
                  "(", ")", "{x}", "''", '""', "%%", "__", "\\%", "--", ";",
                  "';DROP TABLE card;--"):  # fmt: skip
        assert world.find(typed) == world.expected(typed), typed


def test_odd_unicode_never_raises(world: World) -> None:
    s = world.services
    rocket = s.cards.create_card(world.project.id, "Launch 🚀 ✓ שלום go🚀✓ok")
    assert world.find("🚀") == {rocket.key}
    assert world.find("o🚀") == {rocket.key}
    assert world.find("o🚀✓") == {rocket.key}
    assert world.find("✓") == {rocket.key}
    assert world.find("שלום") == {rocket.key}
    for typed in ("\x00", "fix\x00", "\ud800", "fix \udfff", "\ufffd", "\u200b", "\U0010ffff",
                  "a\u0301", "ﬁx", "x" * 5000, " ".join(["fix"] * 300)):  # fmt: skip
        found = world.find(typed)
        assert found <= world.expected(typed) | {"SD-2"}, typed  # never more than matches
    assert world.find("\x00") == set() and world.find("\ud800") == set()
    assert world.find(" ".join(["fix"] * 300)) == {"SD-2"}


def test_no_words_is_every_live_card_and_only_the_projects(world: World) -> None:
    assert world.find("") == {"SD-1", "SD-2", "SD-3", "SD-4", "SD-5"}
    assert world.find("   ") == world.find("")
    assert world.find("fix", world.other) == {"OT-1"}
    assert world.find("fix") == {"SD-2"}


def test_an_edited_card_is_found_by_its_new_text_not_its_old(world: World) -> None:
    s = world.services
    s.cards.update_card(world.eclair.id, {"title": "Croissant ordering"})
    assert world.find("éclair") == set()
    assert world.find("croissant") == {"SD-3"}
    s.cards.update_card(world.eclair.id, {"assignee_id": world.bob})
    assert world.find("builder") == {"SD-3"}
    s.cards.update_card(world.login.id, {"assignee_id": None, "label_ids": []})
    assert world.find("lovelace") == set() and world.find("backend") == set()
    s.cards.update_card(world.eclair.id, {"label_ids": [world.backend]})
    assert world.find("backend") == {"SD-3"}


def test_renames_reach_the_cards_that_show_them(world: World) -> None:
    s = world.services
    s.cards.update_card(world.epic.id, {"title": "Checkout epic"})
    assert world.find("payments") == set()
    assert world.find("checkout") == {"SD-1", "SD-2"}  # the child shows its parent's title
    s.team.rename_person(world.project.id, world.ada, "Ada King")
    assert world.find("lovelace") == set() and world.find("king") == {"SD-2"}
    s.team.rename_label(world.backend, "server")
    assert world.find("backend") == set() and world.find("server") == {"SD-2"}
    other_label = s.projects.add_label(world.project.id, "api")
    s.team.merge_labels(world.backend, other_label.id)
    assert world.find("server") == set() and world.find("api") == {"SD-2"}
    s.team.delete_label(other_label.id)
    assert world.find("api") == set()
    with world.runtime.engine.begin() as connection:  # no service changes a project's key
        connection.execute(text("UPDATE project SET key = 'NEW' WHERE id = :p"),
                           {"p": world.project.id})  # fmt: skip
    assert world.find("new-2") == {"NEW-2"} and world.find("sd-2") == set()


def test_archived_cards_are_not_found_until_restored(world: World) -> None:
    s = world.services
    archived = s.cards.archive_card(world.login.id)
    assert world.find("login") == set()
    s.cards.restore_card(world.login.id, archived.version)
    assert world.find("login") == {"SD-2"}


def test_deleted_and_moved_cards(world: World) -> None:
    engine = world.runtime.engine
    with engine.begin() as connection:  # what a project's deletion does to its cards
        connection.execute(text("DELETE FROM card WHERE id = :c"), {"c": world.eclair.id})
    assert world.find("éclair") == set()
    with engine.begin() as connection:  # a card moved to the other project
        connection.execute(
            text("UPDATE card SET project_id = :p, number = 99 WHERE id = :c"),
            {"p": world.other.id, "c": world.plain.id},
        )
    assert world.find("percent") == set()
    assert world.find("percent", world.other) == {"OT-99"}
    assert world.find("ot-99", world.other) == {"OT-99"}


def test_the_index_changes_with_the_card_in_one_transaction(world: World) -> None:
    """A change rolled back leaves the index as it was: the triggers write in the card's
    own transaction."""
    with world.runtime.engine.connect() as connection:
        connection.execute(text("UPDATE card SET title = 'Rolled back' WHERE id = :c"),
                           {"c": world.eclair.id})  # fmt: skip
        connection.rollback()
    assert world.find("rolled") == set() and world.find("éclair") == {"SD-3"}


def test_bad_input_is_one_clear_error(world: World) -> None:
    search = world.services.search
    with pytest.raises(ValidationError, match="whole-number id"):
        search.matching("1", "fix")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="must be text"):
        search.matching(world.project.id, None)  # type: ignore[arg-type]
    for project_id in (999_999, 10**30, -1, 0):
        with pytest.raises(NotFound, match="no project"):
            search.matching(project_id, "fix")
    with pytest.raises(NotFound):
        search.matching(999_999, "\x00")


def test_a_broken_index_is_one_clear_error(world: World) -> None:
    with world.runtime.engine.begin() as connection:
        connection.execute(text("DROP TABLE card_search CASCADE" if _pg(world) else
                                "DROP TABLE card_search"))  # fmt: skip
    for typed in ("fix", "fi"):
        with pytest.raises(DatabaseProblem, match="card_search"):
            world.services.search.matching(world.project.id, typed)


def _pg(world: World) -> bool:
    return world.runtime.engine.dialect.name == "postgresql"


def test_words_and_patterns() -> None:
    assert search_words("Fix fix FI login") == ("login", "Fix")
    assert search_words("E\u0301") == ("É",)
    assert glob_pattern("a*") == "*[Aa][*]*"
    assert glob_pattern("?[") == "*[?][[]*"
    assert glob_pattern("]^-") == "*]^-*"


def test_the_upgrade_fills_the_index_for_cards_already_there(db_url: str) -> None:
    """A database at 0012 with cards (no index yet), upgraded: every live card is found."""
    make_runtime(db_url).close()
    with opened_engine(db_url) as engine, engine.connect() as connection:
        command.downgrade(app.db.alembic_config(connection), "0012_chart_indexes")
        connection.commit()
    engine = create_db_engine(db_url)  # services on the 0012 schema, without migrating
    try:
        s = build_services(*session_factories(engine), actor="tester")
        project = s.projects.create_project("OLD", "Before the index")
        ada = s.projects.add_member(project.id, "Ada Lovelace").id
        ux = s.projects.add_label(project.id, "ux").id
        epic = s.cards.create_card(project.id, "Old epic", type="epic")
        s.cards.create_card(project.id, "Ünïcode title", assignee_id=ada, label_ids=[ux],
                            parent_id=epic.id)  # fmt: skip
        gone = s.cards.create_card(project.id, "Archived one")
        s.cards.archive_card(gone.id)
    finally:
        engine.dispose()
    runtime = open_runtime(db_url)
    try:
        assert runtime.migration == "upgraded"
        search = runtime.services.search

        def found(typed: str) -> set[str]:
            keys = {c.id: c.key for c in runtime.services.cards.list_cards(project.id)}
            return {keys[i] for i in search.matching(project.id, typed)}

        assert found("") == {"OLD-1", "OLD-2"}
        assert found("ÜNÏCODE") == {"OLD-2"}
        assert found("lovelace ux old epic") == {"OLD-2"}
        assert found("old-1") == {"OLD-1"}
        assert found("archived") == set()
        # And the triggers work after the upgrade.
        runtime.services.cards.create_card(project.id, "Brand new")
        assert found("brand") == {"OLD-4"}
    finally:
        runtime.close()


SQLITE_TRIGGERS = {
    "card_search_fts_added",
    "card_search_fts_removed",
    "card_search_fts_changed",
    "card_search_card_added",
    "card_search_card_edited",
    "card_search_parent_renamed",
    "card_search_card_deleted",
    "card_search_label_linked",
    "card_search_label_unlinked",
    "card_search_label_relinked",
    "card_search_label_renamed",
    "card_search_member_renamed",
    "card_search_project_rekeyed",
}
POSTGRES_TRIGGERS = {
    "card_search_card_changed",
    "card_search_labels_changed",
    "card_search_label_renamed",
    "card_search_member_renamed",
    "card_search_project_rekeyed",
}


def test_the_index_and_its_triggers_are_at_the_head(runtime: Runtime, backend: str) -> None:
    """A later migration that rebuilds a table drops its triggers: this says so."""
    with runtime.engine.connect() as connection:
        if backend == "sqlite":
            sql = connection.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE name = 'card_search_fts'"
            ).scalar()
            assert "fts5" in sql and "trigram" in sql
            triggers = connection.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'trigger'"
            ).scalars()
            assert set(triggers) >= SQLITE_TRIGGERS
        else:
            indexes = connection.exec_driver_sql(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_card_search_body'"
            ).scalar()
            assert "gin_trgm_ops" in indexes
            triggers = connection.exec_driver_sql(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
            ).scalars()
            assert set(triggers) >= POSTGRES_TRIGGERS


def test_an_older_sqlite_gets_the_table_without_the_trigram_index(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """Before 3.34 SQLite has no trigram tokenizer: the upgrade still works, and every word
    is a scan of card_search, with the same answers."""
    import sqlite3

    monkeypatch.setattr(sqlite3, "sqlite_version_info", (3, 31, 1))
    runtime = open_runtime("sqlite:///" + str(tmp_path / "old.db"))
    monkeypatch.undo()
    try:
        with runtime.engine.connect() as connection:
            names = set(connection.exec_driver_sql("SELECT name FROM sqlite_master").scalars())
        assert "card_search" in names and "card_search_fts" not in names
        s = runtime.services
        project = s.projects.create_project("SD", "Old SQLite")
        ada = s.projects.add_member(project.id, "Ada Lovelace").id
        login = s.cards.create_card(project.id, "Fix the LOGIN page", assignee_id=ada)
        eclair = s.cards.create_card(project.id, "Éclair ordering 100%")
        for typed, expected in (
            ("login", {login.id}),
            ("LOVELACE fix", {login.id}),
            ("fi", {login.id}),
            ("ÉCLAIR", {eclair.id}),
            ("é", {eclair.id}),
            ("100%", {eclair.id}),
            ("o", {login.id, eclair.id}),
            ("zzz", set()),
        ):
            assert s.search.matching(project.id, typed) == expected, typed
        s.cards.update_card(eclair.id, {"title": "Croissant"})
        assert s.search.matching(project.id, "croissant") == {eclair.id}
    finally:
        runtime.close()
