"""Test configuration: offscreen Qt, an isolated user data folder, database fixtures.

The database fixtures (``db_url``, ``runtime``, ``services``, ``demo_runtime``, ``demo``)
take a ``backend``: the service, command-line and migration tests (BOTH_BACKENDS) run
once on SQLite and once on PostgreSQL (tests/pg.py: each test its own database, cloned
from a migrated template); everything else, and any test marked ``sqlite_only`` (what is
about SQLite files themselves), runs on SQLite only.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["SPRINTDECK_USER"] = "tester"

from app.bootstrap import Runtime
from app.services import Services
from tests import pg
from tests.helpers import make_runtime

BACKENDS = ("sqlite", "postgresql")
# Where the database fixtures run on both backends (paths under tests/).
BOTH_BACKENDS = ("services/", "cli/", "storage/test_migrations.py", "storage/test_board_read.py")
_TESTS = Path(__file__).resolve().parent


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sqlite_only: about SQLite files themselves; not run on PostgreSQL"
    )


def pytest_sessionfinish(session: pytest.Session) -> None:
    pg.finish()  # the PostgreSQL databases still to drop (in each xdist worker)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" not in metafunc.fixturenames:
        return
    if metafunc.definition.get_closest_marker("sqlite_only") is not None:
        return
    where = Path(str(metafunc.definition.path)).resolve().relative_to(_TESTS).as_posix()
    if where.startswith(BOTH_BACKENDS):
        metafunc.parametrize("backend", BACKENDS, indirect=True)


@pytest.fixture(autouse=True)
def _isolated_data_dir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Nothing a test does touches the real user data folder or the real settings."""
    data = tmp_path_factory.mktemp("userdata")
    monkeypatch.setenv("SPRINTDECK_DATA_DIR", str(data))
    monkeypatch.delenv("SPRINTDECK_DB", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(data / "config"))
    return data


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A SQLite file that does not exist yet (what tests about SQLite files use)."""
    return tmp_path / "sprintdeck.db"


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """The database engine of this test: "sqlite" or "postgresql" (see BOTH_BACKENDS)."""
    return getattr(request, "param", "sqlite")


@pytest.fixture
def db_url(backend: str, db_path: Path) -> Iterator[str]:
    """A database of this test's own, not created yet, as a URL: ``sqlite:///`` + db_path,
    or a PostgreSQL database that make_runtime/run_cli clone from the migrated template
    (and that is dropped afterwards)."""
    if backend == "sqlite":
        yield "sqlite:///" + str(db_path)
        return
    url = pg.new_url()
    try:
        yield url
    finally:
        pg.drop_later(url)


@pytest.fixture
def new_db_url(backend: str, tmp_path: Path) -> Iterator[Callable[[str], str]]:
    """Another database of this test's own for each name asked (for tests that use more
    than one): ``new_db_url("target")``."""
    made: dict[str, str] = {}

    def new(name: str) -> str:
        if name not in made:
            made[name] = (
                "sqlite:///" + str(tmp_path / f"{name}.db") if backend == "sqlite" else pg.new_url()
            )
        return made[name]

    yield new
    for url in made.values():
        if pg.is_postgres(url):
            pg.drop_later(url)


@pytest.fixture
def runtime(db_url: str, request: pytest.FixtureRequest) -> Iterator[Runtime]:
    """Services on this test's database. A module's ``WORLDS`` names the fixtures that
    fill the database from a world built once (``tests.helpers.world_database``): those
    the test asks for are filled first, whatever order the test names its fixtures in."""
    for name in getattr(request.module, "WORLDS", ()):
        if name in request.fixturenames:
            request.getfixturevalue(name)
    rt = make_runtime(db_url)
    yield rt
    rt.close()


@pytest.fixture
def services(runtime: Runtime) -> Services:
    return runtime.services


@pytest.fixture
def demo_runtime(db_url: str) -> Iterator[Runtime]:
    rt = make_runtime(db_url, demo=True)
    yield rt
    rt.close()


@pytest.fixture
def demo(demo_runtime: Runtime) -> Services:
    return demo_runtime.services
