"""Two clients on one database at once (two runtimes, each its own engine and connections,
as two laptops on the team's PostgreSQL, or two windows on one SQLite file): they move,
edit and add the same cards concurrently. No write is lost (every successful write of a
card made exactly one new version of it), every refused one is a StaleEdit naming a newer
version (never a driver error), card numbers stay unique, and each client hears, through
its change feed, every card the other one changed."""

from __future__ import annotations

import random
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field

from app.bootstrap import Runtime
from app.errors import Conflict, StaleEdit
from app.services.events import Change
from tests.helpers import make_runtime

CARDS = 6
ROUNDS = 40


@dataclass
class Tally:
    """What one client saw: each successful write's (card, new version), each refusal."""

    name: str
    written: list[tuple[int, int]] = field(default_factory=list)
    stale: list[tuple[int, int, int | None]] = field(default_factory=list)  # card, had, now
    added: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def client(rt: Runtime, tally: Tally, card_ids: list[int], start: threading.Barrier) -> None:
    s = rt.services
    project_id = s.cards.get_card(card_ids[0]).project_id
    columns = [c.id for c in s.workflow.list_columns(project_id)]
    rng = random.Random(tally.name)
    start.wait()
    for step in range(ROUNDS):
        card_id = rng.choice(card_ids)
        try:
            seen = s.cards.get_card(card_id)
            if step % 10 == 9:
                tally.added.append(s.cards.create_card(project_id, f"{tally.name} {step}").key)
                continue
            time.sleep(rng.random() / 200)  # let the other client in between read and write
            if rng.random() < 0.5:
                done = s.cards.update_card(
                    card_id, {"title": f"{tally.name} {step}"}, expected_version=seen.version
                )
            else:
                others = [c for c in columns if c != seen.column_id]
                done = s.board.move_card(card_id, rng.choice(others), expected_version=seen.version)
            tally.written.append((card_id, done.version))
        except StaleEdit as exc:
            tally.stale.append((card_id, seen.version, exc.current_version))
        except Conflict as exc:  # refused for another reason someone else made: reported
            tally.stale.append((card_id, seen.version, None))
            if not str(exc):
                tally.errors.append(f"{type(exc).__name__} without a message")
        except Exception as exc:  # reported by the test, with its type
            tally.errors.append(f"{type(exc).__name__}: {exc}"[:300])


def heard_cards(rt: Runtime) -> list[Change]:
    changes: list[Change] = []
    rt.services.bus.subscribe(changes.append)
    return changes


def test_two_clients_edit_and_move_the_same_cards_at_once(db_url: str) -> None:
    a, b = make_runtime(db_url), make_runtime(db_url)
    try:
        project = a.services.projects.create_project("SD", "Two clients")
        card_ids = [a.services.cards.create_card(project.id, f"Card {i}").id for i in range(CARDS)]
        heard_by_a = heard_cards(a)
        heard_by_b = heard_cards(b)
        tallies = [Tally("a"), Tally("b")]
        start = threading.Barrier(2)
        threads = [
            threading.Thread(target=client, args=(rt, tally, card_ids, start))
            for rt, tally in zip((a, b), tallies, strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        assert not any(thread.is_alive() for thread in threads)
        assert [t.errors for t in tallies] == [[], []]

        # No lost write: the versions the successful writes made are each card's 2, 3, ...
        made: dict[int, list[int]] = defaultdict(list)
        for tally in tallies:
            for card_id, version in tally.written:
                made[card_id].append(version)
        for card_id in card_ids:
            final = a.services.cards.get_card(card_id)
            assert sorted(made[card_id]) == list(range(2, final.version + 1)), card_id
            assert b.services.cards.get_card(card_id) == final
        # Every refusal named a newer version than the one the client had read.
        for tally in tallies:
            for _card_id, had, now in tally.stale:
                assert now is None or now > had
        assert sum(len(t.written) for t in tallies) > 0

        cards = a.services.cards.list_cards(project.id)
        assert sorted(c.number for c in cards) == list(range(1, len(cards) + 1))
        assert (
            len({c.key for c in cards}) == len(cards) == CARDS + sum(len(t.added) for t in tallies)
        )

        # Each client hears every card the other one changed (a bounded wait for events).
        for rt, heard, other in ((a, heard_by_a, tallies[1]), (b, heard_by_b, tallies[0])):
            wanted = {card_id for card_id, _ in other.written}
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                rt.feed.poll()
                got = {c.id for change in heard if change.elsewhere for c in change.cards}
                if wanted <= got:
                    break
                time.sleep(0.05)
            got = {c.id for change in heard if change.elsewhere for c in change.cards}
            assert wanted <= got, (wanted - got, rt.feed.problem)
    finally:
        a.close()
        b.close()


def test_a_stale_move_after_the_other_clients_edit_is_refused_and_changes_nothing(
    db_url: str,
) -> None:
    a, b = make_runtime(db_url), make_runtime(db_url)
    try:
        project = a.services.projects.create_project("SD", "Stale")
        card = a.services.cards.create_card(project.id, "Shared")
        seen_by_b = b.services.cards.get_card(card.id)
        edited = a.services.cards.update_card(card.id, {"title": "A's"}, card.version)
        done = b.services.workflow.find_column(project.id, "Done")
        try:
            b.services.board.move_card(card.id, done.id, expected_version=seen_by_b.version)
        except StaleEdit as exc:
            assert exc.current_version == edited.version
        else:
            raise AssertionError("a move on a stale version was accepted")
        assert b.services.cards.get_card(card.id) == edited
        # On the fresh version the same move goes through, once.
        moved = b.services.board.move_card(card.id, done.id, expected_version=edited.version)
        assert moved.version == edited.version + 1 and moved.title == "A's"
    finally:
        a.close()
        b.close()
