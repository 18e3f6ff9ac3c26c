"""Budget, release and earned-value commands (``sprintdeck budget …``, ``release …``,
``metrics evm``).

Money in ``--json`` output is a string with two decimals ("1550.00"), exact as the
database holds it (a JSON number would pass through a binary float); ratios (PPC, APC, CPI,
SPI, the spent share) and points are JSON numbers; a figure that cannot be computed is null,
and ``reasons`` says why.
"""

from __future__ import annotations

import argparse
import json
from decimal import Decimal
from typing import Any

from app.cli.common import Handlers, json_points
from app.errors import ValidationError


def register(commands: Any, db: argparse.ArgumentParser) -> Handlers:
    """Add this group's subcommands; return (handlers, raw handlers) keyed like app.cli's."""
    budget = commands.add_parser(
        "budget", parents=[db], help="a project's budget, cost to date, burn rate"
    )
    bcmds = budget.add_subparsers(dest="action", metavar="ACTION", required=True)
    bset = bcmds.add_parser(
        "set", parents=[db], help="set the project's budget (or an epic's with --epic)"
    )
    bset.add_argument("amount", help="such as 120000.00; '' clears it")
    bset.add_argument("--project", required=True, metavar="KEY")
    bset.add_argument("--epic", metavar="KEY", help="an epic's own budget instead")
    bshow = bcmds.add_parser(
        "show",
        parents=[db],
        help="cost to date against the budget, per sprint, person and epic; burn rate",
    )
    bshow.add_argument("--project", required=True, metavar="KEY")
    bshow.add_argument("--json", action="store_true", help="an array of one JSON object")

    release = commands.add_parser("release", parents=[db], help="releases for earned value")
    rcmds = release.add_subparsers(dest="action", metavar="ACTION", required=True)
    radd = rcmds.add_parser(
        "add", parents=[db], help="add a release: planned sprints, BAC, optional epics"
    )
    radd.add_argument("name")
    radd.add_argument("--project", required=True, metavar="KEY")
    radd.add_argument("--sprints", required=True, metavar="N", help="planned sprints (1-1000)")
    radd.add_argument("--bac", required=True, metavar="AMOUNT", help="budget at completion")
    radd.add_argument(
        "--epic",
        action="append",
        default=[],
        metavar="KEY",
        help="in scope (repeatable); none: the whole backlog",
    )
    rupdate = rcmds.add_parser(
        "update", parents=[db], help="change a release: name, planned sprints, BAC, epics"
    )
    rupdate.add_argument("name", help="the release's name (any case)")
    rupdate.add_argument("--project", required=True, metavar="KEY")
    rupdate.add_argument("--name", dest="new_name", metavar="NEW", help="rename it")
    rupdate.add_argument("--sprints", metavar="N", help="planned sprints (1-1000)")
    rupdate.add_argument("--bac", metavar="AMOUNT", help="budget at completion")
    scope = rupdate.add_mutually_exclusive_group()
    scope.add_argument(
        "--epic",
        action="append",
        default=None,
        metavar="KEY",
        help="its epics from now on (repeatable; replaces the scope)",
    )
    scope.add_argument(
        "--whole-backlog", action="store_true", help="scope: the whole backlog (no epics)"
    )
    rdelete = rcmds.add_parser("delete", parents=[db], help="remove a release (not its epics)")
    rdelete.add_argument("name")
    rdelete.add_argument("--project", required=True, metavar="KEY")
    rlist = rcmds.add_parser("list", parents=[db], help="a project's releases")
    rlist.add_argument("--project", required=True, metavar="KEY")
    rlist.add_argument("--json", action="store_true")
    register_status(commands, db)
    return {
        ("status", "list"): _status_list,
        ("budget", "set"): _budget_set,
        ("budget", "show"): _budget_show,
        ("release", "add"): _release_add,
        ("release", "list"): _release_list,
        ("release", "update"): _release_update,
        ("release", "delete"): _release_delete,
        ("metrics", "evm"): _evm,
    }, {}


def add_evm_parser(charts: Any, db: argparse.ArgumentParser) -> None:
    """``metrics evm``: added to the metrics group's subcommands (app/cli/metrics.py)."""
    evm = charts.add_parser(
        "evm",
        parents=[db],
        help="earned value per closed sprint: PPC, APC, PV, EV, AC, CV, SV, CPI, SPI, EAC",
    )
    evm.add_argument("--project", required=True, metavar="KEY")
    evm.add_argument("--release", metavar="NAME", help="default: the project's only release")
    evm.add_argument("--epic", metavar="KEY", help="one epic (its budget as BAC)")
    evm.add_argument("--json", action="store_true", help="a JSON array, one object per sprint")


def money(value: Decimal | None) -> str | None:
    """Money as exact text with two decimals, or None."""
    return None if value is None else f"{value:.2f}"


def ratio(value: Decimal | None) -> int | float | None:
    return json_points(value)


def _budget_set(services: Any, args: argparse.Namespace) -> int:
    project = services.projects.find_project(args.project)
    if args.epic:
        dto = services.budget.set_epic_budget(project.id, args.epic, args.amount)
        if dto is None:
            print(f"{args.epic.upper()} has no budget of its own now")
        else:
            print(f"{dto.key} budget {dto.budget:.2f} {project.currency}")
        return 0
    dto = services.budget.set_budget(project.id, args.amount)
    if dto.budget is None:
        print(f"{dto.key} has no budget now")
    else:
        print(f"{dto.key} budget {dto.budget:.2f} {dto.currency}")
    return 0


def _lines(lines: Any) -> list[dict[str, Any]]:
    return [
        {
            "name": line.label,
            "hours": ratio(line.hours),
            "cost": money(line.cost),
            **({"key": line.key, "budget": money(line.budget)} if line.key else {}),
        }
        for line in lines
    ]


def _budget_show(services: Any, args: argparse.Namespace) -> int:
    project = services.projects.find_project(args.project)
    o = services.budget.overview(project.id)
    if args.json:
        row = {
            "project": o.project_key,
            "currency": o.currency,
            "budget": money(o.budget),
            "cost_to_date": money(o.cost_to_date),
            "spent_share": ratio(o.spent_share),
            "burn_rate_per_sprint": money(o.burn_rate_per_sprint),
            "burn_rate_per_day": money(o.burn_rate_per_day),
            "burn_sprints": list(o.burn_sprints),
            "runs_out_on": None if o.runs_out_on is None else o.runs_out_on.isoformat(),
            "runs_out": o.runs_out_text,
            "warnings": [{"level": w.level, "text": w.text} for w in o.warnings],
            "per_sprint": _lines(o.per_sprint),
            "per_person": _lines(o.per_person),
            "per_epic": _lines(o.per_epic),
            "burnup": [{"date": b.day.isoformat(), "cost": money(b.cost)} for b in o.burnup],
        }
        # Every --json output is an array of objects (DESIGN.md): here, one.
        print(json.dumps([row], ensure_ascii=False, indent=2))
        return 0
    cur = o.currency
    budget = "none" if o.budget is None else f"{o.budget:,.2f} {cur}"
    share = "" if o.spent_share is None else f" ({o.spent_share * 100:.0f}%)"
    print(f"{o.project_key}: {o.cost_to_date:,.2f} {cur} spent of {budget}{share}")
    for w in o.warnings:
        print(f"WARNING: {w.text}")
    if o.burn_rate_per_sprint is not None:
        print(
            f"Burn rate: {o.burn_rate_per_sprint:,.2f} {cur} a sprint "
            f"(last {len(o.burn_sprints)} closed: {', '.join(o.burn_sprints)})"
        )
    print(o.runs_out_text)
    for title, lines in (
        ("Per sprint", o.per_sprint),
        ("Per person", o.per_person),
        ("Per epic", o.per_epic),
    ):
        if not lines:
            continue
        print(f"\n{title}:")
        width = max(len(line.label) for line in lines)
        for line in lines:
            extra = "" if line.budget is None else f"  of {line.budget:,.2f}"
            print(f"  {line.label:<{width}}  {line.hours:>8} h  {line.cost:>12,.2f}{extra}")
    return 0


def _release_add(services: Any, args: argparse.Namespace) -> int:
    project = services.projects.find_project(args.project)
    r = services.budget.add_release(project.id, args.name, args.sprints, args.bac, args.epic)
    print(r.name)
    return 0


def _release_update(services: Any, args: argparse.Namespace) -> int:
    project = services.projects.find_project(args.project)
    epics = [] if args.whole_backlog else args.epic
    if all(v is None for v in (args.new_name, args.sprints, args.bac, epics)):
        raise ValidationError(
            "Say what to change: --name, --sprints, --bac, --epic or --whole-backlog."
        )
    r = services.budget.update_release(
        project.id,
        args.name,
        new_name=args.new_name,
        planned_sprints=args.sprints,
        bac=args.bac,
        epic_keys=epics,
    )
    print(f"{r.name}: {r.planned_sprints} sprints, BAC {r.bac:,.2f}, {r.scope_text}")
    return 0


def _release_delete(services: Any, args: argparse.Namespace) -> int:
    project = services.projects.find_project(args.project)
    r = services.budget.delete_release(project.id, args.name)
    print(f"Deleted the release {r.name}.")
    return 0


def _release_list(services: Any, args: argparse.Namespace) -> int:
    project = services.projects.find_project(args.project)
    releases = services.budget.list_releases(project.id)
    if args.json:
        rows = [
            {
                "name": r.name,
                "planned_sprints": r.planned_sprints,
                "bac": money(r.bac),
                "epics": list(r.epic_keys),
            }
            for r in releases
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for r in releases:
        print(f"{r.name:<24} {r.planned_sprints:>3} sprints  BAC {r.bac:>14,.2f}  {r.scope_text}")
    return 0


EVM_MONEY = ("pv", "ev", "ac", "cv", "sv", "eac", "etc", "vac")


def _evm(services: Any, args: argparse.Namespace) -> int:
    project = services.projects.find_project(args.project)
    table = services.budget.evm(project.id, release=args.release, epic=args.epic)
    if args.json:
        rows = [
            {
                "sprint": p.sprint,
                "number": p.number,
                "planned_sprints": p.planned_sprints,
                "points_done": json_points(p.points_done),
                "planned_points": json_points(p.planned_points),
                "bac": money(p.bac),
                "ppc": ratio(p.ppc),
                "apc": ratio(p.apc),
                **{name: money(getattr(p, name)) for name in EVM_MONEY},
                "cpi": ratio(p.cpi),
                "spi": ratio(p.spi),
                "reading": p.reading,
                "reasons": dict(sorted(p.reasons.items())),
            }
            for p in table.points
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    print(
        f"{table.project_key} {table.release} ({table.scope}): BAC {table.bac:,.2f} "
        f"{table.currency} over {table.planned_sprints} sprints"
    )
    if table.note:
        print(table.note)
        return 0
    header = ["sprint", "PPC", "APC", "PV", "EV", "AC", "CV", "SV", "CPI", "SPI", "EAC", "reading"]
    body = [
        [
            p.sprint,
            _pct(p.ppc),
            _pct(p.apc),
            *(_cell(getattr(p, n)) for n in ("pv", "ev", "ac", "cv", "sv")),
            _cell(p.cpi, "{:.2f}"),
            _cell(p.spi, "{:.2f}"),
            _cell(p.eac),
            p.reading,
        ]
        for p in table.points
    ]
    widths = [max([len(h), *(len(r[i]) for r in body)]) for i, h in enumerate(header)]
    for row in [header, *body]:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    return 0


def _pct(value: Decimal | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f}%"


def _cell(value: Decimal | None, pattern: str = "{:,.2f}") -> str:
    return "n/a" if value is None else pattern.format(value)


# --- the project status report (``report --kind status``, ``status list``) ----------------


def register_status(commands: Any, db: argparse.ArgumentParser) -> None:
    status = commands.add_parser(
        "status", parents=[db], help="the project status reports exported so far"
    )
    scmds = status.add_subparsers(dest="action", metavar="ACTION", required=True)
    slist = scmds.add_parser("list", parents=[db], help="past status reports, oldest first")
    slist.add_argument("--project", required=True, metavar="KEY")
    slist.add_argument("--json", action="store_true")


def status_report(services: Any, args: argparse.Namespace) -> int:
    """``report --kind status``: take a new snapshot and render it, or (``--as-of``) render
    a stored one again. The output path is checked before anything is stored."""
    import sys

    from app.cli.common import database_path
    from app.errors import ValidationError
    from app.outputs import check_output
    from app.reports import status_report_render as st

    if args.sprint is not None:
        raise ValidationError("A status report covers the whole project; leave out --sprint.")
    fmt = args.format or st.format_for(args.output)
    if fmt is None:
        raise ValidationError(
            f"Cannot tell the format from {args.output!r}; give --format pdf, html, md or csv."
        )
    if args.output == "-" and fmt == "pdf":
        raise ValidationError("A PDF cannot be written to the terminal; give -o FILE.pdf.")
    target = None
    if args.output != "-":
        target = check_output(args.output, database_path(args), args.force, "report")
    project = services.projects.find_project(args.project)
    if args.as_of is not None:
        dto = services.status_reports.load(project.id, args.as_of)
    else:
        dto = services.status_reports.take(project.id)
    if target is None:
        sys.stdout.write(st.render(dto, fmt).decode("utf-8"))
        return 0
    st.write_status_report(dto, fmt, str(target))
    print(
        f"Wrote the {fmt.upper()} status report of {dto.project_key} "
        f"(snapshot {dto.snapshot_id}, {dto.as_of.isoformat()}) to {args.output}"
    )
    return 0


def _status_list(services: Any, args: argparse.Namespace) -> int:
    project = services.projects.find_project(args.project)
    snapshots = services.status_reports.list_snapshots(project.id)
    if args.json:
        rows = [
            {
                "number": s.number,
                "date": s.as_of.isoformat(),
                "taken_at": s.taken_at.isoformat(timespec="seconds"),
                "taken_by": s.taken_by,
            }
            for s in snapshots
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for s in snapshots:
        print(f"{s.number:>4}  {s.as_of.isoformat()}  {s.taken_at:%H:%M} UTC  {s.taken_by}")
    return 0
