"""Dialogs that belong to no one page: the card editor, project and workflow settings,
import, the start-up choices."""
