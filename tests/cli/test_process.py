"""The command line as a real process (``python -m app``): what only a child process
shows — the interpreter's own decoding of argument bytes, its exit status, stdout on a
full disk or a closed pipe. The other command-line tests call the same entry point
(``app.main.main``) in this process, for speed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from app import __version__
from tests.helpers import ROOT, make_runtime, run_cli


def child(*args: str | bytes, db: Path | None = None, stdout: int | None = None):  # type: ignore[no-untyped-def]
    argv: list[str | bytes] = [sys.executable, "-m", "app", *args]
    if db is not None:
        argv += ["--db", str(db)]
    return subprocess.run(
        argv,
        stdout=subprocess.PIPE if stdout is None else stdout,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        timeout=120,
    )


def test_version_and_exit_status_zero() -> None:
    done = child("--version")
    assert done.returncode == 0
    assert done.stdout.decode().strip() == f"sprintdeck {__version__}"


def test_usage_error_is_exit_2_on_one_line() -> None:
    done = child("card", "add")
    assert done.returncode == 2
    lines = done.stderr.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("sprintdeck card add: error: ")


def test_refusal_is_exit_1_and_a_card_add_prints_its_key(tmp_path: Path) -> None:
    db = tmp_path / "b.db"
    make_runtime(db).close()
    assert child("project", "add", "WEB", "--name", "Web", db=db).returncode == 0
    done = child("card", "add", "--project", "WEB", "--title", "Hero", db=db)
    assert done.returncode == 0 and done.stdout == b"WEB-1\n"
    refused = child("card", "add", "--project", "NOPE", "--title", "x", db=db)
    assert refused.returncode == 1
    assert refused.stderr.decode().strip() == "sprintdeck: There is no project with key 'NOPE'."


def test_argument_bytes_that_are_not_utf8(tmp_path: Path) -> None:
    db = tmp_path / "b.db"
    make_runtime(db).close()
    done = child("project", "add", "WEB", "--name", b"caf\xe9", db=db)
    assert done.returncode == 2
    assert done.stderr == b"sprintdeck: argument 5 is not valid UTF-8 text.\n"
    assert run_cli("project", "list", "--json", db=db).stdout.strip() == "[]"


@pytest.mark.skipif(not Path("/dev/full").is_char_device(), reason="needs Linux's /dev/full")
def test_stdout_on_a_full_disk_is_one_line(tmp_path: Path) -> None:
    db = tmp_path / "b.db"
    make_runtime(db, demo=True).close()
    with open("/dev/full", "wb") as full:
        done = child("card", "list", "--project", "DEMO", "--json", db=db, stdout=full.fileno())
    assert done.returncode == 1
    assert done.stderr == b"sprintdeck: cannot write the output: No space left on device.\n"
    assert Path("/dev/full").is_char_device()  # written to, never replaced


def test_a_reader_that_goes_away_is_not_an_error(tmp_path: Path) -> None:
    db = tmp_path / "b.db"
    make_runtime(db, demo=True).close()
    command = [sys.executable, "-m", "app", "card", "list", "--project", "DEMO", "--db", str(db)]
    reader = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    assert reader.stdout is not None
    reader.stdout.read(10)
    reader.stdout.close()  # like `| head -1`
    _out, err = reader.communicate(timeout=120)
    assert reader.returncode == 0
    assert b"Traceback" not in err
