"""Milestones, their scope, dependencies and the planning flag (PlanService), on SQLite and
PostgreSQL; every refusal is one line and leaves the database as it was."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from app.bootstrap import Runtime
from app.errors import Conflict, DomainError, NotFound, ValidationError
from app.services import Services
from app.services.dto import ProjectDTO
from app.services.events import Change, ChangeKind
from tests.helpers import database_rows

pytestmark = pytest.mark.usefixtures("backend")


@pytest.fixture
def refused(runtime: Runtime) -> Callable[..., DomainError]:
    def check(error: type[DomainError], call: Callable[..., Any], *args: Any, **kwargs: Any):
        match = kwargs.pop("match", None)
        before = database_rows(runtime.engine)
        with pytest.raises(error, match=match) as caught:
            call(*args, **kwargs)
        message = str(caught.value)
        assert message and "\n" not in message
        assert database_rows(runtime.engine) == before
        return caught.value

    return check


@pytest.fixture
def changes(services: Services) -> Iterator[list[Change]]:
    seen: list[Change] = []
    services.bus.subscribe(seen.append)
    yield seen
    services.bus.unsubscribe(seen.append)


@pytest.fixture
def sd(services: Services) -> ProjectDTO:
    return services.projects.create_project("SD", "Sprintdeck")


def card(services: Services, project: ProjectDTO, title: str, **kw: Any) -> int:
    return services.cards.create_card(project.id, title, **kw).id


def done_column(services: Services, project: ProjectDTO) -> int:
    return next(c.id for c in services.board.load_board(project.id).columns if c.category == "done")


def later(days: int) -> dt.date:
    return dt.date.today() + dt.timedelta(days=days)


# --- milestones ------------------------------------------------------------------------


def test_add_list_edit_and_move_a_milestone(
    services: Services, sd: ProjectDTO, changes: list[Change]
) -> None:
    beta = services.plans.add_milestone(sd.id, "Beta", later(30), "First users")
    services.plans.add_milestone(sd.id, "Alpha", later(10))
    assert [m.name for m in services.plans.list_milestones(sd.id)] == ["Alpha", "Beta"]
    assert changes[-1].kind is ChangeKind.PLANS_CHANGED and changes[-1].project_id == sd.id
    moved = services.plans.move_milestone(beta.id, later(5).isoformat())
    assert moved.day == later(5) and moved.version == beta.version + 1
    assert [m.name for m in services.plans.list_milestones(sd.id)] == ["Beta", "Alpha"]
    renamed = services.plans.update_milestone(beta.id, name="Beta 1", description="Wider")
    assert (renamed.name, renamed.description) == ("Beta 1", "Wider")
    assert services.plans.find_milestone(sd.id, "beta 1").id == beta.id


def test_milestone_bad_input_is_refused(
    services: Services, sd: ProjectDTO, refused: Callable[..., DomainError]
) -> None:
    services.plans.add_milestone(sd.id, "Beta", later(30))
    refused(ValidationError, services.plans.add_milestone, sd.id, "", later(3))
    refused(ValidationError, services.plans.add_milestone, sd.id, "   ", later(3))
    refused(ValidationError, services.plans.add_milestone, sd.id, "x" * 201, later(3))
    refused(ValidationError, services.plans.add_milestone, sd.id, "Gamma", None)
    refused(ValidationError, services.plans.add_milestone, sd.id, "Gamma", "soon")
    refused(ValidationError, services.plans.add_milestone, sd.id, "Gamma", "0001-01-01")
    refused(Conflict, services.plans.add_milestone, sd.id, "beta", later(3), match="already")
    refused(NotFound, services.plans.add_milestone, 999, "Gamma", later(3))
    error = refused(ValidationError, services.plans.add_milestone, sd.id, "Old", "2001-01-01")
    assert "before the project SD starts" in str(error)


def test_a_milestone_may_be_on_the_first_sprints_start(services: Services, sd: ProjectDTO) -> None:
    services.sprints.create_sprint(sd.id, "S1", start="2020-03-02", end="2020-03-13")
    assert services.plans.add_milestone(sd.id, "Kickoff", "2020-03-02").day == dt.date(2020, 3, 2)
    with pytest.raises(ValidationError, match="2020-03-02"):
        services.plans.add_milestone(sd.id, "Earlier", "2020-03-01")


def test_emoji_and_rtl_names_are_kept(services: Services, sd: ProjectDTO) -> None:
    m = services.plans.add_milestone(sd.id, "🚀 إطلاق", later(3))
    assert services.plans.find_milestone(sd.id, "🚀 إطلاق").id == m.id


def test_delete_and_restore_a_milestone_with_its_scope(services: Services, sd: ProjectDTO) -> None:
    a = card(services, sd, "A")
    m = services.plans.add_milestone(sd.id, "Beta", later(30))
    services.plans.link_scope(m.id, [a])
    gone = services.plans.delete_milestone(m.id)
    assert services.plans.list_milestones(sd.id) == []
    back = services.plans.restore_milestone(gone)
    assert (back.id, back.name, back.scope_keys) == (m.id, "Beta", ("SD-1",))
    with pytest.raises(Conflict):
        services.plans.restore_milestone(gone)


def test_scope_counts_epic_children_and_done_cards(services: Services, sd: ProjectDTO) -> None:
    epic = card(services, sd, "Login", type="epic")
    kids = [card(services, sd, f"Step {i}", parent_id=epic) for i in range(3)]
    loose = card(services, sd, "Loose")
    services.board.move_card(kids[0], done_column(services, sd))
    m = services.plans.add_milestone(sd.id, "Beta", later(30))
    m = services.plans.link_scope_keys(sd.id, "Beta", ["SD-1", "sd-5"])
    assert m.scope_keys == ("SD-1", "SD-5")
    assert (m.scope_size, m.done_count) == (4, 1)  # 3 children + the loose card
    m = services.plans.unlink_scope(m.id, [loose])
    assert (m.scope_size, m.done_count) == (3, 1)


def test_scope_of_another_project_or_nothing_is_refused(
    services: Services, sd: ProjectDTO, refused: Callable[..., DomainError]
) -> None:
    other = services.projects.create_project("OT", "Other")
    theirs = card(services, other, "Theirs")
    m = services.plans.add_milestone(sd.id, "Beta", later(30))
    refused(ValidationError, services.plans.link_scope, m.id, [theirs], match="another project")
    refused(ValidationError, services.plans.link_scope, m.id, [])
    refused(NotFound, services.plans.link_scope, m.id, [98765])
    refused(NotFound, services.plans.link_scope_keys, sd.id, "Nope", ["SD-1"])


# --- dependencies ----------------------------------------------------------------------


def test_link_unlink_and_both_directions(
    services: Services, sd: ProjectDTO, changes: list[Change]
) -> None:
    a, b, c = (card(services, sd, t) for t in "ABC")
    services.plans.link(a, b)
    services.plans.link(c, b)
    links = services.plans.links(b)
    assert [x.key for x in links.blocked_by] == ["SD-1", "SD-3"] and links.blocks == ()
    assert [x.key for x in services.plans.links(a).blocks] == ["SD-2"]
    assert changes[-1].kind is ChangeKind.PLANS_CHANGED
    services.plans.link(a, b)  # again: nothing new
    services.plans.unlink(a, b)
    assert [x.key for x in services.plans.links(b).blocked_by] == ["SD-3"]
    services.plans.link_keys("SD-2", "sd-1")
    assert [x.key for x in services.plans.links(a).blocked_by] == ["SD-2"]
    services.plans.link_keys("SD-2", "SD-1", unlink=True)
    assert services.plans.links(a).blocked_by == ()


def test_a_cycle_is_refused_and_named(
    services: Services, sd: ProjectDTO, refused: Callable[..., DomainError]
) -> None:
    ids = [card(services, sd, t) for t in "ABCD"]
    services.plans.link(ids[2], ids[3])  # SD-3 blocks SD-4
    services.plans.link(ids[3], ids[0])  # SD-4 blocks SD-1
    error = refused(Conflict, services.plans.link, ids[0], ids[2])
    assert "SD-1 → SD-3 → SD-4 → SD-1" in str(error)
    services.plans.link(ids[1], ids[2])
    two = refused(Conflict, services.plans.link, ids[2], ids[1])
    assert "SD-3 → SD-2 → SD-3" in str(two)


def test_self_and_cross_project_links_are_refused(
    services: Services, sd: ProjectDTO, refused: Callable[..., DomainError]
) -> None:
    a = card(services, sd, "A")
    other = services.projects.create_project("OT", "Other")
    theirs = card(services, other, "Theirs")
    assert "itself" in str(refused(ValidationError, services.plans.link, a, a))
    assert "different projects" in str(refused(ValidationError, services.plans.link, a, theirs))
    refused(NotFound, services.plans.link, a, 424242)
    refused(ValidationError, services.plans.link, "1", a)
    refused(NotFound, services.plans.link_keys, "SD-1", "not a key")


def test_blocked_by_keys_for_the_board(services: Services, sd: ProjectDTO) -> None:
    a, b, c, d = (card(services, sd, t) for t in "ABCD")
    services.plans.link(a, c)
    services.plans.link(b, c)
    services.plans.link(a, d)
    assert services.plans.blocked_by(sd.id) == {c: ("SD-1", "SD-2"), d: ("SD-1",)}
    services.board.move_card(a, done_column(services, sd))
    assert services.plans.blocked_by(sd.id) == {c: ("SD-2",)}
    services.board.move_card(c, done_column(services, sd))
    assert services.plans.blocked_by(sd.id) == {}


def test_planning_flags_a_card_before_its_blocker(services: Services, sd: ProjectDTO) -> None:
    s1 = services.sprints.create_sprint(sd.id, "S1", start=later(1), end=later(14))
    s2 = services.sprints.create_sprint(sd.id, "S2", start=later(15), end=later(28))
    blocker, waiting, free = (card(services, sd, t) for t in ("Blocker", "Waiting", "Free"))
    services.plans.link(blocker, waiting)
    services.sprints.plan_card(waiting, s1.id)
    services.sprints.plan_card(free, s1.id)
    flags = services.plans.planning_flags(s1.id)
    assert [(f.card_key, f.blocker_key) for f in flags] == [("SD-2", "SD-1")]
    assert "no sprint" in flags[0].message
    services.sprints.plan_card(blocker, s2.id)
    assert "later, in S2" in services.plans.planning_flags(s1.id)[0].message
    assert services.plans.planning_problem(waiting, s1.id) is not None
    services.sprints.plan_card(blocker, s1.id)
    assert services.plans.planning_flags(s1.id) == []
    assert services.plans.planning_problem(waiting, s2.id) is None
    services.sprints.plan_card(blocker, None)
    services.board.move_card(blocker, done_column(services, sd))
    assert services.plans.planning_flags(s1.id) == []


# --- the timeline ----------------------------------------------------------------------


def test_timeline_has_sprints_epic_bars_and_milestones(services: Services, sd: ProjectDTO) -> None:
    s1 = services.sprints.create_sprint(sd.id, "S1", start="2030-01-07", end="2030-01-18")
    services.sprints.create_sprint(sd.id, "S2", start="2030-01-21", end="2030-02-01")
    epic = card(services, sd, "Login", type="epic")
    kid = card(services, sd, "Form", parent_id=epic)
    card(services, sd, "Later", parent_id=epic, due_date="2030-03-01")
    services.sprints.plan_card(kid, s1.id)
    services.board.move_card(kid, done_column(services, sd))
    services.plans.add_milestone(sd.id, "Beta", "2030-02-01")
    t = services.plans.timeline(sd.id)
    assert [s.name for s in t.sprints] == ["S1", "S2"]
    (bar,) = t.epics
    assert (bar.key, bar.start, bar.end, bar.total, bar.done) == (
        "SD-1",
        dt.date(2030, 1, 7),
        dt.date(2030, 3, 1),
        2,
        1,
    )
    assert [m.name for m in t.milestones] == ["Beta"]


def test_a_milestone_added_and_edited_with_its_scope_in_one_step(
    services: Services, sd: ProjectDTO, refused: Callable[..., DomainError]
) -> None:
    epic = card(services, sd, "Login", type="epic")
    card(services, sd, "Form", parent_id=epic)
    loose = card(services, sd, "Loose")
    m = services.plans.add_milestone(sd.id, "Beta", later(30), "First cut", scope=[epic])
    assert (m.scope_keys, m.scope_ids, m.scope_size) == (("SD-1",), (epic,), 1)
    m = services.plans.update_milestone(m.id, name="Beta 1", scope=[loose])
    assert (m.name, m.scope_keys, m.version) == ("Beta 1", ("SD-3",), 2)
    other = services.projects.create_project("OT", "Other")
    stranger = card(services, other, "Elsewhere")
    refused(ValidationError, services.plans.update_milestone, m.id, name="X", scope=[stranger],
            match="another project")  # fmt: skip
    refused(ValidationError, services.plans.add_milestone, sd.id, "Gamma", later(40),
            scope=[stranger], match="another project")  # fmt: skip
    refused(NotFound, services.plans.add_milestone, sd.id, "Gamma", later(40), scope=[999])
    # Nothing changed: the same values again are no new version.
    assert services.plans.update_milestone(m.id, scope=[loose]).version == 2


def test_the_timeline_draws_links_between_epics(services: Services, sd: ProjectDTO) -> None:
    login = card(services, sd, "Login", type="epic")
    pay = card(services, sd, "Pay", type="epic")
    form = card(services, sd, "Form", parent_id=login)
    cart = card(services, sd, "Cart", parent_id=pay)
    inside = card(services, sd, "Inside", parent_id=login)
    loose = card(services, sd, "Loose")
    services.plans.link(form, cart)  # a card of Login blocks a card of Pay
    services.plans.link(form, inside)  # within one epic: no arrow
    services.plans.link(loose, form)  # a card of no epic: no arrow
    (arrow,) = services.plans.timeline(sd.id).links
    assert (arrow.blocker_epic_id, arrow.blocked_epic_id, arrow.direct) == (login, pay, False)
    assert arrow.pairs == ("SD-3 blocks SD-4",)
    services.plans.link(login, pay)
    (arrow,) = services.plans.timeline(sd.id).links
    assert arrow.direct and arrow.pairs == ("SD-1 blocks SD-2", "SD-3 blocks SD-4")


def test_the_demo_timeline_shows_milestones_one_at_risk_and_dependencies(
    demo: Services,
) -> None:
    project = demo.projects.find_project("DEMO")
    timeline = demo.plans.timeline(project.id)
    names = [m.name for m in timeline.milestones]
    assert names == ["Checkout live", "Provider cut-over", "Accessibility sign-off"]
    assert [m.scope_keys for m in timeline.milestones] == [("DEMO-1",), ("DEMO-2",), ("DEMO-3",)]
    assert all(m.day >= timeline.project_start for m in timeline.milestones)
    odds = demo.forecasts.timeline(project.id)
    chances = [odds.milestones[m.id].chance for m in timeline.milestones]
    assert chances[0] < 0.5 < chances[1] and chances[2] > 0.5  # only the first is at risk
    by_id = {e.id: e.key for e in timeline.epics}
    arrows = {(by_id[a.blocker_epic_id], by_id[a.blocked_epic_id]) for a in timeline.links}
    assert arrows == {("DEMO-2", "DEMO-1"), ("DEMO-1", "DEMO-3")}
    guest = demo.cards.find_card("DEMO-7")
    assert guest.title == "Guest checkout without an account"
    assert [c.title for c in demo.plans.links(guest.id).blocked_by] == [
        "Provider SDK: create payment intents"
    ]
