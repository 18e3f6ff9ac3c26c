"""Zoom for the shared screen: one factor that scales cards and text, remembered per screen.

A board read from across a room needs bigger cards on the meeting room's 2560×1440 screen
than on the laptop it is planned on, so the factor is remembered per screen: the QScreen's
name and size (``zoom/<name> <w>x<h>`` in the window's QSettings). Ctrl+= / Ctrl++ zoom in,
Ctrl+- out, Ctrl+0 resets (the actions ``view.zoom_in``, ``view.zoom_out``,
``view.zoom_reset``). Whatever shows cards (the boards, the standup view) registers a
``set_zoom(factor)`` target and is told the factor at once and on every change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QScreen
from PySide6.QtWidgets import QWidget

# The steps Ctrl+= and Ctrl+- walk; 1.0 is the app's normal size.
ZOOM_STEPS: tuple[float, ...] = (0.7, 0.8, 0.9, 1.0, 1.15, 1.3, 1.5, 1.75, 2.0, 2.5, 3.0)
DEFAULT_ZOOM = 1.0


def screen_key(screen: QScreen | None) -> str:
    """The settings key of a screen: its name and size (a laptop's panel and the meeting
    room's screen keep their own zoom, even when both are called "HDMI-1")."""
    if screen is None:
        return "zoom/unknown"
    size = screen.size()
    name = (screen.name() or "screen").replace("/", "_").replace("\\", "_")
    return f"zoom/{name} {size.width()}x{size.height()}"


def clamp_zoom(value: object) -> float:
    """A stored factor as one of :data:`ZOOM_STEPS` (the nearest; the default if unreadable)."""
    try:
        factor = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return DEFAULT_ZOOM
    if factor != factor:  # NaN
        return DEFAULT_ZOOM
    return min(ZOOM_STEPS, key=lambda step: abs(step - factor))


class Zoom(QObject):
    """The window's zoom factor: stepped by the actions, saved for the window's screen."""

    changed = Signal(float)

    def __init__(self, window: QWidget, settings: QSettings) -> None:
        super().__init__(window)
        self._window = window
        self._settings = settings
        self._targets: list[Callable[[float], object]] = []
        self._screen_hooked = False
        self.factor = clamp_zoom(settings.value(self.key(), DEFAULT_ZOOM))
        window.installEventFilter(self)  # the screen is known once the window is shown

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """QObject::eventFilter: on the window's first show, take its screen's zoom."""
        if watched is self._window and event.type() == QEvent.Type.Show:
            self.follow_screen()
        return False

    def handlers(self) -> dict[str, Callable[[], Any]]:
        return {
            "view.zoom_in": self.zoom_in,
            "view.zoom_out": self.zoom_out,
            "view.zoom_reset": self.reset,
        }

    def key(self) -> str:
        """The settings key of the screen the window is on now."""
        return screen_key(self._window.screen())

    def add_target(self, set_zoom: Callable[[float], object]) -> None:
        """``set_zoom(factor)`` now and whenever the factor changes."""
        self._targets.append(set_zoom)
        set_zoom(self.factor)

    def zoom_in(self) -> None:
        bigger = [s for s in ZOOM_STEPS if s > self.factor]
        if bigger:
            self.set_factor(bigger[0])

    def zoom_out(self) -> None:
        smaller = [s for s in ZOOM_STEPS if s < self.factor]
        if smaller:
            self.set_factor(smaller[-1])

    def reset(self) -> None:
        self.set_factor(DEFAULT_ZOOM)

    def set_factor(self, factor: float) -> None:
        """Apply ``factor`` everywhere and remember it for this screen."""
        factor = clamp_zoom(factor)
        self._settings.setValue(self.key(), factor)
        if factor == self.factor:
            return
        self.factor = factor
        self._apply()

    def follow_screen(self) -> None:
        """Take the zoom remembered for the window's screen, now and when the window moves
        to another screen (called once the window has a native window handle)."""
        handle = self._window.windowHandle()
        if handle is not None and not self._screen_hooked:
            handle.screenChanged.connect(lambda _screen: self.follow_screen())
            self._screen_hooked = True
        factor = clamp_zoom(self._settings.value(self.key(), DEFAULT_ZOOM))
        if factor != self.factor:
            self.factor = factor
            self._apply()

    def _apply(self) -> None:
        for target in list(self._targets):
            target(self.factor)
        self.changed.emit(self.factor)


class FullScreen(QObject):
    """F11 and View › Full screen: the window (board or standup) fills its screen, and back.

    The action is checkable and follows the window's state, whoever changed it."""

    def __init__(self, window: QWidget, action: QAction) -> None:
        super().__init__(window)
        self._window = window
        self._action = action
        action.setCheckable(True)
        window.installEventFilter(self)

    def toggle(self) -> None:
        self.set_full_screen(not self._window.isFullScreen())

    def set_full_screen(self, on: bool) -> None:
        state = self._window.windowState()
        if on:
            self._window.setWindowState(state | Qt.WindowState.WindowFullScreen)
        else:
            self._window.setWindowState(state & ~Qt.WindowState.WindowFullScreen)
        self._action.setChecked(on)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """QObject::eventFilter: keep the action's check mark true to the window's state."""
        if watched is self._window and event.type() == QEvent.Type.WindowStateChange:
            self._action.setChecked(self._window.isFullScreen())
        return False


__all__ = ["DEFAULT_ZOOM", "ZOOM_STEPS", "FullScreen", "Zoom", "clamp_zoom", "screen_key"]
