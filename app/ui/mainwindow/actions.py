"""The window's named actions and the menus built from them.

Every QAction of the window is made here, from one table (:data:`ACTIONS`): its name, text,
shortcuts, status tip, whether it is a board-only key and which state it waits for. The
controllers bind their handlers by name (``actions.bind({"card.new": cards.new_card})``)
and refer to actions by name (``actions["card.new"]``); the menus are a second table
(:data:`MENUS`) of those names. The pages' actions (View menu, tab bar) come from the page
registry (app/ui/mainwindow/registry.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence, QUndoStack
from PySide6.QtWidgets import QMainWindow, QMenu, QWidget

from app.ui.mainwindow.registry import Page

Key = QKeySequence.StandardKey
Shortcut = str | QKeySequence.StandardKey | Qt.Key


@dataclass(frozen=True)
class ActionSpec:
    """One action: ``attr`` is its attribute on the window (``window.new_card_action``);
    ``board_only``: its keys work only while a board has focus (the filter box keeps its
    own); ``requires``: the state it is enabled in (see :meth:`Actions.allow`)."""

    name: str
    text: str
    attr: str
    shortcuts: tuple[Shortcut, ...] = ()
    tip: str = ""
    board_only: bool = False
    requires: str = ""


# The states actions wait for: "card" a card is selected on the board looked at; "project"
# the database has a project (or the open project, for its settings); "scrum" the project
# is a Scrum one; "no_demo" there is no demo project yet.
ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("card.new", "&New card…", "new_card_action", ("Ctrl+N",),
               tip="Create a card (Ctrl+N)", requires="project"),
    ActionSpec("card.open", "&Open card…", "open_card_action",
               (Qt.Key.Key_Return, Qt.Key.Key_Enter), board_only=True, requires="card"),
    ActionSpec("card.delete", "&Delete card…", "delete_card_action", (Key.Delete,),
               board_only=True, requires="card"),
    ActionSpec("card.move_left", "Move to &previous column", "move_left_action",
               ("Ctrl+Left",), board_only=True, requires="card"),
    ActionSpec("card.move_right", "Move to &next column", "move_right_action",
               ("Ctrl+Right",), board_only=True, requires="card"),
    ActionSpec("card.move_up", "Move &up", "move_up_action", ("Ctrl+Up",),
               board_only=True, requires="card"),
    ActionSpec("card.move_down", "Move do&wn", "move_down_action", ("Ctrl+Down",),
               board_only=True, requires="card"),
    ActionSpec("card.log_time", "&Log time…", "log_time_action", ("Ctrl+L",),
               tip="Log time spent on the selected card (Ctrl+L)", requires="card"),
    ActionSpec("card.timer", "Start/stop t&imer", "timer_action", ("Ctrl+Shift+T",),
               tip="Start a timer on the selected card, or stop yours and log the time "
               "(Ctrl+Shift+T)", requires="project"),
    ActionSpec("project.new", "New &project…", "new_project_action", ("Ctrl+Shift+N",)),
    ActionSpec("database.new", "New &database…", "new_database_action",
               tip="Create an empty Sprintdeck database file and open it"),
    ActionSpec("database.open", "&Open database…", "open_database_action", (Key.Open,),
               tip="Open another Sprintdeck database file (Ctrl+O)"),
    ActionSpec("project.demo", "Add the &demo project", "demo_project_action",
               tip="Add the demo project DEMO: a team, sprints and history to explore",
               requires="no_demo"),
    ActionSpec("board.workflow", "Edit &workflow…", "workflow_action"),
    ActionSpec("file.import", "&Import from Trello or Jira…", "import_action", ("Ctrl+I",)),
    ActionSpec("export.board_csv", "Export &board as CSV…", "export_board_csv_action"),
    ActionSpec("export.backlog_csv", "Export bac&klog as CSV…", "export_backlog_csv_action"),
    ActionSpec("export.report", "Export sprint &report…", "export_report_action",
               ("Ctrl+Shift+E",), requires="scrum"),
    ActionSpec("export.status", "Export &status report…", "export_status_action",
               tip="Progress, budget, earned value and workload, stored as a snapshot",
               requires="project"),
    ActionSpec("sprint.create", "&Create sprint…", "create_sprint_action"),
    ActionSpec("sprint.edit", "&Edit sprint…", "edit_sprint_action"),
    ActionSpec("sprint.plan", "&Plan sprint (capacity)…", "plan_sprint_action"),
    ActionSpec("sprint.start", "&Start sprint…", "start_sprint_action"),
    ActionSpec("sprint.complete", "C&omplete sprint…", "complete_sprint_action"),
    ActionSpec("board.reload", "&Reload", "reload_action", (Key.Refresh,)),
    ActionSpec("filter.find", "&Filter cards", "find_action", (Key.Find,)),
    ActionSpec("filter.clear", "&Clear filters", "clear_filter_action"),
    ActionSpec("app.quit", "&Quit", "quit_action", (Key.Quit,)),
    ActionSpec("project.settings", "&Settings…", "project_settings_action", ("Ctrl+,",),
               tip="Name, calendar, budget, team and labels of this project (Ctrl+,)"),
    ActionSpec("user.you_are", "&You are…", "you_are_action",
               tip="Who you are: the team member your changes are recorded under"),
    ActionSpec("help.about", "&About Sprintdeck", "about_action"),
    ActionSpec("view.zoom_in", "Zoom &in", "zoom_in_action", ("Ctrl+=", "Ctrl++"),
               tip="Bigger cards and text on this screen (Ctrl+=)"),
    ActionSpec("view.zoom_out", "Zoom &out", "zoom_out_action", ("Ctrl+-",),
               tip="Smaller cards and text on this screen (Ctrl+-)"),
    ActionSpec("view.zoom_reset", "&Actual size", "zoom_reset_action", ("Ctrl+0",),
               tip="Cards and text at their normal size (Ctrl+0)"),
    ActionSpec("view.full_screen", "&Full screen", "full_screen_action", ("F11",),
               tip="Fill the screen with the window, for a shared screen (F11)"),
    ActionSpec("view.standup", "S&tandup…", "standup_action", ("Ctrl+U",),
               tip="Walk the team through the board one person at a time (Ctrl+U)",
               requires="project"),
)  # fmt: skip

# The menu bar: (name, title, items); an item is an action's name, None for a separator,
# "@pages" for the registry's pages, or "@name Title" for a submenu filled by its owner.
MENUS: tuple[tuple[str, str, tuple[str | None, ...]], ...] = (
    ("file", "&File", (
        "project.new", None, "database.new", "database.open", "@recent Open &recent", None,
        "file.import", None, "export.board_csv", "export.backlog_csv", "export.report",
        "export.status", None, "app.quit",
    )),
    ("project", "&Project", ("project.new", None, "project.settings", "user.you_are")),
    ("edit", "&Edit", ("edit.undo", "edit.redo", None, "filter.find", "filter.clear")),
    ("card", "&Card", (
        "card.new", "card.open", "card.delete", None,
        "card.move_left", "card.move_right", "card.move_up", "card.move_down", None,
        "card.log_time", "card.timer",
    )),
    ("sprint", "&Sprint", (
        "sprint.create", "sprint.edit", "sprint.plan", None, "sprint.start", "sprint.complete",
    )),
    ("view", "&View", (
        "@pages", None, "view.zoom_in", "view.zoom_out", "view.zoom_reset", None,
        "view.full_screen", "view.standup",
    )),
    ("board", "&Board", ("board.workflow", "board.reload")),
    ("help", "&Help", ("help.about",)),
)  # fmt: skip


class Actions(Mapping[str, QAction]):
    """The window's actions by name: the table's, Undo and Redo of the window's undo stack
    (``edit.undo``, ``edit.redo``) and one checkable ``page.<name>`` per registered page."""

    def __init__(self, window: QMainWindow, undo_stack: QUndoStack, pages: Iterable[Page]):
        self._window = window
        self._actions: dict[str, QAction] = {}
        self._specs: dict[str, ActionSpec] = {}
        self._bound: set[str] = set()
        self.board_only: list[QAction] = []
        undo = undo_stack.createUndoAction(window, "&Undo")
        undo.setShortcuts([QKeySequence(Key.Undo)])
        redo = undo_stack.createRedoAction(window, "&Redo")
        redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        for name, action in (("edit.undo", undo), ("edit.redo", redo)):
            window.addAction(action)
            self._actions[name] = action
            self._bound.add(name)  # the stack's own slots
        for spec in ACTIONS:
            self._add(spec)
        self.page_group = QActionGroup(window)
        self.pages: dict[str, QAction] = {}
        for page in pages:
            action = self._add(
                ActionSpec(
                    f"page.{page.name}",
                    page.title,
                    f"{page.name}_page_action",
                    (page.shortcut,),
                    tip=f"Show the {page.name} ({page.shortcut})",
                )
            )
            action.setCheckable(True)
            self.page_group.addAction(action)
            self.pages[page.name] = action

    def _add(self, spec: ActionSpec) -> QAction:
        action = QAction(spec.text, self._window)
        if spec.shortcuts:
            action.setShortcuts([QKeySequence(s) for s in spec.shortcuts])
        if spec.board_only:
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.board_only.append(action)  # added to each board (add_to_board)
        else:
            self._window.addAction(action)
        if spec.tip:
            action.setStatusTip(spec.tip)
        self._actions[spec.name] = action
        self._specs[spec.name] = spec
        return action

    def __getitem__(self, name: str) -> QAction:
        return self._actions[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._actions)

    def __len__(self) -> int:
        return len(self._actions)

    def attributes(self) -> dict[str, QAction]:
        """The actions under their window attribute names (``new_card_action``, …)."""
        names = {"edit.undo": "undo_action", "edit.redo": "redo_action"}
        names.update({name: spec.attr for name, spec in self._specs.items()})
        return {names[name]: action for name, action in self._actions.items()}

    def bind(self, handlers: Mapping[str, Callable[[], Any]]) -> None:
        """Run ``handlers[name]`` when the action ``name`` is triggered."""
        for name, handler in handlers.items():
            self._actions[name].triggered.connect(lambda _checked=False, h=handler: h())
            self._bound.add(name)

    def unbound(self) -> list[str]:
        """Actions nothing runs (none, once the window is built)."""
        return [name for name in self._actions if name not in self._bound]

    def add_to_board(self, board: QWidget) -> None:
        """A board's keys: the board-only actions work while it (or a child) has focus."""
        for action in self.board_only:
            board.addAction(action)

    def allow(self, state: str, on: bool) -> None:
        """Enable (or disable) every action that waits for ``state``."""
        for name, spec in self._specs.items():
            if spec.requires == state:
                self._actions[name].setEnabled(on)


def build_menus(window: QMainWindow, actions: Actions) -> dict[str, QMenu]:
    """The menu bar from :data:`MENUS`; the menus (and submenus) by name."""
    menus: dict[str, QMenu] = {}
    bar = window.menuBar()
    for name, title, items in MENUS:
        menu = bar.addMenu(title)
        menus[name] = menu
        for item in items:
            if item is None:
                menu.addSeparator()
            elif item == "@pages":
                for action in actions.pages.values():
                    menu.addAction(action)
            elif item.startswith("@"):
                sub_name, sub_title = item[1:].split(" ", 1)
                menus[sub_name] = menu.addMenu(sub_title)
            else:
                menu.addAction(actions[item])
    return menus
