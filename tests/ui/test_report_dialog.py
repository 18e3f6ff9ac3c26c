"""File > Export sprint report: the dialog previews the report and exports it."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMessageBox

from app.services import Services
from app.ui.reports.export_files import NAME_MAX, safe_file_name
from app.ui.reports.report_dialog import ReportDialog, report_file_name
from tests.helpers import Clock
from tests.worlds import REPORT_START, build_report, close_report


@pytest.fixture
def settings(settings_path: Path) -> QSettings:
    """The window's settings file (as make_window builds it), private to the test."""
    return QSettings(str(settings_path), QSettings.Format.IniFormat)


@pytest.fixture
def clock(services: Services) -> Clock:
    c = Clock(REPORT_START)
    services.context.clock = c
    return c


@pytest.fixture
def dialog(qtbot, services: Services, clock: Clock, settings: QSettings):  # type: ignore[no-untyped-def]
    world = build_report(services, clock)
    close_report(services, clock, world)
    d = ReportDialog(services, world["project"].id, settings=settings)
    qtbot.addWidget(d)
    d.show()
    return d


# F, done before the start, is completed outside the sprint: 13 of 21, not 15 of 23.
SUMMARY = "Completed 13 of 21 committed points (62%)"


def test_preview_shows_the_summary(dialog: ReportDialog) -> None:
    assert dialog.sprint_combo.currentText() == "Sprint 2"  # the last closed, no active one
    assert SUMMARY in dialog.summary_label.text()
    assert SUMMARY in dialog.preview.toPlainText()
    assert "Echo" in dialog.preview.toPlainText()
    dialog.tabs.setCurrentWidget(dialog.burndown_view)
    assert dialog.burndown_view.grab().width() > 0
    dialog.select_sprint("Sprint 1")
    assert "Completed 5 of 8 committed points" in dialog.summary_label.text()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home folder with a Documents folder, as a desktop account has."""
    folder = tmp_path / "home"
    (folder / "Documents").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(folder))
    return folder


class SaveDialog:
    """QFileDialog.getSaveFileName as a person answers it: records the suggestion."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.suggested: list[str] = []
        self.answer = ""
        monkeypatch.setattr(QFileDialog, "getSaveFileName", self)

    def __call__(self, _parent: object, _title: str, suggested: str, flt: str) -> tuple[str, str]:
        self.suggested.append(suggested)
        return self.answer, flt


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[QUrl]:
    urls: list[QUrl] = []

    def open_url(url: QUrl) -> bool:
        urls.append(url)
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", open_url)
    return urls


def test_suggests_the_sprint_name_in_the_documents_folder_then_the_last_one(
    qtbot,
    dialog: ReportDialog,
    home: Path,
    tmp_path: Path,
    settings_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # type: ignore[no-untyped-def]
    save = SaveDialog(monkeypatch)
    dialog.select_format("html")
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)  # cancelled: ""
    assert save.suggested == [str(home / "Documents" / "Sprint 2 report.html")]

    out = tmp_path / "out"
    out.mkdir()
    save.answer = str(out / "sprint-2")  # typed without extension
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    written = out / "sprint-2.html"
    assert dialog.last_export == written
    assert SUMMARY in written.read_text(encoding="utf-8")
    dialog.exported_message.close()  # type: ignore[union-attr]

    dialog.select_format("pdf")
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert save.suggested[-1] == str(out / "Sprint 2 report.pdf")  # the folder used last
    dialog.exported_message.close()  # type: ignore[union-attr]
    # ... remembered in the settings, for the next time the dialog opens.
    again = ReportDialog(
        dialog._services,
        dialog._project_id,
        settings=QSettings(str(settings_path), QSettings.Format.IniFormat),
    )
    qtbot.addWidget(again)
    save.answer = ""
    qtbot.mouseClick(again.export_button, Qt.MouseButton.LeftButton)
    assert save.suggested[-1] == str(out / "Sprint 2 report.pdf")


def test_without_a_documents_folder_home_is_suggested(
    qtbot, dialog: ReportDialog, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    (home / "Documents").rmdir()
    save = SaveDialog(monkeypatch)
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert save.suggested == [str(home / "Sprint 2 report.pdf")]


def test_the_message_after_an_export_opens_the_file_or_its_folder(
    qtbot, dialog: ReportDialog, home: Path, opened: list[QUrl], monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    save = SaveDialog(monkeypatch)
    target = home / "Documents" / "Sprint 2 report.md"
    save.answer = str(target)
    dialog.select_format("md")
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    box = dialog.exported_message
    assert box is not None and box.isVisible()
    assert box.text() == "The sprint report was saved as “Sprint 2 report.md”."
    assert box.informativeText() == f"In {home / 'Documents'}"
    assert [b.text() for b in box.buttons()].count("&Open") == 1
    qtbot.mouseClick(box.open_button, Qt.MouseButton.LeftButton)
    assert opened == [QUrl.fromLocalFile(str(target))]
    assert not box.isVisible()

    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)  # the dialog asks first
    box = dialog.exported_message
    qtbot.mouseClick(box.folder_button, Qt.MouseButton.LeftButton)  # type: ignore[union-attr]
    assert opened[-1] == QUrl.fromLocalFile(str(home / "Documents"))

    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    box = dialog.exported_message
    qtbot.mouseClick(box.close_button, Qt.MouseButton.LeftButton)  # type: ignore[union-attr]
    assert len(opened) == 2 and dialog.isVisible()


def test_a_file_that_cannot_be_opened_says_so(
    qtbot, dialog: ReportDialog, home: Path, messages: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda _url: False)
    save = SaveDialog(monkeypatch)
    save.answer = str(home / "r.csv")
    dialog.select_format("csv")
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.exported_message.open_button, Qt.MouseButton.LeftButton)  # type: ignore[union-attr]
    assert messages == ["Could not open “r.csv”: no application is set up to open it."]


def test_a_name_typed_without_extension_asks_before_replacing(
    qtbot, dialog: ReportDialog, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    existing = home / "notes.md"
    existing.write_text("keep me", encoding="utf-8")
    save = SaveDialog(monkeypatch)
    save.answer = str(home / "notes")
    asked: list[str] = []
    answer = QMessageBox.StandardButton.Cancel

    def question(_parent: object, _title: str, text: str, *_args: object) -> object:
        asked.append(text)
        return answer

    monkeypatch.setattr(QMessageBox, "question", question)
    dialog.select_format("md")
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert asked == [f"“notes.md” already exists in {home}. Replace it?"]
    assert existing.read_text(encoding="utf-8") == "keep me"
    assert dialog.exported_message is None
    answer = QMessageBox.StandardButton.Yes
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert existing.read_text(encoding="utf-8").startswith("# Sprint report: Sprint 2")


@pytest.mark.parametrize(
    ("sprint", "name"),
    [
        ("DEMO Sprint 4", "DEMO Sprint 4 report.pdf"),
        ("Q3/Q4: wrap-up?", "Q3-Q4 wrap-up report.pdf"),
        ('A <big> "one" | two * three', "A big one two three report.pdf"),
        ("Tabs\tand\nlines", "Tabs and lines report.pdf"),
        ("Sprint\x07 5", "Sprint 5 report.pdf"),
        ("Ünïcode ✓ sprint", "Ünïcode ✓ sprint report.pdf"),
    ],
)
def test_report_file_names_are_valid_everywhere(sprint: str, name: str) -> None:
    assert report_file_name(sprint, "pdf") == name


def test_file_names_avoid_reserved_and_empty_names() -> None:
    assert safe_file_name("CON") == "_CON" and safe_file_name("lpt1.txt") == "_lpt1.txt"
    assert safe_file_name(" ... ") == "export" and safe_file_name("///", "report") == "report"
    assert safe_file_name("ends with dots...") == "ends with dots"
    long = safe_file_name("x" * 300)
    assert len(long) == NAME_MAX


def test_unwritable_file_shows_a_message(
    dialog: ReportDialog, tmp_path: Path, messages: list[str]
) -> None:
    assert not dialog.export_to(str(tmp_path / "nope" / "r.md"), "md")
    assert messages and "does not exist" in messages[0]


def test_a_kanban_project_is_told_where_its_charts_are(
    qtbot, services: Services, settings: QSettings
) -> None:  # type: ignore[no-untyped-def]
    project = services.projects.create_project("KB", "Support board", "kanban")
    dialog = ReportDialog(services, project.id, settings=settings)
    qtbot.addWidget(dialog)
    assert not dialog.sprint_combo.isEnabled() and not dialog.export_button.isEnabled()
    text = dialog.summary_label.text()
    assert "needs sprints" not in text and "Start a sprint" not in text
    assert text.startswith("A Kanban project has no sprints to report on;")
    scrum = services.projects.create_project("SC", "Scrum team")
    fresh = ReportDialog(services, scrum.id, settings=settings)
    qtbot.addWidget(fresh)
    assert fresh.summary_label.text() == "Start a sprint to report on it."
