"""The command line against hostile arguments: a bounded, seeded fuzz of every command.

Each case takes a valid command on the demo database and replaces one argument (or the
database itself) with something hostile: empty, huge, not UTF-8, odd Unicode, numbers
beyond range, dates out of range, paths that are folders, pipes, the database itself or
its journal, URLs of other databases. Whatever happens, the person sees exit status 0, 1
or 2; a refusal is one line on stderr, never a traceback or an "unexpected error", and
leaves the database's contents exactly as they were.

The cases run in-process (``app.main.main``) so that hundreds fit in a CI run; FUZZ_CASES
sets how many (default 500). ``./dev.sh test -m long`` runs 5,000 more with another seed.
"""

from __future__ import annotations

import os
import random
import shutil
import socket
from collections import Counter
from pathlib import Path

import pytest

from app.main import main
from tests.helpers import ROOT, dump_digest, make_runtime

FIXTURES = ROOT / "tests" / "fixtures"


class World:
    """The demo database (restored from a template after a case changed it) and the
    hostile things in the file system that cases point at."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.template = root / "template.db"
        rt = make_runtime(self.template, demo=True)
        rt.close()
        self.db = root / "board.db"
        self.folder = root / "a-folder"
        self.folder.mkdir()
        self.fifo = root / "a-fifo"
        os.mkfifo(self.fifo)
        self.socket_path = root / "a-socket"
        self._socket = socket.socket(socket.AF_UNIX)
        self._socket.bind(str(self.socket_path))
        self.other_db = root / "other.db"
        shutil.copy(self.template, self.other_db)
        self.notes = root / "notes.txt"
        self.notes.write_text("not a database")
        # Copies: a case may name any file as its database, and must not harm the originals.
        self.fixtures = root / "fixtures"
        shutil.copytree(FIXTURES, self.fixtures)
        self.cwd = root / "cwd"  # relative names (a hostile --db "0") land here
        self.cwd.mkdir()
        self.reset()
        self.clean = dump_digest(self.db)

    def reset(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(str(self.db) + suffix).unlink(missing_ok=True)
        shutil.copy(self.template, self.db)

    def close(self) -> None:
        self._socket.close()


def hostile_values(world: World) -> list[str]:
    huge = "x" * 5000
    return [
        "",
        " ",
        "\t",
        "\udcff",  # a byte that is not UTF-8, as Python hands it over (surrogateescape)
        "abc\udce9def",
        "\x00",
        "a\x00b",
        "\x1b[31mred",
        "\u202eevil",
        "\ud800",
        "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🍏 日本語 مرحبا",
        "e\u0301",
        huge,
        "9" * 40,
        "-1",
        "0",
        "-0",
        "1e309",
        "NaN",
        "inf",
        "99999999999999999999999",
        "9223372036854775808",
        "DEMO-9223372036854775808",
        "DEMO-" + "9" * 5000,
        "WEB-¹",
        "DEMO-0",
        "9999-12-31",
        "0001-01-01",
        "2026-02-30",
        "1969-12-31",
        '=HYPERLINK("http://x","y")',
        "'; DROP TABLE card; --",
        "--db",
        "-o",
        str(world.db),
        str(world.db) + "-wal",
        str(world.db) + "-shm",
        str(world.folder),
        str(world.fifo),
        str(world.socket_path),
        str(world.other_db),
        str(world.notes),
        str(world.root / ("n" * 300)),
        str(world.root / "missing" / "x.json"),
        "~nouser/x.db",
        "sqlite:///" + str(world.db) + "?timeout=abc",
        "sqlite:///" + str(world.db) + "?mode=ro",
        "mysql://user@localhost/db",
        "foo://bar",
        "postgresql+psycopg://nobody@127.0.0.1:1/none",
        str(world.fixtures / "trello_truncated.json"),
        str(world.fixtures / "not_jira.csv"),
        "/dev/zero",
    ]


def templates(world: World) -> list[list[str]]:
    out = world.root / "out"
    return [
        ["card", "add", "--project", "DEMO", "--title", "Fuzzed", "--points", "3"],
        ["card", "add", "--project", "DEMO", "--title", "T", "--type", "bug", "--column", "Done"],
        ["card", "add", "--project", "DEMO", "--title", "T", "--assignee", "Ada Lovelace"],
        ["card", "add", "--project", "DEMO", "--title", "T", "--sprint", "DEMO Sprint 4"],
        ["card", "move", "DEMO-5", "--to", "Done", "--position", "1"],
        ["card", "plan", "DEMO-5", "--sprint", "backlog"],
        ["card", "list", "--project", "DEMO", "--json"],
        ["card", "list", "--project", "DEMO", "--csv", "--all"],
        ["project", "add", "WEB", "--name", "Website"],
        ["project", "list", "--json"],
        ["column", "list", "--project", "DEMO", "--json"],
        ["sprint", "add", "--project", "DEMO", "--name", "N", "--goal", "G"],
        ["sprint", "add", "--project", "DEMO", "--start", "2030-01-07", "--end", "2030-01-18"],
        ["sprint", "list", "--project", "DEMO", "--json"],
        ["sprint", "start", "DEMO Sprint 5", "--project", "DEMO"],
        ["sprint", "complete", "DEMO Sprint 4", "--project", "DEMO", "--carry-over", "backlog"],
        ["report", "--project", "DEMO", "--sprint", "last", "--format", "md", "-o", f"{out}.md"],
        ["report", "--project", "DEMO", "--sprint", "active", "-o", f"{out}.csv"],
        ["export", "-o", f"{out}.json"],
        ["backup", "-o", f"{out}.db"],
        ["restore", str(world.other_db)],
        ["import", "trello", str(world.fixtures / "trello_board.json"), "--project", "TRL"],
        ["import", "jira-csv", str(world.fixtures / "jira_export.csv"), "--project", "JRA"],
        ["import", "sprintdeck", f"{out}.json"],
        ["check"],
        ["init", "--demo"],
    ]


GROUPS = {"card", "project", "column", "sprint", "import", "member", "label"}


def command_words(argv: list[str]) -> int:
    """How many leading words name the command ("card add": 2, "export": 1)."""
    return 2 if argv[0] in GROUPS else 1


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        status = main(argv)
    except SystemExit as exc:  # argparse's usage errors and --help
        status = exc.code if isinstance(exc.code, int) else 2
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def fuzz(world: World, cases: int, seed: int, capsys: pytest.CaptureFixture[str]) -> Counter:
    rng = random.Random(seed)
    values = hostile_values(world)
    commands = templates(world)
    tally: Counter = Counter()
    for case in range(cases):
        argv = list(rng.choice(commands))
        db = str(world.db)
        # Mostly the values a person types (a title, a key, a file name), sometimes any
        # word at all, sometimes the database.
        values_at = [
            i for i, a in enumerate(argv) if i >= command_words(argv) and not a.startswith("-")
        ]
        roll = rng.random()
        if roll < 0.1:
            db = rng.choice(values)
        elif roll < 0.2 or not values_at:
            argv[rng.randrange(len(argv))] = rng.choice(values)
        else:
            argv[rng.choice(values_at)] = rng.choice(values)
        argv += ["--db", db]
        status, out, err = run(argv, capsys)
        label = f"case {case}: sprintdeck {' '.join(repr(a)[:60] for a in argv)}"
        assert status in (0, 1, 2), f"{label}: exit {status}"
        assert "Traceback" not in err and "Traceback" not in out, f"{label}:\n{err}"
        assert "unexpected error" not in err, f"{label}: {err}"
        if status == 0:
            tally["done"] += 1
            world.reset()
            continue
        tally["refused" if status == 1 else "usage"] += 1
        lines = err.strip().splitlines()
        assert len(lines) == 1, f"{label}: stderr is not one line:\n{err}"
        assert dump_digest(world.db) == world.clean, f"{label}: the database changed"
    return tally


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    before = {p.name: p.read_bytes() for p in FIXTURES.iterdir()}
    w = World(tmp_path)
    monkeypatch.chdir(w.cwd)
    # A case left without a command word opens the window (as `sprintdeck` alone does);
    # that is not a command-line answer, and the window is tested on its own.
    monkeypatch.setattr("app.main._run_window", lambda db: 0)
    yield w
    w.close()
    # Only the copies were in reach: the repository's own files are as they were.
    assert {p.name: p.read_bytes() for p in FIXTURES.iterdir()} == before


def test_fuzz_the_command_line(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    cases = int(os.environ.get("FUZZ_CASES", "500"))
    tally = fuzz(world, cases, seed=20261201, capsys=capsys)
    assert sum(tally.values()) == cases
    assert tally["refused"] + tally["usage"] > cases // 2  # it did try hostile things
    print(f"fuzz: {cases} cases, {dict(tally)}, tracebacks: 0")


@pytest.mark.long
def test_fuzz_the_command_line_longer(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    tally = fuzz(world, 5000, seed=7, capsys=capsys)
    assert tally["refused"] + tally["usage"] > 2500
    print(f"fuzz (long): 5000 cases, {dict(tally)}, tracebacks: 0")
