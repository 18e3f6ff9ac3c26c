"""The project status report as files: PDF, HTML, Markdown and CSV, from one StatusReportDTO.

Every format shows the same sections with the same wording (:func:`sections`): progress,
budget, earned value and workload (who is over capacity). The DTO comes from a stored
snapshot (app/services/status_report.py), so a report rendered again later reads the same.
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

__all__ = ["FORMATS", "FORMAT_NAMES", "format_for", "render", "sections", "write_status_report"]


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
    work_rows = [
        [w.name, _pts(w.assigned), _pts(w.capacity), "over by " + _pts(w.over_by) if w.over else ""]
        for w in r.workload
    ]
    over = r.over_capacity
    if r.workload_sprint is None:
        work_note = "No active sprint: no workload to show."
    elif over:
        work_note = "Over capacity: " + ", ".join(
            f"{w.name} (+{_pts(w.over_by)} {unit})" for w in over
        )
    else:
        work_note = f"Nobody is over capacity in {r.workload_sprint}."
    return [
        ("Progress", ["Figure", "Value"], progress, ""),
        ("Budget", ["Figure", "Value"], budget, warnings),
        ("Earned value", evm_head, evm_rows, evm_note),
        (
            "Workload" + (f" ({r.workload_sprint}, {unit})" if r.workload_sprint else ""),
            ["Person", "Assigned", "Capacity", "Status"],
            work_rows,
            work_note,
        ),
    ]


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
    """One row per figure: section, name, value (EVM and workload rows flattened)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["section", "row", "figure", "value"])
    for title, header, rows, note in sections(r):
        for row in rows:
            if header[:2] == ["Figure", "Value"]:
                writer.writerow([csv_cell(title), "", csv_cell(row[0]), csv_cell(row[1])])
                continue
            for name, value in zip(header[1:], row[1:], strict=True):
                writer.writerow([csv_cell(title), csv_cell(row[0]), csv_cell(name),
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
