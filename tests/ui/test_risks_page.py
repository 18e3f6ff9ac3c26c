"""The Risks page driven like a person: the heat map filters the register, the status box
too; a risk added, edited, closed and deleted through the toolbar, the dialog and the keys,
each step taken back with Ctrl+Z and done again with Ctrl+Shift+Z; the dialog's refusals on
its error line; an overdue risk flagged; a change from another window shown at once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton, QToolButton

from app.ui.risks.dialog import RiskDialog
from app.ui.risks.page import OVERDUE_COLOUR, PROXIMITY, STATUS, TITLE, RisksPage
from tests.helpers import make_runtime

NOW = dt.datetime(2026, 12, 2, 10, tzinfo=dt.UTC)


def open_risks(services, make_window, qtbot, poll=None):  # type: ignore[no-untyped-def]
    window = make_window(services, poll=poll)
    window.select_project("RK")
    qtbot.keyClick(window, Qt.Key.Key_9, Qt.KeyboardModifier.ControlModifier)
    page = window.pages.page("risks")
    assert window.current_page() == "risks" and isinstance(page, RisksPage)
    qtbot.waitUntil(lambda: page.table.hasFocus())
    return window, page


def heat_cell_pos(page: RisksPage, probability: int, impact: int):  # type: ignore[no-untyped-def]
    return page.heat.visualItemRect(page.heat.item(5 - probability, impact - 1)).center()


def make_project(services):  # type: ignore[no-untyped-def]
    services.context.clock = lambda: NOW
    project = services.projects.create_project("RK", "Risky")
    services.projects.add_member(project.id, "Ana")
    services.projects.add_member(project.id, "Bo")
    services.risks.add_risk(project.id, "Vendor late", probability=4, impact=5,
                            proximity="2026-11-30")  # fmt: skip
    services.risks.add_risk(project.id, "Staff leaves", probability=2, impact=2)
    services.risks.add_risk(project.id, "Also vendor", probability=4, impact=5)
    return project


def toolbar_button(page: RisksPage, action) -> QToolButton:  # type: ignore[no-untyped-def]
    button = page.toolbar.widgetForAction(action)
    assert isinstance(button, QToolButton) and button.isVisible()
    return button


def in_dialog(fill: Callable[[RiskDialog], None]) -> None:
    """Run ``fill`` on the risk dialog once it is open."""

    tries = [0]

    def run() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, RiskDialog):
            tries[0] += 1
            if dialog is not None and tries[0] > 200:
                dialog.close()  # some other dialog: close it, the test's asserts fail
            elif tries[0] <= 200:
                QTimer.singleShot(10, run)
            return
        fill(dialog)

    QTimer.singleShot(0, run)


def press_ok(dialog: RiskDialog) -> None:
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    ok.click()


def _key_on_register(window, qtbot, modifiers) -> None:  # type: ignore[no-untyped-def]
    """Ctrl(+Shift)+Z on the register, the window active again (as after any dialog)."""
    if not window.isActiveWindow():
        with qtbot.waitActive(window):
            window.activateWindow()
    qtbot.keyClick(window.pages.page("risks").table, Qt.Key.Key_Z, modifiers)


def undo(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    _key_on_register(window, qtbot, Qt.KeyboardModifier.ControlModifier)


def redo(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    shift = Qt.KeyboardModifier.ShiftModifier
    _key_on_register(window, qtbot, Qt.KeyboardModifier.ControlModifier | shift)


def cell(page: RisksPage, key: str, column: int) -> str:
    return page.proxy.index(page.row_of(key), column).data()


def test_a_heat_map_click_filters_the_register(services, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    make_project(services)
    _window, page = open_risks(services, make_window, qtbot)
    assert page.heat.item(1, 4).text() == "2"  # P4 x I5
    assert page.heat.item(3, 1).text() == "1"  # P2 x I2
    assert page.visible_keys() == ["R-1", "R-2", "R-3"]
    qtbot.mouseClick(page.heat.viewport(), Qt.MouseButton.LeftButton,
                     pos=heat_cell_pos(page, 4, 5))  # fmt: skip
    assert page.visible_keys() == ["R-1", "R-3"]
    assert "P4 × I5" in page.heading.text()
    qtbot.mouseClick(page.heat.viewport(), Qt.MouseButton.LeftButton,
                     pos=heat_cell_pos(page, 2, 2))  # fmt: skip
    assert page.visible_keys() == ["R-2"]
    qtbot.mouseClick(page.heat.viewport(), Qt.MouseButton.LeftButton,
                     pos=heat_cell_pos(page, 2, 2))  # fmt: skip
    assert page.visible_keys() == ["R-1", "R-2", "R-3"]
    assert "× I" not in page.heading.text()


def test_an_overdue_risk_reads_overdue_in_red_in_the_proximity_column(
    services, make_window, qtbot
) -> None:  # type: ignore[no-untyped-def]
    make_project(services)
    _window, page = open_risks(services, make_window, qtbot)
    assert page.model.horizontalHeaderItem(PROXIMITY).text() == "Proximity"
    assert cell(page, "R-1", PROXIMITY) == "2026-11-30  overdue"
    index = page.proxy.index(page.row_of("R-1"), PROXIMITY)
    assert index.data(Qt.ItemDataRole.ForegroundRole).color() == OVERDUE_COLOUR
    assert "overdue" not in (cell(page, "R-2", PROXIMITY) or "")
    assert "1 overdue" in page.heading.text()


def test_the_status_box_filters_the_register(services, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    project = make_project(services)
    services.risks.close_risk(project.id, "R-2")
    _window, page = open_risks(services, make_window, qtbot)
    assert page.visible_keys() == ["R-1", "R-2", "R-3"]
    page.status_filter.setFocus()
    qtbot.keyClicks(page.status_filter, "closed")
    assert page.status_filter.currentText() == "closed"
    assert page.visible_keys() == ["R-2"]
    page.status_filter.setCurrentText("Active (open, mitigating)")
    assert page.visible_keys() == ["R-1", "R-3"]


def test_a_new_risk_through_the_toolbar_then_undo_and_redo(services, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    project = make_project(services)
    services.cards.create_card(project.id, "Payments", type="epic")  # RK-1
    services.cards.create_card(project.id, "Refunds")  # RK-2
    services.plans.add_milestone(project.id, "Beta", "2027-03-01")
    window, page = open_risks(services, make_window, qtbot)

    def fill(dialog: RiskDialog) -> None:
        assert dialog.windowTitle() == "New risk"
        qtbot.keyClicks(dialog.title, "Server outage")
        dialog.description.setPlainText("The host has no failover")
        dialog.probability.setValue(5)
        dialog.impact.setValue(3)
        dialog.residual_probability.setValue(2)
        assert dialog.residual_exposure.text() == "6"
        dialog.owner.setCurrentText("Bo")
        dialog.response.setPlainText("Second region")
        qtbot.keyClicks(dialog.trigger, "Two outages in a month")
        qtbot.keyClicks(dialog.proximity, "2027-01-15")
        dialog.status.setCurrentText("mitigating")
        qtbot.keyClicks(dialog.schedule_days, "4")
        qtbot.keyClicks(dialog.cost_impact, "2500")
        dialog.epics.item(0).setCheckState(Qt.CheckState.Checked)
        dialog.milestones.item(0).setCheckState(Qt.CheckState.Checked)
        qtbot.keyClicks(dialog.cards, "rk-2")
        press_ok(dialog)

    in_dialog(fill)
    qtbot.mouseClick(toolbar_button(page, page.new_action), Qt.MouseButton.LeftButton)
    assert page.visible_keys() == ["R-1", "R-2", "R-3", "R-4"]
    assert page.current_risk() is not None and page.current_risk().key == "R-4"
    assert cell(page, "R-4", TITLE) == "Server outage"
    assert cell(page, "R-4", STATUS) == "mitigating"
    assert "RK-1, RK-2, Beta" in cell(page, "R-4", page.model.columnCount() - 1)
    assert page.heat.item(3, 2).text() == "1"  # residual P2 x I3
    added = services.risks.get_risk(project.id, "R-4")
    assert (added.exposure, added.residual_exposure, added.owner) == (15, 6, "Bo")
    assert (added.epic_keys, added.card_keys, added.milestones) == (("RK-1",), ("RK-2",), ("Beta",))
    assert (added.trigger, added.schedule_days, str(added.cost_impact)) == (
        "Two outages in a month", 4, "2500.00")  # fmt: skip
    assert "The host has no failover" in page.details.text()
    assert window.undo_stack.undoText() == "Add risk Server outage"

    undo(window, qtbot)
    qtbot.waitUntil(lambda: "R-4" not in page.visible_keys())
    assert len(services.risks.list_risks(project.id)) == 3
    redo(window, qtbot)
    qtbot.waitUntil(lambda: "R-4" in page.visible_keys())
    again = services.risks.get_risk(project.id, "R-4")
    assert (again.title, again.epic_keys, again.milestones) == (
        "Server outage",
        ("RK-1",),
        ("Beta",),
    )


def test_ctrl_n_opens_the_dialog_and_an_empty_title_is_refused_in_it(
    services, make_window, qtbot
) -> None:  # type: ignore[no-untyped-def]
    project = make_project(services)
    window, page = open_risks(services, make_window, qtbot)
    seen: list[str] = []

    def fill(dialog: RiskDialog) -> None:
        press_ok(dialog)  # no title
        assert dialog.isVisible()
        seen.append(dialog.error.text())
        qtbot.keyClicks(dialog.proximity, "next week")
        qtbot.keyClicks(dialog.title, "Late")
        press_ok(dialog)
        seen.append(dialog.error.text())
        dialog.proximity.clear()
        qtbot.keyClicks(dialog.cards, "RK-99")
        press_ok(dialog)
        seen.append(dialog.error.text())
        dialog.cards.clear()
        qtbot.keyClicks(dialog.cost_impact, "-3")
        press_ok(dialog)  # the service refuses: shown in the dialog, which stays open

        def then() -> None:
            again = QApplication.activeModalWidget()
            assert again is dialog
            seen.append(dialog.error.text())
            dialog.reject()

        QTimer.singleShot(0, then)

    in_dialog(fill)
    qtbot.keyClick(page.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert seen[0] == "The risk title cannot be empty."
    assert "'next week' is not a date" in seen[1]
    assert seen[2] == "There is no card RK-99 in this project."
    assert "cannot be negative" in seen[3]
    assert len(services.risks.list_risks(project.id)) == 3
    assert window.undo_stack.count() == 0


def test_enter_edits_a_risk_and_ctrl_z_puts_it_back(services, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    project = make_project(services)
    window, page = open_risks(services, make_window, qtbot)
    page.select("R-2")

    def fill(dialog: RiskDialog) -> None:
        assert dialog.windowTitle() == "Edit R-2" and dialog.title.text() == "Staff leaves"
        dialog.title.selectAll()
        qtbot.keyClicks(dialog.title, "Key engineer leaves")
        dialog.owner.setCurrentText("Ana")
        press_ok(dialog)

    in_dialog(fill)
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert cell(page, "R-2", TITLE) == "Key engineer leaves"
    assert services.risks.get_risk(project.id, "R-2").owner == "Ana"
    assert window.undo_stack.undoText() == "Edit R-2"
    undo(window, qtbot)
    qtbot.waitUntil(lambda: cell(page, "R-2", TITLE) == "Staff leaves")
    assert services.risks.get_risk(project.id, "R-2").owner == ""
    redo(window, qtbot)
    qtbot.waitUntil(lambda: cell(page, "R-2", TITLE) == "Key engineer leaves")


def test_a_double_click_opens_the_editor(services, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    make_project(services)
    _window, page = open_risks(services, make_window, qtbot)
    titles: list[str] = []

    def fill(dialog: RiskDialog) -> None:
        titles.append(dialog.windowTitle())
        dialog.reject()

    in_dialog(fill)
    rect = page.table.visualRect(page.proxy.index(page.row_of("R-3"), TITLE))
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert titles == ["Edit R-3"]


def test_an_edit_changed_elsewhere_meanwhile_is_refused_in_the_dialog(
    services, make_window, qtbot
) -> None:  # type: ignore[no-untyped-def]
    project = make_project(services)
    _window, page = open_risks(services, make_window, qtbot)
    page.select("R-3")
    seen: list[str] = []

    def fill(dialog: RiskDialog) -> None:
        if dialog.error.text():
            seen.append(dialog.error.text())
            dialog.reject()
            return
        services.risks.update_risk(project.id, "R-3", impact=2)  # a teammate, meanwhile
        dialog.title.setText("Vendor very late")
        in_dialog(fill)
        press_ok(dialog)

    in_dialog(fill)
    qtbot.mouseClick(toolbar_button(page, page.edit_action), Qt.MouseButton.LeftButton)
    assert seen and "changed by someone else" in seen[0]
    assert services.risks.get_risk(project.id, "R-3").title == "Also vendor"


def answer_delete_box(button: str) -> None:
    def run() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(10, run)
            return
        [target] = [b for b in box.findChildren(QPushButton) if b.text() == button]
        target.click()

    QTimer.singleShot(0, run)


def test_del_asks_then_deletes_and_ctrl_z_brings_it_back(services, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    project = make_project(services)
    services.risks.update_risk(project.id, "R-2", owner="Bo", response="Pair up")
    window, page = open_risks(services, make_window, qtbot)
    page.select("R-2")
    answer_delete_box("Cancel")
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    assert page.visible_keys() == ["R-1", "R-2", "R-3"]
    answer_delete_box("Delete")
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    assert page.visible_keys() == ["R-1", "R-3"]
    assert [r.key for r in services.risks.list_risks(project.id)] == ["R-1", "R-3"]
    assert window.undo_stack.undoText() == "Delete R-2"
    undo(window, qtbot)
    qtbot.waitUntil(lambda: "R-2" in page.visible_keys())
    back = services.risks.get_risk(project.id, "R-2")
    assert (back.owner, back.response) == ("Bo", "Pair up")
    redo(window, qtbot)
    qtbot.waitUntil(lambda: "R-2" not in page.visible_keys())


def test_close_marks_a_risk_closed_and_takes_it_off_the_heat_map(
    services, make_window, qtbot
) -> None:  # type: ignore[no-untyped-def]
    project = make_project(services)
    window, page = open_risks(services, make_window, qtbot)
    page.select("R-1")
    qtbot.mouseClick(toolbar_button(page, page.close_action), Qt.MouseButton.LeftButton)
    assert cell(page, "R-1", STATUS) == "closed"
    assert "overdue" not in cell(page, "R-1", PROXIMITY)  # closed: no longer a threat
    assert page.heat.item(1, 4).text() == "1"
    assert not page.close_action.isEnabled()
    assert services.risks.get_risk(project.id, "R-1").status == "closed"
    assert window.undo_stack.undoText() == "Close R-1"
    undo(window, qtbot)
    qtbot.waitUntil(lambda: cell(page, "R-1", STATUS) == "open")
    assert page.heat.item(1, 4).text() == "2"


@pytest.fixture
def elsewhere(runtime, db_url):  # type: ignore[no-untyped-def]
    other = make_runtime(db_url)
    yield other.services
    other.close()


def test_a_risk_added_in_another_window_appears_here(
    runtime, elsewhere, make_window, qtbot
) -> None:  # type: ignore[no-untyped-def]
    project = make_project(runtime.services)
    window, page = open_risks(runtime.services, make_window, qtbot, poll=runtime.feed.poll)
    elsewhere.risks.add_risk(project.id, "Found by a teammate", probability=5, impact=5)
    assert window.check_external_changes()
    qtbot.waitUntil(lambda: "R-4" in page.visible_keys())
    assert page.heat.item(0, 4).text() == "1"  # P5 x I5
    elsewhere.risks.delete_risk(project.id, "R-4")
    assert window.check_external_changes()
    qtbot.waitUntil(lambda: "R-4" not in page.visible_keys())


def test_the_editor_shows_the_links_and_ok_without_a_change_writes_nothing(
    services, make_window, qtbot
) -> None:  # type: ignore[no-untyped-def]
    project = make_project(services)
    services.cards.create_card(project.id, "Payments", type="epic")  # RK-1
    services.cards.create_card(project.id, "Search", type="epic")  # RK-2
    services.cards.create_card(project.id, "Refunds")  # RK-3
    services.plans.add_milestone(project.id, "Beta", "2027-03-01")
    services.risks.update_risk(project.id, "R-3", epics=["RK-2"], cards=["RK-3"],
                               milestones=["Beta"], owner="Bo", cost_impact="10.50")  # fmt: skip
    before = services.risks.get_risk(project.id, "R-3")
    window, page = open_risks(services, make_window, qtbot)
    page.select("R-3")
    seen: dict[str, object] = {}

    def look(dialog: RiskDialog) -> None:
        checked = Qt.CheckState.Checked
        seen["epics"] = [dialog.epics.item(r).checkState() == checked for r in range(2)]
        seen["milestone"] = dialog.milestones.item(0).checkState() == checked
        seen["cards"] = dialog.cards.text()
        seen["owner"] = dialog.owner.currentText()
        press_ok(dialog)

    in_dialog(look)
    qtbot.keyClick(page.table, Qt.Key.Key_Enter)
    assert seen == {"epics": [False, True], "milestone": True, "cards": "RK-3", "owner": "Bo"}
    assert window.undo_stack.count() == 0
    assert services.risks.get_risk(project.id, "R-3") == before


def test_switching_project_shows_its_register(services, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    make_project(services)
    other = services.projects.create_project("OT", "Other")
    services.risks.add_risk(other.id, "Only here", probability=1, impact=1)
    window, page = open_risks(services, make_window, qtbot)
    assert len(page.visible_keys()) == 3
    window.select_project("OT")
    qtbot.waitUntil(lambda: page.visible_keys() == ["R-1"])
    assert page.proxy.index(0, TITLE).data() == "Only here"
    assert "Other" in page.heading.text()
