"""The demo project ``DEMO``: the same data for the same seeding day, so that nothing is
empty on first start.

Its history is real: the seed drives the services with a fake clock that walks through
the last seven weeks, so the three closed sprints, the active one (half way through) and
their charts come from genuine history events and snapshots. The dates are relative to the
day the demo is seeded: the active sprint started about a week before it.

(~550 lines, most of them data: the demo's cards, people and sprints as tables.)
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from app.metrics.calendar import (
    default_sprint_end,
    next_working_day,
    working_day_on_or_before,
    working_days,
)
from app.models import WEEKDAYS_MON_FRI
from app.services import Services
from app.services.dto import CardDTO, ProjectDTO

DEMO_KEY = "DEMO"
SPRINT_WEEKS = 2

MEMBERS = (
    ("Ada Lovelace", "Tech lead"),
    ("Grace Hopper", "Backend developer"),
    ("Alan Turing", "Backend developer"),
    ("Mei Chen", "Frontend developer"),
    ("Katherine Johnson", "QA engineer"),
)
LABELS = (
    ("backend", "#0052cc"),
    ("frontend", "#00875a"),
    ("ux", "#6554c0"),
    ("security", "#de350b"),
    ("tech-debt", "#ff991f"),
    ("infra", "#00b8d9"),
)
EPICS = (
    ("Checkout redesign", "high"),
    ("Payment provider migration", "highest"),
    ("Accessibility audit", "medium"),
)
# title, type, priority, points, assignee (index or None), labels, epic (index or None),
# column (0 To Do, 1 In Progress, 2 In Review, 3 Done), blocked reason (the card is blocked
# with it on a dated day, see PLANNING_CHANGES and BLOCKS)
CARDS: tuple[tuple, ...] = (
    ("One-page checkout form", "story", "high", 8, 3, ("frontend", "ux"), 0, 1, ""),
    ("Validate card numbers as the user types", "story", "medium", 3, 3, ("frontend",), 0, 2, ""),
    ("Show delivery costs before the payment step", "story", "medium", 5, None, ("ux",), 0, 0, ""),
    ("Guest checkout without an account", "story", "high", 8, 1, ("backend",), 0, 0, ""),
    ("Remember the last used address", "story", "low", 3, None, ("frontend",), 0, 0, ""),
    ("Order summary shows wrong VAT for 0% items", "bug", "highest", 2, 2, ("backend",), 0, 1, ""),
    ("Apple Pay button 🍏 on iOS Safari", "story", "medium", 5, 3, ("frontend",), 0, 3, ""),
    ("Spike: 3-D Secure 2 challenge flow", "spike", "high", 3, 0, ("security",), 1, 3, ""),
    (
        "Provider SDK: create payment intents",
        "story",
        "highest",
        8,
        1,
        ("backend",),
        1,
        1,
        "Waiting for sandbox credentials from the provider",
    ),
    ("Webhooks for refunds and chargebacks", "story", "high", 5, 2, ("backend",), 1, 0, ""),
    (
        "Migrate stored cards to the new vault",
        "story",
        "highest",
        13,
        1,
        ("backend", "security"),
        1,
        0,
        "",
    ),
    (
        "Dual-run old and new provider behind a flag",
        "task",
        "high",
        5,
        2,
        ("backend", "infra"),
        1,
        2,
        "",
    ),
    ("Reconcile payouts nightly", "story", "medium", 5, None, ("backend",), 1, 0, ""),
    ("Rotate API keys without downtime", "task", "high", 3, 0, ("security", "infra"), 1, 3, ""),
    ("Retry failed captures with backoff", "story", "medium", 3, 2, ("backend",), 1, 1, ""),
    (
        "Screen reader labels on the payment form",
        "story",
        "high",
        3,
        3,
        ("frontend", "ux"),
        2,
        1,
        "",
    ),
    ("Colour contrast of error messages", "bug", "medium", 1, 3, ("ux",), 2, 3, ""),
    ("Keyboard-only checkout", "story", "high", 5, None, ("frontend",), 2, 0, ""),
    ("Focus order in the address dialog", "bug", "low", 1, 4, ("frontend",), 2, 2, ""),
    ("Audit report for the accessibility team", "task", "medium", 2, 4, (), 2, 0, ""),
    ("Upgrade the database driver", "task", "medium", 2, 0, ("tech-debt", "infra"), None, 3, ""),
    (
        "Flaky end-to-end test for coupons",
        "bug",
        "medium",
        2,
        4,
        ("tech-debt",),
        None,
        1,
        "Needs a stable test environment",
    ),
    ("Remove the legacy discount engine", "task", "low", 5, None, ("tech-debt",), None, 0, ""),
    (
        "Structured logging for payment events",
        "story",
        "medium",
        3,
        2,
        ("backend", "infra"),
        None,
        2,
        "",
    ),
    ("Dashboards for checkout conversion", "story", "medium", 5, 4, ("infra",), None, 0, ""),
    ("Rate-limit the login endpoint", "story", "high", 3, 0, ("security", "backend"), None, 1, ""),
    ("Dependency audit before release", "task", "high", 1, 0, ("security",), None, 3, ""),
    ("Localised price formats (de, fr, ja)", "story", "medium", 3, 3, ("frontend",), None, 0, ""),
    ("支払い確認メールの日本語テンプレート", "story", "low", 2, 3, ("frontend",), None, 0, ""),
    ("دعم اللغة العربية في صفحة الدفع", "story", "low", 5, None, ("frontend", "ux"), None, 0, ""),
    (
        "Crash when the cart holds 100+ items",
        "bug",
        "highest",
        3,
        2,
        ("backend",),
        None,
        2,
        "Cannot reproduce without production data",
    ),
    ("Invoice PDF shows the wrong company address", "bug", "high", 1, 1, ("backend",), None, 3, ""),
    ("Cache the currency rates", "task", "medium", 2, 1, ("backend",), None, 3, ""),
    ("Onboarding tour for new merchants", "story", "low", 8, None, ("ux",), None, 0, ""),
    ("Spike: offline mode for the POS app", "spike", "low", None, None, (), None, 0, ""),
    ("Export orders as CSV", "story", "medium", 2, 4, ("backend",), None, 3, ""),
    (
        "Health check endpoint for the load balancer",
        "task",
        "medium",
        1,
        0,
        ("infra",),
        None,
        3,
        "",
    ),
    ("Password reset e-mails land in spam", "bug", "high", None, None, ("infra",), None, 0, ""),
)
# Cards finished in the closed sprints (created with the rest, before Sprint 1):
# title, type, priority, points, assignee (index), labels, epic (index or None)
HISTORY_CARDS: tuple[tuple, ...] = (
    ("Sandbox credentials for the new provider", "task", "high", 2, 0, ("infra",), 1),
    ("Spike: compare payment providers", "spike", "high", 3, 0, (), 1),
    ("Cart page loads in under a second", "story", "high", 5, 3, ("frontend",), 0),
    ("Basket total rounding error with discounts", "bug", "highest", 2, 1, ("backend",), 0),
    ("Design tokens for the checkout pages", "task", "medium", 3, 3, ("ux",), 0),
    ("Checkout events for analytics", "story", "medium", 5, 2, ("backend",), 0),
    ("Refund API for support agents", "story", "high", 5, 1, ("backend",), 1),
    ("Verify webhook signatures", "story", "highest", 3, 2, ("backend", "security"), 1),
    ("Load test the checkout API", "task", "high", 3, 4, ("infra",), 0),
    ("Payment method icons", "story", "low", 2, 3, ("frontend", "ux"), 0),
    ("Saved cards in the account page", "story", "medium", 5, 3, ("frontend",), 1),
    ("Idempotency keys for payment requests", "story", "high", 5, 1, ("backend",), 1),
    ("Alerting on failed payouts", "task", "medium", 3, 4, ("infra",), 1),
    ("Split the payments module", "task", "medium", 3, 2, ("tech-debt", "backend"), None),
)
# Added to Sprint 1 after its start (scope added): created on its third working day.
HOTFIX = ("Hotfix: duplicate order confirmation e-mails", "bug", "highest", 1, 2, ("backend",))

# The sprints, by card title. "committed" is planned before the start; "done" lists the
# cards finished during the sprint (the rest is carried over or removed, see below).
SPRINTS: tuple[dict, ...] = (
    {
        "goal": "Take a first card payment through the new provider's sandbox",
        "committed": (
            "Sandbox credentials for the new provider",
            "Spike: compare payment providers",
            "Spike: 3-D Secure 2 challenge flow",
            "Cart page loads in under a second",
            "Basket total rounding error with discounts",
            "Design tokens for the checkout pages",
            "Upgrade the database driver",
            "Checkout events for analytics",
            "Refund API for support agents",
        ),
        "not_done": ("Refund API for support agents",),
    },
    {
        "goal": "Refunds and webhooks work end to end in the sandbox",
        "committed": (
            "Refund API for support agents",
            "Apple Pay button 🍏 on iOS Safari",
            "Invoice PDF shows the wrong company address",
            "Cache the currency rates",
            "Verify webhook signatures",
            "Load test the checkout API",
            "Export orders as CSV",
            "Webhooks for refunds and chargebacks",
            "Retry failed captures with backoff",
        ),
        "not_done": ("Retry failed captures with backoff",),
        "removed": ("Webhooks for refunds and chargebacks",),
    },
    {
        "goal": "Customers can pay with a saved card; payouts are monitored",
        "committed": (
            "Retry failed captures with backoff",
            "Health check endpoint for the load balancer",
            "Dependency audit before release",
            "Colour contrast of error messages",
            "Saved cards in the account page",
            "Idempotency keys for payment requests",
            "Alerting on failed payouts",
            "Split the payments module",
            "Validate card numbers as the user types",
            "Dual-run old and new provider behind a flag",
        ),
        "not_done": (
            "Validate card numbers as the user types",
            "Dual-run old and new provider behind a flag",
        ),
    },
    {
        "goal": "Dual-run the new provider in production for 10% of the traffic",
        "committed": (
            "One-page checkout form",
            "Order summary shows wrong VAT for 0% items",
            "Rotate API keys without downtime",
            "Focus order in the address dialog",
            "Flaky end-to-end test for coupons",
            "Structured logging for payment events",
            "Rate-limit the login endpoint",
        ),
        "not_done": (),
    },
)
# Sprint 4's board after its first week: title -> column index (unlisted cards: To Do).
ACTIVE_PROGRESS = {
    "Rotate API keys without downtime": 3,
    "Structured logging for payment events": 3,
    "Order summary shows wrong VAT for 0% items": 3,
    "Validate card numbers as the user types": 2,
    "Dual-run old and new provider behind a flag": 2,
    "Focus order in the address dialog": 2,
    "Crash when the cart holds 100+ items": 2,
    "One-page checkout form": 1,
    "Flaky end-to-end test for coupons": 1,
    "Rate-limit the login endpoint": 1,
}
# Why the cards of CARDS with a reason are blocked; they are blocked on a dated day (BLOCKS).
BLOCK_REASONS = {row[0]: row[8] for row in CARDS if row[8]}
DUAL_RUN = "Dual-run old and new provider behind a flag"
# What some cards looked like when they were written down, before PLANNING_CHANGES:
# title -> the create_card values that differ from CARDS ("assignee" a member index).
FIRST_DRAFTS: dict[str, dict[str, object]] = {
    DUAL_RUN: {"points": 3, "labels": ("backend",)},
    "Retry failed captures with backoff": {"assignee": 1},
}
# Changes made at a sprint's planning, once its cards are planned: sprint number -> (title,
# changes) in order. "labels" are names, "assignee" a member index, "due" the sprint's end,
# "blocked" blocks the card with its reason from CARDS.
PLANNING_CHANGES: dict[int, tuple[tuple[str, dict[str, object]], ...]] = {
    3: (
        (DUAL_RUN, {"points": 5}),
        (DUAL_RUN, {"labels": ("backend", "infra")}),
        ("Retry failed captures with backoff", {"assignee": 2}),
    ),
    4: (
        (DUAL_RUN, {"due": True}),
        ("Provider SDK: create payment intents", {"blocked": True}),
    ),
}
# Blocks during a sprint: sprint number -> (working day index, hour, title, reason; None
# unblocks). Every card with a reason in CARDS is still blocked with it at the end.
BLOCKS: dict[int, tuple[tuple[int, int, str, str | None], ...]] = {
    3: (
        (6, 15, DUAL_RUN, "Waiting for the feature-flag service in production"),
        (7, 11, DUAL_RUN, None),
    ),
    4: (
        (
            2,
            15,
            "Flaky end-to-end test for coupons",
            BLOCK_REASONS["Flaky end-to-end test for coupons"],
        ),
        (
            3,
            16,
            "Crash when the cart holds 100+ items",
            BLOCK_REASONS["Crash when the cart holds 100+ items"],
        ),
    ),
}
# Capacity in the active sprint: member index -> (points, days off).
CAPACITY = {0: (8, 0), 1: (5, 3), 2: (10, 0), 3: (12, 0), 4: (8, 1)}
COLUMNS = (
    ("To Do", "todo", None),
    ("In Progress", "in_progress", 8),
    ("In Review", "in_progress", 3),
    ("Done", "done", None),
)


class DemoClock:
    """A fake clock for the seed: set to a moment, it moves on by a second per reading
    (so the events of one day keep their order) and never goes back."""

    def __init__(self, start: dt.datetime) -> None:
        self._now = start

    def __call__(self) -> dt.datetime:
        moment = self._now
        self._now += dt.timedelta(seconds=1)
        return moment

    def at(self, day: dt.date, hour: int, minute: int = 0) -> None:
        moment = dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=dt.UTC)
        self._now = max(self._now, moment)


def sprint_starts(today: dt.date) -> list[dt.date]:
    """Start days of the four demo sprints: the last one about a week before ``today``,
    the others two weeks apart before it (all on working days)."""
    last = working_day_on_or_before(today - dt.timedelta(days=7), WEEKDAYS_MON_FRI, ())
    return [last - dt.timedelta(days=14 * (3 - i)) for i in range(4)]


def seed_demo(services: Services) -> ProjectDTO:
    """Create the demo project through the services (so it has real history)."""
    context = services.context
    saved_clock, saved_actor = context.clock, context.actor
    today = saved_clock().astimezone(dt.UTC).date()
    starts = sprint_starts(today)
    clock = DemoClock(
        dt.datetime.combine(starts[0] - dt.timedelta(days=7), dt.time(9), tzinfo=dt.UTC)
    )
    context.clock = clock
    context.actor = "demo"
    try:
        project = _seed(services, clock, starts)
        # The register is written today, by the tech lead, as a PM keeps it up to date.
        context.clock, context.actor = saved_clock, MEMBERS[0][0]
        _seed_risks(services, project.id, today)
        return project
    finally:
        context.clock, context.actor = saved_clock, saved_actor


def _seed(services: Services, clock: DemoClock, starts: list[dt.date]) -> ProjectDTO:
    sprints_api, board, cards_api = services.sprints, services.board, services.cards
    project = services.projects.create_project(
        DEMO_KEY, "Payments Platform (demo)", "scrum", columns=COLUMNS
    )
    columns = [c.id for c in services.workflow.list_columns(project.id)]
    members = [services.projects.add_member(project.id, n, r) for n, r in MEMBERS]
    labels = {n: services.projects.add_label(project.id, n, c).id for n, c in LABELS}
    # A public holiday inside Sprint 2: its burndown's ideal line stays flat on it.
    holiday = next_working_day(starts[1] + dt.timedelta(days=7), WEEKDAYS_MON_FRI, ())
    sprints_api.add_holiday(project.id, holiday, "Public holiday")
    holidays = {holiday}
    epics = [
        cards_api.create_card(
            project.id, title, type="epic", priority=priority, reporter_id=members[0].id
        )
        for title, priority in EPICS
    ]

    def create(
        title: str,
        kind: str,
        prio: str,
        points: object,
        who: object,
        tags: tuple,
        epic: object,
        sprint_id: int | None = None,
    ) -> CardDTO:
        return cards_api.create_card(
            project.id,
            title,
            type=kind,
            priority=prio,
            points=points,
            assignee_id=members[who].id if isinstance(who, int) else None,
            reporter_id=members[0].id,
            parent_id=epics[epic].id if isinstance(epic, int) else None,
            label_ids=[labels[t] for t in tags],
            sprint_id=sprint_id,
        )

    # Backlog refinement, the week before Sprint 1: every card is written down, estimated
    # and, where someone already owns it, assigned (the 'created' event records all that).
    # Nothing is blocked yet: blocks come on their own dated days, so the history (and the
    # sprint reports computed from it) says when.
    by_title: dict[str, int] = {}
    for title, kind, prio, points, who, tags, epic, _column, _reason in CARDS:
        draft = FIRST_DRAFTS.get(title, {})
        by_title[title] = create(
            title,
            kind,
            prio,
            draft.get("points", points),
            draft.get("assignee", who),
            tuple(draft.get("labels", tags)),  # type: ignore[arg-type]
            epic,
        ).id
    for title, kind, prio, points, who, tags, epic in HISTORY_CARDS:
        by_title[title] = create(title, kind, prio, points, who, tags, epic).id

    def edit(title: str, changes: dict[str, object], sprint_end: dt.date) -> None:
        values = dict(changes)
        if "labels" in values:
            values["label_ids"] = [labels[t] for t in values.pop("labels")]  # type: ignore[attr-defined]
        if "assignee" in values:
            values["assignee_id"] = members[values.pop("assignee")].id  # type: ignore[index]
        if values.pop("due", False):
            values["due_date"] = sprint_end
        if values.get("blocked"):
            values["blocked_reason"] = BLOCK_REASONS[title]
        card = cards_api.get_card(by_title[title])
        cards_api.update_card(card.id, values, expected_version=card.version)

    def block(title: str, reason: str | None) -> None:
        card = cards_api.get_card(by_title[title])
        changes: dict[str, object] = {"blocked": reason is not None}
        if reason is not None:
            changes["blocked_reason"] = reason
        cards_api.update_card(card.id, changes, expected_version=card.version)

    def move(title: str, column: int) -> None:
        board.move_card(by_title[title], columns[column])

    def work(title: str, days: list[dt.date], begin: int, end: int, to: int = 3) -> list:
        """Steps taking a card from To Do to column ``to``, spread over days[begin..end]."""
        end = max(begin, min(end, len(days) - 1))
        mid = (begin + end) // 2
        steps = [
            (days[begin], 10, "move", title, 1),
            (days[mid], 14, "move", title, 2),
            (days[end], 16, "move", title, 3),
        ]
        return steps[:to]

    sprint_ids: list[int] = []
    previous_days: list[dt.date] = []
    for number, start in enumerate(starts, 1):
        plan = SPRINTS[number - 1]
        end = default_sprint_end(start, WEEKDAYS_MON_FRI, holidays, SPRINT_WEEKS)
        days = working_days(start, end, WEEKDAYS_MON_FRI, holidays)
        # Planning: the sprint is created during the previous one (or a week before).
        planning_day = days[0] - dt.timedelta(days=3) if number == 1 else previous_days[-1]
        clock.at(planning_day, 10)
        sprint = sprints_api.create_sprint(
            project.id, f"{DEMO_KEY} Sprint {number}", plan["goal"], start, end
        )
        sprint_ids.append(sprint.id)
        for title in plan["committed"]:
            card = cards_api.get_card(by_title[title])
            if card.sprint_id is None:
                sprints_api.plan_card(card.id, sprint.id)
        for title, changes in PLANNING_CHANGES.get(number, ()):
            edit(title, changes, end)
        if number > 1:
            clock.at(planning_day, 16, 30)
            sprints_api.complete_sprint(sprint_ids[-2], carry_over="next")
        if number == 4:
            for index, (points, off) in CAPACITY.items():
                sprints_api.set_capacity(sprint.id, members[index].id, points=points, days_off=off)
        clock.at(days[0], 9, 30)
        sprints_api.start_sprint(sprint.id)
        # (day, hour, action, card title, the column index of a move or a block's reason)
        steps: list[tuple[dt.date, int, str, str, int | str | None]] = []
        if number < 4:
            left = set(plan["not_done"]) | set(plan.get("removed", ()))
            finished = [t for t in plan["committed"] if t not in left]
            last = len(days) - 1
            for i, title in enumerate(finished):
                done_at = 2 + (i * (last - 2)) // max(len(finished) - 1, 1)
                steps += work(title, days, max(0, done_at - 3), done_at)
            for i, title in enumerate(plan["not_done"]):
                steps += work(title, days, 4 + i * 2, last, to=2)
        if number == 1:
            steps.append((days[2], 11, "add hotfix", HOTFIX[0], 0))
            steps += work(HOTFIX[0], days, 3, 4)
        if number == 2:
            steps.append((days[4], 15, "re-estimate", "Load test the checkout API", 0))
            steps.append((days[5], 11, "remove", "Webhooks for refunds and chargebacks", 0))
        if number == 3:
            steps.append((days[3], 9, "plan", "Payment method icons", 0))
            steps += work("Payment method icons", days, 3, 6)
        if number == 4:
            # First week of the active sprint only: the seeding day is in its second week.
            week = days[:5]
            for i, (title, column) in enumerate(ACTIVE_PROGRESS.items()):
                card = cards_api.get_card(by_title[title])
                if card.column_id == columns[column]:
                    continue
                begin = min(i // 2, 2)
                steps += work(title, week, begin, begin + 2, to=column)
            steps.append((week[1], 11, "plan", "Crash when the cart holds 100+ items", 0))
        steps += [
            (days[day], hour, "block", title, reason)
            for day, hour, title, reason in BLOCKS.get(number, ())
        ]
        steps.sort(key=lambda s: (s[0], s[1]))
        for day, hour, what, title, column in steps:
            clock.at(day, hour)
            if what == "add hotfix":
                _title, kind, prio, points, who, tags = HOTFIX
                # Written straight into the sprint, as a person does with New card.
                by_title[title] = create(
                    title, kind, prio, points, who, tags, None, sprint_id=sprint.id
                ).id
            elif what == "re-estimate":
                card = cards_api.get_card(by_title[title])
                cards_api.update_card(card.id, {"points": 5}, expected_version=card.version)
            elif what == "remove":
                sprints_api.plan_card(by_title[title], None)
            elif what == "plan":
                sprints_api.plan_card(by_title[title], sprint.id)
            elif what == "block":
                assert column is None or isinstance(column, str)
                block(title, column)
            else:
                assert isinstance(column, int)
                card = cards_api.get_card(by_title[title])
                if columns.index(card.column_id) < column:  # cards only move forward here
                    move(title, column)
        previous_days = days
    _seed_time(services, project.id, members, by_title, starts, holidays)
    _seed_conversations(services, project.id, by_title, days[:5])
    _seed_plans(services, project.id, [e.id for e in epics], by_title, starts)
    return services.projects.find_project(DEMO_KEY)


# name, days after the active sprint starts (on a working day, else the one before; 13 is
# its last day), epics (index) in its scope. The first comes at the end of the active sprint
# with most of its epic still open, so the Timeline shows it at risk; the others leave the
# team's throughput time enough.
DEMO_MILESTONES = (
    ("Checkout live", 13, (0,), "The redesigned checkout for every shopper."),
    ("Provider cut-over", 33, (1,), "All payments through the new provider; the old one off."),
    ("Accessibility sign-off", 61, (2,), "WCAG 2.1 AA audit passed on the payment pages."),
)
# blocker, blocked: the new provider's SDK comes before guest checkout and the dual run;
# the new checkout form before its screen reader labels.
DEMO_DEPENDENCIES = (
    ("Provider SDK: create payment intents", "Guest checkout without an account"),
    ("Provider SDK: create payment intents", "Dual-run old and new provider behind a flag"),
    ("Migrate stored cards to the new vault", "Dual-run old and new provider behind a flag"),
    ("One-page checkout form", "Screen reader labels on the payment form"),
)


def _seed_plans(
    services: Services,
    project_id: int,
    epic_ids: list[int],
    by_title: dict[str, int],
    starts: list[dt.date],
) -> None:
    """Milestones linked to the demo's epics and a few dependencies, so the Timeline has
    something true to show on first start."""
    for name, days, epics, description in DEMO_MILESTONES:
        day = working_day_on_or_before(starts[-1] + dt.timedelta(days=days), WEEKDAYS_MON_FRI, ())
        services.plans.add_milestone(
            project_id, name, day, description, scope=[epic_ids[i] for i in epics]
        )
    for blocker, blocked in DEMO_DEPENDENCIES:
        services.plans.link(by_title[blocker], by_title[blocked])


# The risk register: title, P, I, residual P, I (None: no response planned yet), owner
# (MEMBERS index), status, proximity (days from today; None: none), schedule days, cost
# impact, epics (EPICS indexes), milestones (DEMO_MILESTONES indexes), response, trigger,
# description. One is past its proximity date and still open (flagged overdue), one closed.
DEMO_RISKS: tuple[tuple, ...] = (
    ("Payment provider sandbox not ready", 4, 5, 2, 4, 1, "open", -3, 8, "6000", (1,), (1,),
     "Build against a mock of the provider's API; weekly check-in with their team",
     "No sandbox keys two weeks before the cut-over", ""),
    ("Checkout conversion drops after the redesign", 3, 4, 2, 3, 3, "mitigating", 21, 3,
     None, (0,), (0,), "A/B test behind a flag; keep the old flow for one release",
     "Conversion down 5% in the A/B test", "The new flow adds a step for guests."),
    ("Accessibility findings need a rework of the forms", 3, 3, None, None, 4, "open", 30,
     None, None, (2,), (2,), "Audit the forms first, before the visual polish", "", ""),
    ("Only one person knows the deployment scripts", 3, 5, 1, 5, 0, "mitigating", None,
     None, None, (), (), "Pair on every release; write the runbook", "", ""),
    ("Card data in the logs (PCI)", 2, 5, None, None, 2, "closed", None, None, None,
     (), (), "Log scrubbing middleware", "", ""),
    ("Load test hardware arrives late", 2, 2, None, None, None, "open", 10, None, "800",
     (), (), "Rent cloud capacity for the test week", "", ""),
)  # fmt: skip


def _seed_risks(services: Services, project_id: int, today: dt.date) -> None:
    """The demo's risk register (app/services/risks.py), linked to its epics and
    milestones, so the Risks page, the forecasts and the status report have risks to show."""
    keys = {c.title: c.key for c in services.cards.list_cards(project_id) if c.type == "epic"}
    epics = [keys[title] for title, _priority in EPICS]
    for (
        title, p, i, rp, ri, owner, status, days, schedule, cost, on_epics, on_milestones,
        response, trigger, description,
    ) in DEMO_RISKS:  # fmt: skip
        services.risks.add_risk(
            project_id,
            title,
            probability=p,
            impact=i,
            residual_probability=rp,
            residual_impact=ri,
            owner=None if owner is None else MEMBERS[owner][0],
            status=status,
            proximity=None if days is None else today + dt.timedelta(days=days),
            schedule_days=schedule,
            cost_impact=cost,
            epics=[epics[e] for e in on_epics],
            milestones=[DEMO_MILESTONES[m][0] for m in on_milestones],
            response=response,
            trigger=trigger,
            description=description,
        )


# Hourly rates (EUR) of MEMBERS from a week before Sprint 1; Ada's rise from Sprint 3 on.
DEMO_RATES = ("95.00", "85.00", "85.00", "80.00", "72.50")
DEMO_RAISE = (0, "105.00")
DEMO_BUDGET = "120000.00"
# Epic budgets (EUR), and the release that earned value is read for on the Budget page.
DEMO_EPIC_BUDGETS = (("Checkout redesign", "15000.00"), ("Payment provider migration", "16000.00"))
DEMO_RELEASE = (
    "Payments launch",
    5,
    "60000.00",
    ("Checkout redesign", "Payment provider migration"),
)


def _seed_time(
    services: Services,
    project_id: int,
    members: list[Any],
    by_title: dict[str, int],
    starts: list[dt.date],
    holidays: set[dt.date],
) -> None:
    """Rates, a budget (the project's, two epics', a release's) and work logs over the
    closed sprints (app/services/time.py):
    on each working day each person logs 2 to 5 hours on one of the sprint's cards they are
    assigned, in turn; the same every time."""
    from dataclasses import replace
    from decimal import Decimal

    settings = services.projects.get_project_settings(project_id)
    services.projects.update_project_settings(
        project_id, replace(settings, budget=Decimal(DEMO_BUDGET), currency="EUR")
    )
    keys = {c.title: c.key for c in services.cards.list_cards(project_id) if c.type == "epic"}
    for title, amount in DEMO_EPIC_BUDGETS:
        services.budget.set_epic_budget(project_id, keys[title], amount)
    name, sprints, bac, epics = DEMO_RELEASE
    services.budget.add_release(project_id, name, sprints, bac, [keys[t] for t in epics])
    time = services.time
    first = starts[0] - dt.timedelta(days=7)
    for member, rate in zip(members, DEMO_RATES, strict=True):
        time.set_rate(member.id, rate, first)
    time.set_rate(members[DEMO_RAISE[0]].id, DEMO_RAISE[1], starts[2])
    for number, start in enumerate(starts[:3], 1):
        end = default_sprint_end(start, WEEKDAYS_MON_FRI, holidays, SPRINT_WEEKS)
        days = working_days(start, end, WEEKDAYS_MON_FRI, holidays)
        titles = list(SPRINTS[number - 1]["committed"])
        cards = [services.cards.get_card(by_title[t]) for t in titles if t in by_title]
        for index, member in enumerate(members):
            theirs = [c for c in cards if c.assignee_id == member.id]
            if not theirs:
                continue
            for i, day in enumerate(days):
                card = theirs[i % len(theirs)]
                hours = 2 + (i + index) % 4
                minutes = hours * 60 - (30 if (i + index) % 3 == 0 else 0)
                time.add_log(card.id, member.id, minutes, day, "")


# The team's conversation on the active sprint's cards, in its first week: (working day
# index, hour, minute, author, card title, text). Said by whoever CONVERSATION_EDITS and the
# standup below name; Alan writes nothing after the standup (his turn shows his cards).
CONVERSATION: tuple[tuple[int, int, int, str, str, str], ...] = (
    (
        0,
        11,
        0,
        "Grace Hopper",
        "Provider SDK: create payment intents",
        "Pinged the provider's account manager again: they promise the sandbox keys by "
        "**Wednesday**.",
    ),
    (
        1,
        14,
        20,
        "Ada Lovelace",
        "Provider SDK: create payment intents",
        "@Grace Hopper if it slips again, let's stub the intents API so the checkout form "
        "is not blocked as well.",
    ),
    (
        2,
        10,
        5,
        "Mei Chen",
        "One-page checkout form",
        "First cut is on staging. Still missing:\n\n- the error states\n- the saved-address picker",
    ),
    (
        3,
        16,
        30,
        "Alan Turing",
        "Crash when the cart holds 100+ items",
        "Only happens with production-sized catalogues. @Katherine Johnson could you attach "
        "the steps from the support ticket?",
    ),
    (
        4,
        9,
        0,
        "Katherine Johnson",
        "Crash when the cart holds 100+ items",
        "Steps are in the ticket: add 120 items from the bulk-order page, then open the cart. "
        "It needs a real merchant's catalogue; I asked ops for an anonymised dump.",
    ),
    (
        4,
        11,
        40,
        "Mei Chen",
        "Dual-run old and new provider behind a flag",
        "Checked the flag on staging: at 0% every payment still goes to the old provider. "
        "Looks good to me.",
    ),
)
# Comments changed by their author a little later: index in CONVERSATION -> (minutes
# later, the new text). The card then says "edited".
CONVERSATION_EDITS: dict[int, tuple[int, str]] = {
    0: (
        6,
        "Pinged the provider's account manager again: they promise the sandbox keys by "
        "**Thursday** (not Wednesday, their release moved).",
    ),
}
# The standup held on the week's last day, before the conversation's last comments: its
# start is "since the last standup" for the activity feed and the next standup.
STANDUP_DAY, STANDUP_AT, STANDUP_MINUTES = 4, (9, 15), 14
STANDUP_HOST, STANDUP_ABSENT = "Ada Lovelace", ("Grace Hopper",)


def _seed_conversations(
    services: Services, project_id: int, by_title: dict[str, int], week: list[dt.date]
) -> None:
    """Comments (an @mention, one edited) and a past standup with its summary, so the
    Comments tab, the activity feed and the standup mode show something true on first start.
    Its own clock: the board's seeding has moved past these days already."""
    context = services.context
    saved_clock, saved_actor = context.clock, context.actor
    clock = DemoClock(dt.datetime.combine(week[0], dt.time(8), tzinfo=dt.UTC))
    context.clock = clock
    standup_day, (hour, minute) = week[STANDUP_DAY], STANDUP_AT
    standup_at = dt.datetime.combine(standup_day, dt.time(hour, minute), tzinfo=dt.UTC)
    held = False
    try:
        for index, (day, hour, minute, author, title, text) in enumerate(CONVERSATION):
            moment = dt.datetime.combine(week[day], dt.time(hour, minute), tzinfo=dt.UTC)
            if not held and moment > standup_at:
                _hold_standup(services, project_id, clock, standup_at)
                held = True
            context.actor = author
            clock.at(week[day], hour, minute)
            comment = services.comments.add(by_title[title], text)
            if index in CONVERSATION_EDITS:
                later, new_text = CONVERSATION_EDITS[index]
                clock.at(week[day], hour, minute + later)
                services.comments.edit(comment.id, new_text)
        if not held:
            _hold_standup(services, project_id, clock, standup_at)
    finally:
        context.clock, context.actor = saved_clock, saved_actor


def _hold_standup(services: Services, project_id: int, clock: DemoClock, at: dt.datetime) -> None:
    """The standup at ``at``, ended with the summary the standup mode writes (the same
    headings), from what the team's board said at that moment."""
    context = services.context
    context.actor = STANDUP_HOST
    clock.at(at.date(), at.hour, at.minute)
    standup = services.standups.start(project_id)
    data = services.standup_data.for_team(project_id)
    turns = [p for p in data.people if p.member.display_name not in STANDUP_ABSENT]
    spoke = [(p.member.display_name, 100 + 37 * (i % 3)) for i, p in enumerate(turns)]
    total = sum(seconds for _name, seconds in spoke)
    lines = [
        f"# Standup — Payments Platform (demo), {data.today.isoformat()}",
        "",
        f"The first standup (the last 24 hours). {len(turns)} people in "
        f"{total // 60}:{total % 60:02d}; absent: {', '.join(STANDUP_ABSENT)}.",
        "",
        "## Finished",
    ]
    lines += [
        f"- {m.card_key} {m.title} ({p.member.display_name})" for p in turns for m in p.finished
    ] or ["- nothing"]
    lines += ["", "## Blocked"]
    lines += [
        f"- {c.card.key} {c.card.title} ({p.member.display_name}): {c.card.blocked_reason}"
        for p in turns
        for c in p.blocked
    ] or ["- nothing"]
    lines += ["", "## Nothing in progress"]
    lines += [
        f"- {p.member.display_name}" for p in turns if not p.in_progress and not p.blocked
    ] or ["- everyone has work in progress"]
    lines += ["", "## Too much in progress (more than 3)"]
    lines += [
        f"- {p.member.display_name}: {len(p.in_progress)} cards"
        for p in turns
        if len(p.in_progress) > 3
    ] or ["- nobody"]
    lines += ["", "## Who spoke"]
    lines += [f"- {name}: {seconds // 60}:{seconds % 60:02d}" for name, seconds in spoke]
    clock.at(at.date(), at.hour, at.minute + STANDUP_MINUTES)
    services.standups.end(standup.id, "\n".join(lines) + "\n")
