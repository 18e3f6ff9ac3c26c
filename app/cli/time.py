"""Time and money commands: ``sprintdeck log add|list`` and ``sprintdeck rate set|list``.

Costs are computed by the service from the rates in force on each log's day; money is
printed as exact decimal text ("127.50") in JSON and CSV so nothing is rounded twice.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from decimal import Decimal
from typing import Any

from app.cli.common import Handlers, json_points
from app.outputs import csv_cell

LOG_FIELDS = ("date", "card", "member", "minutes", "hours", "rate", "currency", "cost", "note")


def register(commands: Any, db: argparse.ArgumentParser) -> Handlers:
    """Add this group's subcommands; return (handlers, raw handlers) keyed like app.cli's."""
    log = commands.add_parser("log", parents=[db], help="time spent on cards")
    log_cmds = log.add_subparsers(dest="action", metavar="ACTION", required=True)
    ladd = log_cmds.add_parser(
        "add",
        parents=[db],
        help="log time on a card",
        description="Log time a team member spent on a card: 1.5h, 90m, 1h30m or 1:30. "
        "Refused for a day still to come, more than 24 h in one day for one person, or "
        "someone not in the project's team.",
    )
    ladd.add_argument("key", metavar="KEY", help="the card, such as SD-12")
    ladd.add_argument("duration", metavar="DURATION", help="such as 1.5h, 90m or 1h30m")
    ladd.add_argument("--member", required=True, metavar="NAME")
    ladd.add_argument("--date", metavar="YYYY-MM-DD", help="default: today in the project's zone")
    ladd.add_argument("--note", default="")
    llist = log_cmds.add_parser(
        "list", parents=[db], help="a project's logs with hours, rate and cost"
    )
    llist.add_argument("--project", required=True, metavar="KEY")
    llist.add_argument("--member", metavar="NAME")
    llist.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD")
    llist.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD")
    fmt = llist.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true")
    fmt.add_argument("--csv", action="store_true")

    rate = commands.add_parser("rate", parents=[db], help="people's hourly rates")
    rate_cmds = rate.add_subparsers(dest="action", metavar="ACTION", required=True)
    rset = rate_cmds.add_parser(
        "set",
        parents=[db],
        help="set a person's hourly rate from a date on",
        description="Set a person's hourly rate from a date on: their default rate, or with "
        "--project that project's own rate (which comes first on its logs, in its currency).",
    )
    rset.add_argument("name", metavar="NAME")
    rset.add_argument("amount", metavar="AMOUNT", help="such as 85.00")
    rset.add_argument("--from", dest="date_from", required=True, metavar="YYYY-MM-DD")
    rset.add_argument("--project", metavar="KEY")
    rset.add_argument("--currency", metavar="CODE", help="default rates only (default EUR)")
    rlist = rate_cmds.add_parser("list", parents=[db], help="hourly rates by person")
    rlist.add_argument("--member", metavar="NAME")
    rlist.add_argument("--json", action="store_true")
    return {
        ("log", "add"): _log_add,
        ("log", "list"): _log_list,
        ("rate", "set"): _rate_set,
        ("rate", "list"): _rate_list,
    }, {}


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _log_add(services: Any, args: argparse.Namespace) -> int:
    card = services.cards.find_card(args.key)
    member = services.projects.find_member(card.project_id, args.member)
    log = services.time.add_log(card.id, member.id, args.duration, args.date, args.note)
    rate = "no rate" if log.rate is None else f"{log.rate:.2f} {log.currency}/h"
    print(
        f"{log.card_key} {log.day.isoformat()} {log.member_name} {log.hours:f} h "
        f"({rate}, {log.cost:.2f} {log.currency})"
    )
    return 0


def _log_list(services: Any, args: argparse.Namespace) -> int:
    project = services.projects.find_project(args.project)
    member_id = None
    if args.member:
        member_id = services.projects.find_member(project.id, args.member).id
    logs = services.time.project_logs(
        project.id, member_id=member_id, date_from=args.date_from, date_to=args.date_to
    )
    rows = [
        {
            "date": log.day.isoformat(),
            "card": log.card_key,
            "member": log.member_name,
            "minutes": log.minutes,
            "hours": json_points(log.hours),
            "rate": _money(log.rate),
            "currency": log.currency,
            "cost": _money(log.cost),
            "note": log.note,
        }
        for log in logs
    ]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    elif args.csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=LOG_FIELDS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: csv_cell("" if v is None else v) for k, v in row.items()})
    else:
        total = sum((log.cost for log in logs), Decimal("0.00"))
        minutes = sum(log.minutes for log in logs)
        for log in logs:
            print(
                f"{log.day.isoformat()} {log.card_key:<10} {log.member_name:<20} "
                f"{log.hours:>6.2f} h {_money(log.cost):>10} {log.currency}  {log.note}"
            )
        print(f"{len(logs)} logs, {Decimal(minutes) / 60:.2f} h, {total:.2f} {project.currency}")
    return 0


def _rate_set(services: Any, args: argparse.Namespace) -> int:
    member_id, _name = services.time.find_person(args.name)
    project_id = None
    if args.project:
        project_id = services.projects.find_project(args.project).id
    rate = services.time.set_rate(
        member_id, args.amount, args.date_from, project_id=project_id, currency=args.currency
    )
    scope = rate.project_key or "default"
    print(
        f"{rate.member_name} {rate.hourly_rate:.2f} {rate.currency}/h from "
        f"{rate.effective_from.isoformat()} ({scope})"
    )
    return 0


def _rate_list(services: Any, args: argparse.Namespace) -> int:
    member_id = None
    if args.member:
        member_id, _name = services.time.find_person(args.member)
    rates = services.time.list_rates(member_id)
    rows = [
        {
            "member": r.member_name,
            "project": r.project_key,
            "from": r.effective_from.isoformat(),
            "rate": _money(r.hourly_rate),
            "currency": r.currency,
        }
        for r in rates
    ]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for r in rates:
        print(
            f"{r.member_name:<20} {r.project_key or 'default':<10} "
            f"{r.effective_from.isoformat()} {r.hourly_rate:>10.2f} {r.currency}"
        )
    return 0
