"""Dates and times as the person's locale writes them, in the project's time zone.

Stored times are UTC. Without a usable locale (the C locale of a bare system or a test run,
whose short format reads "7 12 2026") dates are written the ISO way, 2026-12-07.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QDateTime, QLocale, QTime

from app.clock import known_zone


def _locale() -> QLocale | None:
    locale = QLocale()
    return None if locale.language() == QLocale.Language.C else locale


def time_zone(name: str | None) -> dt.tzinfo | None:
    """The zone called ``name``; None (the computer's own zone) when unknown or empty."""
    return known_zone(name)


def format_user_date(day: dt.date) -> str:
    """A date in the locale's short format (07/12/2026, 12/7/26, 2026/12/07)."""
    locale = _locale()
    if locale is None:
        return day.isoformat()
    return locale.toString(QDate(day.year, day.month, day.day), QLocale.FormatType.ShortFormat)


def format_user_time(at: dt.datetime, zone_name: str | None = None) -> str:
    """A stored (UTC) moment as date and time in the project's zone, else the computer's."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    local = at.astimezone(time_zone(zone_name))
    locale = _locale()
    if locale is None:
        return local.strftime("%Y-%m-%d %H:%M")
    moment = QDateTime(QDate(local.year, local.month, local.day), QTime(local.hour, local.minute))
    return locale.toString(moment, QLocale.FormatType.ShortFormat)


__all__ = ["format_user_date", "format_user_time", "time_zone"]
