"""Live on PostgreSQL: a committed change rings every other window (NOTIFY in the change's own
transaction, LISTEN in a worker thread), the feed publishes it as a Change delta, and when
the server goes away the window says so, refuses edits with that sentence, reconnects by
itself and catches up on what changed meanwhile.

The server "goes away" through a TCP relay the test owns (the real server stays up for the
other tests): closing the relay cuts every connection, reopening it on the same port is the
server coming back.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy.engine import make_url

from app.errors import DatabaseProblem
from app.services.events import Change, ChangeKind
from app.storage.pg_notify import LOST, MAX_PAYLOAD, notify_payload
from tests import pg
from tests.helpers import make_runtime


def wait_for(condition: Callable[[], object], seconds: float = 10.0) -> bool:
    """Poll ``condition`` until it holds (not a timing assertion: a generous deadline)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return bool(condition())


class Relay:
    """A TCP relay from a local port to the PostgreSQL server; ``cut()`` drops every
    connection and stops listening, ``restore()`` listens on the same port again."""

    def __init__(self, host: str, port: int) -> None:
        self._target = (host, port)
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._server: socket.socket | None = None
        self.restore()

    def restore(self) -> None:
        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.port))
        server.listen(16)
        self._server = server
        threading.Thread(target=self._accept, args=(server,), daemon=True).start()

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self._target)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, target):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self) -> None:
        if self._server is not None:
            try:  # wakes the thread blocked in accept(); close() alone would not
                self._server.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self._server.close()
            self._server = None
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for s in sockets:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()


class Heard:
    def __init__(self) -> None:
        self.changes: list[Change] = []

    def __call__(self, change: Change) -> None:
        self.changes.append(change)


@pytest.fixture
def pg_url() -> Iterator[str]:
    url = pg.new_url()
    pg.create(url)
    yield url
    pg.drop(url)


def test_a_move_on_one_client_reaches_the_other_as_a_delta(pg_url: str) -> None:
    a = make_runtime(pg_url)
    b = make_runtime(pg_url)
    try:
        heard = Heard()
        b.services.bus.subscribe(heard)
        project = a.services.projects.create_project("SD", "Team")
        card = a.services.cards.create_card(project.id, "Shared")
        assert wait_for(lambda: b.feed.poll() or any(c.cards for c in heard.changes))
        heard.changes.clear()
        done = a.services.workflow.find_column(project.id, "Done")
        a.services.board.move_card(card.id, done.id, expected_version=card.version)

        assert wait_for(lambda: b.feed.poll() > 0)
        moved = [c for c in heard.changes if c.kind is ChangeKind.CARD_MOVED]
        assert [(c.elsewhere, [x.column_id for x in c.cards]) for c in moved] == [(True, [done.id])]
        assert b.feed.problem is None
    finally:
        a.close()
        b.close()


def test_own_changes_ring_but_publish_nothing_twice(pg_url: str) -> None:
    rt = make_runtime(pg_url)
    try:
        heard = Heard()
        rt.services.bus.subscribe(heard)
        project = rt.services.projects.create_project("SD", "Mine")
        rt.services.cards.create_card(project.id, "Mine")
        time.sleep(0.5)  # let the notifications arrive
        assert rt.feed.poll() == 0
        assert [c.elsewhere for c in heard.changes] == [False, False]
    finally:
        rt.close()


def test_the_server_goes_away_and_comes_back(pg_url: str) -> None:
    target = make_url(pg_url)
    relay = Relay(target.host or "127.0.0.1", target.port or 5432)
    through = target.set(host="127.0.0.1", port=relay.port).render_as_string(hide_password=False)
    writer = make_runtime(pg_url)  # a teammate, straight to the server
    project = writer.services.projects.create_project("SD", "Team")
    card = writer.services.cards.create_card(project.id, "Before the cut")
    mine = make_runtime(through)
    try:
        heard = Heard()
        mine.services.bus.subscribe(heard)
        relay.cut()
        assert wait_for(lambda: mine.feed.problem == LOST)
        with pytest.raises(DatabaseProblem) as refused:
            mine.services.cards.update_card(card.id, {"title": "lost"}, card.version)
        assert "Connection lost" in str(refused.value) and "nothing was changed" in str(
            refused.value
        )
        # Meanwhile the teammate works on.
        done = writer.services.workflow.find_column(project.id, "Done")
        writer.services.board.move_card(card.id, done.id, expected_version=card.version)

        relay.restore()
        assert wait_for(lambda: mine.feed.problem is None)
        assert wait_for(lambda: mine.feed.poll() > 0)
        moved = [c for c in heard.changes if c.kind is ChangeKind.CARD_MOVED]
        assert moved and moved[-1].cards[0].column_id == done.id
        assert writer.services.cards.get_card(card.id).title == "Before the cut"
        # And editing works again, on the fresh version.
        fresh = mine.services.cards.get_card(card.id)
        mine.services.cards.update_card(card.id, {"title": "after"}, fresh.version)
    finally:
        relay.cut()
        mine.close()
        writer.close()


def test_a_payload_too_big_for_notify_leaves_the_cards_to_the_log() -> None:
    small = notify_payload("me", 1, "card_moved", [1, 2])
    assert '"c":[1,2]' in small
    big = notify_payload("me", 1, "cards_ranked", list(range(10_000)))
    assert len(big) <= MAX_PAYLOAD and '"c"' not in big
