"""The main window and its parts: window (the QMainWindow), actions (named actions and the
menus), registry (the pages), card_controller, project_bar, board_controls, sprints,
transfers, settings."""

from app.ui.mainwindow.window import MainWindow

__all__ = ["MainWindow"]
