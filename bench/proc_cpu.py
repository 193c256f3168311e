"""CPU time of processes, from Linux's /proc: what the benches split a run's CPU by."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path


def cpu_seconds(pids: Iterable[int | str], *, reaped: bool = False) -> float:
    """User + system CPU these processes have used so far (those gone are skipped);
    `reaped`: with that of their children that have ended and been waited for."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
        if reaped:
            ticks += int(fields[13]) + int(fields[14])  # cutime, cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def database_server_cpu() -> float:
    """CPU seconds used so far by this machine's PostgreSQL processes (backends and
    background workers alike), the backends that have ended included (the postmaster
    waits for them, so their time is its children's); 0 where there is none, or no /proc."""
    if not os.path.isdir("/proc"):
        return 0.0
    pids = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            if Path(f"/proc/{pid}/comm").read_text().strip() == "postgres":
                pids.append(pid)
        except OSError:
            continue  # gone meanwhile, or not ours to read
    return cpu_seconds(pids, reaped=True)
