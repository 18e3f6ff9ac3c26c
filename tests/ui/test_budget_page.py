"""The Budget page as a person sees it: the warning banner, the summary, the cost tables and
burn-up, the EVM table with its reading and the CPI/SPI chart; Ctrl+6 opens it from the
window; a budget change made elsewhere shows at once."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QTableWidget

from app.bootstrap import Runtime
from app.ui.budget.page import BudgetView
from app.ui.store import BoardStore
from tests.budget_world import build_budget
from tests.helpers import make_runtime


@pytest.fixture
def bg(tmp_path: Path) -> Iterator[tuple[Runtime, dict]]:  # type: ignore[type-arg]
    runtime = make_runtime(tmp_path / "budget.db")
    world = build_budget(runtime)
    yield runtime, world
    runtime.close()


@pytest.fixture
def view(qtbot, bg) -> Iterator[BudgetView]:  # type: ignore[no-untyped-def]
    runtime, world = bg
    store = BoardStore(runtime.services)
    store.load(world["pid"])
    page = BudgetView(runtime.services, store)
    qtbot.addWidget(page)
    page.resize(1280, 720)
    page.show()
    qtbot.waitExposed(page)
    yield page
    store.close()


def cells(table: QTableWidget) -> list[list[str]]:
    return [
        [table.item(r, c).text() for c in range(table.columnCount()) if table.item(r, c)]
        for r in range(table.rowCount())
    ]


def painted(widget) -> bool:  # type: ignore[no-untyped-def]
    image = widget.grab().toImage()
    colours = {
        image.pixel(x, y) for x in range(0, image.width(), 4) for y in range(0, image.height(), 4)
    }
    return len(colours) > 8


def test_what_the_cost_tab_shows(view: BudgetView) -> None:
    assert view.banner.isVisible()
    assert "86% of the project budget is spent (1550.00 of 1800.00)." in view.banner.text()
    assert "Over budget: 105% of BG-1 Checkout's budget" in view.banner.text()
    summary = view.summary.text()
    assert "Spent 1,550.00 of 1,800.00 EUR (86.1%); 250.00 left." in summary
    assert "Burn rate 750.00 EUR a sprint over the last 2 closed (Sprint 1, Sprint 2)." in summary
    assert "runs out on 2025-03-21" in summary
    assert cells(view.sprint_table) == [
        ["Sprint 1", "12.00", "800.00"],
        ["Sprint 2", "7.00", "700.00"],
        ["(between sprints)", "1.00", "50.00"],
    ]
    assert cells(view.person_table)[0] == ["Ann Able", "9.00", "1,000.00"]
    checkout = cells(view.epic_table)[0]
    assert checkout == ["BG-1 Checkout", "10.00", "1,050.00", "1,000.00"]
    assert view.epic_table.item(0, 2).toolTip() == "Over its budget by 50.00."
    layout = view.cost_chart.chart_layout()
    assert layout is not None and len(layout.anchors) == 5  # one step per day with logs
    assert painted(view.cost_chart)
    view.grab().save("/tmp/budget_cost.png")


def test_earned_value_tab(qtbot, view: BudgetView, bg) -> None:  # type: ignore[no-untyped-def]
    runtime, world = bg
    view.tabs.setCurrentIndex(1)
    assert view.release_box.currentText() == "Whole project (its budget)"
    assert view.evm_caption.text().startswith("whole project (whole backlog): BAC 1,800.00 EUR")
    runtime.services.budget.add_release(world["pid"], "R1", 4, "2000")
    qtbot.waitUntil(lambda: view.release_box.count() == 2)
    view.release_box.setFocus()
    qtbot.keyClick(view.release_box, Qt.Key.Key_Down)
    assert view.release_box.currentData() == "R1"
    rows = cells(view.evm_table)
    assert [r[0] for r in rows] == ["Sprint 1", "Sprint 2"]
    assert rows[1][3:6] == ["1,000.00", "1,733.33", "1,550.00"]
    assert rows[1][8:10] == ["1.12", "1.73"]
    assert rows[0][-1] == "over budget, ahead of schedule"
    assert view.evm_caption.text().endswith("After Sprint 2: under budget, ahead of schedule.")
    layout = view.index_chart.chart_layout()
    assert layout is not None and len(layout.anchors) == 2
    assert painted(view.index_chart)
    view.grab().save("/tmp/budget_evm.png")


def test_no_cost_yet_is_said_in_the_table(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    runtime = make_runtime(tmp_path / "nc.db")
    try:
        services = runtime.services
        pid = services.projects.create_project("NC", "No cost").id
        s = services.sprints.create_sprint(pid, "S1", "", "2025-01-06", "2025-01-17")
        services.cards.create_card(pid, "One", points="3", sprint_id=s.id)
        services.sprints.start_sprint(s.id)
        services.sprints.complete_sprint(s.id, "backlog")
        services.budget.add_release(pid, "R", 2, "1000")
        store = BoardStore(services)
        store.load(pid)
        page = BudgetView(services, store)
        qtbot.addWidget(page)
        assert not page.banner.isVisible()
        assert "no budget set" in page.summary.text()
        page.release_box.setCurrentIndex(0)
        assert page.evm_caption.text() == (
            "The project has no budget and no release; set a budget or add a release."
        )
        page.release_box.setCurrentIndex(1)
        assert page.release_box.currentData() == "R"  # the only release is chosen
        cpi = page.evm_table.item(0, 8)
        assert cpi.text() == "n/a"
        assert cpi.toolTip() == "Cannot be computed: no cost logged yet."
        assert "cost unknown (no cost logged yet)" in page.evm_table.item(0, 13).text()
        store.close()
    finally:
        runtime.close()


def test_a_budget_change_shows_at_once(qtbot, view: BudgetView, bg) -> None:  # type: ignore[no-untyped-def]
    runtime, world = bg
    runtime.services.budget.set_budget(world["pid"], "5000")
    qtbot.waitUntil(lambda: "of 5,000.00 EUR" in view.summary.text())
    assert "the project budget" not in view.banner.text()
    runtime.services.budget.set_epic_budget(world["pid"], "BG-1", None)
    qtbot.waitUntil(lambda: not view.banner.isVisible())


def test_ctrl_6_opens_the_budget_page(qtbot, make_window, bg) -> None:  # type: ignore[no-untyped-def]
    runtime, _world = bg
    window = make_window(runtime.services)
    qtbot.keyClick(window, Qt.Key.Key_6, Qt.KeyboardModifier.ControlModifier)
    page = window.findChild(BudgetView, "budgetPage")
    assert page is not None and page.isVisible()
    qtbot.waitUntil(lambda: "Spent" in page.summary.text())


def test_file_menu_exports_the_status_report(qtbot, make_window, bg, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QFileDialog

    runtime, world = bg
    window = make_window(runtime.services)
    target = tmp_path / "status.md"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    window.export_status_action.trigger()
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# Status report: Budget project (BG)")
    assert "| Cost to date | 1,550.00 EUR |" in text
    message = window.status_export.exported_message
    assert message is not None and "status.md" in message.text()
    message.close()
    [snapshot] = runtime.services.status_reports.list_snapshots(world["pid"])
    assert snapshot.number == 1


def test_a_bad_export_path_is_refused_and_stores_nothing(
    qtbot, make_window, bg, tmp_path, monkeypatch, messages
) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QFileDialog

    runtime, world = bg
    window = make_window(runtime.services)
    for bad in (tmp_path / "missing" / "s.md", tmp_path / "s.txt"):
        monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, b=bad, **k: (str(b), ""))
        window.export_status_action.trigger()
    assert len(messages) == 2
    assert "does not exist" in messages[0] or "folder" in messages[0]
    assert "not a .pdf, .html, .md or .csv" in messages[1]
    assert runtime.services.status_reports.list_snapshots(world["pid"]) == []


def test_time_logged_elsewhere_shows_at_once(qtbot, view: BudgetView, bg) -> None:  # type: ignore[no-untyped-def]
    runtime, world = bg
    services = runtime.services
    card = next(c for c in services.board.load_board(world["pid"]).cards if c.type != "epic")
    services.time.add_log(card.id, world["ann"], "1h", "2025-03-17")
    qtbot.waitUntil(lambda: "Spent 1,670.00 of 1,800.00 EUR" in view.summary.text())
    assert cells(view.person_table)[0] == ["Ann Able", "10.00", "1,120.00"]


def test_the_starting_services_hand_out_the_budget_services() -> None:
    """The window runs on StartingServices at start (app/startup.py): the Budget page and
    the status export ask it for ``budget`` and ``status_reports``."""
    from app.startup import StartingServices

    for name in ("budget", "status_reports"):
        assert isinstance(getattr(StartingServices, name, None), property), name


def test_the_cost_axis_is_money_with_thousands_separators(qtbot, view: BudgetView, bg) -> None:  # type: ignore[no-untyped-def]
    runtime, world = bg
    runtime.services.budget.set_budget(world["pid"], "12500")
    qtbot.waitUntil(lambda: "of 12,500.00 EUR" in view.summary.text())
    view.cost_chart.grab()
    assert view.cost_chart.y_axis_text == ["0", "5,000", "10,000", "15,000", "Cost (EUR)"]


def test_money_ticks() -> None:
    from app.ui.budget.charts import money_tick

    assert money_tick(1250000.0, 250000.0) == "1,250,000"
    assert money_tick(0.0, 500.0) == "0"
    assert money_tick(1.5, 0.5) == "1.50"
    assert money_tick(12500.000000001, 2500.0) == "12,500"


def _ok(dialog):  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QDialogButtonBox

    box = dialog.findChild(QDialogButtonBox)
    return box.button(QDialogButtonBox.StandardButton.Ok)


def _undo(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QApplication

    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)  # the dialog is gone
    target = window.focusWidget() or window
    qtbot.keyClick(target, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)


def open_budget_page(qtbot, make_window, runtime):  # type: ignore[no-untyped-def]
    window = make_window(runtime.services)
    qtbot.keyClick(window, Qt.Key.Key_6, Qt.KeyboardModifier.ControlModifier)
    page = window.findChild(BudgetView, "budgetPage")
    assert page is not None and page.isVisible()
    qtbot.waitUntil(lambda: "Spent" in page.summary.text())
    return window, page


def test_set_budget_refuses_a_negative_one_then_sets_it_and_undoes(qtbot, make_window, bg) -> None:  # type: ignore[no-untyped-def]
    from app.ui.budget.editing import BudgetDialog
    from tests.ui.helpers import with_dialog

    runtime, world = bg
    window, page = open_budget_page(qtbot, make_window, runtime)
    errors: list[str] = []

    def good(dialog) -> None:  # type: ignore[no-untyped-def]
        errors.append(dialog.error.text())
        dialog.amount.selectAll()
        qtbot.keyClicks(dialog.amount, "12500")
        qtbot.mouseClick(_ok(dialog), Qt.MouseButton.LeftButton)

    def bad(dialog) -> None:  # type: ignore[no-untyped-def]
        assert isinstance(dialog, BudgetDialog)
        assert dialog.amount.text() == "1800.00"  # the budget as it is
        dialog.amount.selectAll()
        qtbot.keyClicks(dialog.amount, "-5")
        with_dialog(good)  # the dialog comes back with the refusal
        qtbot.mouseClick(_ok(dialog), Qt.MouseButton.LeftButton)

    with_dialog(bad)
    qtbot.mouseClick(page.budget_button, Qt.MouseButton.LeftButton)
    assert errors and "cannot be negative" in errors[0], errors
    assert "Spent 1,550.00 of 12,500.00 EUR (12.4%)" in page.summary.text()
    assert "the project budget" not in page.banner.text()  # 12% is no warning
    assert window.undo_stack.undoText() == "Set the project budget to 12500"
    _undo(qtbot, window)
    qtbot.waitUntil(lambda: "of 1,800.00 EUR" in page.summary.text())
    assert runtime.services.budget.overview(world["pid"]).budget == Decimal("1800.00")


def test_an_epic_budget_chosen_by_keys_then_undone(qtbot, make_window, bg) -> None:  # type: ignore[no-untyped-def]
    from app.ui.budget.editing import EpicBudgetDialog
    from tests.ui.helpers import with_dialog

    runtime, _world = bg
    window, page = open_budget_page(qtbot, make_window, runtime)
    assert cells(page.epic_table)[1] == ["BG-2 Search", "10.00", "500.00", ""]

    def fill(dialog) -> None:  # type: ignore[no-untyped-def]
        assert isinstance(dialog, EpicBudgetDialog)
        assert dialog.amount.text() == "1000.00"  # BG-1 first, with its budget
        dialog.epic.setFocus()
        qtbot.keyClick(dialog.epic, Qt.Key.Key_Down)
        assert dialog.epic_key() == "BG-2" and dialog.amount.text() == ""
        qtbot.keyClicks(dialog.amount, "450")
        qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)

    with_dialog(fill)
    qtbot.mouseClick(page.epic_button, Qt.MouseButton.LeftButton)
    assert cells(page.epic_table)[1] == ["BG-2 Search", "10.00", "500.00", "450.00"]
    assert page.epic_table.item(1, 2).toolTip() == "Over its budget by 50.00."
    assert "BG-2 Search's budget" in page.banner.text()
    _undo(qtbot, window)
    qtbot.waitUntil(lambda: cells(page.epic_table)[1] == ["BG-2 Search", "10.00", "500.00", ""])


def test_define_a_release_of_chosen_epics_then_undo(qtbot, make_window, bg) -> None:  # type: ignore[no-untyped-def]
    from app.ui.budget.editing import ReleaseDialog
    from tests.ui.helpers import with_dialog

    runtime, world = bg
    window, page = open_budget_page(qtbot, make_window, runtime)
    errors: list[str] = []

    def good(dialog) -> None:  # type: ignore[no-untyped-def]
        errors.append(dialog.error.text())
        dialog.epics.setFocus()
        dialog.epics.setCurrentRow(0)
        qtbot.keyClick(dialog.epics, Qt.Key.Key_Space)  # tick BG-1 Checkout
        qtbot.mouseClick(_ok(dialog), Qt.MouseButton.LeftButton)

    def fill(dialog) -> None:  # type: ignore[no-untyped-def]
        assert isinstance(dialog, ReleaseDialog)
        qtbot.keyClicks(dialog.name, "Checkout")
        dialog.sprints.selectAll()
        qtbot.keyClicks(dialog.sprints, "2")
        qtbot.keyClicks(dialog.bac, "1000")
        at = QPoint(8, dialog.chosen.height() // 2)  # on its round button
        qtbot.mouseClick(dialog.chosen, Qt.MouseButton.LeftButton, pos=at)
        assert dialog.epics.isEnabled()
        with_dialog(good)  # none ticked yet: refused by the dialog
        qtbot.mouseClick(_ok(dialog), Qt.MouseButton.LeftButton)

    with_dialog(fill)
    qtbot.mouseClick(page.release_button, Qt.MouseButton.LeftButton)
    assert errors == ["Tick at least one epic, or choose the whole backlog."]
    assert page.tabs.currentIndex() == 1 and page.release_box.currentData() == "Checkout"
    assert page.evm_caption.text().startswith("Checkout (BG-1): BAC 1,000.00 EUR over 2 sprints.")
    assert [r[0] for r in cells(page.evm_table)] == ["Sprint 1", "Sprint 2"]
    [release] = runtime.services.budget.list_releases(world["pid"])
    assert (release.planned_sprints, release.epic_keys) == (2, ("BG-1",))
    assert window.undo_stack.undoText() == "Add release Checkout"
    _undo(qtbot, window)
    qtbot.waitUntil(lambda: page.release_box.count() == 1)
    assert runtime.services.budget.list_releases(world["pid"]) == []


def test_a_release_refused_by_the_service_writes_nothing(qtbot, view: BudgetView, bg) -> None:  # type: ignore[no-untyped-def]
    from tests.ui.helpers import with_dialog

    runtime, world = bg
    errors: list[str] = []

    def cancel(dialog) -> None:  # type: ignore[no-untyped-def]
        errors.append(dialog.error.text())
        dialog.reject()

    def fill(dialog) -> None:  # type: ignore[no-untyped-def]
        qtbot.keyClicks(dialog.name, "R1")
        qtbot.keyClicks(dialog.bac, "-10")
        with_dialog(cancel)
        qtbot.keyClick(dialog.bac, Qt.Key.Key_Return)

    with_dialog(fill)
    qtbot.mouseClick(view.release_button, Qt.MouseButton.LeftButton)
    assert errors and "cannot be negative" in errors[0]
    assert runtime.services.budget.list_releases(world["pid"]) == []
    assert view.release_box.count() == 1


def test_edit_a_release_then_delete_it_and_undo_both(qtbot, make_window, bg) -> None:  # type: ignore[no-untyped-def]
    from app.ui.budget.editing import ReleaseDialog
    from tests.ui.helpers import with_dialog

    runtime, world = bg
    pid = world["pid"]
    runtime.services.budget.add_release(pid, "R1", 4, "2000")
    window, page = open_budget_page(qtbot, make_window, runtime)
    page.tabs.setCurrentIndex(1)
    assert page.release_box.currentData() == "R1"  # the only release is shown
    assert page.edit_release_button.isEnabled() and page.delete_release_button.isEnabled()

    def edit(dialog) -> None:  # type: ignore[no-untyped-def]
        assert isinstance(dialog, ReleaseDialog)
        assert dialog.windowTitle() == "Edit release R1"
        assert (dialog.name.text(), dialog.sprints.value(), dialog.bac.text()) == (
            "R1",
            4,
            "2000.00",
        )
        assert dialog.whole.isChecked()
        dialog.name.selectAll()
        qtbot.keyClicks(dialog.name, "Launch")
        dialog.bac.selectAll()
        qtbot.keyClicks(dialog.bac, "2600")
        at = QPoint(8, dialog.chosen.height() // 2)
        qtbot.mouseClick(dialog.chosen, Qt.MouseButton.LeftButton, pos=at)
        dialog.epics.setFocus()
        dialog.epics.setCurrentRow(1)
        qtbot.keyClick(dialog.epics, Qt.Key.Key_Space)  # tick BG-2 Search
        qtbot.mouseClick(_ok(dialog), Qt.MouseButton.LeftButton)

    with_dialog(edit)
    qtbot.mouseClick(page.edit_release_button, Qt.MouseButton.LeftButton)
    assert page.release_box.currentData() == "Launch"
    assert page.evm_caption.text().startswith("Launch (BG-2): BAC 2,600.00 EUR over 4 sprints.")
    assert window.undo_stack.undoText() == "Edit release R1"

    def reopened(dialog) -> None:  # type: ignore[no-untyped-def]
        assert dialog.chosen.isChecked()  # the scope as it is now
        ticked = [
            dialog.epics.item(i).text()
            for i in range(dialog.epics.count())
            if dialog.epics.item(i).checkState() == Qt.CheckState.Checked
        ]
        assert ticked == ["BG-2 Search"]
        dialog.reject()

    with_dialog(reopened)
    qtbot.mouseClick(page.edit_release_button, Qt.MouseButton.LeftButton)

    qtbot.mouseClick(page.delete_release_button, Qt.MouseButton.LeftButton)
    assert runtime.services.budget.list_releases(pid) == []
    assert page.release_box.count() == 1 and not page.delete_release_button.isEnabled()
    assert window.undo_stack.undoText() == "Delete release Launch"
    _undo(qtbot, window)  # the release is back, as edited
    qtbot.waitUntil(lambda: page.release_box.count() == 2)
    [back] = runtime.services.budget.list_releases(pid)
    assert (back.name, back.bac, back.epic_keys) == ("Launch", Decimal("2600.00"), ("BG-2",))
    _undo(qtbot, window)  # the edit undone: R1 as it was
    qtbot.waitUntil(lambda: page.release_box.findData("R1") >= 0)
    [old] = runtime.services.budget.list_releases(pid)
    assert (old.name, old.planned_sprints, old.bac, old.epic_keys) == (
        "R1",
        4,
        Decimal("2000.00"),
        (),
    )
