"""Peak memory of this process, its own: the figure ``peak_rss_mb`` and the worker's."""

from __future__ import annotations

import resource


def peak_rss_mb() -> float:
    """This process's peak resident set size in MB (``VmHWM``).

    ``ru_maxrss`` would not do on Linux: it is kept across ``execve``, so a child forked
    from a big parent (the bench, which has just built a 50,000-card database in-process)
    reports the parent's size, not its own.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
