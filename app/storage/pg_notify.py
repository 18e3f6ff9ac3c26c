"""LISTEN/NOTIFY: how a window on a PostgreSQL database hears that someone committed.

Every unit of work that logs changes also sends ``NOTIFY sprintdeck_changes`` in the same
transaction (:func:`notify_statement`; PostgreSQL delivers it at commit, never for a
rolled-back transaction), with a small JSON payload naming the writer, the project, the
kind and the cards. :class:`NotifyProbe` LISTENs on a connection of its own in a worker
thread and raises a flag; the change feed (app/storage/change_feed.py), asked by the window
a few times a second, sees the flag and reads the ``change_log`` rows after the last one it
saw, exactly as on SQLite, so a notification lost in a reconnect costs nothing: the log is
the truth, the notification only the doorbell.

When the connection drops (a server restart, a network cut) the probe says so
(:attr:`NotifyProbe.problem`: "Connection lost — reconnecting…"), tries again every
second or so, and rings once it is back so the feed catches up on what changed meanwhile.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from typing import Any

CHANNEL = "sprintdeck_changes"
# PostgreSQL refuses payloads of 8,000 bytes or more; the cards are left out beyond this.
MAX_PAYLOAD = 7_000
LOST = "Connection lost — reconnecting…"


def notify_payload(origin: str, project_id: int | None, kind: str, card_ids: Sequence[int]) -> str:
    """The JSON a NOTIFY carries: ``{"o": origin, "p": project, "k": kind, "c": [ids]}``
    (``c`` is omitted when the ids would not fit; the change log has them anyway)."""
    data: dict[str, Any] = {"o": origin, "p": project_id, "k": kind, "c": list(card_ids)}
    text = json.dumps(data, separators=(",", ":"))
    if len(text) > MAX_PAYLOAD:
        del data["c"]
        text = json.dumps(data, separators=(",", ":"))
    return text


def notify_statement() -> str:
    """The SQL that sends one notification (bind ``payload``)."""
    return f"SELECT pg_notify('{CHANNEL}', :payload)"


Connect = Callable[[], Any]


class NotifyProbe:
    """LISTENs in a daemon thread; :meth:`changed` says whether a notification (or a
    reconnect) came since it was last asked.

    ``connect`` opens a new psycopg connection (autocommit); it is called again after the
    connection is lost. The probe hears its own app's notifications too: the feed skips
    its own rows, so that costs one indexed query.
    """

    def __init__(self, connect: Connect, retry_seconds: float = 1.0) -> None:
        self._connect = connect
        self._retry = retry_seconds
        self._rang = threading.Event()
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._problem: str | None = None
        self._connection: Any = None
        # Called from the listening thread when the bell rings (the window connects a
        # queued Qt signal, so it asks the feed at once instead of at its next poll).
        self.on_ring: Callable[[], None] | None = None
        self._thread = threading.Thread(target=self._run, name="sprintdeck-listen", daemon=True)
        self._thread.start()
        self._ready.wait(5.0)  # the first LISTEN, so that nothing committed after start is missed

    @property
    def problem(self) -> str | None:
        """None while listening; a sentence for a person while the connection is down."""
        return self._problem

    def changed(self) -> bool:
        if self._rang.is_set():
            self._rang.clear()
            return True
        return False

    def sync(self) -> None:
        """Nothing to re-baseline: a notification is rung once."""

    def close(self) -> None:
        """Stop listening. The daemon thread sees the stop within a quarter of a second
        (its wait for notifications) and closes its connection then; nothing waits for it,
        so closing a runtime (each command-line run) costs nothing."""
        self._stop.set()
        connection = self._connection
        if connection is not None:
            try:
                connection.cancel_safe()
            except Exception:
                pass

    def _ring(self) -> None:
        self._rang.set()
        callback = self.on_ring
        if callback is not None:
            try:
                callback()
            except RuntimeError:  # the window is gone (its C++ object deleted)
                self.on_ring = None

    def _run(self) -> None:
        import psycopg

        while not self._stop.is_set():
            try:
                with self._connect() as connection:
                    self._connection = connection
                    connection.execute(f"LISTEN {CHANNEL}")
                    if self._problem is not None:
                        self._problem = None
                        self._ring()  # back: catch up on what changed meanwhile
                    self._ready.set()
                    quiet = 0
                    while not self._stop.is_set():
                        for _notify in connection.notifies(timeout=0.25):
                            self._ring()
                        quiet += 1
                        if quiet % 8 == 0:
                            # A dead server is noticed by a statement, not by waiting.
                            connection.execute("SELECT 1")
            except psycopg.Error:
                if self._stop.is_set():
                    break
                if self._problem is None:
                    self._problem = LOST
                    self._ring()  # the window shows it now, not at its next poll
                self._ready.set()
                self._stop.wait(self._retry)
            finally:
                self._connection = None
