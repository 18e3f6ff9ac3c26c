"""The Reports page (burndown, velocity, flow), the sprint report dialog and file exports."""
