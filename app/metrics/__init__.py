"""Pure functions over plain data: ranks now; burndown, velocity and flow later. No Qt, no SQL."""
