"""Builds everything once: paths, engine, migrations, services; then the window or the CLI."""

from __future__ import annotations

import sys
from dataclasses import dataclass

from sqlalchemy import Engine

from app import config
from app.db import DataVersionProbe, create_db_engine, migrate, session_factories, sqlite_path
from app.services import Services, build_services


@dataclass
class Runtime:
    """What one run of the app works with; closed when the run ends."""

    url: str
    engine: Engine
    services: Services
    probe: DataVersionProbe
    migration: str  # created | upgraded | current

    def close(self) -> None:
        self.probe.close()
        self.engine.dispose()


def open_runtime(url: str, seed_demo_if_new: bool = False) -> Runtime:
    """Open (creating or upgrading) the database at ``url`` and build the services.

    Raises :class:`app.errors.DatabaseProblem` with a readable message when the database
    cannot be used; nothing is written to it in that case.
    """
    path = sqlite_path(url)
    if path is not None and path.parent == config.user_data_dir():
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_db_engine(url)
    try:
        migration = migrate(engine, backup_dir=config.user_data_dir() / "backups")
        reader, writer = session_factories(engine)
        services = build_services(reader, writer, actor=config.actor_name())
        if migration == "created" and seed_demo_if_new:
            from app.services.demo import seed_demo

            seed_demo(services)
        probe = DataVersionProbe(engine)
        services.context.after_commit.append(probe.sync)
    except BaseException:
        engine.dispose()
        raise
    return Runtime(url, engine, services, probe, migration)


def main(argv: list[str] | None = None) -> int:
    """The ``sprintdeck`` command: no subcommand opens the window."""
    from app.cli import build_parser, run_command

    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    if args.command is None:
        from app.ui.application import run_gui

        return run_gui(config.resolve_db_url(getattr(args, "db", None)), open_runtime)
    try:
        return run_command(args)
    except BrokenPipeError:
        # The reader went away (``| head``): not an error of ours.
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
