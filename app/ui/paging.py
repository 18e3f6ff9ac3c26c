"""A scroll bar that tells the truth about a list read a page at a time (issue 19).

A paged model holds the first rows of its list and reads more as the view reaches its end
(``canFetchMore``/``fetchMore``). Left alone, the view's scroll bar measures only the rows
read: on a 150,000-card backlog its thumb says "you are a third of the way down" a hundred
rows from the top. :class:`RowsBeyond` stretches the bar's range by the rows not read yet
(counted by the database), so its thumb and its length stand for the whole list; when it is
dragged (or paged) into the part not read, the view reads down to where it now points.

The stretch lives on the scroll bar, not in the view's own layout: whenever the view sets
the bar's range again (after a layout, a resize, rows inserted), the bar's ``rangeChanged``
re-applies it. For views with uniform row heights only (both paged views are), so that a
row beyond is one row height (per-pixel scrolling) or one step (per-item scrolling).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QAbstractItemView

Beyond = Callable[[], int]
"""How many rows the list has below the rows read (0: all read)."""
Fetch = Callable[[int], None]
"""Read at least this many more rows into the model."""


class RowsBeyond(QObject):
    """Stretch ``view``'s vertical scroll bar by the rows ``beyond`` gives; when the bar is
    moved past the rows read, ``fetch`` the rows down to it. Parented to the view."""

    def __init__(self, view: QAbstractItemView, beyond: Beyond, fetch: Fetch) -> None:
        super().__init__(view)
        self._view = view
        self._beyond = beyond
        self._fetch = fetch
        self._real_max = 0  # the maximum the view set: the end of the rows read
        self._busy = False
        bar = view.verticalScrollBar()
        bar.rangeChanged.connect(self._on_range_changed)
        bar.valueChanged.connect(self._on_value_changed)

    @property
    def real_maximum(self) -> int:
        """The scroll bar's maximum over the rows read (without the stretch)."""
        return self._real_max

    def _step(self) -> int:
        """One row on the scroll bar: its height in pixels, or one item."""
        view = self._view
        if view.verticalScrollMode() == QAbstractItemView.ScrollMode.ScrollPerItem:
            return 1
        model = view.model()
        if model is None or model.rowCount() == 0:
            return 1
        return max(1, view.sizeHintForRow(0))

    def refresh(self) -> None:
        """Apply the stretch again (the rows beyond changed without a new range)."""
        bar = self._view.verticalScrollBar()
        self._on_range_changed(bar.minimum(), self._real_max)

    def _on_range_changed(self, minimum: int, maximum: int) -> None:
        if self._busy:
            return
        self._busy = True
        try:
            self._real_max = maximum
            extra = self._beyond() * self._step()
            if extra > 0:
                self._view.verticalScrollBar().setRange(minimum, maximum + extra)
        finally:
            self._busy = False

    def _on_value_changed(self, value: int) -> None:
        if self._busy or value <= self._real_max or self._beyond() <= 0:
            return
        # The rows down to the bar's place, and a screenful below it.
        step = self._step()
        visible = self._view.viewport().height() // step if step > 1 else 50
        wanted = (value - self._real_max) // step + visible + 1
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        self._busy = True
        try:
            self._fetch(wanted)
        finally:
            self._busy = False
            QGuiApplication.restoreOverrideCursor()
        # Lay the new rows out now (not at the next event loop pass): the range must cover
        # them before the bar goes back to where it was dragged.
        self._view.doItemsLayout()
        bar = self._view.verticalScrollBar()
        bar.setValue(min(value, bar.maximum()))
