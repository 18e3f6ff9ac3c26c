"""The demo project ``DEMO``: the same data every time, so that nothing is empty on first start."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from app.services import Services
from app.services.dto import ProjectDTO

DEMO_KEY = "DEMO"
DEMO_START = dt.datetime(2026, 10, 5, 8, 30, tzinfo=dt.UTC)

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
# column (0 To Do, 1 In Progress, 2 In Review, 3 Done), blocked reason
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
COLUMNS = (
    ("To Do", "todo", None),
    ("In Progress", "in_progress", 8),
    ("In Review", "in_progress", 3),
    ("Done", "done", None),
)


def _clock() -> Iterator[dt.datetime]:
    moment = DEMO_START
    while True:
        yield moment
        moment += dt.timedelta(minutes=37)


def seed_demo(services: Services) -> ProjectDTO:
    """Create the demo project through the services (so it has real history)."""
    context = services.context
    saved_clock, saved_actor = context.clock, context.actor
    ticks = _clock()
    context.clock = lambda: next(ticks)
    context.actor = "demo"
    try:
        project = services.projects.create_project(
            DEMO_KEY, "Payments Platform (demo)", "scrum", columns=COLUMNS
        )
        columns = services.workflow.list_columns(project.id)
        members = [services.projects.add_member(project.id, n, r) for n, r in MEMBERS]
        labels = {n: services.projects.add_label(project.id, n, c).id for n, c in LABELS}
        epics = [
            services.cards.create_card(
                project.id, title, type="epic", priority=priority, reporter_id=members[0].id
            )
            for title, priority in EPICS
        ]
        for title, kind, prio, points, who, tags, epic, column, reason in CARDS:
            card = services.cards.create_card(
                project.id,
                title,
                type=kind,
                priority=prio,
                points=points,
                assignee_id=members[who].id if who is not None else None,
                reporter_id=members[0].id,
                parent_id=epics[epic].id if epic is not None else None,
                label_ids=[labels[t] for t in tags],
                blocked=bool(reason),
                blocked_reason=reason,
            )
            # Walk the card through the workflow so its history looks like real work.
            for step in range(1, column + 1):
                card = services.board.move_card(card.id, columns[step].id)
        return project
    finally:
        context.clock, context.actor = saved_clock, saved_actor
