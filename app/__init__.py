"""Sprintdeck: a desktop Kanban/Scrum board for technical project managers."""

__version__ = "0.1.0"
