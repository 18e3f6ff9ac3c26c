"""Importing a 10,000-card Trello board: ``python -m bench.import_bench [--cards N] [--repeat R]``.

Writes a synthetic board export (8 lists, one archived; labels; 12 members; checklists on a
fifth of the cards; comments on a tenth; list moves on a third), then for each repeat imports
it into a fresh migrated SQLite database and prints the medians of: parsing the file, writing
it (one transaction), the whole import, and a second import refused as a duplicate.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from pathlib import Path

from app.services.transfer import TransferService, parse_trello
from tests.helpers import make_runtime


def object_id(n: int, seconds: int) -> str:
    return f"{seconds:08x}{n:016x}"


def synth_board(path: Path, cards: int, seed: int = 5) -> None:
    rng = random.Random(seed)
    start = 1_700_000_000
    lists = [
        {"id": object_id(i, start), "name": name, "closed": i == 7, "pos": (8 - i) * 1024}
        for i, name in enumerate(
            ["Done", "Review", "Doing", "Ready", "Backlog", "Icebox", "Ideas", "Old"]
        )
    ]
    members = [
        {"id": object_id(100 + i, start), "fullName": f"Person {i}", "username": f"p{i}"}
        for i in range(12)
    ]
    labels = [
        {"id": object_id(200 + i, start), "name": f"label{i}", "color": color}
        for i, color in enumerate(["green", "yellow", "red", "blue", "sky", "pink"])
    ]
    out_cards, checklists, actions = [], [], []
    for n in range(cards):
        created = start + n * 60
        card_id = object_id(10_000 + n, created)
        lst = rng.choice(lists)
        out_cards.append(
            {
                "id": card_id,
                "name": f"({rng.choice([1, 2, 3, 5, 8])}) Card number {n} 🚀",
                "desc": "Some text\nacross lines" if n % 3 else "",
                "closed": n % 50 == 0,
                "idList": lst["id"],
                "pos": rng.random() * 1e6,
                "idLabels": [lb["id"] for lb in rng.sample(labels, rng.randint(0, 2))],
                "idMembers": [m["id"] for m in rng.sample(members, rng.randint(0, 3))],
                "due": None,
                "dateLastActivity": "2025-11-20T09:00:00.000Z",
            }
        )
        if n % 5 == 0:
            checklists.append(
                {
                    "id": object_id(500_000 + n, created),
                    "idCard": card_id,
                    "pos": 1,
                    "checkItems": [
                        {
                            "name": f"item {k}",
                            "state": "complete" if k % 2 else "incomplete",
                            "pos": k,
                        }
                        for k in range(4)
                    ],
                }
            )
        if n % 10 == 0:
            actions.append(
                {
                    "type": "commentCard",
                    "date": "2025-11-21T10:00:00.000Z",
                    "idMemberCreator": members[0]["id"],
                    "data": {"text": "A comment", "card": {"id": card_id}},
                }
            )
        if n % 3 == 0:
            actions.append(
                {
                    "type": "updateCard",
                    "date": "2025-11-22T10:00:00.000Z",
                    "data": {"card": {"id": card_id}, "listAfter": {"id": lst["id"]}},
                }
            )
    board = {
        "id": object_id(1, start),
        "name": "Benchmark Board",
        "lists": lists,
        "cards": out_cards,
        "labels": labels,
        "members": members,
        "checklists": checklists,
        "actions": actions,
    }
    path.write_text(json.dumps(board), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cards", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    figures: dict[str, list[float]] = {"parse": [], "import": [], "refused again": []}
    with tempfile.TemporaryDirectory() as folder:
        board = Path(folder) / "board.json"
        synth_board(board, args.cards)
        size = board.stat().st_size
        for run in range(args.repeat):
            began = time.perf_counter()
            parse_trello(board)
            figures["parse"].append(time.perf_counter() - began)
            rt = make_runtime(Path(folder) / f"bench{run}.db")
            try:
                transfer = TransferService(rt.services.context)
                began = time.perf_counter()
                summary = transfer.import_file("trello", board)
                figures["import"].append(time.perf_counter() - began)
                assert summary.cards == args.cards
                began = time.perf_counter()
                try:
                    transfer.import_file("trello", board)
                except Exception:
                    pass
                figures["refused again"].append(time.perf_counter() - began)
            finally:
                rt.close()
    print(f"Trello import, {args.cards} cards ({size / 1e6:.1f} MB), {args.repeat} runs:")
    for name, values in figures.items():
        print(f"  {name:<16} median {statistics.median(values):7.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
