"""The Timeline page: sprints, epic bars, milestones and today on one scale (issue 18)."""
