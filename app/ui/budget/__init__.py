"""The Budget page: cost against budget, where it went, burn rate, and earned value."""
