"""Dates in the person's locale, times in the project's time zone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QLocale

from app.ui.dates import format_user_date, format_user_time, time_zone

MOMENT = dt.datetime(2026, 12, 7, 15, 5, tzinfo=dt.UTC)


@pytest.fixture
def locale() -> Iterator[None]:
    saved = QLocale()
    yield
    QLocale.setDefault(saved)


def test_the_c_locale_writes_iso_dates(locale: None) -> None:
    QLocale.setDefault(QLocale.c())
    assert format_user_date(dt.date(2026, 12, 7)) == "2026-12-07"
    assert format_user_time(MOMENT, "UTC") == "2026-12-07 15:05"


@pytest.mark.parametrize(
    ("name", "date", "moment"),
    [("en_GB", "07/12/2026", "07/12/2026 16:05"), ("ja_JP", "2026/12/07", "2026/12/07 16:05")],
)
def test_a_locale_writes_its_short_format(locale: None, name: str, date: str, moment: str) -> None:
    QLocale.setDefault(QLocale(name))
    assert format_user_date(dt.date(2026, 12, 7)) == date
    assert format_user_time(MOMENT, "Europe/Berlin") == moment


def test_times_are_shown_in_the_project_zone_else_the_computers(locale: None) -> None:
    QLocale.setDefault(QLocale.c())
    assert format_user_time(MOMENT, "Asia/Tokyo") == "2026-12-08 00:05"
    naive = MOMENT.replace(tzinfo=None)  # stored times are UTC
    assert format_user_time(naive, "Asia/Tokyo") == "2026-12-08 00:05"
    local = MOMENT.astimezone().strftime("%Y-%m-%d %H:%M")
    assert format_user_time(MOMENT, None) == local
    assert format_user_time(MOMENT, "Not/AZone") == local
    assert time_zone("") is None and time_zone("Not/AZone") is None
