"""Qt widgets, item models, delegates, dialogs and undo commands (no SQL here)."""
