"""Make the README's screenshots from the demo project, offscreen.

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/make_screenshots.py [--size 1280x720]
        [--scale 2] [--out docs/screenshots] [--only board,backlog]

Each shot is the real window (or dialog) on a fresh demo database, at the size given;
``--scale 2`` renders at twice the pixels (what a 2560x1440 screen shows at 200 %). The
HTML report is rendered with headless Chromium at a phone's 390 px when it is installed.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="1280x720")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--only", default="", help="comma-separated shot names")
    args = parser.parse_args(argv)
    width, height = (int(x) for x in args.size.split("x"))
    if args.scale != 1:
        os.environ["QT_SCALE_FACTOR"] = str(args.scale)
    work = Path(tempfile.mkdtemp(prefix="sprintdeck-shots-"))
    os.environ["SPRINTDECK_DATA_DIR"] = str(work / "data")
    os.environ["XDG_CONFIG_HOME"] = str(work / "config")
    os.environ.setdefault("SPRINTDECK_USER", "Ada Lovelace")

    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication, QWidget

    from app.bootstrap import open_runtime
    from app.ui.application import load_stylesheet
    from app.ui.mainwindow import MainWindow

    app = QApplication([])
    app.setStyleSheet(load_stylesheet())
    runtime = open_runtime("sqlite:///" + str(work / "demo.db"), seed_demo_if_new=True)
    settings = QSettings(str(work / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("board/scope", "active")
    window = MainWindow(runtime.services, settings, database=work / "demo.db")
    window.resize(width, height)
    window.show()
    args.out.mkdir(parents=True, exist_ok=True)
    wanted = {name for name in args.only.split(",") if name}
    made: list[str] = []

    def settle() -> None:
        for _ in range(5):
            app.processEvents()

    def save(widget: QWidget, name: str) -> None:
        settle()
        path = args.out / f"{name}.png"
        widget.grab().save(str(path))
        made.append(str(path))

    def dialog_shot(open_it: Callable[[], object], name: str, fill=None) -> None:  # type: ignore[no-untyped-def]
        """Open a modal dialog, photograph it once it shows, close it."""

        def shoot() -> None:
            dialog = QApplication.activeModalWidget()
            if dialog is None:
                QTimer.singleShot(20, shoot)
                return
            if fill is not None:
                fill(dialog)
            save(dialog, name)
            dialog.reject()

        QTimer.singleShot(0, shoot)
        open_it()

    shots: dict[str, Callable[[], None]] = {}

    def shot(name: str):  # type: ignore[no-untyped-def]
        def register(fn: Callable[[], None]) -> Callable[[], None]:
            shots[name] = fn
            return fn

        return register

    @shot("board")
    def _board() -> None:
        window.show_page("board")
        save(window, "board")

    @shot("board-swimlanes")
    def _lanes() -> None:
        window.show_page("board")
        window.group_combo.setCurrentIndex(window.group_combo.findData("assignee"))
        save(window, "board-swimlanes")
        window.group_combo.setCurrentIndex(window.group_combo.findData("none"))

    @shot("board-filtered")
    def _filtered() -> None:
        window.show_page("board")
        window.scope_combo.setCurrentIndex(window.scope_combo.findData(None))
        window.label_combo.setCurrentIndex(window.label_combo.findText("frontend"))
        save(window, "board-filtered")
        window.clear_filters()
        window.scope_combo.setCurrentIndex(0)

    @shot("backlog")
    def _backlog() -> None:
        window.show_page("backlog")
        save(window, "backlog")

    @shot("sprint")
    def _sprint() -> None:
        window.show_page("sprint")
        save(window, "sprint")

    for chart in ("velocity", "cfd", "burnup", "control", "throughput"):

        def _report(chart: str = chart) -> None:
            window.show_page("reports")
            reports = window.reports
            reports.set_chart(chart)
            save(window, f"reports-{chart}")

        shots[f"reports-{chart}"] = _report

    @shot("planning")
    def _planning() -> None:
        window.show_page("backlog")
        dialog_shot(window.plan_sprint, "planning")

    @shot("card-dialog")
    def _card() -> None:
        window.show_page("board")
        card = window.board.current_card() or next(iter(window.store.cards()))
        window.board.select_card(card.id)
        dialog_shot(window.open_card, "card-dialog")

    @shot("card-comments")
    def _comments() -> None:
        """The card editor's Comments tab on the demo's most talked-about card."""
        window.show_page("board")
        card = runtime.services.cards.find_card("DEMO-12")
        window.scope_combo.setCurrentIndex(window.scope_combo.findData(None))

        def comments(dialog) -> None:  # type: ignore[no-untyped-def]
            dialog.resize(760, 620)
            dialog.tabs.setCurrentWidget(dialog.comments_tab)
            dialog.comments_tab.editor.setPlainText("Keys arrived: @Alan Turing can ")
            settle()

        dialog_shot(lambda: window.open_card(card.id), "card-comments", comments)
        window.scope_combo.setCurrentIndex(0)

    @shot("activity")
    def _activity() -> None:
        """View › Activity over the demo's last week, grouped by person."""
        window.show_page("activity")
        page = window.built_page("activity")
        page.since_combo.setCurrentIndex(page.since_combo.findData("date"))
        settle()
        save(window, "activity")
        window.show_page("board")

    @shot("project-settings-team")
    def _settings() -> None:
        if hasattr(window, "edit_project_settings"):

            def team(dialog) -> None:  # type: ignore[no-untyped-def]
                tabs = getattr(dialog, "tabs", None)
                if tabs is not None:
                    tabs.setCurrentIndex(1)

            dialog_shot(window.edit_project_settings, "project-settings-team", team)

    @shot("welcome")
    def _welcome() -> None:
        """A database without any project: the welcome page."""
        empty = open_runtime("sqlite:///" + str(work / "team.db"))
        try:
            other = MainWindow(empty.services, settings, database=work / "team.db")
            other.resize(width, height)
            other.show()
            save(other, "welcome")
            other.close()
        finally:
            empty.close()

    def report(sprint: str = "last") -> object:
        from app.services.sprint_report_data import ReportService

        project = runtime.services.projects.find_project("DEMO")
        return ReportService(runtime.services.context).sprint_report(project.id, sprint)

    @shot("report-pdf")
    def _pdf() -> None:
        """Page 1 of the PDF report, through poppler's pdftoppm (skipped without it)."""
        import shutil
        import subprocess

        from app.reports import sprint_report_render as sr

        if shutil.which("pdftoppm") is None:
            print("report-pdf: skipped (pdftoppm, from poppler-utils, is not installed)")
            return
        pdf = work / "report.pdf"
        sr.write_report(report(), "pdf", pdf)
        stem = work / "page"
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", pdf, stem],
            check=True,
        )
        target = args.out / "report-pdf.png"
        shutil.copy(f"{stem}.png", target)
        made.append(str(target))

    @shot("report-html")
    def _html() -> None:
        """The HTML report on a 390 px phone, in headless Chromium (skipped without it).

        Chromium's headless window is never narrower than 500 px, so the page is shown in
        a 390 px frame and the picture is cut to the frame."""
        import shutil
        import subprocess

        from PySide6.QtGui import QImage

        from app.reports import sprint_report_render as sr

        browser = shutil.which("chromium") or shutil.which("chromium-browser")
        if browser is None:
            print("report-html: skipped (chromium is not installed)")
            return
        page = work / "report.html"
        sr.write_report(report(), "html", page)
        frame = work / "phone.html"
        frame.write_text(
            '<html><body style="margin:0"><iframe src="report.html" width="390" '
            'height="1360" style="border:0"></iframe></body></html>',
            encoding="utf-8",
        )
        png = work / "phone.png"
        subprocess.run(
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                f"--user-data-dir={work / 'chromium'}",
                f"--screenshot={png}",
                "--window-size=500,1360",
                frame.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
            env={**os.environ, "HOME": str(work)},
        )
        target = args.out / "report-html.png"
        QImage(str(png)).copy(0, 0, 390, 1360).save(str(target))
        made.append(str(target))

    @shot("risks")
    def _risks() -> None:
        """View › Risks: the demo's register, one risk past its proximity date, one closed;
        R-2 selected for its details."""
        window.show_page("risks")
        page = window.built_page("risks")
        page.refresh()
        page.select("R-2")
        save(window, "risks")
        window.show_page("board")

    @shot("team")
    def _team() -> None:
        """View › Team: who is stretched in the active and planned sprints."""
        window.show_page("team")
        save(window, "team")
        window.show_page("board")

    @shot("budget")
    def _budget() -> None:
        """View › Budget: cost against budget (the demo's 80% warning on one epic), then
        its Earned value tab on the demo's release, then the Edit release… dialog."""
        window.show_page("budget")
        page = window.built_page("budget")
        page.refresh()
        page.tabs.setCurrentIndex(0)
        save(window, "budget")
        page.tabs.setCurrentIndex(1)
        save(window, "budget-evm")
        dialog_shot(page.edit_release, "budget-release")
        page.tabs.setCurrentIndex(0)
        window.show_page("board")

    @shot("timeline")
    def _timeline() -> None:
        """The demo's Timeline: sprints, epic bars with their forecast ranges, the
        dependency arrows, the milestones (Checkout live at risk) and today; beside them
        the forecast panel of the first epic that has a forecast, as a click selects it."""
        window.show_page("timeline")
        page = window.built_page("timeline")
        forecast = page.forecast
        epics = [e.id for e in page.data.epics if forecast and e.id in forecast.epics]
        if epics:
            page.canvas.select(("epic", epics[0]))
        save(window, "timeline")
        page.canvas.select(None)

    @shot("board-screens")
    def _screens() -> None:
        """The board on a laptop and on the meeting room's screens, at the zoom that reads
        from across the room (Ctrl+=, remembered per screen), and the standup view. Last,
        because it gives two cards a checklist and an overdue date to show their badges."""
        from datetime import timedelta

        services = runtime.services
        project = window.store.project
        shown = [
            card for _c, _h, models in window.board.column_parts() for card in models[0].cards()
        ]
        cards = [c for c in shown if not c.blocked and c.parent_key]
        today = services.projects.today(project.time_zone)
        services.cards.update_card(
            cards[0].id,
            {"checklist": [("API", True), ("UI", True), ("tests", True), ("docs", False),
                           ("release", False)]},
        )  # fmt: skip
        services.cards.update_card(cards[1].id, {"due_date": today - timedelta(days=1)})
        window.show_page("board")
        for size, zoom in (("1280x720", 1.0), ("1920x1080", 2.0), ("2560x1440", 2.5)):
            w, h = (int(x) for x in size.split("x"))
            window.resize(w, h)
            window.zoom.set_factor(zoom)
            save(window, f"board-{size}")
        window.resize(1920, 1080)
        window.zoom.set_factor(1.5)
        window.named_actions["view.standup"].trigger()
        standup = window.standup.view
        standup.start_button.click()
        standup.go(len(standup.order) - 1)  # Mei: her cards and her comment since the last
        save(window, "board-standup")
        standup.stop_timers()
        window.standup.close()
        window.zoom.set_factor(1.0)
        window.resize(width, height)

    for name, fn in shots.items():
        if not wanted or name in wanted:
            fn()
    window.close()
    runtime.close()
    print("\n".join(made))
    return 0


if __name__ == "__main__":
    sys.exit(main())
