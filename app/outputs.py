"""Where Sprintdeck may write a file it was asked to write (``-o FILE``, Save as…), and how.

Every export, report and backup goes through :func:`check_output` first and, where it
writes the bytes itself, :func:`write_atomically`:

* only regular files are written: a folder, a character device (``/dev/full``), a FIFO or a
  socket is refused with a sentence saying what it is, never replaced by a regular file;
* never the database in use, its ``-wal``, ``-shm`` or ``-journal`` files, even with
  ``--force``; any other SQLite database (recognised by its header) only with ``--force``;
* the bytes go to a temporary file in the same folder, are flushed to disk (fsync) and
  renamed over the target, so a full disk or a crash leaves the old file or the new one,
  never half of one; the file gets the usual permissions (0666 less the umask).

No Qt, no SQLAlchemy: the CLI, the services and the window use the same checks.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

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
    text = os.fspath(target)
    if not text.strip():
        raise ValidationError(f"Give a name for the {what} to write (for example -o out.json).")
    if "\x00" in text:
        raise ValidationError(f"The {what} name contains a NUL character.")
    try:
        path = Path(text).expanduser().absolute()
    except RuntimeError as exc:  # ~nobody/…
        raise ValidationError(f"Cannot find the home folder in {_shown(text)}.") from exc
    if len(path.name.encode("utf-8", "surrogateescape")) > NAME_MAX_BYTES:
        raise ValidationError(
            f"The {what} name is too long ({len(path.name)} characters); "
            f"file names have at most {NAME_MAX_BYTES} bytes."
        )
    if database is not None and _same_as_database(path, database):
        raise ValidationError(
            f"{_shown(path)} is the database this command works on (or one of its journal "
            "files); write the output to another file."
        )
    try:
        info = path.stat()
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise ValidationError(
            f"Cannot write {_shown(path)}: {exc.strerror or exc}."
        ) from exc
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


@contextlib.contextmanager
def atomic_file(path: Path, mode: str = "wb", encoding: str | None = None) -> Iterator[IO]:
    """A temporary file beside ``path`` that becomes ``path`` when the block ends without
    an error (flushed, fsynced, renamed); on an error it is removed and ``path`` is as it
    was. OSError (a full disk, a vanished folder) becomes a ValidationError."""
    try:
        fd, temp_name = tempfile.mkstemp(prefix=f".{path.name[:40]}.", dir=path.parent)
    except OSError as exc:
        raise ValidationError(f"Cannot write {_shown(path)}: {exc.strerror or exc}.") from exc
    temp = Path(temp_name)
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)  # mkstemp makes it 0600: give it the usual mode
        newline = "" if "b" not in mode else None
        with os.fdopen(fd, mode, encoding=encoding, newline=newline) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise ValidationError(
            f"Cannot write {_shown(path)}: {exc.strerror or exc}; nothing was changed."
        ) from exc
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def write_atomically(path: Path, data: bytes | str, encoding: str = "utf-8") -> None:
    """Write ``data`` to ``path`` through :func:`atomic_file`."""
    if isinstance(data, str):
        with atomic_file(path, "w", encoding=encoding) as handle:
            handle.write(data)
    else:
        with atomic_file(path, "wb") as handle:
            handle.write(data)
