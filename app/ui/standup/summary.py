"""The standup's summary as Markdown: what was finished, what is blocked and by whom, who
has nothing in progress or too much. Plain text from the standup's data (no Qt), so it is
the same on the clipboard, in the exported file and in the standup's stored summary."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.words import plural

if TYPE_CHECKING:
    from app.services.standup_data import PersonStandup, StandupData

DEFAULT_TOO_MUCH = 3  # more cards in progress than this is "too much"


@dataclass(frozen=True)
class StandupFacts:
    """What the summary says, as values (the summary view and the tests read these)."""

    finished: tuple[tuple[str, str, str], ...]  # (key, title, who)
    blocked: tuple[tuple[str, str, str, str], ...]  # (key, title, who, reason)
    idle: tuple[str, ...]  # present, nothing in progress or blocked
    overloaded: tuple[tuple[str, int], ...]  # (who, cards in progress)


def minutes_seconds(seconds: float) -> str:
    """ "2:05" for 125 seconds (the timers and the summary)."""
    whole = max(int(seconds), 0)
    return f"{whole // 60}:{whole % 60:02d}"


def facts(
    data: StandupData, present: Sequence[int], too_much: int = DEFAULT_TOO_MUCH
) -> StandupFacts:
    """The summary's facts about the people present, in the order they spoke."""
    people: dict[int, PersonStandup] = {p.member.id: p for p in data.people}
    turns = [people[i] for i in present if i in people]
    return StandupFacts(
        finished=tuple(
            (m.card_key, m.title, p.member.display_name) for p in turns for m in p.finished
        ),
        blocked=tuple(
            (s.card.key, s.card.title, p.member.display_name, s.card.blocked_reason)
            for p in turns
            for s in p.blocked
        ),
        idle=tuple(p.member.display_name for p in turns if not p.in_progress and not p.blocked),
        overloaded=tuple(
            (p.member.display_name, len(p.in_progress))
            for p in turns
            if len(p.in_progress) > too_much
        ),
    )


def summary_markdown(
    project_name: str,
    day: dt.date,
    since_text: str,
    data: StandupData,
    present: Sequence[int],
    absent: Sequence[str],
    spoke: Mapping[int, float],
    total_seconds: float,
    too_much: int = DEFAULT_TOO_MUCH,
) -> str:
    """The standup's summary (Markdown), for the clipboard, a file and the stored summary."""
    f = facts(data, present, too_much)
    names = {p.member.id: p.member.display_name for p in data.people}
    lines = [
        f"# Standup — {project_name}, {day.isoformat()}",
        "",
        f"{since_text}. {plural(len(present), 'person', 'people')} in "
        f"{minutes_seconds(total_seconds)}"
        + (f"; absent: {', '.join(absent)}." if absent else "."),
        "",
        "## Finished",
    ]
    lines += [f"- {key} {title} ({who})" for key, title, who in f.finished] or ["- nothing"]
    lines += ["", "## Blocked"]
    lines += [
        f"- {key} {title} ({who})" + (f": {reason}" if reason else "")
        for key, title, who, reason in f.blocked
    ] or ["- nothing"]
    lines += ["", "## Nothing in progress"]
    lines += [f"- {who}" for who in f.idle] or ["- everyone has work in progress"]
    lines += ["", f"## Too much in progress (more than {too_much})"]
    lines += [f"- {who}: {count} cards" for who, count in f.overloaded] or ["- nobody"]
    lines += ["", "## Who spoke"]
    lines += [f"- {names.get(i, '?')}: {minutes_seconds(spoke.get(i, 0))}" for i in present]
    return "\n".join(lines) + "\n"


__all__ = ["DEFAULT_TOO_MUCH", "StandupFacts", "facts", "minutes_seconds", "summary_markdown"]
