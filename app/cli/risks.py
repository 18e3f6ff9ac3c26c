"""The risk register on the command line: ``sprintdeck risk add|list|update``."""

from __future__ import annotations

import argparse
import json
from typing import Any

from app.cli.common import Handlers
from app.errors import ValidationError

STATUSES = ("open", "mitigating", "closed", "happened")


def _fields(parser: argparse.ArgumentParser, adding: bool) -> None:
    parser.add_argument("--project", required=True, metavar="KEY")
    parser.add_argument("--probability", required=adding, metavar="1-5")
    parser.add_argument("--impact", required=adding, metavar="1-5")
    parser.add_argument("--residual-probability", metavar="1-5", help="after the response")
    parser.add_argument("--residual-impact", metavar="1-5", help="after the response")
    parser.add_argument("--owner", metavar="NAME", help="a member of the project")
    parser.add_argument("--description")
    parser.add_argument("--response", metavar="TEXT", help="the planned response")
    parser.add_argument("--trigger", metavar="TEXT", help="what shows it is happening")
    parser.add_argument("--proximity", metavar="YYYY-MM-DD", help="when it may strike")
    parser.add_argument("--schedule-days", metavar="N", help="delay if it strikes (days)")
    parser.add_argument("--cost", metavar="AMOUNT", help="cost if it strikes")
    what = "replaces the linked ones; " if not adding else ""
    parser.add_argument(
        "--card", action="append", metavar="KEY", help=f"a card it touches ({what}repeatable)"
    )
    # The first spelling, kept for scripts: cards or epics, several after one --link.
    parser.add_argument("--link", nargs="+", action="extend", dest="card", help=argparse.SUPPRESS)
    parser.add_argument(
        "--epic", action="append", metavar="KEY", help=f"an epic it touches ({what}repeatable)"
    )
    parser.add_argument(
        "--milestone",
        action="append",
        metavar="NAME",
        help=f"a milestone it threatens ({what}repeatable)",
    )
    if not adding:
        parser.add_argument("--no-cards", action="store_true", help="unlink every card")
        parser.add_argument("--no-epics", action="store_true", help="unlink every epic")
        parser.add_argument("--no-milestones", action="store_true", help="unlink every milestone")
    parser.add_argument("--status", choices=STATUSES, default="open" if adding else None)


def register(commands: Any, db: argparse.ArgumentParser) -> Handlers:
    """Add ``risk``; return (handlers, raw handlers) keyed like app.cli's."""
    risk = commands.add_parser("risk", parents=[db], help="a project's risk register")
    actions = risk.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = actions.add_parser(
        "add",
        parents=[db],
        help="add a risk; prints its key (R-1)",
        description="Add a risk: probability and impact from 1 to 5 (exposure is their "
        "product), before the response and, optionally, after it (residual).",
    )
    add.add_argument("title")
    _fields(add, adding=True)
    listing = actions.add_parser("list", parents=[db], help="the register, by key")
    listing.add_argument("--project", required=True, metavar="KEY")
    listing.add_argument("--open", action="store_true", help="open and mitigating only")
    listing.add_argument("--json", action="store_true")
    update = actions.add_parser("update", parents=[db], help="change some fields of a risk")
    update.add_argument("key", metavar="R-N")
    update.add_argument("--title")
    _fields(update, adding=False)
    return {
        ("risk", "add"): _add,
        ("risk", "list"): _list,
        ("risk", "update"): _update,
    }, {}


_OPTIONAL = {
    "residual_probability": "residual_probability",
    "residual_impact": "residual_impact",
    "description": "description",
    "response": "response",
    "trigger": "trigger",
    "proximity": "proximity",
    "schedule_days": "schedule_days",
    "cost": "cost_impact",
    "status": "status",
}


def _given(args: argparse.Namespace) -> dict[str, Any]:
    values = {field: getattr(args, name) for name, field in _OPTIONAL.items()}
    return {k: v for k, v in values.items() if v is not None}


def _add(services: Any, args: argparse.Namespace) -> int:
    project = services.projects.find_project(args.project)
    risk = services.risks.add_risk(
        project.id,
        args.title,
        probability=args.probability,
        impact=args.impact,
        owner=args.owner,
        cards=args.card or (),
        epics=args.epic or (),
        milestones=args.milestone or (),
        **_given(args),
    )
    print(risk.key)
    return 0


def _update(services: Any, args: argparse.Namespace) -> int:
    project = services.projects.find_project(args.project)
    fields = _given(args)
    for name in ("title", "probability", "impact"):
        if getattr(args, name) is not None:
            fields[name] = getattr(args, name)
    extra: dict[str, Any] = {}
    if args.owner is not None:
        extra["owner"] = args.owner or None
    for name, flag in (("cards", "card"), ("epics", "epic"), ("milestones", "milestone")):
        given, cleared = getattr(args, flag), getattr(args, f"no_{name}")
        if given is not None and cleared:
            raise ValidationError(f"Give --{flag} or --no-{name}, not both.")
        if given is not None or cleared:
            extra[name] = given or []
    risk = services.risks.update_risk(project.id, args.key, **extra, **fields)
    print(f"{risk.key} {risk.status} exposure {risk.exposure} residual {risk.residual_exposure}")
    return 0


def risk_json(risk: Any) -> dict[str, Any]:
    """A risk as ``risk list --json`` prints it: its links as ``epics``, ``cards`` and
    ``milestones`` (names)."""
    return {
        "key": risk.key,
        "title": risk.title,
        "description": risk.description,
        "probability": risk.probability,
        "impact": risk.impact,
        "exposure": risk.exposure,
        "residual_probability": risk.residual_probability,
        "residual_impact": risk.residual_impact,
        "residual_exposure": risk.residual_exposure,
        "owner": risk.owner or None,
        "response": risk.response,
        "trigger": risk.trigger,
        "proximity": risk.proximity.isoformat() if risk.proximity else None,
        "status": risk.status,
        "overdue": risk.overdue,
        "schedule_days": risk.schedule_days,
        "cost_impact": None if risk.cost_impact is None else str(risk.cost_impact),
        "epics": list(risk.epic_keys),
        "cards": list(risk.card_keys),
        "milestones": list(risk.milestones),
    }


def _list(services: Any, args: argparse.Namespace) -> int:
    project = services.projects.find_project(args.project)
    risks = services.risks.list_risks(project.id, include_closed=not args.open)
    if args.json:
        print(json.dumps([risk_json(r) for r in risks], indent=2, ensure_ascii=False))
        return 0
    if not risks:
        print("No risks.")
    for r in risks:
        flag = "  OVERDUE" if r.overdue else ""
        owner = f" ({r.owner})" if r.owner else ""
        print(f"{r.key:<6} {r.status:<10} {r.exposure:>2}->{r.residual_exposure:<2} "
              f"{r.title}{owner}{flag}")  # fmt: skip
    return 0
