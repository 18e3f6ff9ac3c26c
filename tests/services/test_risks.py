"""The risk register (services.risks) on both backends: keys, exposure, owners, links,
overdue, top risks, and bad input refused in one line with nothing written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import delete

from app.bootstrap import Runtime
from app.errors import Conflict, DomainError, NotFound, StaleEdit, ValidationError
from app.models import Milestone, ProjectMember
from app.services import Services
from app.services.dto import ProjectDTO
from app.services.events import Change, ChangeKind
from tests.helpers import Clock, database_rows


@pytest.fixture
def refused(runtime: Runtime) -> Callable[..., DomainError]:
    def check(error: type[DomainError], call: Callable[..., Any], *args: Any, **kwargs: Any):
        match = kwargs.pop("match", None)
        before = database_rows(runtime.engine)
        with pytest.raises(error, match=match) as caught:
            call(*args, **kwargs)
        message = str(caught.value)
        assert message and "\n" not in message and "Traceback" not in message
        assert database_rows(runtime.engine) == before
        return caught.value

    return check


@pytest.fixture
def clock(services: Services) -> Clock:
    c = Clock(dt.datetime(2025, 3, 10, 10, tzinfo=dt.UTC))
    services.context.clock = c
    return c


@pytest.fixture
def web(services: Services, clock: Clock) -> ProjectDTO:
    project = services.projects.create_project("WEB", "Website")
    services.projects.add_member(project.id, "Ana")
    return project


@pytest.fixture
def changes(services: Services) -> Iterator[list[Change]]:
    seen: list[Change] = []
    services.bus.subscribe(seen.append)
    yield seen
    services.bus.unsubscribe(seen.append)


def test_add_a_risk_numbers_it_and_computes_exposure(
    services: Services, web: ProjectDTO, changes: list[Change]
) -> None:
    card = services.cards.create_card(web.id, "Payment provider")
    first = services.risks.add_risk(
        web.id,
        "Vendor API late",
        probability=4,
        impact=5,
        residual_probability=2,
        residual_impact=3,
        owner="ana",
        response="Mock the API",
        trigger="No sandbox by March",
        proximity="2025-04-01",
        schedule_days=5,
        cost_impact="1200.50",
        cards=["web-1"],
    )
    second = services.risks.add_risk(web.id, "Key person leaves", probability=1, impact=2)
    assert (first.key, second.key) == ("R-1", "R-2")
    assert first.exposure == 20 and first.residual_exposure == 6
    assert second.residual_exposure == 2  # no residual given: the inherent one
    assert first.owner == "Ana" and first.card_keys == (f"WEB-{card.number}",)
    assert first.epic_keys == ()
    assert first.cost_impact == Decimal("1200.50") and first.schedule_days == 5
    assert first.proximity == dt.date(2025, 4, 1) and first.status == "open"
    assert not first.overdue
    assert [r.key for r in services.risks.list_risks(web.id)] == ["R-1", "R-2"]
    assert services.risks.get_risk(web.id, "r-1") == first
    assert changes[-1].kind == ChangeKind.RISKS_CHANGED


def test_numbers_are_per_project(services: Services, web: ProjectDTO) -> None:
    other = services.projects.create_project("APP", "App")
    services.risks.add_risk(web.id, "A", probability=1, impact=1)
    assert services.risks.add_risk(other.id, "B", probability=1, impact=1).key == "R-1"


def test_update_keeps_what_is_not_given_and_clears_with_none(
    services: Services, web: ProjectDTO
) -> None:
    risk = services.risks.add_risk(
        web.id, "Scope creep", probability=3, impact=3, owner="Ana", schedule_days=2
    )
    updated = services.risks.update_risk(
        web.id, "R-1", status="mitigating", residual_probability=1, owner=None,
        expected_version=risk.version,
    )  # fmt: skip
    assert updated.status == "mitigating" and updated.residual_probability == 1
    assert updated.owner == "" and updated.schedule_days == 2 and updated.title == "Scope creep"
    assert updated.version == risk.version + 1
    # Undo: the old values again.
    back = services.risks.update_risk(
        web.id, "R-1", status="open", residual_probability=None, owner=risk.owner_id
    )
    assert (back.status, back.residual_probability, back.owner) == ("open", None, "Ana")


def test_a_stale_update_is_refused(services: Services, web: ProjectDTO, refused) -> None:
    risk = services.risks.add_risk(web.id, "X", probability=2, impact=2)
    services.risks.update_risk(web.id, "R-1", impact=3)
    refused(StaleEdit, services.risks.update_risk, web.id, "R-1", impact=4,
            expected_version=risk.version)  # fmt: skip


def test_close_and_happened(services: Services, web: ProjectDTO) -> None:
    services.risks.add_risk(web.id, "X", probability=2, impact=2)
    services.risks.add_risk(web.id, "Y", probability=2, impact=2)
    assert services.risks.close_risk(web.id, "R-1").status == "closed"
    assert services.risks.close_risk(web.id, "R-2", happened=True).status == "happened"
    assert services.risks.list_risks(web.id, include_closed=False) == []


def test_past_its_proximity_and_still_open_is_overdue(
    services: Services, web: ProjectDTO, clock: Clock
) -> None:
    services.risks.add_risk(web.id, "Due", probability=2, impact=2, proximity="2025-03-09")
    services.risks.add_risk(web.id, "Today", probability=2, impact=2, proximity="2025-03-10")
    services.risks.add_risk(web.id, "Closed", probability=2, impact=2, proximity="2025-03-01",
                            status="closed")  # fmt: skip
    assert [r.overdue for r in services.risks.list_risks(web.id)] == [True, False, False]
    clock.set(11)
    assert [r.overdue for r in services.risks.list_risks(web.id)] == [True, True, False]


def test_top_risks_by_residual_exposure(services: Services, web: ProjectDTO) -> None:
    services.risks.add_risk(web.id, "Low", probability=1, impact=2)
    services.risks.add_risk(web.id, "High but mitigated", probability=5, impact=5,
                            residual_probability=1, residual_impact=1)  # fmt: skip
    services.risks.add_risk(web.id, "Middle", probability=3, impact=3)
    services.risks.add_risk(web.id, "Closed", probability=5, impact=5, status="closed")
    top = services.risks.top_risks(web.id, limit=2)
    assert [r.title for r in top] == ["Middle", "Low"]


def test_links_to_milestones_and_replacing_links(
    services: Services, web: ProjectDTO, runtime: Runtime
) -> None:
    with runtime.services.context.writer() as session:
        session.add(Milestone(project_id=web.id, name="Beta", day=dt.date(2025, 5, 1)))
        session.commit()
    epic = services.cards.create_card(web.id, "Checkout", type="epic")
    risk = services.risks.add_risk(web.id, "X", probability=2, impact=2, milestones=["beta"])
    assert risk.milestones == ("Beta",)
    updated = services.risks.update_risk(web.id, "R-1", epics=[f"WEB-{epic.number}"],
                                         milestones=[])  # fmt: skip
    assert updated.epic_keys == (f"WEB-{epic.number}",) and updated.milestones == ()
    assert updated.card_keys == ()


@pytest.mark.parametrize(
    ("fields", "match"),
    [
        ({"probability": 0}, "probability is a whole number from 1 to 5"),
        ({"probability": 6}, "probability is a whole number from 1 to 5"),
        ({"impact": "high"}, "impact is a whole number from 1 to 5"),
        ({"impact": True}, "impact"),
        ({"residual_impact": 9}, "residual impact"),
        ({"title": "   "}, "title cannot be empty"),
        ({"title": "x" * 201}, "at most 200"),
        ({"title": "bad\x00"}, "control characters"),
        ({"status": "maybe"}, "Unknown risk status"),
        ({"proximity": "2025-02-30"}, "not a date"),
        ({"schedule_days": -1}, "schedule impact"),
        ({"schedule_days": 10**6}, "schedule impact"),
        ({"cost_impact": "-5"}, "cannot be negative"),
        ({"cost_impact": "1.005"}, "two decimals"),
        ({"owner": "Nobody"}, "not a member of this project"),
        ({"cards": ["WEB-999"]}, "There is no card WEB-999"),
        ({"epics": ["WEB-999"]}, "There is no card WEB-999"),
        ({"cards": ["nonsense"]}, "not a card key"),
        ({"milestones": ["Gamma"]}, "no milestone 'Gamma'"),
    ],
)
def test_bad_input_is_refused_in_one_line(
    services: Services, web: ProjectDTO, refused, fields: dict, match: str
) -> None:
    values: dict[str, Any] = {"probability": 3, "impact": 3, **fields}
    title = values.pop("title", "A risk")
    refused(DomainError, services.risks.add_risk, web.id, title, match=match, **values)


def test_a_card_of_another_project_cannot_be_linked(
    services: Services, web: ProjectDTO, refused
) -> None:
    other = services.projects.create_project("APP", "App")
    card = services.cards.create_card(other.id, "Elsewhere")
    refused(ValidationError, services.risks.add_risk, web.id, "X", probability=1, impact=1,
            cards=[f"APP-{card.number}"], match="another project")  # fmt: skip


def test_unknown_risks_and_keys(services: Services, web: ProjectDTO, refused) -> None:
    refused(NotFound, services.risks.update_risk, web.id, "R-7", impact=2, match="no risk R-7")
    refused(ValidationError, services.risks.get_risk, web.id, "risk seven", match="not a risk key")
    refused(ValidationError, services.risks.update_risk, web.id, "R-1", colour="red",
            match="no field")  # fmt: skip


def test_epics_and_cards_are_linked_and_shown_apart(services: Services, web: ProjectDTO) -> None:
    epic = services.cards.create_card(web.id, "Checkout", type="epic")
    story = services.cards.create_card(web.id, "Pay by card")
    bug = services.cards.create_card(web.id, "Rounding", type="bug")
    risk = services.risks.add_risk(
        web.id, "PSP late", probability=3, impact=4, epics=[epic.key], cards=[story.key]
    )
    assert risk.epic_keys == (epic.key,) and risk.card_keys == (story.key,)
    assert risk.linked_keys == (epic.key, story.key)
    # An epic's key given as a card is linked, and shown, as an epic.
    other = services.risks.add_risk(web.id, "Y", probability=1, impact=1, cards=[epic.key])
    assert other.epic_keys == (epic.key,) and other.card_keys == ()
    # Replacing the cards keeps the epics, and the other way round.
    updated = services.risks.update_risk(web.id, "R-1", cards=[bug.key])
    assert updated.epic_keys == (epic.key,) and updated.card_keys == (bug.key,)
    updated = services.risks.update_risk(web.id, "R-1", epics=[])
    assert updated.epic_keys == () and updated.card_keys == (bug.key,)
    assert services.risks.get_risk(web.id, "R-1") == updated


def test_a_card_that_is_not_an_epic_is_refused_as_an_epic(
    services: Services, web: ProjectDTO, refused
) -> None:
    story = services.cards.create_card(web.id, "Pay by card")
    refused(ValidationError, services.risks.add_risk, web.id, "X", probability=1, impact=1,
            epics=[story.key], match=f"{story.key} is a story, not an epic")  # fmt: skip
    services.risks.add_risk(web.id, "X", probability=1, impact=1)
    refused(ValidationError, services.risks.update_risk, web.id, "R-1", epics=[story.key],
            match="not an epic")  # fmt: skip


def test_delete_returns_the_risk_and_restore_brings_it_back(
    services: Services, web: ProjectDTO, changes: list[Change]
) -> None:
    epic = services.cards.create_card(web.id, "Checkout", type="epic")
    story = services.cards.create_card(web.id, "Pay by card")
    services.plans.add_milestone(web.id, "Beta", "2030-05-01")
    services.risks.add_risk(web.id, "First", probability=1, impact=1)
    risk = services.risks.add_risk(
        web.id, "PSP late", probability=4, impact=5, residual_probability=2, owner="Ana",
        response="Mock it", proximity="2025-04-01", schedule_days=3, cost_impact="99.90",
        epics=[epic.key], cards=[story.key], milestones=["Beta"], status="mitigating",
    )  # fmt: skip
    deleted = services.risks.delete_risk(web.id, "R-2", expected_version=risk.version)
    assert deleted == risk
    assert [r.key for r in services.risks.list_risks(web.id)] == ["R-1"]
    assert changes[-1].kind == ChangeKind.RISKS_CHANGED
    restored = services.risks.restore_risk(deleted)
    assert restored.key == "R-2" and restored.version == risk.version + 1
    same = ("title", "probability", "impact", "residual_probability", "owner", "response",
            "proximity", "schedule_days", "cost_impact", "epic_keys", "card_keys",
            "milestones", "status")  # fmt: skip
    assert {f: getattr(restored, f) for f in same} == {f: getattr(risk, f) for f in same}
    assert services.risks.get_risk(web.id, "R-2") == restored
    assert services.risks.add_risk(web.id, "Next", probability=1, impact=1).key == "R-3"


def test_a_restore_drops_links_to_what_is_gone(services: Services, web: ProjectDTO) -> None:
    beta = services.plans.add_milestone(web.id, "Beta", "2030-05-01")
    risk = services.risks.add_risk(web.id, "X", probability=2, impact=2, milestones=["Beta"])
    deleted = services.risks.delete_risk(web.id, risk.key)
    services.plans.delete_milestone(beta.id)
    restored = services.risks.restore_risk(deleted)
    assert restored.milestones == () and restored.title == "X"


def test_a_stale_delete_and_a_taken_key_are_refused(
    services: Services, web: ProjectDTO, refused
) -> None:
    risk = services.risks.add_risk(web.id, "X", probability=2, impact=2)
    services.risks.update_risk(web.id, "R-1", impact=3)
    refused(StaleEdit, services.risks.delete_risk, web.id, "R-1", expected_version=risk.version,
            match="changed by someone else")  # fmt: skip
    deleted = services.risks.delete_risk(web.id, "R-1")
    services.risks.add_risk(web.id, "Took its key", probability=1, impact=1)
    refused(Conflict, services.risks.restore_risk, deleted, match="R-1 cannot come back")
    refused(ValidationError, services.risks.restore_risk, "R-1", match="Only a risk")
    refused(NotFound, services.risks.delete_risk, web.id, "R-9", match="no risk R-9")


def test_a_restore_clears_an_owner_who_left_the_team(
    services: Services, web: ProjectDTO, runtime: Runtime
) -> None:
    risk = services.risks.add_risk(web.id, "X", probability=2, impact=2, owner="Ana")
    deleted = services.risks.delete_risk(web.id, risk.key)
    with runtime.services.context.writer() as session:
        session.execute(delete(ProjectMember).where(ProjectMember.project_id == web.id))
        session.commit()
    restored = services.risks.restore_risk(deleted)
    assert (restored.owner_id, restored.owner) == (None, "") and restored.title == "X"
