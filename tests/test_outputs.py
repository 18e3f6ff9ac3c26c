"""Where Sprintdeck writes: only regular files, never the database, atomically, with the
usual permissions; CSV cells that a spreadsheet will not run as formulas."""

from __future__ import annotations

import csv
import io
import os
import socket
from pathlib import Path

import pytest

from app.errors import ValidationError
from app.outputs import check_input, check_output, csv_cell, replace_file
from tests.helpers import make_runtime, run_cli


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "board.db"
    make_runtime(path).close()
    return path


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda d: "", "Give a name"),
        (lambda d: str(d.parent), "is a folder"),
        (lambda d: "/dev/full", "character device"),
        (lambda d: "/dev/null", "character device"),
        (lambda d: str(d), "is the database"),
        (lambda d: str(d) + "-wal", "is the database"),
        (lambda d: str(d) + "-shm", "is the database"),
        (lambda d: str(d.parent / ("n" * 300)), "too long"),
        (lambda d: str(d.parent / "missing" / "x.csv"), "does not exist"),
        (lambda d: "a\x00b", "NUL"),
    ],
)
def test_refused_outputs(database: Path, make, words: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError, match=words):
        check_output(make(database), database=database)


def test_a_fifo_and_a_socket_are_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(ValidationError, match="named pipe"):
        check_output(fifo)
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(tmp_path / "sock"))
        with pytest.raises(ValidationError, match="socket"):
            check_output(tmp_path / "sock")
        with pytest.raises(ValidationError, match="socket"):
            check_input(tmp_path / "sock")
    finally:
        sock.close()
    with pytest.raises(ValidationError, match="named pipe"):
        check_input(fifo)  # reading it would wait forever for a writer


def test_another_sqlite_database_needs_force_the_open_one_never(
    database: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other.db"
    make_runtime(other).close()
    with pytest.raises(ValidationError, match="--force"):
        check_output(other, database=database)
    assert check_output(other, database=database, force=True) == other
    with pytest.raises(ValidationError, match="is the database"):
        check_output(database, database=database, force=True)
    link = tmp_path / "link.db"
    link.symlink_to(database)
    with pytest.raises(ValidationError, match="is the database"):
        check_output(link, database=database, force=True)


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_files_get_the_usual_permissions(tmp_path: Path, umask: int, mode: int) -> None:
    old = os.umask(umask)
    try:
        replace_file(tmp_path / "r.md", b"# report\n")
    finally:
        os.umask(old)
    assert (tmp_path / "r.md").stat().st_mode & 0o777 == mode
    assert (tmp_path / "r.md").read_text() == "# report\n"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("-3", "-3"),
        ("+5.5", "+5.5"),
        ("plain", "plain"),
        (5, 5),
        (None, None),
    ],
)
def test_csv_cells(value: object, expected: object) -> None:
    assert csv_cell(value) == expected


HOSTILE_TITLES = (
    '=HYPERLINK("http://x","y")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-1+1",
    "\t=1+1",
)


def test_card_list_csv_carries_no_formula(tmp_path: Path) -> None:
    db = tmp_path / "board.db"
    rt = make_runtime(db)
    project = rt.services.projects.create_project("WEB", "Website")
    for title in HOSTILE_TITLES:
        rt.services.cards.create_card(project.id, title.strip() or title, points="3")
    rt.close()
    result = run_cli("card", "list", "--project", "WEB", "--csv", db=db)
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert len(rows) == 1 + len(HOSTILE_TITLES)
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "@", "\t", "\r")), row
            assert not cell.startswith("-") or cell.lstrip("-").replace(".", "").isdigit(), row
        assert row[6] == "3"  # the points column stays a number
    titles = [row[1] for row in rows[1:]]
    assert titles[0] == "'" + HOSTILE_TITLES[0]


def test_the_windows_csv_export_carries_no_formula(tmp_path: Path) -> None:
    from app.ui.reports.csv_export import export_cards_csv

    rt = make_runtime(tmp_path / "b.db")
    try:
        services = rt.services
        project = services.projects.create_project("WEB", "Website")
        for title in HOSTILE_TITLES:
            services.cards.create_card(project.id, title.strip(), points="2")
        cards = services.cards.list_cards(project.id)
        columns = services.workflow.list_columns(project.id)
        out = tmp_path / "board.csv"
        assert export_cards_csv(out, cards, columns) == len(HOSTILE_TITLES)
    finally:
        rt.close()
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    for row in rows:
        for cell in row.values():
            assert not cell.startswith(("=", "+", "@", "\t", "\r")), row
            assert not cell.startswith("-") or float(cell) is not None, row
        assert row["points"] == "2"
