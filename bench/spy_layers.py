"""Where a server's time goes: py-spy raw profiles of `oms serve` summed by layer.

Reads the files `bench/intake.py --py-spy DIR` writes (py-spy's `--format raw`: one
stack per line, then a sample count) and prints, for the samples that are not a thread
waiting for work:

- self time by layer, from each sample's innermost frame (HTTP server and framework,
  pydantic, building SQL expressions, SQLAlchemy's execution machinery, the database
  driver and the database behind it, oms itself, the rest of the standard library);
- time inside each oms function (inclusive), to name the code that costs.

Recorded with `--py-spy-args "--gil"`, only the thread holding the GIL is sampled, so the
figures are the Python CPU time of the process; without it they are the wall time of the
busy threads (a thread waiting on the database counts as database).
Run: `.venv/bin/python bench/spy_layers.py DIR/postgresql-run1-32c-*.txt`.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

from rich.console import Console
from rich.table import Table

# Innermost frames of threads that wait for work, not for a result: not counted.
IDLE = (
    "Queue.get (queue.py",
    "Condition.wait (threading.py",
    "Process.always_pong",
    "Runner.run (asyncio/runners.py",
    "Connection._recv (multiprocessing",
    "Connection.poll (multiprocessing",
    "BaseSelector",
    "EpollSelector.select",
    "Event.wait (threading.py",
)
# (layer, substrings of the innermost frame); the first match wins.
LAYERS = [
    (
        "database (driver call, DB work and waits)",
        ("do_execute (", "do_executemany (", "do_commit (", "do_rollback (", "psycopg/"),
    ),
    ("SQLAlchemy: compiling, parameters", ("sqlalchemy/sql/compiler.py",)),
    ("SQLAlchemy: cache keys", ("sqlalchemy/sql/cache_key.py",)),
    ("SQLAlchemy: building expressions", ("sqlalchemy/sql/",)),
    ("SQLAlchemy: execution, results, pool, events", ("sqlalchemy/",)),
    ("pydantic", ("pydantic",)),
    ("FastAPI / Starlette", ("fastapi/", "starlette/")),
    ("uvicorn, asyncio, anyio, threads", ("uvicorn/", "asyncio/", "anyio/", "threading.py")),
    ("oms domain", ("oms/domain/",)),
    ("oms services", ("oms/services/",)),
    ("oms adapters", ("oms/adapters/",)),
    ("oms api", ("oms/api/",)),
]
OMS_FRAME = re.compile(r"^(?P<fn>[\w.<>]+) \((?P<file>oms/[\w/]+\.py):\d+\)$")


def layer(leaf: str) -> str:
    for name, needles in LAYERS:
        if any(n in leaf for n in needles):
            return name
    return "standard library, other"


def read(paths: list[Path]) -> tuple[Counter[str], Counter[str], int]:
    layers: Counter[str] = Counter()
    oms: Counter[str] = Counter()
    total = 0
    for path in paths:
        for line in path.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            frames = [f for f in stack.split(";") if f and not f.startswith("process ")]
            if not frames or not count.isdigit() or frames[-1].startswith(IDLE):
                continue
            n = int(count)
            total += n
            layers[layer(frames[-1])] += n
            seen = set()
            for frame in frames:
                m = OMS_FRAME.match(frame)
                if m and (key := f"{m['file']}:{m['fn']}") not in seen:
                    seen.add(key)
                    oms[key] += n
    return layers, oms, total


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("profiles", nargs="+", type=Path)
    p.add_argument("--top", type=int, default=30, help="oms functions to list")
    args = p.parse_args()
    layers, oms, total = read(args.profiles)
    console = Console(width=120)
    if not total:
        console.print("no busy samples")
        return
    table = Table("layer (innermost frame)", "share", "samples", title="Self time by layer")
    for name, n in layers.most_common():
        table.add_row(name, f"{100 * n / total:.1f}%", str(n))
    console.print(table)
    table = Table("oms function", "share (inclusive)", title="Time inside oms functions")
    for name, n in oms.most_common(args.top):
        table.add_row(name, f"{100 * n / total:.1f}%")
    console.print(table)


if __name__ == "__main__":
    main()
