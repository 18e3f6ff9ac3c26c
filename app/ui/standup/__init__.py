"""The standup mode: the team walked one person at a time on the shared screen."""
