"""The wheel: migrations and resources installed inside ``app``, and they work from there."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from tests import pg
from tests.helpers import ROOT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Built from a clean copy: a stale build/ folder in the checkout cannot leak into the
    # wheel, and the build leaves nothing behind in the checkout.
    source = tmp_path_factory.mktemp("source") / "sprintdeck"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", "*.db*"
        ),
    )
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "-q", "-w", str(out)],
        cwd=source,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    wheels = list(out.glob("sprintdeck-*.whl"))
    assert len(wheels) == 1, list(out.iterdir())
    return wheels[0]


def test_wheel_contains_migrations_and_resources_inside_app(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    for required in (
        "app/__init__.py",
        "app/__main__.py",
        "app/migrations/env.py",
        "app/migrations/script.py.mako",
        "app/migrations/versions/0001_initial_schema.py",
        "app/services/cards.py",
        "app/models/card.py",
        "app/metrics/ranks.py",
    ):
        assert required in names, f"{required} missing from {wheel.name}"
    assert any(n.startswith("app/resources/") for n in names)
    top_level = {n.split("/", 1)[0] for n in names}
    assert "migrations" not in top_level
    assert "resources" not in top_level
    assert "tests" not in top_level
    assert not any(n.startswith(("bench/", ".ci/")) for n in names)
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    with zipfile.ZipFile(wheel) as archive:
        assert "sprintdeck = app.main:main" in archive.read(entry_points).decode()


def test_installed_copy_finds_its_migrations_and_opens_a_database(
    wheel: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    work = tmp_path / "work"
    work.mkdir()
    script = textwrap.dedent(
        f"""
        import sys
        import app, app.db
        from app.db import package_dir
        from app.bootstrap import open_runtime

        print(app.__file__)
        print(package_dir("migrations"))
        print(package_dir("resources"))
        rt = open_runtime("sqlite:///" + {str(work / "installed.db")!r})
        try:
            project = rt.services.projects.create_project("PK", "Packaged")
            print(rt.migration, rt.services.cards.create_card(project.id, "works").key)
        finally:
            rt.close()
        """
    )
    env = {
        **os.environ,
        # Only the unpacked wheel (plus the venv's site-packages for the dependencies):
        # the source checkout, where an editable install points, must not be used.
        "PYTHONPATH": str(site),
        "SPRINTDECK_DATA_DIR": str(tmp_path / "data"),
        "PYTHONNOUSERSITE": "1",
        "PYTHONSAFEPATH": "1",
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=work,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    app_file, migrations, resources, outcome = result.stdout.strip().splitlines()
    assert Path(app_file).resolve().is_relative_to(site.resolve())
    assert Path(migrations).resolve() == (site / "app" / "migrations").resolve()
    assert Path(resources).resolve() == (site / "app" / "resources").resolve()
    assert outcome == "created PK-1"
    assert (work / "installed.db").exists()

    cli = subprocess.run(
        [sys.executable, "-m", "app", "card", "list", "--project", "PK", "--json"],
        cwd=work,
        capture_output=True,
        text=True,
        env={**env, "SPRINTDECK_DB": str(work / "installed.db")},
        timeout=120,
    )
    assert cli.returncode == 0, cli.stderr
    assert '"key": "PK-1"' in cli.stdout


# --- a wheel installed into a fresh virtualenv, as a user installs it ------------------------

# Every command of the README's command-line section, as a user would type it (with the
# README's own names), in an order that works on one database. The README test below fails
# when the README documents a command that is missing here.
README_COMMANDS = tuple(
    shlex.split(line)
    for line in """
    --version
    init --db board.db --demo
    project add WEB --name "Website relaunch" --db board.db
    project list --json --db board.db
    column list --project WEB --json --db board.db
    member add "Ada Lovelace" --project WEB --role "Tech lead" --db board.db
    member list --project WEB --json --db board.db
    label add frontend --project WEB --color "#00875a" --db board.db
    label list --project WEB --json --db board.db
    card add --project WEB --title "Hero image" --points 3 --assignee "Ada Lovelace" \
      --column "In Progress" --db board.db
    sprint add --project WEB --goal Launch --db board.db
    card plan WEB-1 --sprint "WEB Sprint 1" --db board.db
    sprint list --project WEB --json --db board.db
    sprint start "WEB Sprint 1" --project WEB --db board.db
    card move WEB-1 --to done --position 1 --db board.db
    card list --project WEB --json --db board.db
    card list --project WEB --csv --all --db board.db
    sprint complete "WEB Sprint 1" --project WEB --carry-over backlog --db board.db
    metrics burndown --project WEB --sprint last --json --db board.db
    metrics velocity --project WEB --json --db board.db
    metrics cfd --project WEB --csv --db board.db
    metrics cycle --project WEB --json --db board.db
    report --project DEMO --sprint last --format pdf -o r.pdf --db board.db
    report --project DEMO --sprint active --format html -o r.html --db board.db
    report --project WEB --sprint "WEB Sprint 1" -o r.md --db board.db
    report --project DEMO --sprint last -o r.csv --db board.db
    budget set --project DEMO 120000.00 --db board.db
    budget show --project DEMO --json --db board.db
    release add R1 --project DEMO --sprints 6 --bac 90000 --db board.db
    release list --project DEMO --json --db board.db
    metrics evm --project DEMO --release R1 --json --db board.db
    release update R1 --project DEMO --name R2 --sprints 5 --bac 80000 --db board.db
    release delete R2 --project DEMO --db board.db
    report --project DEMO --kind status -o s.md --db board.db
    status list --project DEMO --json --db board.db
    import trello {fixtures}/trello_board.json --project TRL --db board.db
    import jira-csv {fixtures}/jira_export.csv --project JRA --db board.db
    card history WEB-1 --json --db board.db
    comment add WEB-1 "Looks good, @Ada Lovelace" --db board.db
    comment list WEB-1 --json --db board.db
    activity --project WEB --since 2026-01-01 --md --db board.db
    standup list --project DEMO --json --db board.db
    standup show --project DEMO --db board.db
    log add WEB-1 1.5h --member "Ada Lovelace" --note pairing --db board.db
    log list --project WEB --json --db board.db
    rate set "Ada Lovelace" 85.00 --from 2026-01-01 --project WEB --db board.db
    rate list --json --db board.db
    milestone add Beta --project DEMO --date 2027-03-01 --db board.db
    milestone link Beta DEMO-4 DEMO-5 --project DEMO --db board.db
    milestone list --project DEMO --json --db board.db
    card link DEMO-4 --blocks DEMO-5 --db board.db
    risk add "Vendor API late" --project DEMO --probability 4 --impact 5 --link DEMO-4 --db board.db
    risk list --project DEMO --json --db board.db
    risk update R-1 --project DEMO --status mitigating --db board.db
    forecast --project DEMO --cards 20 --seed 7 --json --db board.db
    export -o everything.json --db board.db
    import sprintdeck everything.json --db new.db
    export --project WEB -o web.json --db board.db
    import sprintdeck web.json --key WEB2 --db new.db
    team init --db {team} --owner sdpkg_owner --member sdpkg_member
    backup -o copy.db --db board.db
    restore copy.db --db board.db
    check --db board.db
    """.replace("\\\n", " ")
    .strip()
    .splitlines()
)
CARD_LIST_JSON = 15  # the index of `card list --json` above


def readme_commands() -> set[tuple[str, ...]]:
    """(command, subcommand) of every ``sprintdeck …`` line in the README's command-line
    section (the subcommand only where the command has them)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## The command line", 1)[1].split("\n## ", 1)[0]
    block = section.split("```bash", 1)[1].split("```", 1)[0]
    found = set()
    for line in block.splitlines():
        words = line.split("#", 1)[0].split()
        if not words or words[0] != "sprintdeck":
            continue
        rest = [w for w in words[1:] if not w.startswith(("-", "[", "'", '"'))]
        has_sub = words[1] in SUBCOMMAND_GROUPS
        found.add(tuple(rest[:2]) if has_sub else tuple(rest[:1]) or (words[1],))
    return found


SUBCOMMAND_GROUPS = {
    "project",
    "column",
    "card",
    "sprint",
    "import",
    "member",
    "label",
    "metrics",
    "team",
    "comment",
    "budget",
    "release",
    "status",
    "standup",
    "log",
    "rate",
    "milestone",
    "risk",
}


def covered() -> set[tuple[str, ...]]:
    out = set()
    for args in README_COMMANDS:
        if args[0] in SUBCOMMAND_GROUPS:
            out.add(tuple(args[:2]))
        else:
            out.add((args[0],))
    return out


def test_the_installed_copy_runs_every_readme_command_is_listed() -> None:
    missing = readme_commands() - covered()
    assert not missing, f"README commands not run by the installed-wheel test: {missing}"


@pytest.fixture(scope="module")
def fresh_venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new virtualenv with the wheel installed as a user installs it (dependencies
    resolved by pip, nothing of the checkout on the path)."""
    venv = tmp_path_factory.mktemp("venv") / "v"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    done = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return venv


def user_env(home: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SPRINTDECK_", "XDG_", "PYTHON", "VIRTUAL_ENV")) and k != "HOME"
    }
    env.update({"HOME": str(home), "QT_QPA_PLATFORM": "offscreen", "PYTHONSAFEPATH": "1"})
    return env


def test_the_installed_copy_runs_every_readme_command(fresh_venv: Path, tmp_path: Path) -> None:
    sprintdeck = fresh_venv / "bin" / "sprintdeck"
    work = tmp_path / "work"
    work.mkdir()
    env = user_env(tmp_path / "home")
    fixtures = str(ROOT / "tests" / "fixtures")
    team = pg.new_url()  # `team init` sets up a PostgreSQL database (an empty one)
    pg.create(team, empty=True)
    outputs: dict[tuple[str, ...], str] = {}
    assert README_COMMANDS[CARD_LIST_JSON][:2] == ["card", "list"]
    for args in README_COMMANDS:
        argv = [a.format(fixtures=fixtures, team=team) for a in args]
        done = subprocess.run(
            [str(sprintdeck), *argv], cwd=work, env=env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, f"sprintdeck {' '.join(argv)}: {done.stderr}"
        assert "Traceback" not in done.stderr, done.stderr
        outputs[tuple(args)] = done.stdout
    pg.drop(team)
    import json

    cards = json.loads(outputs[tuple(README_COMMANDS[CARD_LIST_JSON])])
    assert [(c["key"], c["column"], c["assignee"]) for c in cards] == [
        ("WEB-1", "Done", "Ada Lovelace")
    ]
    for name in (
        "r.pdf",
        "r.html",
        "r.md",
        "r.csv",
        "everything.json",
        "web.json",
        "copy.db",
        "new.db",
    ):
        assert (work / name).stat().st_size > 0, name
    located = subprocess.run(
        [str(fresh_venv / "bin" / "python"), "-c", "import app; print(app.__file__)"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
    )
    assert Path(located.stdout.strip()).is_relative_to(fresh_venv)


def test_the_installed_copy_starts_the_window(fresh_venv: Path, tmp_path: Path) -> None:
    """``sprintdeck`` with no argument, from the installed copy, on a new account: the
    window paints the demo board (tests/first_start_child.py reports what it shows)."""
    home = tmp_path / "home"
    home.mkdir()
    env = {**user_env(home), "FIRSTSTART_TIMEOUT": "30"}
    child = tmp_path / "child.py"
    shutil.copy(ROOT / "tests" / "first_start_child.py", child)
    done = subprocess.run(
        [str(fresh_venv / "bin" / "python"), str(child)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    line = next((x for x in done.stdout.splitlines() if x.startswith("FIRSTSTART ")), None)
    assert line is not None, done.stdout + done.stderr
    import json

    shown = json.loads(line.removeprefix("FIRSTSTART "))
    assert shown["modal"] is None and shown["project"] == "DEMO" and shown["cards"] == 56
    assert (home / ".local" / "share" / "Sprintdeck" / "sprintdeck.db").is_file()
