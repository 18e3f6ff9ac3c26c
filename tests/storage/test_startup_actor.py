""" "You are" while the window starts: a choice made before the services exist does not
build them, and the services built later record it (app/startup.py StartingServices)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.bootstrap import Runtime, StartupSupport, open_runtime
from app.services import Services
from app.services.events import ChangeBus
from app.startup import StartingServices, first_paint
from tests.helpers import make_runtime


@pytest.fixture
def starting(tmp_path: Path) -> Iterator[tuple[StartingServices, list[Runtime]]]:
    path = tmp_path / "demo.db"
    make_runtime(path, demo=True).close()
    url = "sqlite:///" + str(path)
    first = first_paint(url, None)
    assert first is not None
    runtimes: list[Runtime] = []

    def build(bus: ChangeBus) -> Services:
        runtime = open_runtime(url, bus=bus)
        runtimes.append(runtime)
        return runtime.services

    yield StartingServices(first, build, lambda: StartupSupport().check(url)), runtimes
    for runtime in runtimes:
        runtime.close()


def test_a_choice_before_the_services_waits_for_them(
    starting: tuple[StartingServices, list[Runtime]],
) -> None:
    services, runtimes = starting
    assert services.actor == "tester"
    assert services.set_actor("Grace Hopper") == "Grace Hopper"
    assert services.actor == "Grace Hopper" and not runtimes  # nothing built for it
    services.finish()
    assert runtimes and services.services.actor == "Grace Hopper"
    assert services.me.chosen == "Grace Hopper" and services.me.default == "tester"
    project = services.projects.find_project("DEMO")
    card = services.cards.create_card(project.id, "Made while starting")
    assert services.cards.history(card.id)[-1].actor == "Grace Hopper"
    assert services.set_actor(None) == "tester"


def test_a_name_history_cannot_take_leaves_the_default(
    starting: tuple[StartingServices, list[Runtime]],
) -> None:
    services, _runtimes = starting
    services.set_actor("x" * 150)
    services.finish()
    assert services.actor == "tester"
