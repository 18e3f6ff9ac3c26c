"""File > Export sprint report: the dialog previews the report and exports it."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from app.services import Services
from app.ui.report_dialog import ReportDialog
from tests.test_reports import Clock, build, clock, close  # noqa: F401 (fixture)


@pytest.fixture
def dialog(qtbot, services: Services, clock: Clock):  # type: ignore[no-untyped-def]  # noqa: F811
    world = build(services, clock)
    close(services, clock, world)
    d = ReportDialog(services, world["project"].id)
    qtbot.addWidget(d)
    d.show()
    return d


SUMMARY = "Completed 15 of 23 committed points (65%)"


def test_preview_shows_the_summary(dialog: ReportDialog) -> None:
    assert dialog.sprint_combo.currentText() == "Sprint 2"  # the last closed, no active one
    assert SUMMARY in dialog.summary_label.text()
    assert SUMMARY in dialog.preview.toPlainText()
    assert "Echo" in dialog.preview.toPlainText()
    dialog.tabs.setCurrentWidget(dialog.burndown_view)
    assert dialog.burndown_view.grab().width() > 0
    dialog.select_sprint("Sprint 1")
    assert "Completed 5 of 8 committed points" in dialog.summary_label.text()


def test_export_to_a_chosen_file(
    qtbot, dialog: ReportDialog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "sprint-2"
    asked: list[str] = []

    def choose(_parent: object, _title: str, suggested: str, _filter: str) -> tuple[str, str]:
        asked.append(suggested)
        return str(target), _filter

    monkeypatch.setattr(QFileDialog, "getSaveFileName", choose)
    dialog.select_format("html")
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert asked == ["RP-Sprint-2.html"]
    written = tmp_path / "sprint-2.html"
    assert dialog.last_export == written
    assert SUMMARY in written.read_text(encoding="utf-8")

    dialog.select_format("pdf")
    target = tmp_path / "r.pdf"
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert target.read_bytes().startswith(b"%PDF")


def test_unwritable_file_shows_a_message(
    dialog: ReportDialog, tmp_path: Path, messages: list[str]
) -> None:
    assert not dialog.export_to(str(tmp_path / "nope" / "r.md"), "md")
    assert messages and "does not exist" in messages[0]
