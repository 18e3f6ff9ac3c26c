"""Input checks shared by services. Each raises ValidationError with a readable message."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from app.errors import ValidationError

TITLE_MAX = 500
NAME_MAX = 200
POINTS_MAX = Decimal("1000")
HOURS_MAX = Decimal("10000")
KEY_PATTERN = re.compile(r"^[A-Z][A-Z0-9]{1,9}$")
COLOR_PATTERN = re.compile(r"^#[0-9a-fA-F]{6}$")
DATE_MIN = dt.date(1970, 1, 1)
DATE_MAX = dt.date(2199, 12, 31)


def _shown(value: object) -> str:
    """A value as shown in a message: its repr, cut short so huge input stays readable."""
    text = repr(value)
    return text if len(text) <= 60 else text[:59] + "…"


def clean_text(value: object, what: str, max_length: int, required: bool = True) -> str:
    """Strip, NFC-normalise and refuse control characters; newlines only where multi-line."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError(f"The {what} must be text.")
    text = unicodedata.normalize("NFC", value).strip()
    if required and not text:
        raise ValidationError(f"The {what} cannot be empty.")
    if len(text) > max_length:
        raise ValidationError(
            f"The {what} is {len(text)} characters long; at most {max_length} are allowed."
        )
    if any(unicodedata.category(ch) == "Cc" for ch in text):
        raise ValidationError(f"The {what} contains control characters (such as tabs or NUL).")
    if any(unicodedata.category(ch) == "Cs" for ch in text):
        raise ValidationError(f"The {what} is not valid text (it holds a lone surrogate).")
    return text


def clean_multiline(value: object, what: str, max_length: int = 100_000) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError(f"The {what} must be text.")
    text = unicodedata.normalize("NFC", value).replace("\r\n", "\n").strip()
    if len(text) > max_length:
        raise ValidationError(f"The {what} is too long (at most {max_length} characters).")
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\t" for ch in text):
        raise ValidationError(f"The {what} contains control characters.")
    if any(unicodedata.category(ch) == "Cs" for ch in text):
        raise ValidationError(f"The {what} is not valid text (it holds a lone surrogate).")
    return text


def clean_title(value: object) -> str:
    return clean_text(value, "title", TITLE_MAX)


def clean_key(value: object) -> str:
    if not isinstance(value, str) or not KEY_PATTERN.match(value):
        raise ValidationError(
            f"The project key {_shown(value)} is not valid: use 2 to 10 upper-case letters or "
            "digits, starting with a letter (for example SD or WEB2)."
        )
    return value


def _decimal(value: object, what: str) -> Decimal:
    if isinstance(value, bool):
        raise ValidationError(f"The {what} must be a number.")
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError(f"The {what} must be a number, not {_shown(value)}.") from exc
    if not number.is_finite():
        raise ValidationError(f"The {what} must be a finite number.")
    return number


def clean_points(value: object) -> Decimal | None:
    """Story points: empty for 'not estimated', else 0 to 1000 in steps of 0.5."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number = _decimal(value, "story points")
    if number < 0:
        raise ValidationError("Story points cannot be negative.")
    if number > POINTS_MAX:
        raise ValidationError(f"{number} story points is too many; at most {POINTS_MAX}.")
    if (number * 2) % 1 != 0:
        raise ValidationError("Story points go in steps of 0.5 (for example 0.5, 1, 2, 3, 5).")
    return number.quantize(Decimal("0.1"))


def clean_hours(value: object, what: str) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number = _decimal(value, what)
    if number < 0:
        raise ValidationError(f"The {what} cannot be negative.")
    if number > HOURS_MAX:
        raise ValidationError(f"The {what} is too large (at most {HOURS_MAX} hours).")
    return number.quantize(Decimal("0.01"))


def clean_wip_limit(value: object) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValidationError("The WIP limit must be a whole number.")
    try:
        number = int(value)
    except ValueError as exc:
        raise ValidationError(
            f"The WIP limit must be a whole number, not {_shown(value)}."
        ) from exc
    if number < 0:
        raise ValidationError("The WIP limit cannot be negative.")
    if number > 999:
        raise ValidationError("The WIP limit is too large (at most 999).")
    return number or None  # 0 means "no limit"


def clean_choice(value: object, allowed: tuple[str, ...], what: str) -> str:
    if not isinstance(value, str) or value.lower() not in allowed:
        raise ValidationError(
            f"Unknown {what} {_shown(value)}; choose one of: {', '.join(allowed)}."
        )
    return value.lower()


def clean_color(value: object) -> str:
    if not isinstance(value, str) or not COLOR_PATTERN.match(value):
        raise ValidationError(f"The colour {_shown(value)} is not of the form #RRGGBB.")
    return value.lower()


def clean_date(value: object, what: str) -> dt.date | None:
    """A date between DATE_MIN and DATE_MAX (a sprint's end plus a day, a calendar walk,
    must never run past the year 9999 that Python's dates end with)."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value.strip())
        except ValueError as exc:
            raise ValidationError(
                f"The {what} {_shown(value)} is not a date (YYYY-MM-DD)."
            ) from exc
    else:
        raise ValidationError(f"The {what} must be a date.")
    if not DATE_MIN <= day <= DATE_MAX:
        raise ValidationError(
            f"The {what} {day.isoformat()} is out of range "
            f"({DATE_MIN.isoformat()} to {DATE_MAX.isoformat()})."
        )
    return day


CURRENCY_PATTERN = re.compile(r"^[A-Z]{3}$")
MONEY_MAX = Decimal("999999999999.99")  # Numeric(14, 2)
HOURS_PER_DAY_MAX = Decimal("24")
ALL_WEEKDAYS = 0b1111111


def clean_time_zone(value: object) -> str:
    """An IANA time zone name that this computer's zone database knows (Europe/Berlin)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = clean_text(value, "time zone", 64)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValidationError(
            f"Unknown time zone {_shown(name)}; use an IANA name such as Europe/Berlin or UTC."
        ) from None
    return name


def clean_currency(value: object) -> str:
    """Three letters (ISO 4217, such as EUR), stored upper-case."""
    if not isinstance(value, str) or not CURRENCY_PATTERN.match(value.strip().upper()):
        raise ValidationError(
            f"The currency {_shown(value)} is not valid: use three letters such as EUR or USD."
        )
    return value.strip().upper()


def clean_money(value: object, what: str) -> Decimal | None:
    """An amount of money: empty for none, else 0 or more with at most two decimals."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number = _decimal(value, what)
    if number < 0:
        raise ValidationError(f"The {what} cannot be negative.")
    if number > MONEY_MAX:
        raise ValidationError(f"The {what} is too large (at most {MONEY_MAX:,}).")
    if number != number.quantize(Decimal("0.01")):
        raise ValidationError(f"The {what} has at most two decimals (cents).")
    return number.quantize(Decimal("0.01"))


def clean_weekdays(value: object) -> int:
    """Working weekdays as a bit mask (bit 0 Monday ... bit 6 Sunday), at least one day."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= ALL_WEEKDAYS:
        raise ValidationError(
            f"The working weekdays {_shown(value)} are not a set of days (a mask 1 to 127)."
        )
    if value == 0:
        raise ValidationError("Choose at least one working weekday.")
    return value


def clean_hours_per_day(value: object) -> Decimal:
    """A person's working hours per day in a project: 0 to 24, in hundredths."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValidationError("The hours per day cannot be empty (0 to 24).")
    number = _decimal(value, "hours per day")
    if not 0 <= number <= HOURS_PER_DAY_MAX:
        raise ValidationError(f"The hours per day must be from 0 to 24, not {number}.")
    if number != number.quantize(Decimal("0.01")):
        raise ValidationError("The hours per day have at most two decimals.")
    return number.quantize(Decimal("0.01"))
