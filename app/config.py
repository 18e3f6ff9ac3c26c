"""Where things live: the user data folder, the database URL, the actor's name."""

from __future__ import annotations

import os
from pathlib import Path

from app.errors import ValidationError

APP_NAME = "Sprintdeck"
DB_ENV = "SPRINTDECK_DB"
DATA_DIR_ENV = "SPRINTDECK_DATA_DIR"
USER_ENV = "SPRINTDECK_USER"


def package_dir(name: str) -> Path:
    """A data folder of the ``app`` package (``migrations``, ``resources``)."""
    candidate = Path(__file__).resolve().parent / name
    if candidate.is_dir():
        return candidate
    raise FileNotFoundError(f"Sprintdeck's {name} folder is missing from the installation")


def user_data_dir() -> Path:
    """The per-user data folder (``SPRINTDECK_DATA_DIR`` overrides it, e.g. for tests)."""
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override)
    import platformdirs  # only when the folder is needed: not on the way to the first paint

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_db_path() -> Path:
    return user_data_dir() / "sprintdeck.db"


def prepare_data_dir(url: str) -> None:
    """Create the user data folder, with its parents, when ``url`` is a file inside it.

    A new account has no ``~/.local/share/Sprintdeck`` yet: the default database must be
    creatable there. A file named elsewhere is not given a folder: a mistyped ``--db`` path
    is reported, not silently created. A folder that cannot be made is left to the health
    check, which names the problem.
    """
    from app.dburl import is_read_only_url, sqlite_path  # dburl imports this module

    path = sqlite_path(url)
    if path is None or is_read_only_url(url) or path.parent.is_dir():
        return  # an existing folder needs nothing (and platformdirs is not imported)
    data_dir = user_data_dir()
    if path.parent != data_dir or data_dir.is_dir():
        return
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError:
        pass


def resolve_db_url(cli_value: str | None, environ: dict[str, str] | None = None) -> str:
    """``--db`` wins over ``SPRINTDECK_DB``, which wins over the default file.

    A value containing ``://`` is taken as a SQLAlchemy URL, anything else as a file path.
    """
    env = os.environ if environ is None else environ
    value = cli_value or env.get(DB_ENV) or str(default_db_path())
    if "\x00" in value:
        raise ValidationError("The database path contains a NUL character.")
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in value):
        raise ValidationError("The database path is not valid UTF-8 text.")
    if "://" in value:
        check_url(value)
        from app.dburl import postgres_url

        return postgres_url(_sqlite_read_only_as_uri(value))
    try:
        path = Path(value).expanduser()
    except RuntimeError as exc:  # "~nobody/x.db": no such user, no home to expand
        raise ValidationError(f"Cannot find the home folder in {value!r}: {exc}") from exc
    check_path(path)
    return "sqlite:///" + str(path.absolute())


def check_path(path: Path) -> None:
    """Refuse a database path no file system takes (a part longer than 255 bytes)."""
    longest = max((len(part.encode("utf-8", "surrogateescape")) for part in path.parts), default=0)
    if longest > 255:
        raise ValidationError(
            f"The database path has a name of {longest} bytes; file names have at most 255."
        )
    import stat

    try:
        mode = path.stat().st_mode
    except OSError:
        return  # missing (a new database) or unreadable: the health check says which
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        raise ValidationError(
            f"{path.absolute()} is not a database file (it is a device, pipe or socket)."
        )


SUPPORTED = "a SQLite file or URL (sqlite:///path) or PostgreSQL (postgresql+psycopg://…)"
_SQLITE_QUERY = {"mode", "uri", "timeout", "cache", "immutable", "nolock", "vfs"}


def _sqlite_read_only_as_uri(url: str) -> str:
    """``sqlite:///x.db?mode=ro`` as SQLite's URI form, which is what makes it read-only
    (the plain form's ``mode`` is not a pysqlite option: it was ignored, and writes went
    through)."""
    from app.dburl import parse_url, read_only_url, sqlite_path

    parsed = parse_url(url)
    if parsed.backend != "sqlite" or parsed.query.get("mode") != "ro":
        return url
    if (parsed.database or "").startswith("file:"):
        return url
    path = sqlite_path(url)
    return url if path is None else read_only_url(path)


def check_url(url: str) -> None:
    """Refuse a URL Sprintdeck cannot open, in one sentence, before anything loads it."""
    from app.dburl import parse_url  # dburl imports this module

    try:
        parsed = parse_url(url)
    except Exception as exc:  # SQLAlchemy's own parse error, or ours
        from app.dburl import mask_password

        shown = mask_password(url)
        raise ValidationError(f"{shown!r} is not a database URL Sprintdeck can read.") from exc
    name = url.split("://", 1)[0].lower()
    if parsed.backend == "sqlite":
        check_path(Path(parsed.database or ""))
        unknown = set(parsed.query) - _SQLITE_QUERY
        if unknown:
            names = ", ".join(sorted(unknown))
            raise ValidationError(f"The SQLite URL has options Sprintdeck does not know: {names}.")
        timeout = parsed.query.get("timeout")
        if timeout is not None:
            try:
                ok = 0 <= float(timeout) <= 3600
            except ValueError:
                ok = False
            if not ok:
                raise ValidationError(
                    f"timeout={timeout!r} in the URL is not a number of seconds (0 to 3600)."
                )
        return
    if parsed.backend in ("postgresql", "postgres") and name in (
        "postgresql",
        "postgres",
        "postgresql+psycopg",
    ):
        return
    raise ValidationError(f"Sprintdeck cannot open {name}:// databases; use {SUPPORTED}.")


def actor_name(chosen: str | None = None, url: str | None = None) -> str:
    """The name written into history events: ``chosen``, else ``SPRINTDECK_USER``, else on
    PostgreSQL the database user name, else the OS login (:func:`app.whoami.actor_name`)."""
    from app.whoami import actor_name as resolve

    return resolve(chosen, url=url)
