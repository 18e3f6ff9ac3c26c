"""The Team page: the workload grid (who is stretched), its cells' cards, drags."""
