"""The sprint report as files: HTML, Markdown, CSV and PDF, from one SprintReportDTO.

(One module of ~1,100 lines: the four formats share the report's tables, wording and chart
sizes, so that a figure reads the same in each; split by format, they would drift apart.)

* HTML: one self-contained file (inline CSS, charts inline as SVG), readable on a phone.
* Markdown: tables and text only, so it pastes cleanly into a wiki or a chat.
* CSV: one row per card with its outcome (and, at the end of the row, its hours and cost).
* PDF: paginated A4, text laid out by QTextDocument, charts painted as vectors.

The charts are painted with QPainter by app.reports.chart_painting (paint_burndown, and
paint_velocity for the velocity trend), so the SVG, the PDF, the report dialog and the
Reports page show the same drawing. Colours
are paired with patterns and dashes so a black-and-white print stays readable.
"""

from __future__ import annotations

import csv
import html
import io
import math
import os
import re
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QGuiApplication,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPalette,
    QPdfWriter,
    QPen,
    QTextDocument,
    QTextImageFormat,
)
from PySide6.QtSvg import QSvgGenerator

from app.errors import DomainError
from app.metrics.points import format_points
from app.metrics.velocity import VelocitySeries
from app.outputs import csv_cell, replace_file
from app.reports.chart_painting import ChartLayout, paint_burndown, paint_velocity
from app.services.sprint_report_data import ReportCardDTO, SprintReportDTO, TimeCostDTO
from app.words import plural

FORMATS = ("pdf", "html", "md", "csv")
FORMAT_NAMES = {
    "pdf": "PDF document (*.pdf)",
    "html": "Web page (*.html)",
    "md": "Markdown (*.md)",
    "csv": "Spreadsheet CSV (*.csv)",
}
CSV_FIELDS = (
    "key",
    "title",
    "type",
    "assignee",
    "points_committed",
    "points_final",
    "outcome",
    "destination",
    "added_after_start",
    "committed",
    "re_estimated",
    "blocked_hours",
    "sprint",
    "points_initial",
    "completed_by",
    "added_by",
    "removed_by",
    # Appended (never reordered): the time logged on the card while the sprint ran.
    "logged_hours",
    "cost",
    "unrated_hours",
    "currency",
)
NO_RATE = "no rate"
# progress(done, total) -> False to cancel the export.
Progress = Callable[[int, int], bool]

INK = "#1d2733"
MUTED = "#5b6673"
ACCENT = "#1f5fbf"
RULE = "#d5dbe3"


class ExportCancelled(Exception):
    """The person cancelled a running export; nothing was written."""


class ExportError(DomainError):
    """The report could not be written (a readable reason)."""


# --- Qt bootstrapping ----------------------------------------------------------------------

_app: QGuiApplication | None = None  # kept alive for the process


def ensure_gui() -> None:
    """Painting text needs a QGuiApplication; the CLI has none, so make an offscreen one.

    A QApplication (not only a QGuiApplication), so that widgets created later in the same
    process (a test run, an embedding app) still find the application they need."""
    global _app
    if QGuiApplication.instance() is not None:
        return
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    _app = QApplication([])


def report_palette() -> QPalette:
    """A fixed light palette: reports look the same whatever the app's theme."""
    palette = QPalette()
    palette.setColor(QPalette.ColorRole.Base, QColor("#ffffff"))
    palette.setColor(QPalette.ColorRole.Window, QColor("#ffffff"))
    palette.setColor(QPalette.ColorRole.Text, QColor(INK))
    palette.setColor(QPalette.ColorRole.WindowText, QColor(INK))
    palette.setColor(QPalette.ColorRole.Highlight, QColor(ACCENT))
    return palette


# --- shared text ---------------------------------------------------------------------------


def _date(value: object) -> str:
    return "—" if value is None else value.strftime("%d %b %Y")  # type: ignore[attr-defined]


def _dates(report: SprintReportDTO) -> str:
    return f"{_date(report.start_date)} – {_date(report.end_date)}"


def _hours(value: Decimal) -> str:
    hours = float(value)
    if hours >= 24:
        days = int(hours // 24)
        rest = hours - days * 24
        return f"{days}d {rest:.0f}h" if rest >= 0.5 else f"{days}d"
    return f"{hours:.1f}h".replace(".0h", "h")


def _signed(value: Decimal) -> str:
    return ("+" if value >= 0 else "−") + format_points(abs(value), places=1)


def title_of(report: SprintReportDTO) -> str:
    return f"{report.project_name} — {report.sprint_name}"


def project_label(name: str, key: str) -> str:
    """The project as a title names it: "Payments (PAY)", but "Payments Platform (demo) ·
    DEMO" for a name that already ends in parentheses (never "(demo) (DEMO)"), and just
    the key when the name is the key."""
    name = name.strip()
    if name.upper() == key.upper():
        return key
    if name.endswith(")"):
        return f"{name} · {key}"
    return f"{name} ({key})"


def _project(report: SprintReportDTO) -> str:
    return project_label(report.project_name, report.project_key)


def scope_detail(added: int, removed: int) -> str:
    """The cards behind a scope change: "1 card added · 2 cards removed", zeros left out."""
    parts = []
    if added:
        parts.append(f"{plural(added, 'card')} added")
    if removed:
        parts.append(f"{plural(removed, 'card')} removed")
    return " · ".join(parts) or "no card added or removed"


def _status(report: SprintReportDTO) -> str:
    if report.is_active:
        return f"Active sprint · live state as of {report.as_of.strftime('%d %b %Y %H:%M')} UTC"
    return f"Closed {_date(report.closed_at)}"


def key_figures(report: SprintReportDTO) -> list[tuple[str, str, str]]:
    """(label, value, detail) tiles at the top of every format."""
    pct = report.completion_percent
    return [
        (
            "Committed",
            f"{format_points(report.committed_points, places=1)} pts",
            plural(report.committed_cards, "card"),
        ),
        (
            "Completed so far" if report.is_active else "Completed",
            f"{format_points(report.completed_points, places=1)} pts",
            plural(report.completed_cards, "card") + ("" if pct is None else f" · {pct}%"),
        ),
        (
            "In progress" if report.is_active else "Not completed",
            f"{format_points(report.not_completed_points, places=1)} pts",
            plural(report.not_completed_cards, "card"),
        ),
        (
            "Scope change",
            f"{_signed(report.scope_change_points)} pts" if report.scope_change_points else "0 pts",
            scope_detail(report.added_cards, report.removed_cards),
        ),
    ]


ADDED_MARK = "*"  # after a card's key: added after the start (Jira's sprint report marks so)
ARROW = " → "  # between an estimate at the start (or when added) and at the close


def card_label(card: ReportCardDTO) -> str:
    """The card's key, with Jira's asterisk when it was added after the start."""
    return card.key + (ADDED_MARK if card.added_after_start else "")


def estimate_text(card: ReportCardDTO, value: Decimal | None = None) -> str:
    """The estimate a card counts with; "8 → 5" when it changed after the start (at the
    start, or when the card was added → at the close, or when it left the sprint)."""
    final = card.points_final if value is None else value
    if card.re_estimated:
        return _pts(card.points_initial) + ARROW + _pts(final)
    return _pts(final)


def _pts(value: Decimal | None) -> str:
    return format_points(value, places=1) if value is not None else "—"


def estimate_notes(report: SprintReportDTO) -> list[str]:
    """How to read the card tables' estimates and marks (only what the tables use)."""
    notes = [
        "Completed cards count with their estimate at the "
        + ("close" if not report.is_active else "time of this report")
        + "; cards done before the start (or before they were added) are completed outside "
        "the sprint and count neither as committed nor as completed."
    ]
    changed = report.re_estimated
    if changed:
        net = report.re_estimate_points
        notes.append(
            f"{plural(len(changed), 'estimate')} changed after the start, shown as "
            f"initial{ARROW}final (at the start or when added{ARROW}at the "
            f"{'close' if not report.is_active else 'time of this report'} or when removed)"
            + (f"; net {_signed(net)} pts." if net else ".")
        )
    if any(c.added_after_start for c in report.cards):
        notes.append(f"{ADDED_MARK} after a card: added to the sprint after its start.")
    return notes


def _sections(report: SprintReportDTO) -> list[tuple[str, list[str], list[list[str]], str]]:
    """The card tables: (title, header, rows, text when empty), in Jira's sprint report's
    order: completed, not completed, completed outside the sprint, removed; then added."""

    def who(name: str | None) -> str:
        return name or "Unassigned"

    def by(name: str | None) -> str:
        return name or "—"

    done = [
        [card_label(c), c.title, who(c.assignee), estimate_text(c), by(c.completed_by)]
        for c in report.completed
    ]
    open_rows = [
        [
            card_label(c),
            c.title,
            who(c.assignee),
            estimate_text(c),
            (c.destination or "—") if not report.is_active else "still in the sprint",
        ]
        for c in report.not_completed
    ]
    outside = [
        [
            card_label(c),
            c.title,
            estimate_text(c),
            "before it was added" if c.added_after_start else "before the start",
        ]
        for c in report.completed_outside
    ]
    removed = [
        [card_label(c), c.title, estimate_text(c), c.destination or "—", by(c.removed_by)]
        for c in report.removed
    ]
    added = [
        [
            card_label(c),
            c.title,
            _date(c.added_at),
            by(c.added_by),
            estimate_text(c),
            c.outcome_label,
        ]
        for c in report.added
    ]
    return [
        (
            "Completed cards",
            ["Card", "Title", "Assignee", "Points", "Finished by"],
            done,
            "No card was completed.",
        ),
        (
            "Still in progress" if report.is_active else "Not completed — and where they went",
            ["Card", "Title", "Assignee", "Points", "Now" if report.is_active else "Moved to"],
            open_rows,
            "Every card was completed.",
        ),
        (
            "Completed outside the sprint",
            ["Card", "Title", "Points", "Done"],
            outside,
            "No card was completed outside the sprint.",
        ),
        (
            "Removed from the sprint",
            ["Card", "Title", "Points", "Moved to", "Removed by"],
            removed,
            "No card was removed.",
        ),
        (
            "Added after the start",
            ["Card", "Title", "Added", "Added by", "Points", "Outcome"],
            added,
            "No card was added after the start.",
        ),
    ]


def _people_table(report: SprintReportDTO) -> tuple[list[str], list[list[str]]]:
    header = ["Person", "Completed points", "Completed cards", "Not completed", "Blocked"]
    rows = [
        [
            p.name,
            format_points(p.completed_points, places=1),
            str(p.completed_cards),
            (
                f"{format_points(p.not_completed_points, places=1)} pts · "
                f"{plural(p.not_completed_cards, 'card')}"
                if p.not_completed_cards
                else "—"
            ),
            _hours(p.blocked_hours) if p.blocked_hours else "—",
        ]
        for p in report.people
    ]
    return header, rows


def _blocked_table(report: SprintReportDTO) -> tuple[list[str], list[list[str]]]:
    header = ["Card", "Title", "Assignee", "Blocked for", "Times", "At the end"]
    rows = [
        [
            b.key,
            b.title,
            b.assignee or "Unassigned",
            _hours(b.hours),
            str(b.spells),
            "still blocked" if b.blocked_at_end else "unblocked",
        ]
        for b in report.blocked
    ]
    return header, rows


def logged_text(hours: Decimal) -> str:
    """Logged hours as a person reads them: ``7.5 h``."""
    return f"{format_points(hours, places=2)} h"


def cost_text(t: TimeCostDTO, currency: str) -> str:
    """What hours cost: ``500.00 EUR``; "no rate" when none of them had a rate (never a
    cost of 0), and the cost with "(no rate for 3.5 h)" when only some had one."""
    if not t.hours:
        return "—"
    if t.no_rate:
        return NO_RATE
    text = f"{t.cost:,.2f} {currency}"
    if t.unrated_hours:
        text += f" ({NO_RATE} for {logged_text(t.unrated_hours)})"
    return text


def time_window(report: SprintReportDTO) -> str:
    """Which days the time tables count."""
    if report.time_from is None or report.time_to is None:
        return ""
    return (
        f"Hours logged on the sprint's cards from {_date(report.time_from)} to "
        f"{_date(report.time_to)}, costed at the rate in force on each log's day."
    )


def time_tables(
    report: SprintReportDTO,
) -> list[tuple[str, list[str], list[list[str]], str]]:
    """The time and cost tables (per person, per card), each ending with its total row:
    (title, header, rows, text when empty)."""
    cur = report.currency
    total = report.time_total
    empty = "No time was logged on the sprint's cards while it ran."

    def total_row(width: int) -> list[list[str]]:
        if total is None or not total.hours:
            return []
        return [["Total", *([""] * (width - 3)), logged_text(total.hours), cost_text(total, cur)]]

    people = [[p.name, logged_text(p.hours), cost_text(p, cur)] for p in report.time_people]
    cards = [[c.name, c.title, logged_text(c.hours), cost_text(c, cur)] for c in report.time_cards]
    return [
        (
            "Hours and cost per person",
            ["Person", "Hours", "Cost"],
            people + total_row(3) if people else [],
            empty,
        ),
        (
            "Hours and cost per card",
            ["Card", "Title", "Hours", "Cost"],
            cards + total_row(4) if cards else [],
            empty,
        ),
    ]


def _velocity_table(report: SprintReportDTO) -> tuple[list[str], list[list[str]]]:
    header = ["Sprint", "Committed", "Completed", "Ratio"]
    rows = []
    for v in report.velocity:
        ratio = (
            f"{int((v.completed_points * 100 / v.committed_points).to_integral_value())}%"
            if v.committed_points
            else "—"
        )
        name = v.sprint_name + (" (so far)" if v.active else "")
        rows.append(
            [
                name,
                format_points(v.committed_points, places=1),
                format_points(v.completed_points, places=1),
                ratio,
            ]
        )
    return header, rows


def _overview(report: SprintReportDTO) -> list[tuple[str, str]]:
    rows = [
        ("Project", _project(report)),
        ("Sprint", report.sprint_name),
        ("Goal", report.goal or "—"),
        ("Dates", f"{_dates(report)} · {report.working_days} working days"),
        ("Status", _status(report)),
        ("Team", ", ".join(report.team) if report.team else "—"),
    ]
    total = report.time_total
    if total is not None and total.hours:
        rows.append(
            ("Time logged", f"{logged_text(total.hours)} · {cost_text(total, report.currency)}")
        )
    if report.planning_velocity is not None:
        rows.append(
            ("Planning velocity", f"{format_points(report.planning_velocity, places=1)} pts/sprint")
        )
    return rows


# --- CSV -----------------------------------------------------------------------------------


def render_csv(report: SprintReportDTO) -> str:
    """One row per card with its outcome."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    for c in report.cards:
        writer.writerow(
            [
                csv_cell(c.key),
                csv_cell(c.title),
                c.type,
                csv_cell(c.assignee or ""),
                format_points(c.points_committed, places=1),
                format_points(c.points_final, places=1),
                c.outcome,
                csv_cell(c.destination or ""),
                "yes" if c.added_after_start else "no",
                "yes" if c.committed else "no",
                "yes" if c.re_estimated else "no",
                f"{c.blocked_hours:f}",
                csv_cell(report.sprint_name),
                format_points(c.points_initial, places=1),
                csv_cell(c.completed_by or ""),
                csv_cell(c.added_by or ""),
                csv_cell(c.removed_by or ""),
                f"{c.logged_hours:f}" if c.logged_hours else "",
                _csv_cost(c),
                f"{c.unrated_hours:f}" if c.unrated_hours else "",
                report.currency,
            ]
        )
    return out.getvalue()


def _csv_cost(card: ReportCardDTO) -> str:
    """The card's cost: empty without time, "no rate" when none of its hours had one."""
    if not card.logged_hours:
        return ""
    if card.unrated_hours >= card.logged_hours:
        return NO_RATE
    return f"{card.cost:f}"


# --- Markdown ------------------------------------------------------------------------------


# The characters from which Markdown makes emphasis, code, links, images, tables and
# strike-through, backslash-escaped so text from the data (titles, names, goals) stays
# text (with "[" and "]" escaped, no "(...)" can become a link target). HTML's three are
# written as entities: Python-Markdown, unlike CommonMark, does not honour a backslash
# before "<", and this way no tag, script or event handler passes in either.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|])")


def _md_text(text: str) -> str:
    """``text`` as literal Markdown on one line (CommonMark and Python-Markdown alike)."""
    text = " ".join(str(text).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    # "~" (GFM's strike-through) as an entity: Python-Markdown keeps a backslash before it.
    return _MD_SPECIAL.sub(r"\\\1", text).replace("~", "&#126;")


def _md_cell(text: str) -> str:
    return _md_text(text) or " "


def _md_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(_md_cell(h) for h in header) + " |"]
    lines.append("|" + "|".join(" --- " for _ in header) + "|")
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
    return lines


def render_markdown(report: SprintReportDTO) -> str:
    """Plain Markdown (headings, bold, tables; no HTML) for a wiki page or a chat."""
    lines = [
        f"# Sprint report: {_md_text(report.sprint_name)}",
        "",
        f"**{_md_text(report.summary)}**",
        "",
    ]
    lines += [f"- **{_md_text(k)}:** {_md_cell(v)}" for k, v in _overview(report)]
    lines += ["", "## Commitment and completion", ""]
    lines += _md_table(
        ["", "Points", "Cards"],
        [[label, value, detail] for label, value, detail in key_figures(report)],
    )
    lines += [""] + [f"- {_md_text(note)}" for note in estimate_notes(report)]
    for title, header, rows, empty in _sections(report):
        lines += ["", f"## {_md_text(title)}", ""]
        lines += _md_table(header, rows) if rows else [f"_{_md_text(empty)}_"]
    burndown = report.burndown
    if burndown is not None:
        lines += ["", "## Burndown", ""]
        rows = []
        for i, day in enumerate(burndown.days):
            remaining = burndown.remaining[i]
            if remaining is None:
                continue
            scope = burndown.scope_added[i] - burndown.scope_removed[i]
            rows.append(
                [
                    day.strftime("%a %d %b") + ("" if burndown.working[i] else " (off)"),
                    format_points(remaining, places=1),
                    format_points(burndown.ideal[i], places=1),
                    _signed(scope) if scope else "",
                ]
            )
        lines += _md_table(["Day", "Remaining", "Guideline", "Scope change"], rows)
    lines += ["", "## Velocity trend", ""]
    lines += _md_table(*_velocity_table(report))
    lines += ["", "## Completed work per person", ""]
    header, rows = _people_table(report)
    lines += _md_table(header, rows) if rows else ["_No cards._"]
    lines += ["", "## Blocked time", ""]
    header, rows = _blocked_table(report)
    lines += _md_table(header, rows) if rows else ["_No card was blocked during the sprint._"]
    for title, header, rows, empty in time_tables(report):
        lines += ["", f"## {_md_text(title)}", ""]
        lines += _md_table(header, rows) if rows else [f"_{_md_text(empty)}_"]
    if report.time_total is not None and report.time_total.hours:
        lines += ["", f"_{_md_text(time_window(report))}_"]
    lines += ["", f"_Generated by Sprintdeck from the sprint's history; {_status(report)}._", ""]
    return "\n".join(lines)


# --- charts --------------------------------------------------------------------------------


def velocity_series(report: SprintReportDTO) -> VelocitySeries:
    """The report's velocity trend as app.reports.chart_painting paints it: the series the report
    carries (app.services.sprint_facts.sprint_trend; the running sprint last, "(so far)")."""
    return report.velocity_series


def paint_report_velocity(
    painter: QPainter,
    rect: QRectF,
    report: SprintReportDTO,
    palette: QPalette,
    title: str = "Velocity trend",
) -> ChartLayout:
    """The velocity chart of the report, painted by app.reports.chart_painting.paint_velocity."""
    running = any(p.active for p in report.velocity)
    axis = "Sprints (oldest first)" if running else "Closed sprints (oldest first)"
    return paint_velocity(painter, rect, velocity_series(report), palette, title, axis)


def _paint_chart(
    painter: QPainter,
    rect: QRectF,
    report: SprintReportDTO,
    which: str,
    titled: bool = True,
) -> None:
    """``titled``: the chart names itself (the PDF); the HTML page has a heading above it."""
    palette = report_palette()
    if which == "burndown" and report.burndown is not None:
        paint_burndown(painter, rect, report.burndown, palette, "Burndown" if titled else "")
    elif which == "velocity":
        paint_report_velocity(painter, rect, report, palette, "Velocity trend" if titled else "")


# The HTML page draws each chart twice: for a wide screen, and for a phone, where the
# browser scales the drawing to about 360 CSS pixels. Scaled down from 760, 12 px text
# would be 5.7 px; drawn for the phone's own width at 13 px it stays 12-13 px (the page's
# side padding is small there, see _CSS), and the day labels thin out to fit.
CHART_SIZE = QSize(760, 340)
PHONE_CHART_SIZE = QSize(360, 330)
CHART_FONT_PX = 12
PHONE_CHART_FONT_PX = 13
PHONE_MAX_WIDTH = 560  # CSS px: below this the page takes its phone layout


def chart_svg(
    report: SprintReportDTO,
    which: str,
    size: QSize = CHART_SIZE,
    font_px: int = CHART_FONT_PX,
    variant: str = "wide",
    titled: bool = True,
) -> str:
    """A chart as an inline ``<svg>`` element (``viewBox``, no fixed size: it scales to its
    container's width), with ids of its own so two charts on one page never share one."""
    ensure_gui()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    generator = QSvgGenerator()
    generator.setOutputDevice(buffer)
    generator.setSize(size)
    generator.setViewBox(QRectF(0, 0, size.width(), size.height()))
    generator.setResolution(96)
    generator.setTitle(f"{which.title()} of {report.sprint_name}")
    painter = QPainter(generator)
    font = QFont("DejaVu Sans")
    font.setPixelSize(font_px)
    painter.setFont(font)
    _paint_chart(painter, QRectF(0, 0, size.width(), size.height()), report, which, titled)
    painter.end()
    buffer.close()
    svg = bytes(data.data()).decode("utf-8")
    svg = svg[svg.index("<svg") :]
    label = html.escape(f"{which.title()} chart of {report.sprint_name}", quote=True)
    svg = re.sub(
        r"<svg\b[^>]*?>",
        lambda m: re.sub(r'\s(width|height)="[^"]*"', "", m.group(0)).replace(
            "<svg", f'<svg role="img" aria-label="{label}" class="chart {variant}"', 1
        ),
        svg,
        count=1,
    )
    # Qt numbers its pattern ids from the same counter in every SVG it writes; on one page
    # the second chart would paint with the first one's (hidden) patterns.
    prefix = f"{which}-{variant}-"
    svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}{m.group(1)}"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}{m.group(1)})", svg)
    svg = re.sub(r'xlink:href="#([^"]+)"', lambda m: f'xlink:href="#{prefix}{m.group(1)}"', svg)
    # A Qt SVG has no external references, but make sure: no xlink to anything outside.
    return re.sub(r'xlink:href="(?!#|data:)[^"]*"', "", svg)


def _chart_panel(report: SprintReportDTO, which: str) -> str:
    """The wide and the phone drawing of one chart; the style sheet shows one of them."""
    return (
        '<div class="panel">'
        + chart_svg(report, which, CHART_SIZE, CHART_FONT_PX, "wide", titled=False)
        + chart_svg(report, which, PHONE_CHART_SIZE, PHONE_CHART_FONT_PX, "phone", titled=False)
        + "</div>"
    )


# --- HTML ----------------------------------------------------------------------------------

# Text wraps between words everywhere (titles included); only a token too long for any line
# (a URL, a long key, a path: see _LONG_TOKEN) may break anywhere, inside a span of its own.
_CSS = f"""
*{{box-sizing:border-box}}
html{{-webkit-text-size-adjust:100%;text-size-adjust:100%}}
body{{margin:0;background:#f3f5f8;color:{INK};overflow-wrap:break-word;
font:15px/1.5 -apple-system,"Segoe UI",Roboto,"Noto Sans","DejaVu Sans",sans-serif}}
main{{max-width:980px;margin:0 auto;padding:24px 16px 48px}}
header{{border-bottom:3px solid {ACCENT};padding-bottom:12px;margin-bottom:16px}}
.eyebrow{{color:{MUTED};font-size:13px;text-transform:uppercase;letter-spacing:.06em;margin:0}}
h1{{font-size:26px;line-height:1.25;margin:4px 0 4px}}
h2{{font-size:18px;line-height:1.3;margin:32px 0 10px;padding-bottom:4px;
border-bottom:1px solid {RULE}}}
.long{{overflow-wrap:anywhere}}
.meta{{color:{MUTED};margin:0}}
.summary{{background:#fff;border-left:5px solid {ACCENT};padding:14px 16px;font-size:17px;
font-weight:600;border-radius:6px;box-shadow:0 1px 2px rgba(0,0,0,.06)}}
.tiles{{display:grid;grid-template-columns:repeat(auto-fit,minmax(170px,1fr));gap:12px;
margin:16px 0}}
.tile{{background:#fff;border:1px solid {RULE};border-radius:8px;padding:12px 14px}}
.tile .label{{color:{MUTED};font-size:13px}}
.tile .value{{font-size:24px;font-weight:700;line-height:1.2}}
.tile .detail{{color:{MUTED};font-size:13px}}
.panel{{background:#fff;border:1px solid {RULE};border-radius:8px;padding:8px}}
.table-wrap{{overflow-x:auto;-webkit-overflow-scrolling:touch;background:#fff;
border:1px solid {RULE};border-radius:8px}}
table{{border-collapse:collapse;width:100%;font-size:14px}}
th,td{{text-align:left;padding:7px 10px;border-bottom:1px solid {RULE};vertical-align:top}}
th{{background:#eef2f7;font-weight:600}}
tr:last-child td{{border-bottom:0}}
td.num,th.num{{text-align:right}}
td.num{{white-space:nowrap}}
td.lead{{font-weight:600}}
td.key{{white-space:nowrap}}
td.title{{min-width:12em}}
dl.overview{{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0;
background:#fff;border:1px solid {RULE};border-radius:8px;padding:12px 14px}}
dl.overview dt{{color:{MUTED}}}
dl.overview dd{{margin:0}}
.empty{{color:{MUTED};font-style:italic;margin:4px 0}}
.notes{{color:{MUTED};font-size:13px;margin:0 0 8px;padding-left:18px}}
svg.chart{{display:block;width:100%;height:auto}}
svg.chart.phone{{display:none}}
footer{{color:{MUTED};font-size:12px;margin-top:32px}}
@media (max-width:{PHONE_MAX_WIDTH}px){{
main{{padding:16px 12px 40px}}
h1{{font-size:22px}}
h2{{font-size:17px;margin-top:26px}}
.summary{{font-size:16px;padding:12px 14px}}
.tiles{{grid-template-columns:1fr 1fr;gap:8px}}
.tile{{padding:10px 12px}}
.tile .value{{font-size:20px}}
dl.overview{{grid-template-columns:1fr;gap:0}}
dl.overview dd{{margin-bottom:8px}}
.panel{{padding:4px}}
svg.chart.wide{{display:none}}
svg.chart.phone{{display:block}}
th,td{{padding:6px 8px}}
table.stack thead{{position:absolute;width:1px;height:1px;overflow:hidden;
clip:rect(0 0 0 0);white-space:nowrap}}
table.stack,table.stack tbody,table.stack tr{{display:block}}
table.stack tr{{padding:10px 12px;border-bottom:1px solid {RULE}}}
table.stack tr:last-child{{border-bottom:0}}
table.stack td{{display:inline;padding:0;border:0;text-align:left;white-space:normal}}
table.stack td.lead{{display:block;margin-bottom:2px}}
table.stack td.title{{display:block;min-width:0;margin:0 0 3px}}
table.stack td.field{{display:inline-block;margin-right:14px;font-size:13px;color:{MUTED}}}
table.stack td.field::before{{content:attr(data-label) ": "}}
table.stack td.field span.v{{color:{INK}}}
}}
@media print{{body{{background:#fff}}.tile,.panel,.table-wrap,.summary{{box-shadow:none}}}}
"""

_NUMERIC = {"Points", "Committed", "Completed", "Ratio", "Completed points", "Completed cards"}
_NUMERIC |= {"Committed points", "Blocked for", "Times", "Remaining", "Guideline", "Hours"}
# Longer than this without a space, a token cannot wrap between words on a phone's line.
_LONG_TOKEN = re.compile(r"\S{24,}")


def _text(value: str) -> str:
    """Escaped text; a very long unbreakable token may break anywhere, nothing else may."""
    out = []
    last = 0
    for match in _LONG_TOKEN.finditer(value):
        out.append(html.escape(value[last : match.start()]))
        out.append(f'<span class="long">{html.escape(match.group(0))}</span>')
        last = match.end()
    out.append(html.escape(value[last:]))
    return "".join(out)


def _html_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A table in a container that scrolls sideways should it be wider than the screen. On
    a phone each row becomes a block: its first cell (a card's key, a person, a sprint) and
    a card's title on lines of their own, the other cells as "Label: value" that wrap."""
    e = html.escape
    numeric = [h in _NUMERIC for h in header]
    titled = len(header) > 1 and header[1] == "Title"
    head = "".join(
        f'<th scope="col"{" class=num" if n else ""}>{e(h)}</th>'
        for h, n in zip(header, numeric, strict=True)
    )
    body = []
    for row in rows:
        cells = []
        for i, (cell, n) in enumerate(zip(row, numeric, strict=True)):
            if i == 0:
                cells.append(f'<td class="{"lead key" if titled else "lead"}">{_text(cell)}</td>')
            elif titled and i == 1:
                cells.append(f"<td class=title>{_text(cell)}</td>")
            else:
                kind = "num field" if n else "field"
                label = e(header[i], quote=True)
                value = f"<span class=v>{_text(cell)}</span>"
                cells.append(f'<td class="{kind}" data-label="{label}">{value}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f'<div class="table-wrap"><table class="stack"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def render_html(report: SprintReportDTO, progress: Progress | None = None) -> str:
    """One self-contained page: inline CSS, charts as inline SVG, no external requests.
    Readable on a 390 px phone: no sideways scrolling of the page, charts drawn for it."""
    e = html.escape
    step = _stepper(progress, 3)
    step()
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e('Sprint report: ' + report.sprint_name)}</title>",
        f"<style>{_CSS}</style></head><body><main>",
        "<header>",
        f'<p class="eyebrow">Sprint report · {_text(_project(report))}</p>',
        f"<h1>{_text(report.sprint_name)}</h1>",
        f'<p class="meta">{e(_dates(report))} · {e(_status(report))}</p>',
        "</header>",
        f'<p class="summary">{_text(report.summary)}</p>',
        '<section class="tiles">',
    ]
    for label, value, detail in key_figures(report):
        parts.append(
            f'<div class="tile"><div class="label">{e(label)}</div>'
            f'<div class="value">{e(value)}</div><div class="detail">{e(detail)}</div></div>'
        )
    parts.append("</section>")
    parts.append(
        '<ul class="notes">'
        + "".join(f"<li>{_text(note)}</li>" for note in estimate_notes(report))
        + "</ul>"
    )
    parts.append("<h2>Overview</h2><dl class=overview>")
    for k, v in _overview(report):
        parts.append(f"<dt>{e(k)}</dt><dd>{_text(v)}</dd>")
    parts.append("</dl>")
    if report.burndown is not None:
        parts.append("<h2>Burndown</h2>")
        parts.append(_chart_panel(report, "burndown"))
    step()
    parts.append("<h2>Velocity trend</h2>")
    parts.append(_chart_panel(report, "velocity"))
    step()
    for title, header, rows, empty in _sections(report):
        parts.append(f"<h2>{e(title)}</h2>")
        parts.append(_html_table(header, rows) if rows else f'<p class="empty">{e(empty)}</p>')
    parts.append("<h2>Completed work per person</h2>")
    header, rows = _people_table(report)
    parts.append(_html_table(header, rows) if rows else '<p class="empty">No cards.</p>')
    parts.append("<h2>Blocked time</h2>")
    header, rows = _blocked_table(report)
    parts.append(
        _html_table(header, rows)
        if rows
        else '<p class="empty">No card was blocked during the sprint.</p>'
    )
    for title, header, rows, empty in time_tables(report):
        parts.append(f"<h2>{e(title)}</h2>")
        parts.append(_html_table(header, rows) if rows else f'<p class="empty">{e(empty)}</p>')
    if report.time_total is not None and report.time_total.hours:
        parts.append(f'<p class="empty">{e(time_window(report))}</p>')
    parts.append(
        f"<footer>Generated by Sprintdeck from the sprint's snapshots and history. "
        f"{e(_status(report))}.</footer></main></body></html>"
    )
    return "\n".join(parts)


# --- PDF -----------------------------------------------------------------------------------


def _pdf_html(report: SprintReportDTO, chart_w: float, chart_h: float) -> str:
    """The PDF's text, with an empty image standing where each chart is painted later."""
    e = html.escape

    def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
        numeric = [h in _NUMERIC for h in header]
        head = "".join(
            f'<th align="{"right" if n else "left"}"{" width=38%" if h == "Title" else ""}>'
            f"{e(h)}</th>"
            for h, n in zip(header, numeric, strict=True)
        )
        body = "".join(
            "<tr>"
            + "".join(
                f'<td align="{"right" if n else "left"}">{e(c)}</td>'
                for c, n in zip(row, numeric, strict=True)
            )
            + "</tr>"
            for row in rows
        )
        return (
            '<table width="100%" cellspacing="0" cellpadding="4" border="0.5" '
            f'style="border-color:#888;border-style:solid"><thead><tr>{head}</tr></thead>'
            f"{body}</table>"
        )

    def chart(name: str) -> str:
        return f'<p><img src="chart:{name}" width="{chart_w:.0f}" height="{chart_h:.0f}"></p>'

    parts = [
        f'<p style="color:{MUTED};font-size:9pt">SPRINT REPORT · {e(_project(report))}</p>',
        f'<h1 style="font-size:20pt;margin:0">{e(report.sprint_name)}</h1>',
        f'<p style="color:{MUTED}">{e(_dates(report))} · {e(_status(report))}</p>',
        '<table width="100%" cellpadding="8" cellspacing="0" border="1" '
        'style="border-color:#000;border-style:solid;margin-top:6px">'
        f'<tr><td style="font-size:12pt"><b>{e(report.summary)}</b></td></tr></table>',
        '<table width="100%" cellpadding="6" cellspacing="6" style="margin-top:8px"><tr>',
    ]
    for label, value, detail in key_figures(report):
        parts.append(
            '<td width="25%" style="border:1px solid #888">'
            f'<span style="color:{MUTED};font-size:8.5pt">{e(label)}</span><br>'
            f'<span style="font-size:15pt"><b>{e(value)}</b></span><br>'
            f'<span style="color:{MUTED};font-size:8.5pt">{e(detail)}</span></td>'
        )
    parts.append("</tr></table>")
    for note in estimate_notes(report):
        parts.append(f'<p style="color:{MUTED};font-size:8.5pt;margin:2px 0">{e(note)}</p>')
    parts.append("<h2>Overview</h2>")
    parts.append('<table cellpadding="3" cellspacing="0">')
    for k, v in _overview(report):
        parts.append(f'<tr><td style="color:{MUTED}">{e(k)}</td><td>{e(v)}</td></tr>')
    parts.append("</table>")
    if report.burndown is not None:
        parts.append(chart("burndown"))
    parts.append(chart("velocity"))
    for title, header, rows, empty in _sections(report):
        parts.append(f"<h2>{e(title)}</h2>")
        parts.append(table(header, rows) if rows else f"<p><i>{e(empty)}</i></p>")
    parts.append("<h2>Completed work per person</h2>")
    header, rows = _people_table(report)
    parts.append(table(header, rows) if rows else "<p><i>No cards.</i></p>")
    parts.append("<h2>Blocked time</h2>")
    header, rows = _blocked_table(report)
    parts.append(
        table(header, rows) if rows else "<p><i>No card was blocked during the sprint.</i></p>"
    )
    for title, header, rows, empty in time_tables(report):
        parts.append(f"<h2>{e(title)}</h2>")
        parts.append(table(header, rows) if rows else f"<p><i>{e(empty)}</i></p>")
    if report.time_total is not None and report.time_total.hours:
        parts.append(f'<p style="color:{MUTED};font-size:8.5pt">{e(time_window(report))}</p>')
    return "".join(parts)


def render_pdf(report: SprintReportDTO, progress: Progress | None = None) -> bytes:
    """The report as PDF bytes: A4 pages, numbered, charts painted as vectors."""
    ensure_gui()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setTitle(f"Sprint report: {report.sprint_name}")
    writer.setCreator("Sprintdeck")
    writer.setResolution(300)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(16, 16, 16, 14),
            QPageLayout.Unit.Millimeter,
        )
    )
    width, height = float(writer.width()), float(writer.height())
    font = QFont("DejaVu Sans")
    font.setPointSizeF(9.5)

    doc = QTextDocument()
    doc.documentLayout().setPaintDevice(writer)
    doc.setDefaultFont(font)
    doc.setDocumentMargin(0)
    doc.setDefaultStyleSheet(
        f"h2 {{ font-size: 12.5pt; color: {INK}; margin-top: 14px; margin-bottom: 4px; }}"
        f"th {{ background-color: #e6e6e6; }}"
    )
    footer_h = QFontMetricsF(font, writer).height() * 2.2
    page_h = height - footer_h
    chart_w, chart_h = width, width * 0.42
    blank = QImage(1, 1, QImage.Format.Format_ARGB32)
    blank.fill(Qt.GlobalColor.transparent)
    for name in ("burndown", "velocity"):
        doc.addResource(QTextDocument.ResourceType.ImageResource, f"chart:{name}", blank)
    # Image sizes in a document laid out for a device are in 96 dpi pixels.
    scale = writer.logicalDpiX() / 96.0
    doc.setHtml(_pdf_html(report, chart_w / scale, chart_h / scale))
    doc.setPageSize(QRectF(0, 0, width, page_h).size())

    charts = _chart_places(doc, scale)
    pages = max(doc.pageCount(), 1)
    step = _stepper(progress, pages)
    painter = QPainter()
    if not painter.begin(writer):
        raise ExportError("Could not start the PDF document.")
    try:
        for page in range(pages):
            step()
            if page:
                writer.newPage()
            top = page * page_h
            painter.save()
            painter.translate(0, -top)
            doc.drawContents(painter, QRectF(0, top, width, page_h))
            painter.restore()
            for name, rect in charts:
                if math.floor((rect.top() + 1) / page_h) == page:
                    painter.save()
                    painter.setFont(font)
                    _paint_chart(painter, rect.translated(0, -top), report, name)
                    painter.restore()
            _paint_footer(painter, report, font, width, height, footer_h, page + 1, pages)
    finally:
        painter.end()
    buffer.close()
    return bytes(data.data())


def _chart_places(doc: QTextDocument, scale: float) -> list[tuple[str, QRectF]]:
    """Where the chart placeholders ended up, in document coordinates."""
    places = []
    layout = doc.documentLayout()
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            fmt = fragment.charFormat()
            if fmt.isImageFormat():
                image = QTextImageFormat(fmt.toImageFormat())
                name = image.name()
                if name.startswith("chart:"):
                    box = layout.blockBoundingRect(block)
                    line = block.layout().lineForTextPosition(
                        fragment.position() - block.position()
                    )
                    y = box.top() + (line.y() if line.isValid() else 0)
                    x = box.left() + (
                        line.cursorToX(fragment.position() - block.position())[0]
                        if line.isValid()
                        else 0
                    )
                    places.append(
                        (
                            name.split(":", 1)[1],
                            QRectF(x, y, image.width() * scale, image.height() * scale),
                        )
                    )
            it += 1
        block = block.next()
    return places


def _paint_footer(
    painter: QPainter,
    report: SprintReportDTO,
    font: QFont,
    width: float,
    height: float,
    footer_h: float,
    page: int,
    pages: int,
) -> None:
    painter.save()
    small = QFont(font)
    small.setPointSizeF(8)
    painter.setFont(small)
    painter.setPen(QPen(QColor("#888888"), 2))
    y = height - footer_h * 0.75
    painter.drawLine(QPointF(0, y), QPointF(width, y))
    painter.setPen(QColor(MUTED))
    box = QRectF(0, y + footer_h * 0.1, width, footer_h * 0.6)
    painter.drawText(
        box,
        Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
        f"{report.project_key} · {report.sprint_name} · sprint report",
    )
    painter.drawText(
        box, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, f"Page {page} of {pages}"
    )
    painter.restore()


# --- writing files -------------------------------------------------------------------------


def _stepper(progress: Progress | None, total: int) -> Callable[[], None]:
    done = 0

    def step() -> None:
        nonlocal done
        if progress is not None and progress(done, total) is False:
            raise ExportCancelled("The export was cancelled.")
        done += 1

    return step


def render(report: SprintReportDTO, fmt: str, progress: Progress | None = None) -> bytes:
    """The report in ``fmt`` (pdf, html, md, csv) as the bytes of the file."""
    if fmt == "pdf":
        data = render_pdf(report, progress)
    elif fmt == "html":
        data = render_html(report, progress).encode("utf-8")
    elif fmt == "md":
        data = render_markdown(report).encode("utf-8")
    elif fmt == "csv":
        data = ("\ufeff" + render_csv(report)).encode("utf-8")  # BOM: Excel reads UTF-8
    else:
        raise ExportError(f"Unknown report format {fmt!r}; use one of {', '.join(FORMATS)}.")
    if progress is not None and progress(1, 1) is False:
        raise ExportCancelled("The export was cancelled.")
    return data


def write_file(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all (app.outputs.replace_file: a
    temporary file beside it, then a rename), with the usual permissions for a new file."""
    target = Path(path)
    if target.is_dir():
        raise ExportError(f"Cannot write the report to {target}: it is a folder.")
    folder = target.parent
    if not folder.is_dir():
        raise ExportError(
            f"Cannot write the report to {target}: the folder {folder} does not exist."
        )
    try:
        replace_file(target, data)
    except OSError as exc:
        raise ExportError(f"Cannot write the report to {target}: {exc.strerror or exc}.") from exc


def write_report(
    report: SprintReportDTO,
    fmt: str,
    path: str | os.PathLike[str],
    progress: Progress | None = None,
) -> None:
    """Render and write; raises ExportError (readable) or ExportCancelled (nothing written)."""
    write_file(path, render(report, fmt, progress))


def write_pdf(
    report: SprintReportDTO, path: str | os.PathLike[str], progress: Progress | None = None
) -> None:
    write_report(report, "pdf", path, progress)


def format_for(path: str | os.PathLike[str]) -> str | None:
    """The format a file name implies (.pdf, .html/.htm, .md/.markdown, .csv), else None."""
    suffix = Path(path).suffix.lower()
    return {
        ".pdf": "pdf",
        ".html": "html",
        ".htm": "html",
        ".md": "md",
        ".markdown": "md",
        ".csv": "csv",
    }.get(suffix)


__all__ = [
    "CSV_FIELDS",
    "FORMATS",
    "FORMAT_NAMES",
    "NO_RATE",
    "ExportCancelled",
    "ExportError",
    "card_label",
    "chart_svg",
    "cost_text",
    "ensure_gui",
    "estimate_notes",
    "estimate_text",
    "format_for",
    "key_figures",
    "logged_text",
    "paint_report_velocity",
    "render",
    "render_csv",
    "render_html",
    "render_markdown",
    "render_pdf",
    "report_palette",
    "time_tables",
    "time_window",
    "title_of",
    "velocity_series",
    "write_file",
    "write_pdf",
    "write_report",
]
