"""Report commands (``sprintdeck report``)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from app.cli.common import Handlers, add_force, database_path
from app.errors import ValidationError
from app.outputs import check_output


def register(commands: Any, db: argparse.ArgumentParser) -> Handlers:
    """Add this group's subcommands; return (handlers, raw handlers) keyed like app.cli's."""
    report = commands.add_parser(
        "report",
        parents=[db],
        help="export a sprint report (pdf, html, md, csv)",
        description="Export the report of one sprint for stakeholders.",
    )
    report.add_argument("--project", required=True, metavar="KEY")
    report.add_argument(
        "--sprint", metavar="NAME|active|last", help="last: the last closed one (--kind sprint)"
    )
    report.add_argument(
        "--kind",
        choices=("sprint", "status"),
        default="sprint",
        help="sprint (default) or the project status report: progress, budget, EVM, workload, "
        "milestones and their odds, top risks, dependencies, forecast",
    )
    report.add_argument(
        "--as-of",
        metavar="last|N|YYYY-MM-DD",
        help="--kind status: render a past report again (see 'status list') instead of a new one",
    )
    report.add_argument("--format", choices=("pdf", "html", "md", "csv"), help="default: from -o")
    report.add_argument("-o", "--output", required=True, metavar="FILE", help="'-' for stdout")
    add_force(report)
    return {("report", None): _report}, {}


def _report(services: Any, args: argparse.Namespace) -> int:
    from app.reports import sprint_report_render as sr

    if args.kind == "status":
        from app.cli.budget import status_report

        return status_report(services, args)
    if args.sprint is None:  # a usage error, as argparse's own (exit 2)
        print(
            "sprintdeck report: error: a sprint report needs --sprint NAME, active or last "
            "(or --kind status).",
            file=sys.stderr,
        )
        return 2
    if args.as_of is not None:
        raise ValidationError("--as-of is for --kind status (a sprint report is its snapshot).")

    fmt = args.format or sr.format_for(args.output)
    if fmt is None:
        raise ValidationError(
            f"Cannot tell the format from {args.output!r}; give --format pdf, html, md or csv."
        )
    target = None
    if args.output != "-":
        target = check_output(args.output, database_path(args), args.force, "report")
    project = services.projects.find_project(args.project)
    dto = services.reports.sprint_report(project.id, args.sprint)
    if args.output == "-":
        if fmt == "pdf":
            raise ValidationError("A PDF cannot be written to the terminal; give -o FILE.pdf.")
        text = {"html": sr.render_html, "md": sr.render_markdown, "csv": sr.render_csv}[fmt](dto)
        sys.stdout.write(text)
        return 0
    sr.write_report(dto, fmt, str(target))
    print(f"Wrote the {fmt.upper()} report of {dto.sprint_name} to {args.output}")
    return 0
