"""Jira CSV imports keep what the file says, whatever the order of its rows, the spelling of
its header or the separator a spreadsheet saved it with.

Each file is built by the test the way Jira writes an "Export issues > CSV (all fields)":
repeated columns (Sprint, Watchers, Watchers Id, Comment), dates such as ``05/Nov/25 4:00 PM``,
comments as ``date;accountId;text``, estimates in seconds. Jira Cloud lists issues newest
first.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from app.bootstrap import Runtime
from app.models import Comment, Project
from app.services import Services
from app.services.sprint_report_data import ReportService
from app.services.transfer import ImportRefused, TransferService

SERVER_HEADER = [
    "Summary",
    "Issue key",
    "Issue Type",
    "Status",
    "Project key",
    "Project name",
    "Priority",
    "Assignee",
    "Assignee Id",
    "Reporter",
    "Reporter Id",
    "Created",
    "Updated",
    "Resolved",
    "Due date",
    "Watchers",
    "Watchers",
    "Watchers Id",
    "Watchers Id",
    "Original Estimate",
    "Sprint",
    "Sprint",
    "Custom field (Story Points)",
    "Description",
    "Comment",
    "Comment",
    "Comment",
]
# Jira Cloud spells several columns differently, and keeps estimates in another field.
CLOUD_HEADER = [
    {
        "Issue key": "Issue Key",
        "Original Estimate": "Original estimate",
        "Custom field (Story Points)": "Custom field (Story point estimate)",
    }.get(h, h)
    for h in SERVER_HEADER
]


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


CREATED = utc(2025, 11, 3, 9)


def jira_date(moment: dt.datetime) -> str:
    """Jira's default format: 05/Nov/25 4:00 PM."""
    return moment.strftime("%d/%b/%y %I:%M %p").replace(" 0", " ")


def issue(
    key: str,
    summary: str,
    status: str = "To Do",
    sprints: tuple[str, ...] = (),
    points: str = "",
    created: dt.datetime = CREATED,
    resolved: dt.datetime | None = None,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "Summary": summary,
        "Issue key": key,
        "Issue Type": "Story",
        "Status": status,
        "Project key": "WEB",
        "Project name": "Web Shop",
        "Priority": "Medium",
        "Created": jira_date(created),
        "Updated": jira_date(resolved or created),
        "Resolved": jira_date(resolved) if resolved else "",
        "Sprint": list(sprints),
        "Custom field (Story Points)": points,
        **extra,
    }


def write_csv(
    path: Path,
    issues: list[dict[str, Any]],
    header: list[str] = SERVER_HEADER,
    delimiter: str = ",",
) -> Path:
    """Rows as Jira writes them: a repeated column takes the values of a list in turn."""
    server_names = dict(zip(header, SERVER_HEADER, strict=True))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    for entry in issues:
        used: dict[str, int] = {}
        row = []
        for name in header:
            value = entry.get(server_names[name], "")
            if isinstance(value, list):
                index = used.get(name, 0)
                used[name] = index + 1
                value = value[index] if index < len(value) else ""
            row.append(value)
        writer.writerow(row)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


@pytest.fixture
def transfer(services: Services) -> TransferService:
    return TransferService(services.context)


def cards_of(services: Services, key: str = "WEB") -> dict[str, Any]:
    project = services.projects.find_project(key)
    return {c.key: c for c in services.cards.list_cards(project.id, include_archived=True)}


def sprints_of(services: Services, key: str = "WEB") -> dict[str, Any]:
    project = services.projects.find_project(key)
    return {s.name: s for s in services.sprints.list_sprints(project.id)}


def two_sprints() -> list[dict[str, Any]]:
    """Sprint 1: every issue resolved. Sprint 2: work under way. Sprint 3: not started.
    Oldest issue first."""
    return [
        issue("WEB-1", "Login form", "Done", ("WEB Sprint 1",), "3",
              utc(2025, 11, 3, 9), utc(2025, 11, 5, 16)),
        issue("WEB-2", "Logout", "Done", ("WEB Sprint 1",), "2",
              utc(2025, 11, 3, 10), utc(2025, 11, 6, 11)),
        issue("WEB-3", "Password reset", "Done", ("WEB Sprint 1",), "1",
              utc(2025, 11, 4, 9), utc(2025, 11, 7, 15)),
        issue("WEB-4", "Search", "In Progress", ("WEB Sprint 2",), "5", utc(2025, 11, 10, 9)),
        issue("WEB-5", "Filters", "To Do", ("WEB Sprint 2",), "3", utc(2025, 11, 10, 10)),
        issue("WEB-6", "Wishlist", "To Do", ("WEB Sprint 3",), "8", utc(2025, 11, 11, 9)),
    ]  # fmt: skip


@pytest.mark.parametrize("newest_first", [True, False], ids=["cloud-order", "server-order"])
def test_sprint_states_come_from_the_data_not_the_row_order(
    tmp_path: Path, services: Services, transfer: TransferService, newest_first: bool
) -> None:
    issues = two_sprints()
    if newest_first:
        issues.reverse()  # Jira Cloud: newest first
    transfer.import_file("jira-csv", write_csv(tmp_path / "web.csv", issues))
    sprints = sprints_of(services)
    assert {name: s.state for name, s in sprints.items()} == {
        "WEB Sprint 1": "closed",
        "WEB Sprint 2": "active",
        "WEB Sprint 3": "planned",
    }
    first = sprints["WEB Sprint 1"]
    assert (first.committed_points, first.completed_points) == (Decimal("6"), Decimal("6"))
    assert (first.started_at, first.closed_at) == (utc(2025, 11, 3, 9), utc(2025, 11, 7, 15))
    assert sprints["WEB Sprint 2"].committed_points == Decimal("8")
    project = services.projects.find_project("WEB")
    last = ReportService(services.context).sprint_report(project.id, "last")
    assert (last.sprint_name, last.committed_points, last.completed_points) == (
        "WEB Sprint 1",
        Decimal("6"),
        Decimal("6"),
    )


@pytest.mark.parametrize("newest_first", [True, False], ids=["cloud-order", "server-order"])
def test_an_issue_in_several_sprints_went_through_the_earlier_ones(
    tmp_path: Path, services: Services, transfer: TransferService, newest_first: bool
) -> None:
    # Names that sort the wrong way: only the Sprint columns tell the order.
    issues = [
        issue("WEB-1", "Carried over", "In Progress", ("Zebra", "Alpha"), "5"),
        issue("WEB-2", "Done in Zebra", "Done", ("Zebra",), "2", resolved=utc(2025, 11, 9, 9)),
        issue("WEB-3", "New in Alpha", "To Do", ("Alpha",), "1", created=utc(2025, 11, 12, 9)),
    ]
    if newest_first:
        issues.reverse()
    transfer.import_file("jira-csv", write_csv(tmp_path / "web.csv", issues))
    sprints = sprints_of(services)
    assert {name: s.state for name, s in sprints.items()} == {"Zebra": "closed", "Alpha": "active"}
    assert (sprints["Zebra"].committed_points, sprints["Zebra"].completed_points) == (
        Decimal("7"),
        Decimal("2"),
    )
    assert sprints["Alpha"].committed_points == Decimal("6")
    assert cards_of(services)["WEB-1"].sprint_name == "Alpha"


def test_cloud_headers_are_matched_without_regard_to_case(
    tmp_path: Path, services: Services, transfer: TransferService
) -> None:
    issues = [
        issue("WEB-1", "Estimated", points="5", **{"Original Estimate": "28800"}),
        issue("WEB-2", "Half", points="0.5"),
    ]
    transfer.import_file("jira-csv", write_csv(tmp_path / "cloud.csv", issues, CLOUD_HEADER))
    cards = cards_of(services)
    assert (cards["WEB-1"].points, cards["WEB-1"].estimate_hours) == (Decimal("5"), Decimal("8"))
    assert cards["WEB-2"].points == Decimal("0.5")
    assert cards["WEB-1"].number == 1


def test_a_file_saved_with_semicolons_is_read(
    tmp_path: Path, services: Services, transfer: TransferService
) -> None:
    comment = "05/Nov/25 4:00 PM;557058:aaaa;Looks good; ship it"
    issues = [
        issue("WEB-1", "Semicolons, commas", "Done", ("Sprint A", "Sprint B"), "3",
              resolved=utc(2025, 11, 5, 16), Comment=[comment]),
        issue("WEB-2", "Second", sprints=("Sprint B",)),
    ]  # fmt: skip
    path = write_csv(tmp_path / "excel.csv", issues, delimiter=";")
    assert path.read_text(encoding="utf-8").startswith("Summary;Issue key;")
    transfer.import_file("jira-csv", path)
    cards = cards_of(services)
    assert cards["WEB-1"].title == "Semicolons, commas"
    assert cards["WEB-1"].points == Decimal("3")
    assert cards["WEB-1"].sprint_name == "Sprint B"
    assert {n: s.state for n, s in sprints_of(services).items()} == {
        "Sprint A": "closed",
        "Sprint B": "active",
    }


def test_a_refusal_quotes_at_most_a_short_piece_of_the_header(
    tmp_path: Path, runtime: Runtime, transfer: TransferService
) -> None:
    path = tmp_path / "wide.csv"
    path.write_text(";".join(f"Column number {n}" for n in range(400)) + "\r\na;b\r\n", "utf-8")
    with pytest.raises(ImportRefused) as caught:
        transfer.import_file("jira-csv", path)
    message = str(caught.value)
    assert message == (
        "wide.csv line 1 has no column 'Summary' (its header starts with 'Column number 0', "
        "'Column number 1', 'Column number 2', 'Column number 3'); expected a Jira CSV export "
        "(Export issues > CSV, all fields)."
    )
    long_name = tmp_path / ("x" * 200 + ".csv")
    long_name.write_text("[" * 100_000, "utf-8")
    with pytest.raises(ImportRefused) as caught:
        transfer.import_file("jira-csv", long_name)
    assert len(str(caught.value)) < 300
    assert str(caught.value).startswith("'xxxxxxxxxxxx")
    assert "…" in str(caught.value)
    with runtime.services.context.read() as uow:
        assert uow.session.scalar(select(func.count(Project.id))) == 0


def test_text_is_kept_as_in_the_file(
    tmp_path: Path, runtime: Runtime, services: Services, transfer: TransferService
) -> None:
    issues = [
        issue(
            "WEB-1",
            "  Indented title ",
            Description="  code:\n    x = 1\n",
            Comment=["05/Nov/25 4:00 PM;557058:aaaa;  quoted reply\n"],
        )
    ]
    summary = transfer.import_file("jira-csv", write_csv(tmp_path / "web.csv", issues))
    card = cards_of(services)["WEB-1"]
    assert card.title == "  Indented title "
    assert card.description == "  code:\n    x = 1\n"
    with runtime.services.context.read() as uow:
        assert uow.session.scalar(select(Comment.text)) == "  quoted reply\n"
    assert len(summary.lines()) == 2


@pytest.mark.parametrize(
    ("summary", "message"),
    [
        ("   ", "web.csv line 2: the column 'Summary' is empty ('WEB-1')."),
        ("\x00\x1b", "web.csv line 2: the 'Summary' of 'WEB-1' holds only control characters."),
    ],
)
def test_a_title_without_text_is_refused(
    tmp_path: Path, runtime: Runtime, transfer: TransferService, summary: str, message: str
) -> None:
    path = write_csv(tmp_path / "web.csv", [issue("WEB-1", summary)])
    with pytest.raises(ImportRefused) as caught:
        transfer.import_file("jira-csv", path)
    assert str(caught.value) == message
    with runtime.services.context.read() as uow:
        assert uow.session.scalar(select(func.count(Project.id))) == 0


def test_comment_authors_are_named_from_any_pair_of_columns(
    tmp_path: Path, runtime: Runtime, transfer: TransferService
) -> None:
    issues = [
        issue(
            "WEB-1",
            "Watched",
            Watchers=["Bob Stone", "Chen Wei"],
            **{"Watchers Id": ["557058:bbbb", "712020:cccc"]},
        ),
        issue("WEB-2", "Assigned", Assignee="Ada Lovelace", **{"Assignee Id": "557058:aaaa"}),
        issue(
            "WEB-3",
            "Discussed",
            Comment=[
                "05/Nov/25 4:00 PM;712020:cccc;From a watcher",
                "06/Nov/25 9:30 AM;557058:aaaa;From the assignee of another issue",
                "07/Nov/25 10:00 AM;999999:zzzz;From a stranger",
            ],
        ),
    ]
    transfer.import_file("jira-csv", write_csv(tmp_path / "web.csv", issues))
    with runtime.services.context.read() as uow:
        rows = uow.session.execute(
            select(Comment.author, Comment.created_at).order_by(Comment.created_at)
        ).all()
    assert [tuple(r) for r in rows] == [
        ("Chen Wei", utc(2025, 11, 5, 16)),
        ("Ada Lovelace", utc(2025, 11, 6, 9, 30)),
        ("999999:zzzz", utc(2025, 11, 7, 10)),
    ]


def test_a_key_with_a_superscript_digit_gets_a_number_of_its_own(
    tmp_path: Path, services: Services, transfer: TransferService
) -> None:
    issues = [issue("WEB-¹", "Superscript"), issue("WEB-7", "Seven"), issue("WEB-3", "Three")]
    transfer.import_file("jira-csv", write_csv(tmp_path / "web.csv", issues))
    cards = {c.title: c.key for c in cards_of(services).values()}
    assert cards == {"Seven": "WEB-7", "Three": "WEB-3", "Superscript": "WEB-8"}


def test_values_the_services_refuse_are_cleaned_and_reported(
    tmp_path: Path, services: Services, transfer: TransferService
) -> None:
    issues = [
        issue("WEB-1", "Forty digits", points="1" * 40, **{"Original Estimate": "9" * 5000}),
        issue("WEB-2", "Five thousand", points="5000", **{"Original Estimate": "¹²"}),
        issue("WEB-3", "Not a number", points="lots", Resolved="0000-01-01 00:00"),
        issue("WEB-4", "Odd", points="2.3", **{"Due date": "9999-12-31 23:59"}),
        issue("WEB-5", "Year 9999", Created="9999-12-31 23:59", Updated="05/Nov/25 9:00 AM"),
        issue("WEB-6", "Tab\tand NUL\x00", Description="keeps\ttabs\nand lines\x07"),
    ]
    summary = transfer.import_file("jira-csv", write_csv(tmp_path / "web.csv", issues))
    cards = cards_of(services)
    assert [cards[f"WEB-{n}"].points for n in range(1, 5)] == [None, None, None, Decimal("2.5")]
    assert (cards["WEB-1"].estimate_hours, cards["WEB-2"].estimate_hours) == (None, None)
    assert cards["WEB-4"].due_date is None
    assert cards["WEB-5"].created_at == utc(2025, 11, 5, 9)  # from 'Updated'
    assert cards["WEB-6"].title == "Tab and NUL"
    assert cards["WEB-6"].description == "keeps\ttabs\nand lines"
    assert summary.lines()[2:] == [
        "1 description had control characters removed.",
        "1 title had control characters removed.",
        "2 estimates over 1,000 points dropped.",
        "1 estimate that is not a number dropped.",
        "1 estimate rounded to the nearest half point.",
        "1 time estimate over 10,000 hours dropped.",
        "1 time estimate not in whole seconds dropped.",
        "2 dates outside 1970–2199 dropped.",
        "1 date in no format Sprintdeck knows dropped.",
    ]


def test_every_refusal_is_one_short_line(tmp_path: Path, transfer: TransferService) -> None:
    base = [issue("WEB-1", "One"), issue("WEB-1", "Again")]
    messages = []
    for name, content in {
        "twice.csv": write_csv(tmp_path / "t.csv", base).read_text("utf-8"),
        "long-line.csv": "Summary,Issue key\r\n" + "a," * 5000 + "\r\n",
        "bad-date.csv": "Summary,Issue key,Created\r\nx,WEB-1," + "9" * 5000 + "\r\n",
        "header-only.csv": "Summary,Issue key\r\n",
        "quote.csv": 'Summary,Issue key\r\n"never closed,WEB-1\r\n',
    }.items():
        path = tmp_path / name
        path.write_text(content, "utf-8")
        with pytest.raises(ImportRefused) as caught:
            transfer.import_file("jira-csv", path)
        messages.append(str(caught.value))
    assert messages[0] == "twice.csv line 3: the issue key 'WEB-1' is also on line 2."
    assert messages[1] == "long-line.csv line 2: 5,001 fields where the header has 2."
    assert messages[2].startswith("bad-date.csv line 2: the date '99999999")
    assert messages[3] == "header-only.csv has a Jira header but no issues."
    assert "Is the file complete?" in messages[4]
    assert all(len(m) < 300 and "\n" not in m for m in messages)


def test_the_latest_sprint_all_done_stays_active_and_older_unmoved_ones_close(
    tmp_path: Path, services: Services, transfer: TransferService
) -> None:
    issues = [
        # an older sprint whose unfinished issue went back to the backlog (no later sprint
        # listed): it ended when the next one started
        issue("WEB_2-1", "Left behind", "In Progress", ("Sprint 1",), "3"),
        issue("WEB_2-2", "Done early", "Done", ("Sprint 1",), "1", resolved=utc(2025, 11, 5, 9)),
        issue("WEB_2-3", "All done", "Done", ("Sprint 2",), "2", resolved=utc(2025, 11, 14, 9)),
        issue("WEB_2-4", "Also done", "Done", ("Sprint 2",), "5", resolved=utc(2025, 11, 15, 9)),
    ]
    for entry in issues:
        entry["Project key"] = "WEB_2"
    transfer.import_file("jira-csv", write_csv(tmp_path / "web.csv", issues))
    sprints = sprints_of(services, "WEB2")
    assert {n: s.state for n, s in sprints.items()} == {"Sprint 1": "closed", "Sprint 2": "active"}
    assert (sprints["Sprint 1"].committed_points, sprints["Sprint 1"].completed_points) == (
        Decimal("4"),
        Decimal("1"),
    )
    assert sprints["Sprint 2"].committed_points == Decimal("7")
    assert sorted(c.key for c in cards_of(services, "WEB2").values()) == [
        "WEB2-1",
        "WEB2-2",
        "WEB2-3",
        "WEB2-4",
    ]
