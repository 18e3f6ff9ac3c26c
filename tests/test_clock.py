"""One helper for a project's time zone and "today" (app/clock.py)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from app.clock import known_zone, local_date, project_zone, today_in
from app.services import Services


def test_a_known_zone_an_unknown_one_and_none() -> None:
    assert project_zone("Europe/Berlin") == ZoneInfo("Europe/Berlin")
    assert project_zone("Mars/Olympus") is dt.UTC
    assert project_zone("") is dt.UTC and project_zone(None) is dt.UTC
    assert project_zone(dt.UTC) is dt.UTC
    assert known_zone("Mars/Olympus") is None and known_zone("") is None


def test_today_is_counted_in_the_project_zone() -> None:
    late = dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC)
    assert today_in("UTC", late) == dt.date(2026, 3, 1)
    assert today_in("Europe/Berlin", late) == dt.date(2026, 3, 2)
    assert today_in("America/New_York", late) == dt.date(2026, 3, 1)
    assert local_date(late.replace(tzinfo=None), "Europe/Berlin") == dt.date(2026, 3, 2)


def test_the_service_answers_today_by_its_clock(services: Services) -> None:
    services.context.clock = lambda: dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC)
    assert services.projects.today("Asia/Tokyo") == dt.date(2026, 3, 2)
    assert services.projects.today(None) == dt.date(2026, 3, 1)
