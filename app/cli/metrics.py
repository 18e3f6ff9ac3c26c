"""The charts' figures on the command line (``sprintdeck metrics …``).

``burndown`` (per day of a sprint), ``velocity`` (per closed sprint), ``cfd`` (cards per
column per day) and ``cycle`` (per finished card) print the numbers the Reports page draws,
computed by the same services, as JSON (an array of objects; numbers as JSON numbers, dates
ISO 8601) or CSV (a header row; every cell through app.outputs.csv_cell), or as a plain table.
Points are exact; the guideline and the times in days are rounded to two decimals. What each
figure means, and where the definition comes from: docs/metrics.md.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import sys
from collections.abc import Sequence
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from app.cli.common import Handlers
from app.errors import NotFound, ValidationError
from app.outputs import csv_cell

CENTS = Decimal("0.01")


def register(commands: Any, db: argparse.ArgumentParser) -> Handlers:
    """Add this group's subcommands; return (handlers, raw handlers) keyed like app.cli's."""
    metrics = commands.add_parser(
        "metrics",
        parents=[db],
        help="the charts' figures: burndown, velocity, cfd, cycle",
        description="Print the figures behind the charts as JSON, CSV or a table "
        "(definitions: docs/metrics.md).",
    )
    charts = metrics.add_subparsers(dest="action", metavar="CHART", required=True)
    burndown = charts.add_parser(
        "burndown",
        parents=[db],
        help="per day of a sprint: remaining, guideline, scope added and removed, burned",
    )
    burndown.add_argument("--project", required=True, metavar="KEY")
    burndown.add_argument(
        "--sprint",
        metavar="NAME|active|last",
        help="default: the active sprint, else the last closed one",
    )
    _formats(burndown)
    velocity = charts.add_parser(
        "velocity", parents=[db], help="per closed sprint: commitment and completed points"
    )
    velocity.add_argument("--project", required=True, metavar="KEY")
    velocity.add_argument(
        "--last", type=_count, default=7, metavar="N", help="the last N closed sprints (7)"
    )
    _formats(velocity)
    cfd = charts.add_parser(
        "cfd", parents=[db], help="per day: cards in each column, in workflow order"
    )
    cycle = charts.add_parser(
        "cycle",
        parents=[db],
        help="per card finished in the range: started, finished, cycle and lead time",
    )
    for parser in (cfd, cycle):
        parser.add_argument("--project", required=True, metavar="KEY")
        parser.add_argument(
            "--from", dest="start", type=_date, metavar="YYYY-MM-DD", help="default: 30 days ago"
        )
        parser.add_argument(
            "--to", dest="end", type=_date, metavar="YYYY-MM-DD", help="default: today"
        )
        _formats(parser)
    from app.cli.budget import add_evm_parser  # metrics evm: the budget group's handler

    add_evm_parser(charts, db)
    return {
        ("metrics", "burndown"): _burndown,
        ("metrics", "velocity"): _velocity,
        ("metrics", "cfd"): _cfd,
        ("metrics", "cycle"): _cycle,
    }, {}


def _formats(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--json", action="store_true", help="a JSON array of objects")
    group.add_argument("--csv", action="store_true", help="CSV with a header row")


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"at least 1 sprint, not {value}")
    return value


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


# --- numbers as JSON and CSV show them -----------------------------------------------------


def _points(value: Decimal | None) -> int | float | None:
    """Exact points as a JSON number (``5``, ``2.5``), or null."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _rounded(value: Decimal | float | None) -> int | float | None:
    """Two decimals (half to even), as a JSON number: the guideline, days."""
    if value is None:
        return None
    return _points(Decimal(str(value)).quantize(CENTS, rounding=ROUND_HALF_EVEN))


def _moment(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat(timespec="seconds")


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


_Table = tuple[Sequence[str], list[list[object]]]


def _print(args: argparse.Namespace, rows: list[dict[str, Any]], table: _Table) -> int:
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    header, body = table
    if args.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow([csv_cell(h) for h in header])
        for row in body:
            writer.writerow([csv_cell(_text(cell)) for cell in row])
        return 0
    cells = [[_text(c) for c in row] for row in body]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(header)]
    for row in [list(header), *cells]:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    return 0


# --- the commands --------------------------------------------------------------------------


def _scrum_only(project: Any, what: str) -> None:
    if project.methodology != "scrum":
        raise ValidationError(
            f"{project.key} is a Kanban project: it has no sprints, so no {what} "
            "('metrics cfd' and 'metrics cycle' work on it)."
        )


def _sprint_id(services: Any, project: Any, name: str | None) -> int:
    reports = services.reports
    if name is not None:
        return int(reports.resolve_sprint(project.id, name))
    for wanted in ("active", "last"):
        try:
            return int(reports.resolve_sprint(project.id, wanted))
        except NotFound:
            continue
    raise NotFound(f"{project.key} has no started sprint yet, so there is no burndown to show.")


def _burndown(services: Any, args: argparse.Namespace) -> int:
    project = services.projects.find_project(args.project)
    _scrum_only(project, "burndown")
    series = services.charts.sprint_burndown(_sprint_id(services, project, args.sprint))
    fields = (
        "date",
        "working_day",
        "remaining",
        "guideline",
        "scope_added",
        "scope_removed",
        "burned",
    )
    rows = []
    for i, day in enumerate(series.days):
        known = series.remaining[i] is not None  # days after now (or the close) are unknown
        rows.append(
            {
                "date": day.isoformat(),
                "working_day": series.working[i],
                "remaining": _points(series.remaining[i]),
                "guideline": _rounded(series.ideal[i]),
                "scope_added": _points(series.scope_added[i]) if known else None,
                "scope_removed": _points(series.scope_removed[i]) if known else None,
                "burned": _points(series.completed[i]) if known else None,
            }
        )
    return _print(args, rows, (fields, [[row[f] for f in fields] for row in rows]))


def _velocity(services: Any, args: argparse.Namespace) -> int:
    project = services.projects.find_project(args.project)
    _scrum_only(project, "velocity")
    series = services.charts.velocity(project.id, last=args.last)
    fields = ("name", "start", "end", "commitment", "completed")
    rows = [
        {
            "name": s.name,
            "start": None if s.start is None else s.start.isoformat(),
            "end": None if s.end is None else s.end.isoformat(),
            "commitment": _points(s.committed),
            "completed": _points(s.completed),
        }
        for s in series.sprints
    ]
    return _print(args, rows, (fields, [[row[f] for f in fields] for row in rows]))


def _cfd(services: Any, args: argparse.Namespace) -> int:
    project = services.projects.find_project(args.project)
    flow = services.charts.cumulative_flow(project.id, args.start, args.end)
    names = _column_names(flow.columns)
    rows = []
    body: list[list[object]] = []
    for d, day in enumerate(flow.days):
        counts = [flow.counts[c][d] for c in range(len(flow.columns))]
        rows.append({"date": day.isoformat(), "columns": dict(zip(names, counts, strict=True))})
        body.append([day.isoformat(), *counts])
    return _print(args, rows, (["date", *names], body))


def _column_names(columns: Sequence[Any]) -> list[str]:
    """Column names in workflow order, each once: an archived column that shares a live
    one's name is "Name (archived)"; any other repeat gets a number."""
    names: list[str] = []
    for column in columns:
        name = column.name
        if name in names and column.archived:
            name = f"{name} (archived)"
        base, n = name, 2
        while name in names:
            name, n = f"{base} ({n})", n + 1
        names.append(name)
    return names


def _cycle(services: Any, args: argparse.Namespace) -> int:
    project = services.projects.find_project(args.project)
    times = services.charts.card_times(project.id, args.start, args.end)
    fields = ("key", "title", "created", "started", "finished", "cycle_days", "lead_days")
    rows = [
        {
            "key": t.key,
            "title": t.title,
            "created": _moment(t.created),
            "started": _moment(t.started),
            "finished": _moment(t.finished),
            "cycle_days": _rounded(t.cycle_days),
            "lead_days": _rounded(t.lead_days),
        }
        for t in times
    ]
    return _print(args, rows, (fields, [[row[f] for f in fields] for row in rows]))
