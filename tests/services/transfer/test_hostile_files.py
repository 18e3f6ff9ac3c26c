"""Hostile import files against every importer: one readable line, never a traceback, and
nothing written.

Each file of the table is fed to ``import trello``, ``import jira-csv`` and ``import
sprintdeck``. A file that cannot be read as that kind is refused: exit status 1, exactly one
line on stderr (``sprintdeck: ...``, under 300 characters, not an "unexpected error"), and
the database's contents unchanged (compared as a SQL dump). A file that its own importer can
read but whose values the services would refuse (a NUL in a title, 5,000 points, a date in
the year 9999) is imported with those values cleaned, and the summary says what was changed.

Through the real entry point in a child process with a memory cap (RLIMIT_AS 1.5 GB) and a
30 s time limit: every file with the importer it was written for, and the files that attack
the process itself (an endless device, a FIFO without a writer, deep nesting, huge numbers,
an oversized file) with all three. The rest of the combinations run in-process through
``app.main.main``, which is the same code without the cost of starting Python.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from app.main import main
from tests.helpers import ROOT, dump_digest, make_runtime
from tests.services.transfer.test_jira_rules import issue, write_csv
from tests.services.transfer.test_trello_rules import at, card, make_board, oid

IMPORTERS = ("trello", "jira-csv", "sprintdeck")
MEMORY_CAP = 1536 * 1024 * 1024
TIME_LIMIT = 30


def _board(change: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any]:
    board = make_board(
        [card(oid(at(0), 1), "First", "l1"), card(oid(at(0), 2), "Second", "l2", pos=2)]
    )
    board["labels"] = [{"id": "lab1", "name": "urgent", "color": "red"}]
    board["checklists"] = [
        {
            "id": "chk1",
            "idCard": oid(at(0), 1),
            "pos": 1,
            "checkItems": [{"id": "i1", "name": "step", "state": "complete", "pos": 1}],
        }
    ]
    if change:
        change(board)
    return board


def _json(board: dict[str, Any]) -> bytes:
    return json.dumps(board).encode("utf-8")


def _jira(*issues: dict[str, Any]) -> bytes:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        return write_csv(Path(folder) / "x.csv", list(issues)).read_bytes()


def _export_with_escape(folder: Path) -> bytes:
    """A real Sprintdeck export of the demo, with an ESC sequence put into one title."""
    from app.services.transfer import TransferService

    rt = make_runtime(folder / "export-source.db", demo=True)
    try:
        TransferService(rt.services.context).export_all(folder / "export.json", schema="t")
    finally:
        rt.close()
    data = json.loads((folder / "export.json").read_text(encoding="utf-8"))
    data["tables"]["card"][0]["title"] = "\x1b]0;owned\x07\x1b[2J"
    return json.dumps(data).encode("utf-8")


@dataclass(frozen=True)
class Hostile:
    """One hostile file: how to make it, the importer it was written for (None: none), and
    what that importer does with it: a fragment of its refusal, or the summary's lines."""

    name: str
    make: Callable[[Path], Path]
    target: str | None
    refusal: str = ""
    imported: tuple[str, ...] = ()
    attacks_the_process: bool = False


def _file(content: bytes | Callable[[], bytes], suffix: str = ".json") -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        data = content() if callable(content) else content
        path = folder / f"file{len(list(folder.iterdir()))}{suffix}"
        path.write_bytes(data)
        return path

    return make


def _fifo(folder: Path) -> Path:
    path = folder / "a-fifo"
    os.mkfifo(path)
    return path


def _oversized(folder: Path) -> Path:
    path = folder / "huge.json"
    with path.open("wb") as handle:  # sparse: 201 MB on paper, no disk used
        handle.truncate(201 * 1024 * 1024)
    return path


CONTROL_BOARD = _board(
    lambda b: b["cards"].extend(
        [
            card(oid(at(0), 3), "\x00NUL and \x1b[31mESC", "l1", pos=3),
            card(oid(at(0), 4), "(5000) Too big", "l1", pos=4),
            card(oid(at(0), 5), "Bell\x07", "l1", pos=5),
        ]
    )
)

HOSTILE = [
    Hostile(
        "deep-json",
        _file(b"[" * 100_000),
        None,
        attacks_the_process=True,
    ),
    Hostile(
        "deep-json-in-a-board",
        _file(b'{"name": "x", "lists": [], "cards": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"),
        "trello",
        refusal="nested too deeply",
        attacks_the_process=True,
    ),
    Hostile("dev-zero", lambda _folder: Path("/dev/zero"), None, attacks_the_process=True),
    Hostile("fifo-without-writer", _fifo, None, attacks_the_process=True),
    Hostile("oversized", _oversized, None, attacks_the_process=True),
    Hostile(
        "number-of-5000-digits",
        _file(lambda: _json(_board())[:-1] + b', "pos": ' + b"9" * 5000 + b"}"),
        "trello",
        refusal="holds a number of thousands of digits",
        attacks_the_process=True,
    ),
    Hostile(
        "pos-top",
        _file(lambda: _json(_board(lambda b: b["lists"][0].update(pos="top")))),
        "trello",
        refusal="list 1 in 'lists' has 'pos' = 'top', which is not a number",
    ),
    Hostile(
        "label-without-id",
        _file(lambda: _json(_board(lambda b: b["labels"][0].pop("id")))),
        "trello",
        refusal="label 1 in 'labels' has no key 'id'",
    ),
    Hostile(
        "checklist-items-not-objects",
        _file(lambda: _json(_board(lambda b: b["checklists"][0].update(checkItems=[1, 2])))),
        "trello",
        refusal="item 1 in 'checkItems' of checklist 1 in 'checklists' is a number",
    ),
    Hostile(
        "cards-not-a-list",
        _file(lambda: _json(_board(lambda b: b.update(cards="none")))),
        "trello",
        refusal="the key 'cards' should hold a list, not text",
    ),
    Hostile(
        "flag-as-text",
        _file(lambda: _json(_board(lambda b: b["cards"][0].update(closed="false")))),
        "trello",
        refusal="'closed' = 'false', not true or false",
    ),
    Hostile(
        "numbers-as-text",
        _file(lambda: _json(_board(lambda b: b["cards"][1].update(pos="0.5")))),
        "trello",
        imported=(
            "Created project FB.",
            "Created 2 cards, 3 columns, 1 label, 1 member, "
            "0 sprints, 1 checklist item, 0 comments.",
        ),
    ),
    Hostile(
        "lone-surrogate-in-a-title",
        _file(lambda: _json(_board()).replace(b'"First"', b'"Fir\\ud800st"')),
        "trello",
        imported=(
            "Created project FB.",
            "Created 2 cards, 3 columns, 1 label, 1 member, 0 sprints, 1 checklist item, "
            "0 comments.",
            "1 title had invalid characters (lone surrogates) removed.",
        ),
    ),
    Hostile(
        "nul-esc-titles-and-5000-points",
        _file(lambda: _json(CONTROL_BOARD)),
        "trello",
        imported=(
            "Created project FB.",
            "Created 5 cards, 3 columns, 1 label, 1 member, 0 sprints, 1 checklist item, "
            "0 comments.",
            "2 titles had control characters removed.",
            "1 estimate over 1,000 points dropped.",
        ),
    ),
    Hostile(
        "dates-out-of-range",
        _file(
            lambda: _json(
                _board(
                    lambda b: (
                        b["cards"][0].update(due="9999-12-31T23:59:00.000Z"),
                        b["cards"][1].update(dateLastActivity="0000-01-01T00:00:00.000Z"),
                    )
                )
            )
        ),
        "trello",
        imported=(
            "Created project FB.",
            "Created 2 cards, 3 columns, 1 label, 1 member, 0 sprints, 1 checklist item, "
            "0 comments.",
            "1 date outside 1970–2199 dropped.",
            "1 date in no format Sprintdeck knows dropped.",
        ),
    ),
    Hostile(
        "jira-key-with-superscript",
        _file(lambda: _jira(issue("WEB-¹", "Superscript"), issue("WEB-2", "Two")), ".csv"),
        "jira-csv",
        imported=(
            "Created project WEB.",
            "Created 2 cards, 1 column, 0 labels, 0 members, 0 sprints, 0 checklist items, "
            "0 comments.",
        ),
    ),
    Hostile(
        "jira-created-in-year-0",
        _file(
            lambda: _jira(
                issue("WEB-1", "Forty", points="9" * 40, **{"Due date": "9999-12-31 23:59"}),
                issue("WEB-2", "Digits", points="9" * 5000, Created="0000-01-01 00:00"),
            ),
            ".csv",
        ),
        "jira-csv",
        refusal="line 3: the date '0000-01-01 00:00' in 'Created' is in no format",
    ),
    Hostile(
        "jira-40-digit-points",
        _file(
            lambda: _jira(
                issue("WEB-1", "Forty", points="9" * 40, **{"Due date": "9999-12-31 23:59"}),
                issue("WEB-2", "Digits", points="9" * 5000, Resolved="0000-01-01 00:00"),
            ),
            ".csv",
        ),
        "jira-csv",
        imported=(
            "Created project WEB.",
            "Created 2 cards, 1 column, 0 labels, 0 members, 0 sprints, 0 checklist items, "
            "0 comments.",
            "2 estimates over 1,000 points dropped.",
            "1 date outside 1970–2199 dropped.",
            "1 date in no format Sprintdeck knows dropped.",
        ),
    ),
    Hostile(
        "semicolons-and-a-6000-character-header",
        _file(";".join(f"Field {n:04d}" for n in range(600)).encode() + b"\r\nx;y\r\n", ".csv"),
        "jira-csv",
        refusal="has no column 'Summary' (its header starts with 'Field 0000', 'Field 0001'",
    ),
    Hostile(
        "utf-16",
        _file(lambda: _json(_board()).decode().encode("utf-16")),
        "trello",
        refusal="is UTF-16 text",
    ),
    Hostile(
        "latin-1",
        _file(lambda: _jira(issue("WEB-1", "Café")).decode().encode("latin-1"), ".csv"),
        "jira-csv",
        refusal="is not UTF-8 text (byte 0xe9 at line 2",
    ),
    Hostile("empty", _file(b""), "trello", refusal="is empty"),
    Hostile(
        "not-json-or-csv",
        _file(b"Dear team,\nthis is a letter, not an export.\n", ".txt"),
        "jira-csv",
        refusal="line 1 has no column 'Summary' (its header starts with 'Dear team'",
    ),
    Hostile(
        "binary",
        _file(b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(256)) * 40, ".png"),
        "trello",
        refusal="is a binary file (it holds NUL bytes)",
    ),
    Hostile(
        "export-with-escape-sequences",
        lambda folder: _file(lambda: _export_with_escape(folder))(folder),
        "sprintdeck",
        refusal="row 1 of 'tables.card': 'title' = '\\x1b]0;owned\\x07\\x1b[2J' holds control",
    ),
]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The hostile files, a demo database and an empty one to copy for each run."""
    root = tmp_path_factory.mktemp("hostile")
    demo = root / "template.db"
    make_runtime(demo, demo=True).close()
    empty = root / "empty.db"
    make_runtime(empty).close()
    files = root / "files"
    files.mkdir()
    made = {}
    for case in HOSTILE:
        folder = files / case.name
        folder.mkdir()
        made[case.name] = case.make(folder)
    return {"root": root, "demo": demo, "empty": empty, "files": made}


def fresh_db(world: dict[str, Any], importer: str, tmp_path: Path) -> Path:
    """A copy of the demo (an empty database for a restore, which needs one)."""
    target = tmp_path / f"{importer}.db"
    shutil.copy(world["empty"] if importer == "sprintdeck" else world["demo"], target)
    return target


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def run_child(*args: str, db: Path, data_dir: Path) -> subprocess.CompletedProcess[str]:
    """``python -m app`` as tests/helpers.run_cli runs it, within a memory cap and a time
    limit (an endless read or a hang fails the test instead of the machine)."""
    env = {**os.environ, "SPRINTDECK_DATA_DIR": str(data_dir)}
    return subprocess.run(
        [sys.executable, "-m", "app", *args, "--db", str(db)],
        capture_output=True,
        text=True,
        errors="backslashreplace",
        env=env,
        cwd=ROOT,
        timeout=TIME_LIMIT,
        preexec_fn=_limits,
    )


def run_in_process(
    capsys: pytest.CaptureFixture[str], *args: str, db: Path
) -> tuple[int, str, str]:
    try:
        status = main([*args, "--db", str(db)])
    except SystemExit as exc:
        status = exc.code if isinstance(exc.code, int) else 2
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def check(case: Hostile, importer: str, status: int, out: str, err: str, same: bool) -> str:
    """Assert the outcome; returns "refused" or "imported" for the tally."""
    assert "Traceback" not in err + out
    assert "unexpected error" not in err
    if importer == case.target and case.imported:
        assert (status, err) == (0, "")
        assert tuple(out.splitlines()) == case.imported
        return "imported"
    assert status in (1, 2), (status, out, err)
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("sprintdeck: ")
    assert len(lines[0]) < 300 + len("sprintdeck: ")
    assert out == ""
    assert same, "a refused import changed the database"
    if importer == case.target and case.refusal:
        assert case.refusal in lines[0]
    return "refused"


def assert_only_text_stored(db: Path) -> None:
    """No control character (newline and tab but in descriptions) and no lone surrogate in
    any card's title or description: nothing a terminal would run when it prints them."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT title, description FROM card").fetchall()
    finally:
        conn.close()
    for title, description in rows:
        assert not any(ord(ch) < 32 or 127 <= ord(ch) < 160 for ch in title), title
        assert not any(
            (ord(ch) < 32 and ch not in "\n\t") or 127 <= ord(ch) < 160 for ch in description
        )
        assert "[31m" not in title


def _child_cases() -> list[tuple[str, str]]:
    out = []
    for case in HOSTILE:
        for importer in IMPORTERS:
            if importer == case.target or case.attacks_the_process:
                out.append((case.name, importer))
    return out


def _in_process_cases() -> list[tuple[str, str]]:
    out = []
    for case in HOSTILE:
        if case.name in ("dev-zero", "fifo-without-writer"):
            continue  # only ever in a child: a regression would hang or fill the runner
        for importer in IMPORTERS:
            if importer != case.target and not case.attacks_the_process:
                out.append((case.name, importer))
    return out


BY_NAME = {case.name: case for case in HOSTILE}


@pytest.mark.parametrize(("name", "importer"), _child_cases())
def test_hostile_file_through_the_command_line(
    world: dict[str, Any], tmp_path: Path, name: str, importer: str
) -> None:
    case = BY_NAME[name]
    db = fresh_db(world, importer, tmp_path)
    before = dump_digest(db)
    done = run_child("import", importer, str(world["files"][name]), db=db, data_dir=tmp_path)
    outcome = check(
        case, importer, done.returncode, done.stdout, done.stderr, dump_digest(db) == before
    )
    if outcome == "imported":
        assert_only_text_stored(db)


@pytest.mark.parametrize(("name", "importer"), _in_process_cases())
def test_hostile_file_in_process(
    world: dict[str, Any],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    importer: str,
) -> None:
    case = BY_NAME[name]
    db = fresh_db(world, importer, tmp_path)
    before = dump_digest(db)
    status, out, err = run_in_process(capsys, "import", importer, str(world["files"][name]), db=db)
    if check(case, importer, status, out, err, dump_digest(db) == before) == "imported":
        assert_only_text_stored(db)


def test_the_table_covers_every_file_with_every_importer() -> None:
    pairs = set(_child_cases()) | set(_in_process_cases())
    missing = {
        (c.name, i)
        for c in HOSTILE
        for i in IMPORTERS
        if c.name not in ("dev-zero", "fifo-without-writer")
    } - pairs
    assert not missing
    # the figures docs/import-export.md gives
    assert (len(HOSTILE), len(pairs), len(_child_cases())) == (25, 75, 37)
    assert sum(1 for c in HOSTILE if c.imported) == 6
    assert {("dev-zero", i) for i in IMPORTERS} <= pairs
    assert {("fifo-without-writer", i) for i in IMPORTERS} <= pairs
