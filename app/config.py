"""Where things live: the user data folder, the database URL, the actor's name."""

from __future__ import annotations

import getpass
import os
from pathlib import Path

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
    if path is None or is_read_only_url(url):
        return
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
    if "://" in value:
        return value
    return "sqlite:///" + str(Path(value).expanduser().absolute())


def actor_name() -> str:
    """The name written into history events: ``SPRINTDECK_USER``, else the OS login."""
    name = os.environ.get(USER_ENV)
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
