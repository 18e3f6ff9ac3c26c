"""The Risks page driven like a person: the heat map filters the register, a risk added
through the dialog, Ctrl+Z takes it away again."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from app.ui.risks.page import RiskDialog, RisksPage

NOW = dt.datetime(2026, 12, 2, 10, tzinfo=dt.UTC)


def open_risks(services, make_window, qtbot):  # type: ignore[no-untyped-def]
    window = make_window(services)
    window.select_project("RK")
    qtbot.keyClick(window, Qt.Key.Key_9, Qt.KeyboardModifier.ControlModifier)
    page = window.pages.page("risks")
    assert window.current_page() == "risks" and isinstance(page, RisksPage)
    return window, page


def heat_cell_pos(page: RisksPage, probability: int, impact: int):  # type: ignore[no-untyped-def]
    return page.heat.visualItemRect(page.heat.item(5 - probability, impact - 1)).center()


def make_project(services):  # type: ignore[no-untyped-def]
    services.context.clock = lambda: NOW
    project = services.projects.create_project("RK", "Risky")
    services.risks.add_risk(project.id, "Vendor late", probability=4, impact=5,
                            proximity="2026-11-30")  # fmt: skip
    services.risks.add_risk(project.id, "Staff leaves", probability=2, impact=2)
    services.risks.add_risk(project.id, "Also vendor", probability=4, impact=5)
    return project


def test_a_heat_map_click_filters_the_register(services, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    make_project(services)
    _window, page = open_risks(services, make_window, qtbot)
    assert page.heat.item(1, 4).text() == "2"  # P4 x I5
    assert page.heat.item(3, 1).text() == "1"  # P2 x I2
    assert sorted(page.visible_keys()) == ["R-1", "R-2", "R-3"]
    assert "overdue" in page.proxy.index(0, 1).data()  # R-1 is past its proximity
    qtbot.mouseClick(page.heat.viewport(), Qt.MouseButton.LeftButton,
                     pos=heat_cell_pos(page, 4, 5))  # fmt: skip
    assert sorted(page.visible_keys()) == ["R-1", "R-3"]
    assert "P4 × I5" in page.heading.text()
    qtbot.mouseClick(page.heat.viewport(), Qt.MouseButton.LeftButton,
                     pos=heat_cell_pos(page, 4, 5))  # fmt: skip
    assert len(page.visible_keys()) == 3
    page.resize(1280, 720)
    page.grab().save("/tmp/risks_page.png")


def test_add_a_risk_through_the_dialog_then_ctrl_z(services, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    project = make_project(services)
    window, page = open_risks(services, make_window, qtbot)

    def fill() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, RiskDialog)
        dialog.title.setText("Server outage")
        dialog.probability.setValue(5)
        dialog.impact.setValue(3)
        dialog.accept()

    QTimer.singleShot(0, fill)
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "R-4" in page.visible_keys())
    [added] = [r for r in services.risks.list_risks(project.id) if r.number == 4]
    assert (added.title, added.exposure) == ("Server outage", 15)
    assert page.heat.item(0, 2).text() == "1"  # P5 x I3
    assert window.undo_stack.undoText() == "Add risk Server outage"
    with qtbot.waitActive(window):
        window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "R-4" not in page.visible_keys())
    assert len(services.risks.list_risks(project.id)) == 3


def test_a_refused_edit_shows_its_reason_in_the_dialog(services, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    make_project(services)
    _window, page = open_risks(services, make_window, qtbot)
    page.table.setCurrentIndex(page.proxy.index(0, 0))
    seen: list[str] = []

    def fill() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, RiskDialog)
        if dialog.error.text():
            seen.append(dialog.error.text())
            dialog.reject()
            return
        dialog.title.setText("   ")
        QTimer.singleShot(0, fill)
        dialog.accept()

    QTimer.singleShot(0, fill)
    qtbot.mouseClick(page.edit_button, Qt.MouseButton.LeftButton)
    assert seen and "cannot be empty" in seen[0]
