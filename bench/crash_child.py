"""The victim of the crash harness: random service operations on a database, forever.

``python -m bench.crash_child DB_PATH SEED`` prints ``ready`` once, then one JSON line per
committed operation (flushed right after the commit) describing the card or sprint as the
service returned it. The harness kills it with SIGKILL at random moments and checks that
everything reported is in the file.

Edits change one field group at a time, so every committed change of a card writes exactly
one history event and bumps its version by one: ``card.version == number of its events``.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

from app.bootstrap import open_runtime
from app.errors import DomainError

PROJECT = "CR"


def card_line(op: str, card) -> str:  # type: ignore[no-untyped-def]
    return json.dumps(
        {
            "op": op,
            "card": card.id,
            "key": card.key,
            "version": card.version,
            "column": card.column_id,
            "rank": card.rank,
            "title": card.title,
            "points": None if card.points is None else str(card.points),
            "sprint": card.sprint_id,
            "archived": card.archived,
        }
    )


def sprint_line(op: str, sprint) -> str:  # type: ignore[no-untyped-def]
    return json.dumps(
        {"op": op, "sprint": sprint.id, "version": sprint.version, "state": sprint.state}
    )


def emit(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def ensure_project(services) -> int:  # type: ignore[no-untyped-def]
    try:
        return services.projects.find_project(PROJECT).id
    except DomainError:
        return services.projects.create_project(PROJECT, "Crash test").id


def step(services, project_id: int, rng: random.Random) -> None:  # type: ignore[no-untyped-def]
    cards = services.cards.list_cards(project_id, include_archived=True)
    live = [c for c in cards if not c.archived]
    columns = services.workflow.list_columns(project_id)
    roll = rng.random()
    if roll < 0.2 or len(live) < 3:
        card = services.cards.create_card(
            project_id,
            f"card {rng.randrange(10**6)}",
            points=rng.choice([None, 1, 2, 3, 5, 8]),
            column_id=rng.choice(columns).id,
        )
        emit(card_line("create", card))
        return
    card = rng.choice(live)
    if roll < 0.4:
        target = rng.choice(columns)
        moved = services.board.move_card(
            card.id, target.id, position=rng.randint(1, 4), expected_version=card.version
        )
        if moved.version != card.version:
            emit(card_line("move", moved))
    elif roll < 0.5:
        others = [c for c in live if c.id != card.id]
        anchor = rng.choice(others)
        picked = [card.id] + [c.id for c in rng.sample(others, min(2, len(others) - 1))]
        picked = [i for i in picked if i != anchor.id]
        side = {"after_id": anchor.id} if rng.random() < 0.5 else {"before_id": anchor.id}
        for dto in services.board.rank_cards(picked, **side):
            emit(card_line("rank", dto))
    elif roll < 0.6:
        field = rng.choice(["title", "points"])
        value = f"edited {rng.randrange(10**6)}" if field == "title" else rng.choice([1, 2, 13])
        edited = services.cards.update_card(card.id, {field: value}, card.version)
        if edited.version != card.version:
            emit(card_line("edit", edited))
    elif roll < 0.67:
        emit(card_line("archive", services.cards.archive_card(card.id, card.version)))
    elif roll < 0.75:
        archived = [c for c in cards if c.archived]
        if archived:
            emit(card_line("restore", services.cards.restore_card(rng.choice(archived).id)))
    else:
        sprints = services.sprints.list_sprints(project_id)
        open_sprints = [s for s in sprints if s.state != "closed"]
        active = [s for s in sprints if s.state == "active"]
        planned = [s for s in sprints if s.state == "planned"]
        r = rng.random()
        if r < 0.55 and open_sprints:
            target = rng.choice([*open_sprints, None])
            planned_card = services.sprints.plan_card(
                card.id, None if target is None else target.id, card.version
            )
            if planned_card.version != card.version:
                emit(card_line("plan", planned_card))
        elif r < 0.7 and len(planned) < 2:
            emit(sprint_line("sprint_create", services.sprints.create_sprint(project_id)))
        elif r < 0.85 and planned and not active:
            started = services.sprints.start_sprint(planned[0].id, allow_unestimated=True)
            emit(sprint_line("sprint_start", started))
        elif active:
            emit(sprint_line("sprint_complete", services.sprints.complete_sprint(active[0].id)))


def main(argv: list[str]) -> int:
    path = Path(argv[0])
    rng = random.Random(int(argv[1]) if len(argv) > 1 else None)
    runtime = open_runtime("sqlite:///" + str(path.absolute()))
    services = runtime.services
    project_id = ensure_project(services)
    emit("ready")
    limit = int(argv[2]) if len(argv) > 2 else 0
    done = 0
    while not limit or done < limit:
        try:
            step(services, project_id, rng)
        except DomainError as exc:  # a refused operation is fine; nothing was written
            emit(json.dumps({"op": "refused", "why": str(exc)[:80]}))
        done += 1
    runtime.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
