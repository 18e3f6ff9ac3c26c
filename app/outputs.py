"""Where Sprintdeck may write a file it was asked to write (``-o FILE``, Save as…), and how.

Every export, report and backup goes through :func:`check_output` first and, where it
writes the bytes itself, :func:`replace_file`:

* only regular files are written: a folder, a character device (``/dev/full``), a FIFO or a
  socket is refused with a sentence saying what it is, never replaced by a regular file;
* never the database in use, its ``-wal``, ``-shm`` or ``-journal`` files, even with
  ``--force``; any other SQLite database (recognised by its header) only with ``--force``;
* the bytes go to a temporary file in the same folder, are flushed to disk (fsync) and
  renamed over the target (:func:`replace_file`), so a full disk or a crash leaves the old
  file or the new one, never half of one; a new file gets the usual permissions (0666 less
  the umask), a replaced one keeps its own.

No Qt, no SQLAlchemy: the CLI, the services and the window use the same checks.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import stat
from pathlib import Path

from app.errors import ValidationError

SQLITE_HEADER = b"SQLite format 3\x00"
NAME_MAX_BYTES = 255  # one path component on Linux, macOS and Windows' NTFS
DB_COMPANIONS = ("", "-wal", "-shm", "-journal")


def _shown(path: object) -> str:
    text = str(path)
    return text if len(text) <= 120 else text[:60] + "…" + text[-59:]


def is_sqlite_file(path: Path) -> bool:
    """True for a file that starts with SQLite's header (any SQLite database)."""
    try:
        with path.open("rb") as handle:
            return handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def check_output(
    target: str | os.PathLike[str],
    database: Path | None = None,
    force: bool = False,
    what: str = "file",
) -> Path:
    """The absolute path to write ``target`` to, or a ValidationError saying why not.

    ``database``: the SQLite file the command works on (None for a server database).
    ``force``: allow writing over another SQLite database (never over ``database``).
    """
    path = _named_path(
        target, what, f"Give a name for the {what} to write (for example -o out.json)."
    )
    if len(path.name.encode("utf-8", "surrogateescape")) > NAME_MAX_BYTES:
        raise ValidationError(
            f"The {what} name is too long ({len(path.name)} characters); "
            f"file names have at most {NAME_MAX_BYTES} bytes."
        )
    if database is not None and _same_as_database(path, database):
        raise ValidationError(
            f"{_shown(path)} is the database in use (or one of its journal "
            "files); write the output to another file."
        )
    try:
        info = path.stat()
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise ValidationError(f"Cannot write {_shown(path)}: {exc.strerror or exc}.") from exc
    if info is not None:
        if stat.S_ISDIR(info.st_mode):
            raise ValidationError(
                f"{_shown(path)} is a folder; give a file name (for example {path / 'out'})."
            )
        if not stat.S_ISREG(info.st_mode):
            kind = _kind(info.st_mode)
            raise ValidationError(
                f"{_shown(path)} is {kind}, not a regular file; Sprintdeck writes only to files."
            )
        if is_sqlite_file(path) and not force:
            raise ValidationError(
                f"{_shown(path)} is a SQLite database; Sprintdeck will not write over it "
                "(add --force if you really mean to replace it)."
            )
    parent = path.parent
    if not parent.is_dir():
        raise ValidationError(f"Cannot write {_shown(path)}: the folder {parent} does not exist.")
    if not os.access(parent, os.W_OK):
        raise ValidationError(f"Cannot write {_shown(path)}: the folder {parent} is read-only.")
    return path


def _named_path(name: str | os.PathLike[str], what: str, if_empty: str) -> Path:
    """The absolute path a person named, or a ValidationError (empty, NUL, ~nobody)."""
    text = os.fspath(name)
    if not text.strip():
        raise ValidationError(if_empty)
    if "\x00" in text:
        raise ValidationError(f"The {what} name contains a NUL character.")
    try:
        return Path(text).expanduser().absolute()
    except RuntimeError as exc:  # ~nobody/…: no such user, no home to expand
        raise ValidationError(f"Cannot find the home folder in {_shown(text)}.") from exc


def _same_as_database(path: Path, database: Path) -> bool:
    database = database.absolute()
    for suffix in DB_COMPANIONS:
        companion = database.with_name(database.name + suffix)
        if path == companion:
            return True
        with contextlib.suppress(OSError):
            if path.exists() and companion.exists() and path.samefile(companion):
                return True
    return False


def _kind(mode: int) -> str:
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


NEW_FILE_MODE = 0o666  # the kernel takes the umask off, as for any file a program creates
_ATTEMPTS = 100


def replace_file(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` atomically: a temporary file in the same folder, flushed
    to disk, then renamed over the target, so a reader (or a crash) sees the old file or the
    new one, never half of one.

    A new file gets the usual permissions (0666 less the umask, so 0644 normally), not the
    0600 of ``tempfile.mkstemp``; a file written over keeps its own permissions, so a report
    someone made private stays private. Raises OSError; nothing is left behind on failure.
    """
    target = Path(path)
    keep_mode: int | None = None
    with contextlib.suppress(FileNotFoundError):
        info = target.stat()
        if stat.S_ISREG(info.st_mode):
            keep_mode = stat.S_IMODE(info.st_mode)
    fd, temp = _create_beside(target)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if keep_mode is not None:
            os.chmod(temp, keep_mode)
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    _sync_folder(target.parent)


def _create_beside(target: Path) -> tuple[int, Path]:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(_ATTEMPTS):
        temp = target.with_name(f".{target.name[:40]}.{secrets.token_hex(4)}.part")
        try:
            return os.open(temp, flags, NEW_FILE_MODE), temp
        except FileExistsError:
            continue
    raise FileExistsError(f"No free temporary name beside {target}")


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); Windows has no directory handles to sync."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def check_input(source: str | os.PathLike[str], what: str = "file") -> Path:
    """The absolute path of a file to read (an import, a backup to restore), or a
    ValidationError: it must be a regular file (a FIFO would hang the read, a device such
    as /dev/zero never ends)."""
    path = _named_path(source, what, f"Give the name of the {what} to read.")
    try:
        info = path.stat()
    except FileNotFoundError as exc:
        raise ValidationError(f"There is no {what} {_shown(path)}.") from exc
    except OSError as exc:
        raise ValidationError(f"Cannot read {_shown(path)}: {exc.strerror or exc}.") from exc
    if stat.S_ISDIR(info.st_mode):
        raise ValidationError(f"{_shown(path)} is a folder, not a {what}.")
    if not stat.S_ISREG(info.st_mode):
        raise ValidationError(
            f"{_shown(path)} is {_kind(info.st_mode)}, not a regular file; "
            "Sprintdeck reads only files."
        )
    return path


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def csv_cell(value: object) -> object:
    """A value safe in a CSV cell that a spreadsheet opens (OWASP's CSV injection advice):
    text beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
    leading ``'`` so it is shown as text and never run as a formula. Numbers (and text
    that is a plain number, such as ``-3``) are left as they are."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        if _NUMBER.fullmatch(value):
            return value
        return "'" + value
    return value
