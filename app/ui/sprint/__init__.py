"""The Sprint page and the sprint's dialogs: plan, start, edit, complete with carry-over."""
