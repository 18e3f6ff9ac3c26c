"""The page registry: a page of the window is one class and one line in :data:`PAGES`.

A registration says the page's name, its title (View menu and tab bar, with its & key), its
Ctrl+N shortcut, how it is built and whether a Kanban project has it; its position in
:data:`PAGES` is its position in the View menu and the tab bar. Pages are built the first
time they are shown or asked for (the first paint needs only the board); until then a
placeholder holds their place in the :class:`PageStack`.

Adding a page: a widget class whose ``__init__`` takes a :class:`PageContext`, e.g.
``TeamPage(ctx)`` in app/ui/team_view.py, and one line in :data:`PAGES`::

    Page("team", "&Team", "Ctrl+5", lazy("app.ui.team_view", "TeamPage")),

The four pages below predate :class:`PageContext`: their builders adapt it to their
constructors.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QStackedWidget, QWidget

if TYPE_CHECKING:
    from app.services import Services
    from app.ui.board.view import BoardView
    from app.ui.commands import CommandContext, ServiceCommand
    from app.ui.store import BoardStore


@dataclass(frozen=True)
class PageContext:
    """What a page is built with: the window (its parent), the board store, the services,
    the undo commands' context and the window's way to push one, the card editor, and
    ``new_board()``: a board wired to the window (card actions and keys, the board
    controls' filter and grouping)."""

    window: QWidget
    store: BoardStore
    services: Services
    commands: CommandContext
    push: Callable[[ServiceCommand], bool]
    open_card: Callable[[int], None]
    new_board: Callable[[], BoardView]


PageBuilder = Callable[[PageContext], QWidget]


@dataclass(frozen=True)
class Page:
    """One page of the window; see the module's docstring."""

    name: str
    title: str
    shortcut: str
    build: PageBuilder
    scrum_only: bool = False  # a Kanban project has no such page
    eager: bool = False  # built with the window (the board: the first paint shows it)


def lazy(module: str, name: str) -> PageBuilder:
    """A builder that imports ``module`` when the page is first wanted: ``name(ctx)``."""

    def build(ctx: PageContext) -> QWidget:
        page: QWidget = getattr(importlib.import_module(module), name)(ctx)
        return page

    return build


def _board(ctx: PageContext) -> QWidget:
    board = ctx.new_board()
    board.setObjectName("boardPage")
    return board


def _backlog(ctx: PageContext) -> QWidget:
    from app.ui.backlog.view import BacklogView

    view = BacklogView(ctx.store, ctx.services, ctx.commands, ctx.push, ctx.window)
    view.setObjectName("backlogPage")
    view.open_requested.connect(ctx.open_card)
    return view


def _sprint(ctx: PageContext) -> QWidget:
    from app.ui.sprint.page import SprintPage

    return SprintPage(ctx.services, ctx.store, ctx.new_board, ctx.window)


def _reports(ctx: PageContext) -> QWidget:
    from app.ui.reports.view import ReportsView

    view = ReportsView(ctx.services.charts, ctx.services, ctx.store, ctx.window)
    view.setObjectName("reportsPage")
    return view


PAGES: tuple[Page, ...] = (
    Page("board", "&Board", "Ctrl+1", _board, eager=True),
    Page("backlog", "Back&log", "Ctrl+2", _backlog, scrum_only=True),
    Page("sprint", "&Sprint", "Ctrl+3", _sprint, scrum_only=True),
    Page("reports", "&Reports", "Ctrl+4", _reports),
    Page("team", "&Team", "Ctrl+5", lazy("app.ui.team.page", "TeamPage")),
    Page("budget", "B&udget", "Ctrl+6", lazy("app.ui.budget.page", "BudgetPage")),
    Page("activity", "&Activity", "Ctrl+7", lazy("app.ui.activity.page", "ActivityPage")),
    Page("timeline", "Ti&meline", "Ctrl+8", lazy("app.ui.timeline.page", "TimelinePage")),
    Page("risks", "Ris&ks", "Ctrl+9", lazy("app.ui.risks.page", "RisksPage")),
)


class PageStack(QStackedWidget):
    """The registered pages in one stack, each built on first use in its placeholder's
    place; other widgets (the welcome page) may be added after them."""

    def __init__(self, ctx: PageContext, pages: tuple[Page, ...], parent: QWidget) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.registry = {page.name: page for page in pages}
        self._widgets: dict[str, QWidget] = {}
        self._built: dict[str, QWidget] = {}
        for page in pages:
            widget = page.build(ctx) if page.eager else QWidget(parent)
            if page.eager:
                self._built[page.name] = widget
            self._widgets[page.name] = widget
            self.addWidget(widget)

    def built(self, name: str) -> QWidget | None:
        """The page if it has been built, else None (nothing is built)."""
        return self._built.get(name)

    def page(self, name: str) -> QWidget:
        """The page, built now if it was not yet (in its placeholder's place)."""
        widget = self._built.get(name)
        if widget is None:
            widget = self.registry[name].build(self._ctx)
            slot = self._widgets[name]
            showing = self.currentWidget() is slot
            self.insertWidget(self.indexOf(slot), widget)
            if showing:
                self.setCurrentWidget(widget)
            self.removeWidget(slot)
            slot.deleteLater()
            self._built[name] = self._widgets[name] = widget
        return widget

    def show_page(self, name: str) -> None:
        """Show the page (built first if it was not yet)."""
        self.setCurrentWidget(self.page(name))

    def current_name(self) -> str | None:
        """The registered page shown (its placeholder counts), None for another widget."""
        current = self.currentWidget()
        return next((n for n, w in self._widgets.items() if w is current), None)
