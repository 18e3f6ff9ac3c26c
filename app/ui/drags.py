"""Whether a drag is in progress anywhere in the app.

Changes from elsewhere (app/storage/change_feed.py) are held back while a person drags a
card: moving rows under the cursor would make the drop land somewhere else. The window's
next poll after the drop takes them in; nothing is lost, the feed keeps its place.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

_active = 0


@contextmanager
def drag_in_progress() -> Iterator[None]:
    """Around ``QAbstractItemView.startDrag`` (which runs the drag's own event loop)."""
    global _active
    _active += 1
    try:
        yield
    finally:
        _active -= 1


def dragging() -> bool:
    return _active > 0
