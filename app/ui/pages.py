"""What the pages that follow the board share: they work only while someone looks at them."""

from __future__ import annotations

from PySide6.QtGui import QShowEvent


class RefreshWhenShown:
    """Mix into a page (before its Qt base) that recomputes what it shows from the store.

    While the page is hidden a change only marks it stale (:meth:`defer_while_hidden`);
    showing it runs ``refresh()`` once (:meth:`showEvent`), so a move on the board never
    rebuilds a backlog or recomputes charts nobody is looking at.
    """

    _stale = False

    def refresh(self) -> None:  # pragma: no cover - each page has its own
        raise NotImplementedError

    def defer_while_hidden(self) -> bool:
        """True when the page is hidden: the caller skips its update, which happens on show."""
        if self.isVisible():  # type: ignore[attr-defined]
            return False
        self._stale = True
        return True

    def catch_up(self) -> None:
        """Refresh now if changes were skipped while hidden."""
        if self._stale:
            self._stale = False
            self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        """QWidget::showEvent: catch up with changes made while the page was hidden."""
        super().showEvent(event)  # type: ignore[misc]
        self.catch_up()
