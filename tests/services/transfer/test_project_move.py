"""Moving one project between databases: export --project, then import into a busy one."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.errors import Conflict
from app.models import HistoryEvent, Member, MemberRate, Project, Sprint
from app.services.transfer import ImportRefused, TransferService
from app.services.transfer.project_move import project_tables
from tests.helpers import ROOT, database_rows, make_runtime

FIXTURES = ROOT / "tests" / "fixtures"
KEY = "DEMO"


def _plain(value: Any) -> Any:
    """A DTO as plain data without the database's ids (they differ between databases)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    elif isinstance(value, tuple) and hasattr(value, "_asdict"):
        value = value._asdict()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if not (k in ("id", "as_of") or "_id" in k)}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def content(url: str, key: str = KEY) -> dict[str, Any]:
    """What anyone sees of a project: its cards, their history, members, labels, every
    sprint's report and burndown, velocity."""
    rt = make_runtime(url)
    try:
        s = rt.services
        project = s.projects.find_project(key)
        cards = s.cards.list_cards(project.id, include_archived=True)
        sprints = s.sprints.list_sprints(project.id)
        return {
            "project": _plain(project),
            "cards": _plain(cards),
            "history": [_plain(s.cards.history(c.id)) for c in cards],
            "members": _plain(s.projects.list_members(project.id, include_inactive=True)),
            "labels": _plain(s.projects.list_labels(project.id)),
            "sprints": _plain(sprints),
            "reports": [
                _plain(s.reports.sprint_report(project.id, sp.name))
                for sp in sprints
                if sp.state != "planned"
            ],
            "burndown": [
                _plain(s.charts.sprint_burndown(sp.id)) for sp in sprints if sp.state != "planned"
            ],
            "velocity": _plain(s.charts.velocity(project.id)),
        }
    finally:
        rt.close()


def transfer(url: str) -> tuple[Any, TransferService]:
    rt = make_runtime(url)
    return rt, rt.services.transfer


def export(url: str, target: Path, key: str = KEY) -> dict[str, Any]:
    rt, service = transfer(url)
    try:
        service.export_project(target, key, schema="0006")
    finally:
        rt.close()
    return json.loads(target.read_text(encoding="utf-8"))


def import_(url: str, source: Path, key: str | None = None) -> Any:
    rt, service = transfer(url)
    try:
        return service.import_sprintdeck(source, key=key, schema="0006")
    finally:
        rt.close()


def add_rate(rt: Any, name: str, rate: str) -> None:
    """An hourly rate (no service writes them yet; budgets read them)."""
    with rt.services.context.write() as uow:
        member = uow.session.scalar(select(Member).where(Member.display_name == name))
        uow.session.add(
            MemberRate(
                member_id=member.id,
                effective_from=dt.date(2025, 1, 1),
                hourly_rate=Decimal(rate),
                currency="EUR",
            )
        )
        uow.commit()


def member_rates(url: str, name: str) -> list[Decimal]:
    """``name``'s rates in ``url`` (all of them: defaults and projects' own), in order."""
    rt = make_runtime(url)
    try:
        with rt.services.context.read() as uow:
            member = select(Member.id).where(Member.display_name == name)
            query = select(MemberRate.hourly_rate).where(MemberRate.member_id.in_(member))
            return sorted(uow.session.scalars(query).all())
    finally:
        rt.close()


@pytest.fixture
def source(tmp_path: Path) -> str:
    """A SQLite file with the demo and a Trello board (another project, other labels)."""
    url = "sqlite:///" + str(tmp_path / "laptop.db")
    rt = make_runtime(url, demo=True)
    try:
        rt.services.transfer.import_file("trello", FIXTURES / "trello_board.json")
        add_rate(rt, "Ada Lovelace", "80.00")
        add_rate(rt, "Mei Chen", "70.50")
    finally:
        rt.close()
    return url


@pytest.fixture
def team(new_db_url: Callable[[str], str]) -> str:
    """The team's database (SQLite or PostgreSQL): a project of its own, and a member the
    demo has too."""
    url = new_db_url("team")
    rt = make_runtime(url)
    try:
        s = rt.services
        project = s.projects.create_project("TEAM", "The team's own")
        s.projects.add_member(project.id, "Ada Lovelace", "Lead")
        s.projects.add_member(project.id, "Someone Else")
        s.cards.create_card(project.id, "A card of the team's")
        add_rate(rt, "Ada Lovelace", "95.00")
    finally:
        rt.close()
    return url


def test_a_project_export_holds_that_project_alone(source: str, tmp_path: Path) -> None:
    data = export(source, tmp_path / "demo.json")
    assert data["scope"] == {"project": KEY}
    tables = data["tables"]
    assert [p["key"] for p in tables["project"]] == [KEY]
    project_id = tables["project"][0]["id"]
    for name in ("card", "workflow_column", "sprint", "label", "history_event", "holiday"):
        assert {r["project_id"] for r in tables[name]} <= {project_id}, name
    assert tables["card"] and tables["sprint"] and tables["sprint_snapshot"]
    assert tables["history_event"] and tables["sprint_capacity"] and tables["card_label"]
    assert {m["display_name"] for m in tables["member"]} >= {"Ada Lovelace", "Mei Chen"}
    member_ids = {m["id"] for m in tables["member"]}
    assert {r["member_id"] for r in tables["member_rate"]} <= member_ids
    assert tables["member_rate"]
    # every table with a way to the project is in the file (none listed by hand)
    assert {t.name for t in project_tables()} <= set(tables)
    assert "change_log" not in tables


def test_the_whole_export_is_unchanged(source: str, tmp_path: Path) -> None:
    rt, service = transfer(source)
    try:
        service.export_all(tmp_path / "all.json", schema="0006")
    finally:
        rt.close()
    data = json.loads((tmp_path / "all.json").read_text(encoding="utf-8"))
    assert "scope" not in data
    assert len(data["tables"]["project"]) == 2


def test_moved_to_the_team_and_back_the_project_is_the_same(
    source: str, team: str, tmp_path: Path
) -> None:
    before = content(source)
    team_before = content(team, "TEAM")
    export(source, tmp_path / "demo.json")
    done = import_(team, tmp_path / "demo.json")
    assert done.project_key == KEY
    assert content(team) == before
    assert content(team, "TEAM") == team_before

    # and back: from the team's database to another laptop
    export(team, tmp_path / "back.json")
    laptop = "sqlite:///" + str(tmp_path / "other-laptop.db")
    make_runtime(laptop).close()
    import_(laptop, tmp_path / "back.json")
    assert content(laptop) == before

    rt = make_runtime(team)
    try:
        with rt.services.context.read() as uow:
            session = uow.session
            ada = session.scalars(
                select(Member).where(Member.display_name.ilike("ada lovelace"))
            ).all()
            assert len(ada) == 1  # matched, not doubled
            project = session.scalar(select(Project).where(Project.key == KEY))
            rates = select(MemberRate.hourly_rate).where(MemberRate.member_id == ada[0].id)
            defaults = rates.where(MemberRate.project_id.is_(None))
            assert session.scalars(defaults).all() == [Decimal("95.00")]  # the team's say on Ada
            # ... and the rates Ada had on the laptop are the moved project's own rates for
            # her, so its logs cost what they cost there (the reports above are the same)
            own = rates.where(MemberRate.project_id == project.id)
            assert sorted(session.scalars(own).all()) == member_rates(source, "Ada Lovelace")
            mei = select(Member.id).where(Member.display_name == "Mei Chen")
            rates = select(MemberRate.hourly_rate).where(MemberRate.member_id.in_(mei))
            moved = sorted(session.scalars(rates).all())
            assert (
                moved == member_rates(source, "Mei Chen") and Decimal("70.50") in moved
            )  # came with Mei
            project = session.scalar(select(Project).where(Project.key == KEY))
            sprints = set(session.scalars(select(Sprint.id).where(Sprint.project_id == project.id)))
            events = session.scalars(
                select(HistoryEvent).where(HistoryEvent.project_id == project.id)
            ).all()
            for e in events:  # ids inside the history point at the moved project's rows
                for values in (e.before, e.after):
                    assert values.get("sprint_id") in sprints | {None}
                assert e.sprint_id_after in sprints | {None}
            assert sum(e.sprint_id_after is not None for e in events) > 0
    finally:
        rt.close()


def test_members_are_matched_whatever_the_case(
    source: str, new_db_url: Callable[[str], str], tmp_path: Path
) -> None:
    url = new_db_url("busy")
    rt = make_runtime(url)
    try:
        rt.services.projects.add_member(
            rt.services.projects.create_project("TEAM", "Team").id, "ADA lovelace"
        )
    finally:
        rt.close()
    export(source, tmp_path / "demo.json")
    import_(url, tmp_path / "demo.json")
    rt = make_runtime(url)
    try:
        s = rt.services
        project = s.projects.find_project(KEY)
        names = [m.display_name for m in s.projects.list_members(project.id, True)]
        assert "ADA lovelace" in names and "Ada Lovelace" not in names
        assignees = {c.assignee_name for c in s.cards.list_cards(project.id, True)}
        assert "ADA lovelace" in assignees
        with s.context.read() as uow:
            assert len(uow.session.scalars(select(Member)).all()) == 5
    finally:
        rt.close()


def test_next_card_numbers_and_keys_are_kept(source: str, team: str, tmp_path: Path) -> None:
    export(source, tmp_path / "demo.json")
    import_(team, tmp_path / "demo.json")
    rt = make_runtime(team)
    try:
        s = rt.services
        project = s.projects.find_project(KEY)
        keys = [c.key for c in s.cards.list_cards(project.id, include_archived=True)]
        card = s.cards.create_card(project.id, "After the move")
        assert card.key not in keys
        assert int(card.key.split("-")[1]) == max(int(k.split("-")[1]) for k in keys) + 1
    finally:
        rt.close()


def test_renamed_on_the_way_in(source: str, team: str, tmp_path: Path) -> None:
    export(source, tmp_path / "demo.json")
    import_(team, tmp_path / "demo.json")
    done = import_(team, tmp_path / "demo.json", key="DEMO2")
    assert done.project_key == "DEMO2"
    first, second = content(team), content(team, "DEMO2")
    assert [c["key"].replace("DEMO2-", "DEMO-") for c in second["cards"]] == [
        c["key"] for c in first["cards"]
    ]
    renamed = json.dumps(second["reports"], default=str).replace("DEMO2", "DEMO")
    assert renamed == json.dumps(first["reports"], default=str)


def refuse(url: str, path: Path, *words: str, key: str | None = None) -> None:
    rows = database_rows(url)
    with pytest.raises((ImportRefused, Conflict)) as caught:
        import_(url, path, key=key)
    message = str(caught.value)
    assert "\n" not in message
    for word in words:
        assert word.lower() in message.lower(), message
    assert database_rows(url) == rows


def test_a_key_in_use_is_refused(source: str, team: str, tmp_path: Path) -> None:
    export(source, tmp_path / "demo.json")
    import_(team, tmp_path / "demo.json")
    refuse(team, tmp_path / "demo.json", "already has a project DEMO", "--key")
    refuse(team, tmp_path / "demo.json", "TEAM", key="team")


def test_a_whole_database_export_stays_refused_in_a_busy_database(
    source: str, team: str, tmp_path: Path
) -> None:
    rt, service = transfer(source)
    try:
        service.export_all(tmp_path / "all.json", schema="0006")
    finally:
        rt.close()
    refuse(team, tmp_path / "all.json", "empty database")
    refuse(team, tmp_path / "all.json", "--key", key="NEW")


def _hostile(tmp_path: Path, data: dict[str, Any], change: Callable[[dict], None]) -> Path:
    copy = json.loads(json.dumps(data))
    change(copy)
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(copy), encoding="utf-8")
    return path


def _no_project(d: dict) -> None:
    d["tables"]["project"] = []


def _nothing_but_scope(d: dict) -> None:
    d["tables"] = {}


def _dangling(d: dict) -> None:
    d["tables"]["card"][0]["column_id"] = 999_999


def _duplicate_id(d: dict) -> None:
    d["tables"]["card"].append(dict(d["tables"]["card"][0], number=9999, rank="zzzz"))


def _unknown_table(d: dict) -> None:
    d["tables"]["spaceship"] = []


def _newer(d: dict) -> None:
    d["schema"] = "0099"


def _two_projects(d: dict) -> None:
    d["tables"]["project"].append(dict(d["tables"]["project"][0], id=77, key="OTHER"))


def _foreign_row(d: dict) -> None:
    d["tables"]["project"].append(dict(d["tables"]["project"][0], id=77, key="OTHER"))
    d["tables"]["label"].append(dict(d["tables"]["label"][0], id=9999, project_id=77))


def _bad_scope(d: dict) -> None:
    d["scope"] = "DEMO"


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (_no_project, ("project",)),
        (_nothing_but_scope, ("no project row",)),
        (_dangling, ("column_id", "not in the file")),
        (_duplicate_id, ("same id",)),
        (_unknown_table, ("spaceship", "unknown")),
        (_newer, ("newer Sprintdeck", "0099")),
        (_two_projects, ("OTHER",)),
        (_foreign_row, ("OTHER",)),
        (_bad_scope, ("scope",)),
    ],
)
def test_hostile_project_exports_change_nothing(
    source: str,
    team: str,
    tmp_path: Path,
    change: Callable[[dict], None],
    words: tuple[str, ...],
) -> None:
    data = export(source, tmp_path / "demo.json")
    refuse(team, _hostile(tmp_path, data, change), *words)


def test_an_unknown_project_is_not_exported(source: str, tmp_path: Path) -> None:
    rt, service = transfer(source)
    try:
        with pytest.raises(Conflict, match="no project 'NOPE'"):
            service.export_project(tmp_path / "x.json", "nope")
    finally:
        rt.close()
    assert not (tmp_path / "x.json").exists()


def test_members_in_another_case_in_the_file_are_one_person(
    source: str, team: str, tmp_path: Path
) -> None:
    """A file that names one person twice, in two cases, is refused whole, not half written."""
    data = export(source, tmp_path / "demo.json")

    def twice(d: dict) -> None:
        ada = next(m for m in d["tables"]["member"] if m["display_name"] == "Ada Lovelace")
        mei = next(m for m in d["tables"]["member"] if m["display_name"] == "Mei Chen")
        mei["display_name"] = "ada lovelace"
        assert ada["id"] != mei["id"]

    path = _hostile(tmp_path, data, twice)
    rows = database_rows(team)
    try:
        import_(team, path)
    except (ImportRefused, Conflict) as refused:
        assert "\n" not in str(refused)
        assert database_rows(team) == rows
    else:  # or both land on the one person, each team row once
        rt = make_runtime(team)
        try:
            project = rt.services.projects.find_project(KEY)
            names = [m.name for m in rt.services.projects.list_members(project.id, True)]
            assert len(names) == len(set(names))
        finally:
            rt.close()


def test_money_and_points_stay_exact(source: str, team: str, tmp_path: Path) -> None:
    data = export(source, tmp_path / "demo.json")
    import_(team, tmp_path / "demo.json")
    back = export(team, tmp_path / "back.json")
    points = sorted(Decimal(c["points"]) for c in data["tables"]["card"] if c["points"])
    assert sorted(Decimal(c["points"]) for c in back["tables"]["card"] if c["points"]) == points
    assert len(back["tables"]["history_event"]) == len(data["tables"]["history_event"])


def test_the_import_dialogs_call_adds_a_project_export_too(
    source: str, team: str, tmp_path: Path
) -> None:
    """import_native (what File › Import calls) takes a project export as well, with its
    progress reported."""
    data = export(source, tmp_path / "demo.json")
    seen: list[tuple[int, int]] = []
    rt, service = transfer(team)
    try:
        counts = service.import_native(tmp_path / "demo.json", lambda *p: seen.append(p))
    finally:
        rt.close()
    assert counts["cards"] == len(data["tables"]["card"])
    assert seen and all(done <= total for done, total in seen)
    assert content(team)["cards"] == content(source)["cards"]
