"""The project status report as files: PDF, HTML, Markdown and CSV, from one StatusReportDTO.

Every format shows the same sections with the same wording (:func:`sections`): progress,
budget, earned value, workload (who is over capacity, per sprint), milestones with their
odds, the top risks, the dependencies that threaten a milestone, and the forecast with its
histogram (drawn with block characters, so it reads the same in Markdown, HTML and PDF).
The DTO comes from a stored snapshot (app/services/status_report.py), so a report rendered
again later reads the same.
Files are written whole or not at all (the sprint report's :func:`write_file`).
"""

from __future__ import annotations

import csv
import html
import io
import os
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF
from PySide6.QtGui import QFont, QPageLayout, QPageSize, QPdfWriter, QTextDocument

from app.metrics.points import format_points
from app.outputs import csv_cell
from app.reports.sprint_report_render import ensure_gui, format_for, write_file

if TYPE_CHECKING:
    from app.services.status_report import StatusReportDTO

FORMATS = ("pdf", "html", "md", "csv")
FORMAT_NAMES = {
    "pdf": "PDF document (*.pdf)",
    "html": "Web page (*.html)",
    "md": "Markdown (*.md)",
    "csv": "Spreadsheet CSV (*.csv)",
}
Section = tuple[str, list[str], list[list[str]], str]  # title, header, rows, note

__all__ = [
    "FORMATS",
    "FORMAT_NAMES",
    "NOT_RECORDED",
    "format_for",
    "plan_sections",
    "render",
    "sections",
    "write_status_report",
]


def _money(value: Decimal | None) -> str:
    return "n/a" if value is None else f"{value:,.2f}"


def _pct(value: Decimal | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f}%"


def _index(value: Decimal | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def _pts(value: Decimal | None) -> str:
    return "n/a" if value is None else format_points(value)


def title_of(r: StatusReportDTO) -> str:
    return f"Status report: {r.project_name} ({r.project_key}), {r.as_of.isoformat()}"


def subtitle_of(r: StatusReportDTO) -> str:
    taken = r.taken_at.strftime("%Y-%m-%d %H:%M UTC")
    number = "" if r.snapshot_id is None else f" Snapshot {r.snapshot_id}."
    return f"Taken {taken} by {r.taken_by}; the figures are as they were then.{number}"


def sections(r: StatusReportDTO) -> list[Section]:
    """The report's sections, in every format's order and wording."""
    cur = r.currency
    progress = [
        ["Cards done", f"{r.cards_done} of {r.cards_total}"],
        ["Points done", f"{_pts(r.points_done)} of {_pts(r.points_total)}"],
    ]
    if r.active_sprint is not None:
        dates = f"{r.sprint_start or '?'} – {r.sprint_end or '?'}"
        progress.append(["Active sprint", f"{r.active_sprint} ({dates})"])
        progress.append(
            ["Sprint points done", f"{_pts(r.sprint_done)} of {_pts(r.sprint_committed)}"]
        )
    else:
        progress.append(["Active sprint", "none"])
    budget = [
        ["Budget", "none" if r.budget is None else f"{_money(r.budget)} {cur}"],
        ["Cost to date", f"{_money(r.cost_to_date)} {cur}"],
        ["Spent", _pct(r.spent_share)],
        ["Burn rate a sprint", _money(r.burn_rate_per_sprint)],
        ["Runs out", r.runs_out_text],
    ]
    warnings = " ".join(f"Warning: {w}" for w in r.warnings)
    evm_head = ["Sprint", "PPC", "APC", "PV", "EV", "AC", "CV", "SV", "CPI", "SPI", "EAC",
                "ETC", "VAC", "Reading"]  # fmt: skip
    evm_rows = [
        [
            e.sprint, _pct(e.ppc), _pct(e.apc), _money(e.pv), _money(e.ev), _money(e.ac),
            _money(e.cv), _money(e.sv), _index(e.cpi), _index(e.spi), _money(e.eac),
            _money(e.etc), _money(e.vac), e.reading,
        ]
        for e in r.evm
    ]  # fmt: skip
    evm_note = r.evm_title + "." + (f" {r.evm_note}" if r.evm_note else "")
    unit = r.workload_unit
    several = len(r.workload_sprints) > 1
    work_rows = [
        [
            *([w.sprint] if several else []),
            w.name,
            _pts(w.assigned),
            _pts(w.capacity),
            "over by " + _pts(w.over_by) if w.over else "",
        ]
        for w in r.workload
    ]
    over = r.over_capacity
    if r.workload_sprint is None:
        work_note = "No active or planned sprint: no workload to show."
    elif over:
        work_note = "Over capacity: " + ", ".join(
            f"{w.name} (+{_pts(w.over_by)} {unit}" + (f" in {w.sprint})" if w.sprint else ")")
            for w in over
        )
    else:
        work_note = "Nobody is over capacity in " + ", ".join(r.workload_sprints) + "."
    work_title = "Workload" + (
        f" ({', '.join(r.workload_sprints) or r.workload_sprint}, {unit})"
        if r.workload_sprint
        else ""
    )
    return [
        ("Progress", ["Figure", "Value"], progress, ""),
        ("Budget", ["Figure", "Value"], budget, warnings),
        ("Earned value", evm_head, evm_rows, evm_note),
        (
            work_title,
            [*(["Sprint"] if several else []), "Person", "Assigned", "Capacity", "Status"],
            work_rows,
            work_note,
        ),
        *plan_sections(r),
    ]


NOT_RECORDED = "Not recorded: this report was taken before it covered this section."
BAR = "█"
BAR_WIDTH = 30  # characters of the longest histogram bar


def _chance(value: Decimal | None) -> str:
    return "n/a" if value is None else f"{(value * 100).quantize(Decimal(1))}%"


def _share(part: int, whole: int) -> str:
    """A share of the trials to one place; a few trials are "<0.1%", never "0.0%"."""
    if not whole or not part:
        return "0%"
    share = part * 100 / whole
    return "<0.1%" if share < 0.05 else f"{share:.1f}%"


def plan_sections(r: StatusReportDTO) -> list[Section]:
    """Milestones, top risks, threatening dependencies and the forecast (issue 18)."""
    if not r.has_plan_sections:
        return [
            (title, [], [], NOT_RECORDED)
            for title in ("Milestones", "Top risks", "Dependencies that threaten a milestone",
                          "Forecast")
        ]  # fmt: skip
    milestones = [
        [
            m.name,
            m.day.isoformat(),
            f"{m.done} of {m.scope}",
            _chance(m.chance),
            m.p85.isoformat() if m.p85 else "",
            m.note,
        ]
        for m in r.milestones
    ]
    at_risk = [m for m in r.milestones if m.chance is not None and m.chance < Decimal("0.85")]
    milestone_note = (
        "No milestone yet."
        if not r.milestones
        else "Odds: the share of forecast trials that finish the milestone's scope by its date."
        + (
            " At risk (under 85%): " + ", ".join(f"{m.name} ({_chance(m.chance)})" for m in at_risk)
            if at_risk
            else ""
        )
    )
    risks = [
        [
            x.key,
            x.title,
            str(x.residual),
            str(x.inherent),
            x.owner or "—",
            x.status + (" (overdue)" if x.overdue else ""),
            x.proximity.isoformat() if x.proximity else "",
        ]
        for x in r.risks
    ]
    risk_note = (
        "By residual exposure: probability × impact after the response (1–25)."
        if r.risks
        else "No open risk."
    )
    threats = [
        [f"{t.milestone} ({t.milestone_day.isoformat()})", f"{t.card} {t.card_title}",
         f"{t.blocker} {t.blocker_title}", t.why]
        for t in r.threats
    ]  # fmt: skip
    threat_note = (
        "A card of a milestone's open scope waits for a card not done, outside that scope, "
        "planned later than the milestone."
        if r.threats
        else "No dependency threatens a milestone."
    )
    sections: list[Section] = [
        ("Milestones", ["Milestone", "Date", "Done", "Odds", "85% forecast", "Note"],
         milestones, milestone_note),
        ("Top risks", ["Risk", "Title", "Residual", "Inherent", "Owner", "Status", "Proximity"],
         risks, risk_note),
        ("Dependencies that threaten a milestone", ["Milestone", "Card", "Blocked by", "Why"],
         threats, threat_note),
    ]  # fmt: skip
    f = r.forecast
    if f is None:
        sections.append(("Forecast", [], [], f"No forecast: {r.forecast_note}"))
        return sections
    rows = [[f"{c}%", f.dates[c].isoformat(), str(f.days.get(c, ""))] for c in sorted(f.dates)]
    note = (
        f"When the {f.cards} open cards ({f.scope}) will be done: Monte Carlo from the "
        f"project's own throughput, {f.trials:,} trials, seed {f.seed}."
    )
    sections.append(("Forecast", ["Confidence", "Done by", "Working days"], rows, note))
    biggest = max((b.trials for b in f.histogram), default=0)
    bars = [
        [
            b.by.isoformat(),
            str(b.first_day) if b.first_day == b.last_day else f"{b.first_day}–{b.last_day}",
            _share(b.trials, f.trials),
            BAR * max(1, round(b.trials * BAR_WIDTH / biggest)) if b.trials else "",
        ]
        for b in f.histogram
    ]
    sections.append(
        (
            "Forecast histogram",
            ["Done by", "Working days", "Share of trials", "Bar"],
            bars,
            "The share of trials finishing in each span of working days.",
        )
    )
    return sections


# --- Markdown and CSV ----------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")  # what breaks a table cell or a line


def _md(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def render_markdown(r: StatusReportDTO) -> str:
    lines = [f"# {_md(title_of(r))}", "", _md(subtitle_of(r)), ""]
    for title, header, rows, note in sections(r):
        lines += [f"## {_md(title)}", ""]
        if rows:
            lines.append("| " + " | ".join(_md(h) for h in header) + " |")
            lines.append("|" + "|".join("---" for _ in header) + "|")
            lines += ["| " + " | ".join(_md(c) for c in row) + " |" for row in rows]
            lines.append("")
        if note:
            lines += [_md(note), ""]
    return "\n".join(lines)


def render_csv(r: StatusReportDTO) -> str:
    """One row per figure: section, row, figure, value (the tables flattened: a row is
    named by its first cell, a workload row over several sprints by "sprint / person")."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["section", "row", "figure", "value"])
    for title, header, rows, note in sections(r):
        for row in rows:
            if header[:2] == ["Figure", "Value"]:
                writer.writerow([csv_cell(title), "", csv_cell(row[0]), csv_cell(row[1])])
                continue
            # A workload over several sprints names each row by its sprint and person.
            lead = 2 if header[:2] == ["Sprint", "Person"] else 1
            label = " / ".join(row[:lead])
            for name, value in zip(header[lead:], row[lead:], strict=True):
                writer.writerow([csv_cell(title), csv_cell(label), csv_cell(name),
                                 csv_cell(value)])  # fmt: skip
        if note:
            writer.writerow([csv_cell(title), "", "note", csv_cell(note)])
    return out.getvalue()


# --- HTML and PDF --------------------------------------------------------------------------

_CSS = (
    "body{font-family:system-ui,sans-serif;color:#1d1d1f;margin:1.5em;max-width:70em}"
    "table{border-collapse:collapse;margin:.4em 0}th,td{border:1px solid #ccc;"
    "padding:.25em .5em;text-align:left}th{background:#e6e6e6}td.num{text-align:right}"
    ".note{color:#444}.warn{color:#b71c1c;font-weight:bold}"
    ".wrap{overflow-x:auto}"
)


def _html_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    e = html.escape
    head = "".join(f"<th>{e(h)}</th>" for h in header)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td{' class=num align=right' if i > 0 and _numeric(c) else ''}>{e(c)}</td>"
            for i, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f'<div class="wrap"><table><tr>{head}</tr>{body}</table></div>'


def _numeric(text: str) -> bool:
    return bool(re.fullmatch(r"[-+]?[\d,]+(\.\d+)?%?|n/a", text))


def _body(r: StatusReportDTO) -> str:
    e = html.escape
    parts = [f"<h1>{e(title_of(r))}</h1>", f'<p class="note">{e(subtitle_of(r))}</p>']
    for title, header, rows, note in sections(r):
        parts.append(f"<h2>{e(title)}</h2>")
        if rows:
            parts.append(_html_table(header, rows))
        if note:
            cls = "warn" if note.startswith(("Warning", "Over capacity")) else "note"
            parts.append(f'<p class="{cls}">{e(note)}</p>')
    return "".join(parts)


def render_html(r: StatusReportDTO) -> str:
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title_of(r))}</title><style>{_CSS}</style></head>"
        f"<body>{_body(r)}</body></html>\n"
    )


def render_pdf(r: StatusReportDTO) -> bytes:
    """A4 pages laid out by QTextDocument from the same HTML body."""
    ensure_gui()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setTitle(title_of(r))
    writer.setCreator("Sprintdeck")
    writer.setResolution(300)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Landscape,
            QMarginsF(14, 14, 14, 14),
            QPageLayout.Unit.Millimeter,
        )
    )
    doc = QTextDocument()
    doc.documentLayout().setPaintDevice(writer)
    font = QFont("DejaVu Sans")
    font.setPointSizeF(9)
    doc.setDefaultFont(font)
    doc.setDefaultStyleSheet("th { background-color: #e6e6e6; } .warn { color: #b71c1c; }")
    doc.setHtml(_body(r).replace("<table>", '<table border="1" cellspacing="0" cellpadding="3">'))
    doc.print_(writer)
    buffer.close()
    return bytes(data.data())


def render(r: StatusReportDTO, fmt: str) -> bytes:
    if fmt == "pdf":
        return render_pdf(r)
    text = {"html": render_html, "md": render_markdown, "csv": render_csv}[fmt](r)
    return text.encode("utf-8")


def write_status_report(r: StatusReportDTO, fmt: str, path: str | os.PathLike[str]) -> None:
    """Render and write whole or not at all; raises the sprint report's ExportError."""
    write_file(path, render(r, fmt))
