"""What an import may read, and what of a file's content can be stored.

Import files come from other programs, and sometimes from someone who wants to break the
program reading them. Every importer (Trello, Jira CSV, a Sprintdeck export) reads through
:func:`read_source` and :func:`load_json`, and puts text, estimates and dates through a
:class:`Cleaner` before anything reaches the database:

* only regular files are read (a FIFO without a writer would block forever, ``/dev/zero``
  never ends), and at most :data:`MAX_IMPORT_BYTES` of them;
* JSON nested deeper than Python's parser can follow, numbers of thousands of digits and
  ``NaN`` are refused with one line, not a traceback;
* what the services would refuse from a person (control characters, lone surrogates, points
  over 1,000, dates outside 1970-2199) is cleaned and counted; the counts become the lines of
  the import summary, so nothing is changed silently.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import stat
import unicodedata
from collections import Counter
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from app.errors import ValidationError
from app.services.validation import DATE_MAX, DATE_MIN, HOURS_MAX, POINTS_MAX
from app.words import plural

MAX_IMPORT_BYTES = 200 * 1024 * 1024
MESSAGE_MAX = 299  # a refusal is one line a person reads, never a dump of the file
TEXT_MAX = 100_000  # descriptions and comments, as the card service allows

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # Unicode category Cc, exactly
# A terminal command (ESC [ 31 m, OSC ... BEL, their one-byte C1 forms) is removed whole,
# not only its ESC: what is left of it ("[31m") is not text either.
_ESCAPE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)"
    r"|\x1b[@-Z\\^_]"
)
_CONTROL_IN_BLOCK = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # Cc but newline and tab
_LINE_BREAKS = re.compile(r"[\t\n\r]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)(?:[eE][+-]?[0-9]{1,6})?")
_HALF = Decimal("0.5")


class ImportRefused(ValidationError):
    """The file is not what was expected (wrong kind, damaged, hostile); nothing was written.

    The message is kept to one line under 300 characters, whatever the file holds.
    """

    def __init__(self, message: str) -> None:
        message = " ".join(message.split())
        if not message.isprintable():  # a name or value quoted raw: shown escaped, never run
            message = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in message)
        if len(message) > MESSAGE_MAX:
            message = message[: MESSAGE_MAX - 1] + "…"
        super().__init__(message)


def shown(value: object, limit: int = 60) -> str:
    """A value quoted in a message: its repr (control characters escaped), cut with …."""
    try:
        text = repr(value)
    except ValueError:  # an int of more than 4,300 digits
        return "a number of thousands of digits"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def shown_name(path: str | Path) -> str:
    """A file's name as a message names it: short, and on one line."""
    name = Path(path).name
    if name.isprintable() and len(name) <= 60:
        return name
    return shown(name)


def json_type(value: object) -> str:
    """What a JSON value is, in JSON's words (for "should be a list, not a string")."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    return "an object"


# --- reading ------------------------------------------------------------------------------------


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f} MB"


def read_source(path: str | Path, expected: str) -> bytes:
    """The bytes of a regular file of at most MAX_IMPORT_BYTES, or ImportRefused.

    The file is opened without blocking and checked on the open descriptor, so a FIFO (which
    would wait for a writer) or a device (``/dev/zero`` never ends) is refused before a single
    byte is read, even if the name was swapped after a first look.
    """
    name = shown_name(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise ImportRefused(f"Cannot read {name}: {reason}.") from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ImportRefused(
                f"{name} is {_kind(info.st_mode)}, not a file; only regular files are imported."
            )
        if info.st_size > MAX_IMPORT_BYTES:
            raise ImportRefused(
                f"{name} is {_megabytes(info.st_size)}; Sprintdeck imports files of up to "
                f"{_megabytes(MAX_IMPORT_BYTES)}."
            )
        chunks: list[bytes] = []
        total = 0
        while True:  # the file may grow while it is read: never past the limit
            chunk = os.read(fd, 1024 * 1024)
            if not chunk:
                break
            total += len(chunk)
            if total > MAX_IMPORT_BYTES:
                raise ImportRefused(
                    f"{name} is larger than {_megabytes(MAX_IMPORT_BYTES)}, the most Sprintdeck "
                    "imports."
                )
            chunks.append(chunk)
    except OSError as exc:
        raise ImportRefused(f"Cannot read {name}: {exc.strerror or exc}.") from exc
    finally:
        os.close(fd)
    return b"".join(chunks)


def read_text(path: str | Path, expected: str) -> str:
    """The file's text as UTF-8 (a byte-order mark is allowed); other encodings, binary and
    empty files are refused saying what they are."""
    data = read_source(path, expected)
    name = shown_name(path)
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise ImportRefused(
            f"{name} is UTF-16 text; expected {expected} in UTF-8. "
            "Save or export it again as UTF-8."
        )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data.strip():
        raise ImportRefused(f"{name} is empty; expected {expected}.")
    sample = data[:8000]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if b"\x00" in sample:
            raise ImportRefused(
                f"{name} is a binary file (it holds NUL bytes), not text; expected {expected}."
            ) from exc
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise ImportRefused(
            f"{name} is not UTF-8 text (byte 0x{data[exc.start]:02x} at line {line}, "
            f"column {column}); expected {expected} in UTF-8."
        ) from exc
    if sample.count(0) > len(sample) // 10:  # UTF-8 in form only: zeros, UTF-16 without BOM
        raise ImportRefused(
            f"{name} is a binary file (it holds NUL bytes), not text; expected {expected}."
        )
    return text


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def load_json(text: str, path: str | Path, expected: str) -> Any:
    """Parse JSON, refusing what Python's parser turns into tracebacks: nesting deeper than
    it can follow, integers of thousands of digits, NaN and Infinity."""
    name = shown_name(path)
    try:
        return json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise ImportRefused(
            f"{name} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
            f"expected {expected}. Is the file complete?"
        ) from exc
    except RecursionError as exc:
        raise ImportRefused(
            f"{name} is nested too deeply (lists or objects inside each other hundreds of "
            f"levels down); expected {expected}."
        ) from exc
    except ValueError as exc:  # "Exceeds the limit (4300 digits)", NaN, Infinity
        what = "NaN or Infinity" if "JSON number" in str(exc) else "a number of thousands of digits"
        raise ImportRefused(
            f"{name} holds {what}, which no export writes; expected {expected}."
        ) from exc
    except MemoryError as exc:
        raise ImportRefused(f"{name} is too large to read in the memory available.") from exc


# --- cleaning -----------------------------------------------------------------------------------


class Cleaner:
    """Makes a file's values storable the way the services would accept them from a person,
    and counts each change; :meth:`lines` says what was changed, for the import summary."""

    def __init__(self) -> None:
        self.notes: Counter[tuple[str, str]] = Counter()

    def note(self, kind: str, noun: str = "", count: int = 1) -> None:
        self.notes[(kind, noun)] += count

    def _common(self, text: str, noun: str) -> str:
        if _SURROGATE.search(text):
            text = _SURROGATE.sub("", text)
            self.note("invalid", noun)
        return unicodedata.normalize("NFC", text)

    def line(self, value: str, noun: str, limit: int) -> str:
        """One line of text as the file has it (leading and trailing spaces kept): tabs and
        line breaks become spaces, other control characters and lone surrogates are removed,
        and it is cut at ``limit`` characters."""
        text = self._common(value, noun)
        if _CONTROL.search(text):
            text = _CONTROL.sub("", _LINE_BREAKS.sub(" ", _ESCAPE.sub("", text)))
            self.note("control", noun)
        if len(text) > limit:
            text = text[:limit]
            self.note(f"cut:{limit}", noun)
        return text

    def block(self, value: str, noun: str, limit: int = TEXT_MAX) -> str:
        """Multi-line text (a description, a comment): newlines and tabs kept, CRLF as LF."""
        text = self._common(value, noun).replace("\r\n", "\n")
        if _CONTROL_IN_BLOCK.search(text):
            text = _CONTROL_IN_BLOCK.sub("", _ESCAPE.sub("", text).replace("\r", "\n"))
            self.note("control", noun)
        if len(text) > limit:
            text = text[:limit]
            self.note(f"cut:{limit}", noun)
        return text

    def points(self, value: object) -> Decimal | None:
        """Story points as the card service takes them (0 to 1,000 in steps of 0.5); anything
        else is dropped, and a value between the steps is rounded to the nearest half."""
        if value is None:
            return None
        text = str(value).strip()
        if not text:
            return None
        if not _NUMBER.fullmatch(text):
            self.note("points:nan")
            return None
        try:
            number = Decimal(text.replace(",", "."))
        except (InvalidOperation, ValueError):
            self.note("points:nan")
            return None
        if number < 0:
            self.note("points:negative")
            return None
        if number > POINTS_MAX:
            self.note("points:high")
            return None
        if number % _HALF:
            number = max(_HALF, (number / _HALF).quantize(Decimal(1)) * _HALF)
            self.note("points:rounded")
        return number.quantize(Decimal("0.1"))

    def hours(self, value: Decimal | None) -> Decimal | None:
        if value is None:
            return None
        if value > HOURS_MAX:
            self.note("hours:high")
            return None
        return value.quantize(Decimal("0.01"))

    def moment(self, value: dt.datetime | None) -> dt.datetime | None:
        """A time in UTC inside the range the services accept (1970-2199), else dropped."""
        if value is None:
            return None
        if not DATE_MIN <= value.date() <= DATE_MAX:
            self.note("date:range")
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)

    def lines(self) -> tuple[str, ...]:
        out = []
        for (kind, noun), n in sorted(self.notes.items(), key=_note_order):
            out.append(_note_line(kind, noun, n))
        return tuple(out)


_NOTE_ORDER = (
    "control",
    "invalid",
    "cut",
    "empty",
    "points:high",
    "points:negative",
    "points:nan",
    "points:rounded",
    "hours:high",
    "hours:bad",
    "date:range",
    "date:unknown",
)


def _note_order(item: tuple[tuple[str, str], int]) -> tuple[int, str, str]:
    (kind, noun), _n = item
    head = "cut" if kind.startswith("cut:") else kind
    return (_NOTE_ORDER.index(head) if head in _NOTE_ORDER else 99, noun, kind)


def _note_line(kind: str, noun: str, n: int) -> str:
    if kind == "control":
        return f"{plural(n, noun)} had control characters removed."
    if kind == "invalid":
        return f"{plural(n, noun)} had invalid characters (lone surrogates) removed."
    if kind.startswith("cut:"):
        return f"{plural(n, noun)} cut to {int(kind[4:]):,} characters."
    if kind == "empty":
        return f"{plural(n, 'empty ' + noun)} named (untitled)."
    if kind == "points:high":
        return f"{plural(n, 'estimate')} over {POINTS_MAX:,} points dropped."
    if kind == "points:negative":
        return f"{plural(n, 'negative estimate')} dropped."
    if kind == "points:nan":
        return (
            "1 estimate that is not a number dropped."
            if n == 1
            else (f"{n} estimates that are not numbers dropped.")
        )
    if kind == "points:rounded":
        return f"{plural(n, 'estimate')} rounded to the nearest half point."
    if kind == "hours:high":
        return f"{plural(n, 'time estimate')} over {HOURS_MAX:,} hours dropped."
    if kind == "hours:bad":
        return f"{plural(n, 'time estimate')} not in whole seconds dropped."
    if kind == "date:range":
        return f"{plural(n, 'date')} outside {DATE_MIN.year}–{DATE_MAX.year} dropped."
    if kind == "date:unknown":
        return f"{plural(n, 'date')} in no format Sprintdeck knows dropped."
    return f"{n} × {kind} {noun}".strip() + "."
