"""The Backlog page: the ranked backlog and planned sprints as one tree model and its view."""
