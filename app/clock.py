"""The project's time zone and "today": one helper for the services, the metrics and the UI.

A project names its zone (``Project.time_zone``, an IANA name such as "Europe/Berlin"); days
(a sprint's working days, a chart's range, a report's "days left") are counted in it. An
unknown or empty name counts in UTC, so a database from another machine still opens. No Qt,
no SQLAlchemy: the first paint, the metrics and the widgets may import it. The current time
itself comes from the services' clock (``ServiceContext.clock``; the UI asks
``services.projects.today(...)``), so tests can set it.
"""

from __future__ import annotations

import datetime as dt


def _named(name: str) -> dt.tzinfo | None:
    # zoneinfo (with sysconfig, which it reads for the zone path) is imported when a zone
    # is first named, not with this module: a UTC project's first paint never needs it.
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def known_zone(name: str | None) -> dt.tzinfo | None:
    """The zone called ``name``; None when the name is empty or unknown."""
    return _named(name) if name else None


def project_zone(zone: str | dt.tzinfo | None) -> dt.tzinfo:
    """A project's zone by name (a zone given as one is returned as is); UTC when unknown."""
    if isinstance(zone, dt.tzinfo):
        return zone
    return known_zone(zone) or dt.UTC


def local_date(when: dt.datetime, zone: str | dt.tzinfo | None) -> dt.date:
    """The day ``when`` falls on in the project's zone (a naive time is taken as UTC)."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    # "UTC" names no offset and no rule: the same day as ZoneInfo("UTC") gives, without
    # loading the zone database.
    return when.astimezone(dt.UTC if zone == "UTC" else project_zone(zone)).date()


def today_in(zone: str | dt.tzinfo | None, now: dt.datetime) -> dt.date:
    """Today in the project's zone, at the moment ``now`` (the services' clock)."""
    return local_date(now, zone)


__all__ = ["known_zone", "local_date", "project_zone", "today_in"]
