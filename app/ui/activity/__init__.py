"""*View › Activity*: the project's activity feed (app/ui/activity/page.py)."""
