"""Writing an exported file whole or not at all, with the permissions a person expects.

No Qt: the report writer, the window's CSV export and the command line share it.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path

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


__all__ = ["NEW_FILE_MODE", "replace_file"]
