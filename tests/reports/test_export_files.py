"""Exported files are written whole or not at all, with the permissions a person expects."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import outputs as files
from app.reports import sprint_report_render as sr
from app.services import Services
from app.services.sprint_report_data import ReportService
from app.ui.reports.csv_export import export_cards_csv
from tests.helpers import run_cli
from tests.worlds import report_database

pytestmark = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")


@pytest.fixture
def umask() -> Iterator[None]:
    """The ordinary umask of a desktop session, whatever the test runner's is."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_file_gets_the_usual_permissions(tmp_path: Path, umask: None) -> None:
    target = tmp_path / "report.md"
    files.replace_file(target, b"# Report\n")
    assert target.read_bytes() == b"# Report\n"
    assert mode(target) == 0o644  # 0666 less the umask, not mkstemp's 0600
    os.umask(0o077)
    private = tmp_path / "private.md"
    files.replace_file(private, b"x")
    assert mode(private) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["private.md", "report.md"]


def test_writing_over_a_file_keeps_its_permissions(tmp_path: Path, umask: None) -> None:
    target = tmp_path / "report.html"
    target.write_bytes(b"old")
    target.chmod(0o600)
    files.replace_file(target, b"new")
    assert target.read_bytes() == b"new" and mode(target) == 0o600


def test_a_failed_write_leaves_the_old_file_and_no_temporary_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "report.pdf"
    target.write_bytes(b"the old report")

    def disk_full(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "replace", disk_full)
    with pytest.raises(OSError, match="No space"):
        files.replace_file(target, b"the new report")
    assert target.read_bytes() == b"the old report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.pdf"]
    with pytest.raises(sr.ExportError, match=r"Cannot write the report to .*No space left"):
        sr.write_file(target, b"again")


def test_sprint_report_and_csv_export_get_the_usual_permissions(
    demo: Services, tmp_path: Path, umask: None
) -> None:
    project = demo.projects.find_project("DEMO")
    sprint = next(s for s in demo.sprints.list_sprints(project.id) if s.state == "closed")
    report = ReportService(demo.context).report_for(sprint.id)
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    for fmt in ("md", "html", "csv"):
        target = tmp_path / f"report.{fmt}"
        sr.write_report(report, fmt, target)
        assert mode(target) == 0o644, fmt
    cards = demo.cards.list_cards(project.id)
    columns = demo.workflow.list_columns(project.id)
    out = tmp_path / "board.csv"
    count = export_cards_csv(out, cards, columns)
    assert mode(out) == 0o644
    assert out.read_bytes().startswith(b"\xef\xbb\xbfkey,title,")
    assert count == len(cards) > 10
    assert len(out.read_text(encoding="utf-8-sig").splitlines()) == count + 1
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "board.csv",
        "report.csv",
        "report.html",
        "report.md",
    ]


def test_the_command_line_report_gets_them_too(tmp_path: Path, umask: None) -> None:
    db = report_database(tmp_path / "cli.db")
    out = tmp_path / "report.md"
    result = run_cli("report", "--project", "RP", "--sprint", "last", "-o", str(out), db=db)
    assert result.returncode == 0, result.stderr
    assert mode(out) == 0o644
