"""`sprintdeck report` through the real entry point, in a child process."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from pathlib import Path

import pytest

from tests.helpers import run_cli
from tests.worlds import report_database


@pytest.fixture
def db(db_url: str) -> str:
    """A database holding the closed sprint of tests.worlds (project RP)."""
    return report_database(db_url)


def refused(result: subprocess.CompletedProcess[str], *words: str) -> str:
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("sprintdeck: ")
    for word in words:
        assert word.lower() in lines[0].lower(), lines[0]
    return lines[0]


def report(db: str, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli("report", "--project", "RP", *args, db=db)


@pytest.mark.parametrize("fmt", ["pdf", "html", "md", "csv"])
def test_every_format_is_written(db: str, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"report.{fmt}"
    result = report(db, "--sprint", "Sprint 2", "--format", fmt, "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert out.is_file() and out.stat().st_size > 200
    data = out.read_bytes()
    if fmt == "pdf":
        assert data.startswith(b"%PDF")
    elif fmt == "html":
        assert b"Completed 13 of 21 committed points (62%)" in data and b"<svg" in data
    elif fmt == "md":
        assert data.startswith(b"# Sprint report: Sprint 2")
    else:
        rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
        assert {r["title"] for r in rows} >= {"Alpha", "Echo"}


def test_last_and_format_from_the_file_name(db: str, tmp_path: Path) -> None:
    out = tmp_path / "last.md"
    result = report(db, "--sprint", "last", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "Sprint 2" in out.read_text(encoding="utf-8")


def test_markdown_to_stdout(db: str) -> None:
    result = report(db, "--sprint", "Sprint 2", "--format", "md", "-o", "-")
    assert result.returncode == 0, result.stderr
    assert "13 of 21 committed points" in result.stdout


def test_unwritable_file_is_refused(db: str, tmp_path: Path) -> None:
    refused(
        report(db, "--sprint", "last", "--format", "html", "-o", "/nonexistent/dir/x.html"),
        "does not exist",
    )
    refused(report(db, "--sprint", "last", "--format", "md", "-o", str(tmp_path)), "folder")


def test_unknown_sprint_project_and_no_active(db: str, tmp_path: Path) -> None:
    out = str(tmp_path / "x.md")
    refused(report(db, "--sprint", "Nope", "-o", out), "Nope")
    refused(report(db, "--sprint", "active", "-o", out), "no active sprint")
    refused(report(db, "--sprint", "Sprint 3", "-o", out), "not started")
    refused(run_cli("report", "--project", "ZZ", "--sprint", "last", "-o", out, db=db))
    refused(report(db, "--sprint", "last", "-o", str(tmp_path / "x.txt")), "format")
    assert not (tmp_path / "x.md").exists()


def test_usage_errors_exit_2(db: str, tmp_path: Path) -> None:
    out = str(tmp_path / "x.md")
    assert report(db, "--sprint", "last", "--format", "docx", "-o", out).returncode == 2
    assert report(db, "-o", out).returncode == 2
    assert report(db, "--sprint", "last").returncode == 2


def _key_of(db: str, title: str) -> str:
    listed = run_cli("card", "list", "--project", "RP", "--all", "--json", db=db)
    assert listed.returncode == 0, listed.stderr
    return next(c["key"] for c in json.loads(listed.stdout) if c["title"] == title)


def test_the_sprint_report_has_hours_and_cost(db: str, tmp_path: Path) -> None:
    alpha, bravo = _key_of(db, "Alpha"), _key_of(db, "Bravo")
    for args in (
        ("rate", "set", "Alice Archer", "80.00", "--from", "2025-01-01"),
        ("log", "add", alpha, "1.5h", "--member", "Alice Archer", "--date", "2025-03-05"),
        ("log", "add", bravo, "2h", "--member", "Bob Baker", "--date", "2025-03-06"),
    ):
        result = run_cli(*args, db=db)
        assert result.returncode == 0, result.stderr
    md = report(db, "--sprint", "Sprint 2", "--format", "md", "-o", "-")
    assert md.returncode == 0, md.stderr
    assert "| Alice Archer | 1.5 h | 120.00 EUR |" in md.stdout
    assert "| Bob Baker | 2 h | no rate |" in md.stdout
    assert "| Total | 3.5 h | 120.00 EUR (no rate for 2 h) |" in md.stdout
    out = tmp_path / "r.csv"
    assert report(db, "--sprint", "Sprint 2", "-o", str(out)).returncode == 0
    rows = {r["key"]: r for r in csv.DictReader(io.StringIO(out.read_text("utf-8-sig")))}
    assert list(next(iter(rows.values())))[-4:] == [
        "logged_hours",
        "cost",
        "unrated_hours",
        "currency",
    ]
    assert (rows[alpha]["logged_hours"], rows[alpha]["cost"]) == ("1.50", "120.00")
    assert rows[bravo]["cost"] == "no rate"


def test_the_status_report_has_the_plan_sections(db: str) -> None:
    for args in (
        ("milestone", "add", "Launch", "--project", "RP", "--date", "2025-03-21"),
        ("milestone", "link", "Launch", _key_of(db, "Echo"), "--project", "RP"),
        ("risk", "add", "Server melts", "--project", "RP", "--probability", "3", "--impact", "4"),
    ):
        result = run_cli(*args, db=db)
        assert result.returncode == 0, result.stderr
    md = report(db, "--kind", "status", "--format", "md", "-o", "-")
    assert md.returncode == 0, md.stderr
    text = md.stdout
    assert "| Launch | 2025-03-21 | 0 of 1 | 0% |" in text  # its date has passed
    assert "| R-1 | Server melts | 12 | 12 |" in text
    assert "No dependency threatens a milestone." in text
    # The demo history is of 2025: no card finished in the window before today.
    assert "## Forecast\n\nNo forecast: " in text
