"""Domain errors: refused operations, each with a message written for a person.

The UI shows ``str(error)`` in a dialog, the CLI prints it on one line and exits with 1.
"""

from __future__ import annotations


class DomainError(Exception):
    """An operation was refused; nothing was changed."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ValidationError(DomainError):
    """The input is not acceptable (empty title, negative points, bad key...)."""


class NotFound(DomainError):
    """The thing named does not exist (or no longer does)."""


class Conflict(DomainError):
    """The change clashes with the current state: a duplicate, or someone else's newer edit."""


class StaleEdit(Conflict):
    """The row was changed by someone else since it was read (optimistic locking)."""

    def __init__(self, message: str, current_version: int | None = None) -> None:
        super().__init__(message)
        self.current_version = current_version


class DatabaseProblem(DomainError):
    """The database cannot be used as asked: not a database, too new, locked, read-only..."""
