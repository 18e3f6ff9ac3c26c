"""File > Import's dialog (pytest-qt; the file dialog is monkeypatched) and the CSV export."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QProgressDialog

from app.services import Services
from app.services.transfer import TransferService
from app.ui.dialogs import import_dialog
from app.ui.dialogs.import_dialog import ImportDialog
from app.ui.reports.csv_export import FIELDS, export_cards_csv
from tests.helpers import ROOT

FIXTURES = ROOT / "tests" / "fixtures"


@pytest.fixture
def dialog(qtbot, services: Services):  # type: ignore[no-untyped-def]
    services.projects.create_project("SD", "Sprintdeck")
    widget = ImportDialog(TransferService(services.context), services.projects.list_projects())
    qtbot.addWidget(widget)
    return widget


def choose(monkeypatch: pytest.MonkeyPatch, dialog: ImportDialog, path: Path, kind: str) -> None:
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData(kind))
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(path), ""))
    )
    dialog.browse_button.click()


def test_preview_then_import(
    monkeypatch: pytest.MonkeyPatch, dialog: ImportDialog, services: Services
) -> None:
    assert not dialog.import_button.isEnabled()
    choose(monkeypatch, dialog, FIXTURES / "trello_board.json", "trello")
    text = dialog.summary_label.text()
    assert "Creates the project WR" in text
    assert "6 cards" in text and "2 comments" in text and "4 checklist items" in text
    assert dialog.preview_table.rowCount() == 6
    assert dialog.preview_table.item(0, 1).text() == "Hero section 🎨"
    assert dialog.preview_table.item(0, 3).text() == "Ada Lovelace"
    assert dialog.duplicate_combo.isHidden()
    assert dialog.import_button.isEnabled()
    dialog.import_button.click()
    assert dialog.result() == ImportDialog.DialogCode.Accepted
    assert dialog.imported_key == "WR"
    assert dialog.result_lines[0] == "Created project WR."
    assert len(services.cards.list_cards(services.projects.find_project("WR").id)) == 4


def test_merge_into_a_project_and_asks_about_duplicates(
    monkeypatch: pytest.MonkeyPatch, dialog: ImportDialog, services: Services
) -> None:
    dialog.project_combo.setCurrentIndex(dialog.project_combo.findData("SD"))
    choose(monkeypatch, dialog, FIXTURES / "jira_export.csv", "jira-csv")
    assert "Merges into the existing project SD" in dialog.summary_label.text()
    dialog.import_button.click()
    assert dialog.result() == ImportDialog.DialogCode.Accepted

    again = ImportDialog(dialog._transfer, services.projects.list_projects())
    again.project_combo.setCurrentIndex(again.project_combo.findData("SD"))
    choose(monkeypatch, again, FIXTURES / "jira_export.csv", "jira-csv")
    assert not again.duplicate_combo.isHidden()
    assert "6 cards were imported before" in again.duplicate_label.text()
    again.import_button.click()  # "Stop" is the default: refused, the dialog stays open
    assert again.result() != ImportDialog.DialogCode.Accepted
    assert "imported into SD before" in again.error_label.text()
    again.duplicate_combo.setCurrentIndex(again.duplicate_combo.findData("skip"))
    again.import_button.click()
    assert again.result() == ImportDialog.DialogCode.Accepted
    assert "Skipped 6 cards imported before." in again.result_lines
    again.close()


def test_a_wrong_file_shows_the_reason(
    monkeypatch: pytest.MonkeyPatch, dialog: ImportDialog
) -> None:
    choose(monkeypatch, dialog, FIXTURES / "trello_member_export.json", "trello")
    assert not dialog.error_label.isHidden()
    assert "member" in dialog.error_label.text()
    assert not dialog.import_button.isEnabled()


def test_large_files_show_a_progress_dialog_that_can_cancel(
    monkeypatch: pytest.MonkeyPatch, dialog: ImportDialog, services: Services
) -> None:
    monkeypatch.setattr(import_dialog, "PROGRESS_THRESHOLD", 1)
    calls: list[int] = []

    def cancelled_after_the_first_batch(self: QProgressDialog) -> bool:
        calls.append(self.value())
        return len(calls) > 1  # the person pressed Cancel after the first batch

    monkeypatch.setattr(QProgressDialog, "wasCanceled", cancelled_after_the_first_batch)
    choose(monkeypatch, dialog, FIXTURES / "trello_board.json", "trello")
    dialog.import_button.click()
    assert "cancelled" in dialog.error_label.text()
    assert len(calls) == 2
    assert [p.key for p in services.projects.list_projects()] == ["SD"]


def test_export_board_as_csv(tmp_path: Path, services: Services) -> None:
    TransferService(services.context).import_file("trello", FIXTURES / "trello_board.json")
    project = services.projects.find_project("WR")
    cards = services.cards.list_cards(project.id)
    columns = services.workflow.list_columns(project.id)
    target = tmp_path / "board.csv"
    assert export_cards_csv(target, cards, columns) == 4
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == FIELDS
    assert rows[0]["title"] == "Hero section 🎨"
    assert rows[0]["points"] == "3"
    assert rows[0]["labels"] == "frontend;yellow"
    assert [r["position"] for r in rows] == ["1", "2", "1", "1"]


def test_the_preview_says_what_will_be_cleaned(
    monkeypatch: pytest.MonkeyPatch, dialog: ImportDialog, tmp_path: Path
) -> None:
    import json

    board = json.loads((FIXTURES / "trello_board.json").read_text(encoding="utf-8"))
    board["cards"][0]["name"] = "Hero\x1b[31m banner\x00"
    hostile = tmp_path / "hostile.json"
    hostile.write_text(json.dumps(board), encoding="utf-8")
    choose(monkeypatch, dialog, hostile, "trello")
    text = dialog.summary_label.text()
    assert "Will be cleaned: 1 title had control characters removed." in text
    titles = [
        dialog.preview_table.item(r, 1).text() for r in range(dialog.preview_table.rowCount())
    ]
    assert "Hero banner" in titles
