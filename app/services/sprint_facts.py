"""The sprint facts: one home for what a sprint committed to, completed, completed outside
it, added, removed and re-estimated, and for the velocity built from them.

(One module of ~700 lines on purpose: the snapshot rules, the live rules and the velocity
are one set of definitions, read together; split, they would drift into two answers.)

The sprint service (its snapshots, summaries and the sprint list), the sprint report and the
charts all read these functions, so a figure is worked out once and the report, the velocity
chart, the burndown's guideline and ``sprintdeck sprint list --json`` cannot disagree. The
definitions follow Jira Software's sprint report and velocity chart (docs/metrics.md):

* the **commitment** is every card in the sprint when it starts that is not done yet, at its
  estimate then. A card already done at the start is recorded in the start snapshot with the
  marker :data:`DONE_AT_START` and is not part of the commitment;
* **completed** cards are in the sprint at its close (or now) in a done column, and count with
  their estimate at the close. A card in the sprint that was not done *by this sprint* - done
  when the sprint started, or already done when it was added - is **completed outside the
  sprint**: listed, never counted as completed (nor as committed);
* **added** cards joined the sprint after its start; **removed** cards were in it after the
  start and not at the close, committed or added (a card added and removed again is both);
* an estimate **changed after the start** runs from the one at the start (or when the card
  joined) to the one at the close (or when it left).

Closed sprints are read from their snapshots (the history before the close fills in when a
card was added and its first estimate); an active sprint is worked out live, by the same code
that writes the outcome snapshot at the close.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.metrics import velocity as velocity_metrics
from app.metrics.velocity import VelocitySeries, VelocitySprint
from app.models import Card, HistoryEvent, Sprint, SprintSnapshot, WorkflowColumn

ZERO = Decimal("0")
COMMITMENT = "commitment"
OUTCOME = "outcome"
# The start snapshot's marker for a card that was in the sprint when it started and already
# done: kept so the close can list it as completed outside the sprint, never committed.
DONE_AT_START = "completed_outside"
COMPLETED = "completed"
NOT_COMPLETED = "not_completed"
REMOVED = "removed"
COMPLETED_OUTSIDE = "completed_outside"
IN_SCOPE = (COMPLETED, NOT_COMPLETED)
# A sprint report's velocity trend shows this many sprints, the reported one last.
TREND = 7


@dataclass(frozen=True, slots=True)
class CardFact:
    """One card's place in a sprint's figures."""

    card_id: int
    committed: bool  # in the commitment: in the sprint at the start, not done
    done_at_start: bool  # in the sprint at the start and already done
    added_at: dt.datetime | None  # when it joined after the start (UTC); None: there at the start
    points_committed: Decimal | None  # in the commitment snapshot
    points_initial: Decimal | None  # at the start, or when it joined
    points_final: Decimal | None  # at the close (or now); for a removed card, when it left
    outcome: str  # COMPLETED, NOT_COMPLETED (still in the sprint), REMOVED, COMPLETED_OUTSIDE
    destination: str | None  # where it went: "backlog", a sprint's name, or "archived"

    @property
    def added_after_start(self) -> bool:
        return self.added_at is not None

    @property
    def re_estimated(self) -> bool:
        """Its estimate changed between the start (or joining) and the close (or leaving)."""
        return self.points_initial != self.points_final

    @property
    def in_scope(self) -> bool:
        """In the sprint at the close (or now) and part of its work: completed or not."""
        return self.outcome in IN_SCOPE


@dataclass(frozen=True, slots=True)
class SprintFacts:
    """Every card a started sprint's figures speak of, and the two velocity figures."""

    sprint_id: int
    state: str
    started_at: dt.datetime | None
    as_of: dt.datetime | None  # the close, or the moment an active sprint was read
    cards: tuple[CardFact, ...]

    def by_outcome(self, *outcomes: str) -> tuple[CardFact, ...]:
        return tuple(c for c in self.cards if c.outcome in outcomes)

    @property
    def committed_points(self) -> Decimal:
        return _sum(c.points_committed for c in self.cards if c.committed)

    @property
    def committed_count(self) -> int:
        return sum(1 for c in self.cards if c.committed)

    @property
    def completed_points(self) -> Decimal:
        return _sum(c.points_final for c in self.by_outcome(COMPLETED))

    @property
    def added(self) -> tuple[CardFact, ...]:
        """Cards that joined after the start (a card that came in already done is completed
        outside the sprint instead: it is no scope of this sprint)."""
        return tuple(
            c for c in self.cards if c.added_after_start and c.outcome != COMPLETED_OUTSIDE
        )

    @property
    def removed(self) -> tuple[CardFact, ...]:
        return self.by_outcome(REMOVED)


def _sum(values: Iterable[Decimal | None]) -> Decimal:
    total = ZERO
    for value in values:
        if value is not None:
            total += value
    return total


def utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


# --- the snapshots -----------------------------------------------------------------------


def start_rows(session: Session, sprint_id: int) -> dict[int, SprintSnapshot]:
    """The start snapshot: commitment rows and DONE_AT_START rows, by card."""
    return {
        s.card_id: s
        for s in session.scalars(
            select(SprintSnapshot)
            .where(SprintSnapshot.sprint_id == sprint_id, SprintSnapshot.kind == COMMITMENT)
            .order_by(SprintSnapshot.id)
        )
    }


def outcome_rows(session: Session, sprint_id: int) -> dict[int, SprintSnapshot]:
    return {
        s.card_id: s
        for s in session.scalars(
            select(SprintSnapshot)
            .where(SprintSnapshot.sprint_id == sprint_id, SprintSnapshot.kind == OUTCOME)
            .order_by(SprintSnapshot.id)
        )
    }


def is_committed(row: SprintSnapshot) -> bool:
    """A start-snapshot row of the commitment (not the marker of a card done at the start)."""
    return row.outcome != DONE_AT_START


def commitment_points(session: Session, sprint_id: int) -> Decimal:
    """The commitment: the points of the start snapshot's commitment rows."""
    return _sum(
        session.scalars(
            select(SprintSnapshot.points).where(
                SprintSnapshot.sprint_id == sprint_id,
                SprintSnapshot.kind == COMMITMENT,
                _committed_clause(),
            )
        )
    )


def commitment_count(session: Session, sprint_id: int) -> int:
    return len(
        list(
            session.scalars(
                select(SprintSnapshot.id).where(
                    SprintSnapshot.sprint_id == sprint_id,
                    SprintSnapshot.kind == COMMITMENT,
                    _committed_clause(),
                )
            )
        )
    )


def _committed_clause():  # type: ignore[no-untyped-def]
    return (SprintSnapshot.outcome.is_(None)) | (SprintSnapshot.outcome != DONE_AT_START)


def start_snapshot(
    session: Session, sprint_id: int, cards: Sequence[Card], categories: dict[int, str]
) -> None:
    """Write the start snapshot of ``cards`` (the sprint's live non-epic cards): the ones not
    done are the commitment; the done ones are marked DONE_AT_START."""
    for c in cards:
        done = categories.get(c.column_id) == "done"
        session.add(
            SprintSnapshot(
                sprint_id=sprint_id,
                kind=COMMITMENT,
                card_id=c.id,
                points=c.points,
                outcome=DONE_AT_START if done else None,
            )
        )


def outcome_snapshot(session: Session, facts: SprintFacts, carried_to: str | None) -> list[int]:
    """Write the outcome snapshot of a sprint being closed from its live ``facts``; the cards
    not completed go to ``carried_to`` ("backlog" or a sprint's name). Returns their ids."""
    unfinished = []
    for c in facts.cards:
        destination = c.destination
        if c.outcome == NOT_COMPLETED:
            destination = carried_to
            unfinished.append(c.card_id)
        session.add(
            SprintSnapshot(
                sprint_id=facts.sprint_id,
                kind=OUTCOME,
                card_id=c.card_id,
                points=c.points_final,
                outcome=c.outcome,
                destination=destination,
            )
        )
    return unfinished


# --- the facts -----------------------------------------------------------------------------


def sprint_facts(session: Session, sprint: Sprint, now: dt.datetime) -> SprintFacts:
    """The facts of ``sprint``: from its snapshots once closed, live (up to ``now``) while
    active; a planned sprint has none yet."""
    if sprint.state == "planned" or sprint.started_at is None:
        return SprintFacts(sprint.id, sprint.state, None, None, ())
    started = utc(sprint.started_at)
    start = start_rows(session, sprint.id)
    if sprint.state == "closed":
        return _closed(session, sprint, started, start)
    return _live(session, sprint, started, start, utc(now))


def sprint_totals(session: Session, sprint: Sprint, now: dt.datetime) -> tuple[Decimal, Decimal]:
    """(commitment, completed) of a sprint: what its velocity bar, the sprint list and the
    report show. A closed sprint's come straight from its snapshots."""
    if sprint.state == "planned":
        return ZERO, ZERO
    if sprint.state == "closed":
        completed = _sum(
            session.scalars(
                select(SprintSnapshot.points).where(
                    SprintSnapshot.sprint_id == sprint.id,
                    SprintSnapshot.kind == OUTCOME,
                    SprintSnapshot.outcome == COMPLETED,
                )
            )
        )
        return commitment_points(session, sprint.id), completed
    if sprint.started_at is None:
        return ZERO, ZERO
    return commitment_points(session, sprint.id), _live_completed(session, sprint)


def closed_sprints(session: Session, project_id: int) -> list[Sprint]:
    """The project's closed sprints, oldest first (by end date, then close time)."""
    closed = list(
        session.scalars(
            select(Sprint).where(Sprint.project_id == project_id, Sprint.state == "closed")
        )
    )
    never = dt.datetime.min.replace(tzinfo=dt.UTC)

    def when(s: Sprint) -> tuple[dt.date, dt.datetime, int]:
        closed_at = utc(s.closed_at) if s.closed_at else never
        return (s.end_date or closed_at.date(), closed_at, s.id)

    closed.sort(key=when)
    return closed


def velocity_rows(
    session: Session, sprints: Iterable[Sprint], now: dt.datetime
) -> list[VelocitySprint]:
    """Commitment against completed of each sprint, in the order given: the one definition
    the velocity chart, the planning velocity and the report's velocity trend share."""
    rows = []
    for s in sprints:
        committed, completed = sprint_totals(session, s, now)
        rows.append(VelocitySprint(s.id, s.name, s.start_date, s.end_date, committed, completed))
    return rows


def project_velocity(
    session: Session, project_id: int, now: dt.datetime, last: int = velocity_metrics.HISTORY
) -> VelocitySeries:
    """The velocity chart's series: the last ``last`` closed sprints, oldest first, and the
    planning velocity (the average completed of the last three). ChartService.velocity and
    SprintService.velocity both give this."""
    closed = closed_sprints(session, project_id)[-last:]
    return velocity_metrics.velocity(velocity_rows(session, closed, now), last=last)


def planning_history(session: Session, sprint: Sprint, now: dt.datetime) -> tuple[Decimal, ...]:
    """Completed points of the last closed sprints (at most the planning window) that started
    before ``sprint``, oldest first: what its capacity plan's velocity averages."""
    closed = [
        s
        for s in closed_sprints(session, sprint.project_id)
        if s.id != sprint.id
        and (sprint.start_date is None or s.start_date is None or s.start_date < sprint.start_date)
    ]
    rows = velocity_rows(session, closed[-velocity_metrics.WINDOW :], now)
    return tuple(r.completed for r in rows)


def average(values: Sequence[Decimal]) -> Decimal | None:
    """The planning velocity of these completed points (None for none), to one decimal."""
    return (_sum(values) / len(values)).quantize(Decimal("0.1")) if values else None


def sprint_trend(
    session: Session,
    sprint: Sprint,
    committed: Decimal,
    completed: Decimal,
    now: dt.datetime,
    shown: int = TREND,
) -> VelocitySeries:
    """The velocity trend of ``sprint``'s report: the closed sprints up to it (before it in
    close order once it is closed; started no later than it while it runs), at most
    ``shown`` in all, and the sprint itself last with the given totals, named "(so far)"
    while it runs. The planning velocity averages the last three *closed* ones (the running
    sprint's figures are not final), and ``window`` is how many that is."""
    closed = closed_sprints(session, sprint.project_id)
    if sprint.state == "closed":
        closed = closed[: [s.id for s in closed].index(sprint.id)]
    else:
        closed = [
            s
            for s in closed
            if s.start_date is None
            or sprint.start_date is None
            or s.start_date <= sprint.start_date
        ]
    earlier = closed[-(shown - 1) :] if shown > 1 else []
    active = sprint.state == "active"
    rows = [
        *velocity_rows(session, earlier, now),
        VelocitySprint(
            sprint.id,
            sprint.name + (" (so far)" if active else ""),
            sprint.start_date,
            sprint.end_date,
            committed,
            completed,
        ),
    ]
    final = rows[:-1] if active else rows
    window = max(1, min(velocity_metrics.WINDOW, len(final)))
    series = velocity_metrics.velocity(rows, last=len(rows), window=window)
    planning = average([r.completed for r in final][-velocity_metrics.WINDOW :])
    return dataclasses.replace(series, planning=planning)


def committed_ids(sprint_id: int) -> Select:
    """The ids of the cards in the sprint's snapshots (a subquery for the burndown)."""
    return select(SprintSnapshot.card_id).where(SprintSnapshot.sprint_id == sprint_id)


def carried_over(session: Session, sprint_id: int) -> set[int]:
    """The cards the close carried over (the outcome snapshot's not completed)."""
    return set(
        session.scalars(
            select(SprintSnapshot.card_id).where(
                SprintSnapshot.sprint_id == sprint_id,
                SprintSnapshot.kind == OUTCOME,
                SprintSnapshot.outcome == NOT_COMPLETED,
            )
        )
    )


# --- building ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Step:
    """A card's state right after one history event."""

    at: dt.datetime
    in_sprint: bool  # in this sprint and not archived
    done: bool
    points: Decimal | None
    archived: bool
    sprint_name: str | None  # the sprint it is in after the event ("after" of a sprint change)


def _steps(
    session: Session, sprint_id: int, card_ids: Iterable[int], until: dt.datetime | None
) -> dict[int, list[_Step]]:
    ids = list(card_ids)
    result: dict[int, list[_Step]] = defaultdict(list)
    if not ids:
        return result
    query = (
        select(
            HistoryEvent.card_id,
            HistoryEvent.at,
            HistoryEvent.sprint_id_after,
            HistoryEvent.category_after,
            HistoryEvent.points_after,
            HistoryEvent.archived_after,
            HistoryEvent.after,
        )
        .where(HistoryEvent.card_id.in_(ids))
        .order_by(HistoryEvent.at, HistoryEvent.id)
    )
    for card_id, at, sprint_after, category, points, archived, after in session.execute(query):
        when = utc(at)
        if until is not None and when > until:
            continue
        name = (after or {}).get("sprint") if isinstance(after, dict) else None
        result[card_id].append(
            _Step(
                when,
                sprint_after == sprint_id and not archived,
                category == "done",
                points,
                bool(archived),
                name if isinstance(name, str) else None,
            )
        )
    return result


def _joined(steps: list[_Step], started: dt.datetime) -> _Step | None:
    """The event by which a card not in the start snapshot first entered the sprint at or
    after its start (the last entry, should none be dated so)."""
    inside = False
    entries = []
    for step in steps:
        if step.in_sprint and not inside:
            entries.append(step)
        inside = step.in_sprint
    for step in entries:
        if step.at >= started:
            return step
    return entries[-1] if entries else None


def _entered_after(steps: list[_Step], started: dt.datetime) -> bool:
    """The card entered the sprint after its start (an event strictly later: one at the
    start's instant is planning, as for the burndown)."""
    inside = False
    for step in steps:
        if step.in_sprint and not inside and step.at > started:
            return True
        inside = step.in_sprint
    return False


def _left(steps: list[_Step]) -> tuple[Decimal | None, str | None] | None:
    """(points, destination) when the card last left the sprint, None if it never did."""
    inside = False
    found = None
    for step in steps:
        if inside and not step.in_sprint:
            found = (step.points, "archived" if step.archived else step.sprint_name or "backlog")
        inside = step.in_sprint
    return found


def _done_outcome(marker: object, steps: list[_Step], started: dt.datetime) -> str:
    """COMPLETED or COMPLETED_OUTSIDE for a card in the sprint and done now; ``marker`` is
    its start-snapshot row's outcome (None: committed) or ``_ABSENT`` (added later). A
    committed card is completed; a card done at the start only if it was reopened and
    finished again after the start; a card added after the start only if it was finished in
    the sprint (not already done when it came in)."""
    if marker is None or (marker is not _ABSENT and marker != DONE_AT_START):
        return COMPLETED
    after = None if marker is _ABSENT else started
    return COMPLETED if _done_here(steps, after) else COMPLETED_OUTSIDE


_ABSENT = object()  # not in the start snapshot


def _live_completed(session: Session, sprint: Sprint) -> Decimal:
    """Completed points of an active sprint: what :func:`_live` counts, reading the
    history of only the done cards not in the commitment (the sprint list asks often)."""
    assert sprint.started_at is not None
    started = utc(sprint.started_at)
    done = session.execute(
        select(Card.id, Card.points)
        .join(WorkflowColumn, WorkflowColumn.id == Card.column_id)
        .where(
            Card.sprint_id == sprint.id,
            Card.archived.is_(False),
            Card.type != "epic",
            WorkflowColumn.category == "done",
        )
    ).all()
    if not done:
        return ZERO
    markers: dict[int, object] = dict(
        session.execute(
            select(SprintSnapshot.card_id, SprintSnapshot.outcome).where(
                SprintSnapshot.sprint_id == sprint.id, SprintSnapshot.kind == COMMITMENT
            )
        ).all()
    )
    doubtful = [cid for cid, _ in done if markers.get(cid, _ABSENT) is not None]
    steps = _steps(session, sprint.id, doubtful, None)
    return _sum(
        points
        for cid, points in done
        if _done_outcome(markers.get(cid, _ABSENT), steps.get(cid, []), started) == COMPLETED
    )


def _done_here(steps: list[_Step], after: dt.datetime | None) -> bool:
    """The card's current done spell began with the card in this sprint (and, when
    ``after`` is given, later than it). Without any history: True."""
    done = False
    began: _Step | None = None
    for step in steps:
        if step.done and not done:
            began = step
        done = step.done
    if not done or began is None:
        return True
    return began.in_sprint and (after is None or began.at > after)


def _live(
    session: Session,
    sprint: Sprint,
    started: dt.datetime,
    start: dict[int, SprintSnapshot],
    now: dt.datetime,
) -> SprintFacts:
    categories = dict(
        session.execute(
            select(WorkflowColumn.id, WorkflowColumn.category).where(
                WorkflowColumn.project_id == sprint.project_id
            )
        ).all()
    )
    live = {
        c.id: c
        for c in session.scalars(
            select(Card).where(
                Card.sprint_id == sprint.id, Card.archived.is_(False), Card.type != "epic"
            )
        )
    }
    visited = set(
        session.scalars(
            select(HistoryEvent.card_id)
            .join(Card, Card.id == HistoryEvent.card_id)
            .where(HistoryEvent.sprint_id_after == sprint.id, Card.type != "epic")
            .distinct()
        )
    )
    ids = set(start) | set(live) | visited
    # The live state is the cards as they are, so their whole history is read (a test's
    # clock may stand before the last event); a closed sprint reads up to its close.
    steps = _steps(session, sprint.id, ids, None)
    others = {c.id: c for c in session.scalars(select(Card).where(Card.id.in_(ids - set(live))))}
    facts = []
    for cid in sorted(ids):
        row = start.get(cid)
        committed = row is not None and is_committed(row)
        done_at_start = row is not None and not committed
        history = steps.get(cid, [])
        added_at = None
        initial = row.points if row is not None else None
        if row is None:
            joined = _joined(history, started)
            if cid not in live and not _entered_after(history, started):
                continue  # left again during planning, or never really in it
            added_at = joined.at if joined is not None else started
            if joined is not None:
                initial = joined.points
            elif cid in live:
                initial = live[cid].points
        card = live.get(cid)
        if card is not None:
            points = card.points
            if categories.get(card.column_id) != "done":
                outcome = NOT_COMPLETED
            else:
                marker = _ABSENT if row is None else row.outcome
                outcome = _done_outcome(marker, history, started)
            destination = None
        else:
            left = _left(history)
            other = others.get(cid)
            if left is not None:
                points, destination = left
            else:
                points = other.points if other is not None else initial
                destination = "archived" if other is not None and other.archived else None
            outcome = REMOVED
        facts.append(
            CardFact(
                card_id=cid,
                committed=committed,
                done_at_start=done_at_start,
                added_at=added_at,
                points_committed=row.points if committed and row is not None else None,
                points_initial=initial,
                points_final=points,
                outcome=outcome,
                destination=destination,
            )
        )
    return SprintFacts(sprint.id, sprint.state, started, now, tuple(facts))


def _closed(
    session: Session, sprint: Sprint, started: dt.datetime, start: dict[int, SprintSnapshot]
) -> SprintFacts:
    closed_at = utc(sprint.closed_at) if sprint.closed_at is not None else None
    outcome = outcome_rows(session, sprint.id)
    ids = set(start) | set(outcome)
    steps = _steps(session, sprint.id, ids, closed_at)
    facts = []
    for cid in sorted(ids):
        row = start.get(cid)
        out = outcome.get(cid)
        committed = row is not None and is_committed(row)
        history = steps.get(cid, [])
        added_at = None
        initial = row.points if row is not None else None
        if row is None:
            joined = _joined(history, started)
            added_at = joined.at if joined is not None else started
            if joined is not None:
                initial = joined.points
            elif out is not None:
                initial = out.points
        if out is None:  # in the commitment, missing from the outcome: count it as removed
            result, points, destination = REMOVED, row.points if row else None, None
        else:
            result, points, destination = out.outcome or REMOVED, out.points, out.destination
        if result == COMPLETED_OUTSIDE and committed:
            # Earlier versions wrote this for a committed card that left the sprint and was
            # done elsewhere; Jira lists such a card as removed.
            result = REMOVED
        if result == REMOVED and destination is None:
            left = _left(history)
            if left is not None:
                destination = left[1]
        facts.append(
            CardFact(
                card_id=cid,
                committed=committed,
                done_at_start=row is not None and not committed,
                added_at=added_at,
                points_committed=row.points if committed and row is not None else None,
                points_initial=initial,
                points_final=points,
                outcome=result,
                destination=destination,
            )
        )
    return SprintFacts(sprint.id, sprint.state, started, closed_at, tuple(facts))


__all__ = [
    "COMMITMENT",
    "COMPLETED",
    "COMPLETED_OUTSIDE",
    "DONE_AT_START",
    "NOT_COMPLETED",
    "OUTCOME",
    "REMOVED",
    "TREND",
    "CardFact",
    "SprintFacts",
    "average",
    "carried_over",
    "closed_sprints",
    "commitment_count",
    "commitment_points",
    "committed_ids",
    "is_committed",
    "outcome_rows",
    "outcome_snapshot",
    "planning_history",
    "project_velocity",
    "sprint_facts",
    "sprint_totals",
    "sprint_trend",
    "start_rows",
    "start_snapshot",
    "utc",
    "velocity_rows",
]
