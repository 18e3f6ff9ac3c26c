"""The ``sprintdeck`` entry point: checks the first arguments and hands over to the window
(app/ui/application.py on a runtime from app/bootstrap.py) or to the command line
(app/cli/). Whatever goes wrong ends here in one line on stderr, never a traceback."""

from __future__ import annotations

import errno
import sys

from app import config
from app.errors import DomainError


def main(argv: list[str] | None = None) -> int:
    """The ``sprintdeck`` command: no subcommand opens the window.

    Whatever goes wrong ends in one readable line on stderr and exit status 1 (refused) or
    2 (usage), never a traceback: domain errors say what was refused; anything unexpected
    is written with its traceback to the log file in the data folder, which the line names.
    """
    argv = sys.argv[1:] if argv is None else argv
    for position, arg in enumerate(argv, start=1):
        if any(0xD800 <= ord(ch) <= 0xDFFF for ch in arg):  # undecodable bytes (surrogateescape)
            print(f"sprintdeck: argument {position} is not valid UTF-8 text.", file=sys.stderr)
            return 2
        if "\x00" in arg:
            print(f"sprintdeck: argument {position} contains a NUL character.", file=sys.stderr)
            return 2
    if not argv or (len(argv) == 2 and argv[0] == "--db" and not argv[1].startswith("-")):
        # Opening the window: no need to build the whole command-line parser first.
        return _run_window(argv[1] if argv else None)
    from app.cli import build_parser, run_command

    args = build_parser().parse_args(argv)
    if args.command is None:
        return _run_window(getattr(args, "db", None))
    try:
        status = run_command(args)
        sys.stdout.flush()  # here, not at exit: a full disk behind stdout is reported
        return status
    except BrokenPipeError:
        # The reader went away (``| head``): not an error of ours.
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("sprintdeck: interrupted; nothing half-done was saved.", file=sys.stderr)
        return 130
    except OSError as exc:
        if exc.filename is not None or exc.errno not in _OUTPUT_ERRORS:
            return _unexpected(exc)
        _silence_stdout()
        reason = exc.strerror or str(exc)
        print(f"sprintdeck: cannot write the output: {reason}.", file=sys.stderr)
        return 1
    except Exception as exc:  # the last resort: one line, and the details in the log
        return _unexpected(exc)


# Errors of writing the output itself (stdout on a full disk, a quota, a dead terminal).
_OUTPUT_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO}


def _silence_stdout() -> None:
    """Drop what stdout still holds, so the interpreter's exit does not fail on it again."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def _unexpected(exc: BaseException) -> int:
    import datetime as dt
    import traceback

    from app import __version__

    where = "the log"
    try:
        log = config.user_data_dir() / "sprintdeck.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("a", encoding="utf-8") as out:
            out.write(f"--- {dt.datetime.now(dt.UTC).isoformat()} sprintdeck {__version__}\n")
            out.write("".join(traceback.format_exception(exc)))
        where = str(log)
    except (OSError, DomainError):
        pass
    text = " ".join(str(exc).split())[:200] or type(exc).__name__
    print(f"sprintdeck: unexpected error: {text} (details in {where})", file=sys.stderr)
    return 1


def _run_window(db: str | None) -> int:
    from app.bootstrap import StartupSupport, open_runtime
    from app.ui.application import run_gui

    try:
        url = config.resolve_db_url(db)
    except DomainError as exc:
        print(f"sprintdeck: {exc}", file=sys.stderr)
        return 2
    config.prepare_data_dir(url)
    # Only the default file gets the demo project when it is created (the first start);
    # a database someone names, or makes with File › New database…, starts empty. Asked
    # only by the ordinary start-up: a healthy file paints first without platformdirs.
    return run_gui(
        url, open_runtime, StartupSupport(), demo_url=lambda: config.resolve_db_url(None, {})
    )


if __name__ == "__main__":
    sys.exit(main())
