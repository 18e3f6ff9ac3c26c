"""Comments (services.comments) and standups (services.standups) on real databases: who may
edit and delete, what a deleted or edited comment says, counts for the board, "since", the
bus, and every refusal leaving the database as it was."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from app.bootstrap import Runtime
from app.errors import Conflict, DomainError, NotFound, StaleEdit, ValidationError
from app.services import Services
from app.services.dto import CardDTO, ProjectDTO
from app.services.events import Change, ChangeKind
from tests.helpers import database_rows


@pytest.fixture
def refused(runtime: Runtime) -> Callable[..., DomainError]:
    def check(error: type[DomainError], call: Callable[..., Any], *args: Any, **kwargs: Any):
        match = kwargs.pop("match", None)
        before = database_rows(runtime.engine)
        with pytest.raises(error, match=match) as caught:
            call(*args, **kwargs)
        message = str(caught.value)
        assert message and "\n" not in message and "Traceback" not in message
        assert database_rows(runtime.engine) == before
        return caught.value

    return check


@pytest.fixture
def changes(services: Services) -> Iterator[list[Change]]:
    seen: list[Change] = []
    services.bus.subscribe(seen.append)
    yield seen
    services.bus.unsubscribe(seen.append)


@pytest.fixture
def web(services: Services) -> ProjectDTO:
    project = services.projects.create_project("WEB", "Website")
    services.projects.add_member(project.id, "Ana Lima")
    services.projects.add_member(project.id, "Bo")
    return project


@pytest.fixture
def card(services: Services, web: ProjectDTO) -> CardDTO:
    return services.cards.create_card(web.id, "Checkout page")


def test_add_is_by_the_actor_and_listed_newest_last(services: Services, web, card) -> None:
    services.set_actor("Ana Lima")
    first = services.comments.add(card.id, "  First **bold**  ")
    services.set_actor("Zed Outsider")
    second = services.comments.add(card.id, "Second")
    listed = services.comments.list(card.id)
    assert [c.text for c in listed] == ["First **bold**", "Second"]
    assert listed[0].author == "Ana Lima" and listed[0].member_id is not None
    assert listed[1].author == "Zed Outsider" and listed[1].member_id is None
    assert "<b>bold</b>" in listed[0].html
    assert listed[0].card_key == "WEB-1"
    assert first.id != second.id
    assert [c.mine for c in listed] == [False, True]


def test_edit_own_says_edited_and_others_are_refused(services: Services, card, refused) -> None:
    services.set_actor("Ana Lima")
    comment = services.comments.add(card.id, "typo hre")
    edited = services.comments.edit(comment.id, "typo here", expected_version=comment.version)
    assert edited.text == "typo here" and edited.edited and edited.version == comment.version + 1
    services.set_actor("Bo")
    refused(Conflict, services.comments.edit, comment.id, "mine now", match="Ana Lima's")
    refused(Conflict, services.comments.delete, comment.id, match="Only its author")
    services.set_actor("ana lima")  # names compare regardless of case
    refused(StaleEdit, services.comments.edit, comment.id, "x", expected_version=comment.version)


def test_revert_edit_puts_back_the_text_and_the_edited_mark(services: Services, card) -> None:
    """The undo of an edit: a comment never edited before is not "edited" afterwards, and
    one edited before keeps the time of that earlier edit."""
    services.set_actor("Ana Lima")
    comment = services.comments.add(card.id, "first words")
    assert comment.edited_at is None
    services.comments.edit(comment.id, "second words")
    reverted = services.comments.revert_edit(comment.id, comment.text, comment.edited_at)
    assert reverted.text == "first words" and not reverted.edited
    (listed,) = services.comments.list(card.id)
    assert listed.edited_at is None
    earlier = services.comments.edit(comment.id, "edited once")
    services.comments.edit(comment.id, "edited twice")
    again = services.comments.revert_edit(comment.id, earlier.text, earlier.edited_at)
    assert again.text == "edited once" and again.edited_at == earlier.edited_at


def test_revert_edit_is_refused_for_others_deleted_and_bad_text(
    services: Services, card, refused
) -> None:
    services.set_actor("Ana Lima")
    comment = services.comments.add(card.id, "hello")
    services.set_actor("Bo")
    refused(Conflict, services.comments.revert_edit, comment.id, "x", None, match="Ana Lima's")
    services.set_actor("Ana Lima")
    refused(ValidationError, services.comments.revert_edit, comment.id, "  ", None)
    refused(ValidationError, services.comments.revert_edit, comment.id, "ok", "yesterday")
    services.comments.delete(comment.id)
    refused(Conflict, services.comments.revert_edit, comment.id, "x", None, match="restore it")


def test_delete_leaves_deleted_by_and_restore_brings_it_back(services: Services, card) -> None:
    services.set_actor("Bo")
    comment = services.comments.add(card.id, "wrong card")
    deleted = services.comments.delete(comment.id)
    assert deleted.deleted and deleted.deleted_by == "Bo" and deleted.text == ""
    (listed,) = services.comments.list(card.id)
    assert listed.deleted_by == "Bo" and listed.html == ""
    assert services.comments.counts(card.project_id) == {}
    restored = services.comments.restore(comment.id)
    assert not restored.deleted and restored.text == "wrong card"
    assert services.comments.counts(card.project_id) == {card.id: 1}


def test_delete_twice_and_restore_of_a_live_one_are_refused(services: Services, card, refused):
    comment = services.comments.add(card.id, "hello")
    refused(Conflict, services.comments.restore, comment.id, match="not deleted")
    services.comments.delete(comment.id)
    refused(Conflict, services.comments.delete, comment.id, match="already deleted")
    refused(Conflict, services.comments.edit, comment.id, "again", match="restore it")


def test_retract_removes_without_trace(services: Services, card) -> None:
    comment = services.comments.add(card.id, "posted by mistake")
    services.comments.retract(comment.id)
    assert services.comments.list(card.id) == []


def test_counts_are_per_card_for_the_project(services: Services, web, card) -> None:
    other = services.cards.create_card(web.id, "Other")
    elsewhere = services.projects.create_project("OPS", "Ops")
    far = services.cards.create_card(elsewhere.id, "Far")
    for _ in range(3):
        services.comments.add(card.id, "x")
    services.comments.add(other.id, "y")
    services.comments.add(far.id, "z")
    assert services.comments.counts(web.id) == {card.id: 3, other.id: 1}
    assert services.comments.counts(elsewhere.id) == {far.id: 1}


def test_since_filters_by_moment_and_member(services: Services, web, card, runtime) -> None:
    now = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    services.context.clock = lambda: now
    services.set_actor("Ana Lima")
    services.comments.add(card.id, "old")
    now = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)
    services.comments.add(card.id, "new by Ana")
    services.set_actor("Bo")
    services.comments.add(card.id, "new by Bo")
    moment = dt.datetime(2026, 12, 2, 0, 0, tzinfo=dt.UTC)
    assert [c.text for c in services.comments.since(web.id, moment)] == [
        "new by Ana",
        "new by Bo",
    ]
    assert [c.text for c in services.comments.since(web.id, moment, member="ana lima")] == [
        "new by Ana"
    ]


def test_every_write_publishes_commented_with_the_card(services: Services, card, changes):
    comment = services.comments.add(card.id, "a")
    services.comments.edit(comment.id, "b")
    services.comments.delete(comment.id)
    services.comments.restore(comment.id)
    kinds = [c.kind for c in changes]
    assert kinds == [ChangeKind.COMMENTED] * 4
    assert all(c.cards[0].id == card.id and c.project_id == card.project_id for c in changes)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("", "cannot be empty"),
        ("   \n\t  ", "cannot be empty"),
        ("x" * 20_001, "20,001 characters"),
        ("nul \x00 here", "control characters"),
        ("lone \ud800 surrogate", "not valid text"),
        (42, "must be text"),
    ],
)
def test_bad_text_is_refused_and_nothing_written(services, card, refused, text, match) -> None:
    refused(ValidationError, services.comments.add, card.id, text, match=match)


def test_twenty_thousand_characters_and_odd_unicode_are_fine(services: Services, card) -> None:
    long = services.comments.add(card.id, "é" * 20_000)
    assert len(long.text) == 20_000
    odd = services.comments.add(card.id, "RTL \u202e אבג 👩🏽‍💻 e\u0301")
    assert "👩🏽‍💻" in odd.text and "\u00e9" in odd.text  # NFC


def test_unknown_card_or_comment_is_not_found(services: Services, card, refused) -> None:
    refused(NotFound, services.comments.add, 999_999, "x")
    refused(NotFound, services.comments.edit, 999_999, "x")
    refused(NotFound, services.comments.list, 999_999)


def test_a_deleted_card_takes_no_comments(services: Services, card, refused) -> None:
    services.cards.archive_card(card.id)
    refused(Conflict, services.comments.add, card.id, "late", match="restore it")


def test_imported_comments_are_listed(services: Services, runtime, web, card) -> None:
    from app.models import Comment

    with runtime.services.context.write() as uow:
        uow.session.add(
            Comment(
                card_id=card.id,
                author="trello user",
                created_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
                text="from **Trello**",
            )
        )
        uow.commit()
    (comment,) = services.comments.list(card.id)
    assert comment.author == "trello user" and comment.version == 1 and not comment.mine
    assert "<b>Trello</b>" in comment.html


def test_standups_start_end_and_last_started(services: Services, web, refused) -> None:
    assert services.standups.last_started(web.id) is None
    now = dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC)
    services.context.clock = lambda: now
    first = services.standups.start(web.id)
    now = dt.datetime(2026, 12, 1, 9, 45, tzinfo=dt.UTC)
    ended = services.standups.end(first.id, "All good")
    assert ended.ended_at == now and ended.summary == "All good"
    refused(Conflict, services.standups.end, first.id, "again")
    now = dt.datetime(2026, 12, 2, 9, 30, tzinfo=dt.UTC)
    services.standups.start(web.id)
    assert services.standups.last_started(web.id) == now
    refused(NotFound, services.standups.end, 999_999, "")
    refused(NotFound, services.standups.start, 999_999)


def test_standups_are_listed_newest_first_with_their_summaries(
    services: Services, web, refused
) -> None:
    assert services.standups.list(web.id) == []
    now = dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC)
    services.context.clock = lambda: now
    first = services.standups.end(services.standups.start(web.id).id, "# Monday\n\n- ok")
    now = dt.datetime(2026, 12, 2, 9, 30, tzinfo=dt.UTC)
    second = services.standups.start(web.id)
    assert [s.id for s in services.standups.list(web.id)] == [second.id, first.id]
    assert services.standups.get(first.id).summary == "# Monday\n\n- ok"
    assert services.standups.get(second.id).ended_at is None
    refused(NotFound, services.standups.get, 999_999)
    refused(ValidationError, services.standups.get, "1")
    refused(NotFound, services.standups.list, 999_999)


def test_a_project_move_carries_comments_and_standups(
    services: Services, web, card, new_db_url, tmp_path
) -> None:
    """Comments (author member, edits, deletes) and standups follow Base.metadata into a
    project export, and arrive whole in another database."""
    from tests.helpers import make_runtime

    services.set_actor("Ana Lima")
    kept = services.comments.add(card.id, "kept @Bo")
    services.comments.edit(kept.id, "kept, edited @Bo")
    gone = services.comments.add(card.id, "gone")
    services.comments.delete(gone.id)
    standup = services.standups.start(web.id)
    services.standups.end(standup.id, "short one")
    target = tmp_path / "web.json"
    services.transfer.export_project(target, "WEB", schema="0008_talk")

    other = make_runtime(new_db_url("other"))
    try:
        s = other.services
        s.transfer.import_sprintdeck(target, schema="0008_talk")
        moved = s.projects.find_project("WEB")
        moved_card = s.cards.find_card("WEB-1")
        listed = s.comments.list(moved_card.id)
        assert [(c.author, c.text, c.edited, c.deleted_by) for c in listed] == [
            ("Ana Lima", "kept, edited @Bo", True, None),
            ("Ana Lima", "", False, "Ana Lima"),
        ]
        team = {m.display_name: m.member_id for m in s.team.list_team(moved.id)}
        assert listed[0].member_id == team["Ana Lima"]
        last = s.standups.last(moved.id)
        assert last is not None and last.summary == "short one" and last.ended_at is not None
        assert s.comments.counts(moved.id) == {moved_card.id: 1}
    finally:
        other.close()


def test_trello_and_jira_comments_are_listed_and_counted(services: Services) -> None:
    """Imports wrote comments before this service existed; they are listed like any other
    (nobody's own, so nobody edits them) and counted for the board."""
    from tests.helpers import ROOT

    fixtures = ROOT / "tests" / "fixtures"
    services.transfer.import_file("trello", fixtures / "trello_board.json")
    services.transfer.import_file("jira-csv", fixtures / "jira_export.csv")
    total = 0
    for project in services.projects.list_projects():
        counts = services.comments.counts(project.id)
        for card_id, count in counts.items():
            listed = services.comments.list(card_id)
            assert len(listed) == count
            assert all(c.text and c.html and c.member_id is None for c in listed)
            total += count
    assert total >= 3
