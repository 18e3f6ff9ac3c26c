"""Sprintdeck's benchmark suite: ``python -m bench [--sizes 1000,10000] [--repeat N]``.

See docs/benchmarks.md for what each figure measures and the latest results.
"""
