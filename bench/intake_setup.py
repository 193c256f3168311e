"""Bench set-up: fresh databases, the `oms serve` subprocess, the catalogue, the machine."""

from __future__ import annotations

import http.client
import json
import os
import platform
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import zlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

import proc_cpu

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
OMS = str(BIN / "oms")
LOCATION = "BENCH"
API = "/api/v1"


@dataclass
class Database:
    """One fresh bench database: its kind, its URL, and how to reach it without oms."""

    kind: str  # "sqlite" or "postgresql"
    url: str
    path: Path | None = None  # SQLite file
    admin_url: str | None = None  # PostgreSQL maintenance database
    name: str | None = None  # PostgreSQL database name

    def version(self) -> str:
        """Name, version and the durability settings that bound a commit's cost."""
        if self.kind == "sqlite":
            return f"SQLite {sqlite3.sqlite_version} (WAL, synchronous=NORMAL)"
        with psycopg.connect(self.url) as conn:
            version, commit = (
                str((conn.execute(f"SHOW {name}").fetchone() or ("?",))[0])
                for name in ("server_version", "synchronous_commit")
            )
        return f"PostgreSQL {version.split()[0]} (synchronous_commit={commit})"

    def drop(self) -> None:
        if self.kind == "sqlite":
            assert self.path is not None
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            return
        assert self.admin_url and self.name
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def fresh_sqlite(directory: Path, name: str) -> Database:
    db = Database("sqlite", "", path=directory / f"{name}.db")
    db.url = f"sqlite:///{db.path}"
    db.drop()
    migrate(db)
    return db


def fresh_postgres(admin_url: str, name: str) -> Database:
    if name in {"test", "postgres", "template0", "template1"}:
        raise SystemExit(f"refusing to recreate the database {name!r}; pick a bench database")
    base = admin_url.rsplit("/", 1)[0]
    db = Database("postgresql", f"{base}/{name}", admin_url=admin_url, name=name)
    db.drop()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    migrate(db)
    return db


@contextmanager
def exclusive(admin_url: str, name: str) -> Iterator[None]:
    """One bench at a time per PostgreSQL bench database: another run would drop it."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        key = zlib.crc32(f"oms-bench:{name}".encode())
        row = conn.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()
        if not row or not row[0]:
            raise SystemExit(f"another bench is using the database {name!r}; wait for it")
        try:
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (key,))


def oms_env(db: Database) -> dict[str, str]:
    env = dict(os.environ)
    env["OMS_DATABASE_URL"] = db.url
    env.pop("OMS_SQL_ECHO", None)
    return env


def migrate(db: Database) -> None:
    subprocess.run(
        [OMS, "db", "upgrade"], env=oms_env(db), check=True, cwd=ROOT, capture_output=True
    )


def api_token(db: Database) -> str | None:
    """A bench admin's token once access control exists; None while tokens are optional."""
    done = subprocess.run(
        [OMS, "users", "create", "bench", "--role", "admin"],
        env=oms_env(db),
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    lines = [line.strip() for line in done.stdout.splitlines() if line.strip()]
    return lines[-1] if done.returncode == 0 and lines else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """`oms serve --workers N` in its own process group; stopping kills the whole group."""

    def __init__(self, db: Database, log: Path, workers: int = 2):
        self.db = db
        self.log_path = log
        self.workers = workers
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        command = [OMS, "serve", "--workers", str(self.workers), "--port", str(self.port)]
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                command,
                env=oms_env(self.db),
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def _wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise RuntimeError(f"oms serve exited early:\n{self.log()}")
            started = self.log().count("Application startup complete")
            if started >= self.workers and get(self.port, "/healthz")[0] == 200:
                return
            time.sleep(0.2)
        raise RuntimeError(f"oms serve did not answer within {timeout:.0f} s:\n{self.log()}")

    def worker_pids(self) -> list[int]:
        """The uvicorn worker processes (the group's members that serve requests)."""
        if self.proc is None:
            return []
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
                cmdline = (stat.parent / "cmdline").read_bytes()
            except (OSError, IndexError):
                continue
            if int(fields[2]) == self.proc.pid and b"spawn_main" in cmdline:
                found.append(int(stat.parent.name))
        return sorted(found)

    def cpu_seconds(self) -> float:
        """User + system CPU the workers have used so far."""
        return proc_cpu.cpu_seconds(self.worker_pids())

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        """SIGINT the group (uvicorn shuts down cleanly, py-spy writes its profile), then
        SIGKILL whatever of the group is still there after a grace period."""
        if self.proc is None:
            return
        proc, self.proc = self.proc, None
        _signal_group(proc.pid, signal.SIGINT)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and _signal_group(proc.pid, 0):
            proc.poll()
            time.sleep(0.1)
        _signal_group(proc.pid, signal.SIGKILL)
        proc.wait()


def _signal_group(pgid: int, sig: int) -> bool:
    """Signal the process group we started; False once none of it is left."""
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        return False
    return True


class Spy:
    """py-spy (if installed in the venv) recording server workers into raw profiles."""

    def __init__(self, directory: Path, extra: list[str]) -> None:
        self.directory = directory
        self.extra = extra
        self.procs: list[subprocess.Popen[bytes]] = []
        directory.mkdir(parents=True, exist_ok=True)

    def start(self, pids: list[int], name: str, seconds: float) -> None:
        for pid in pids:
            out = self.directory / f"{name}-{pid}.txt"
            command = [str(BIN / "py-spy"), "record", "--pid", str(pid), "--format", "raw"]
            command += ["-d", str(max(1, round(seconds))), "-o", str(out), *self.extra]
            self.procs.append(subprocess.Popen(command, stdout=subprocess.DEVNULL))

    def wait(self) -> None:
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.procs = []


def get(port: int, path: str, token: str | None = None) -> tuple[int, Any]:
    return request(port, "GET", path, None, token)


def request(
    port: int, method: str, path: str, body: Any = None, token: str | None = None
) -> tuple[int, Any]:
    """One request on a fresh connection; (status, decoded JSON or None); 0 if unreachable."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        payload = None if body is None else json.dumps(body)
        conn.request(method, path, payload, headers(token))
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, json.loads(data) if data else None
    except (OSError, http.client.HTTPException):
        return 0, None
    finally:
        conn.close()


def headers(token: str | None) -> dict[str, str]:
    out = {"Content-Type": "application/json"}
    if token:
        out["Authorization"] = f"Bearer {token}"
    return out


def sku_of(i: int, prefix: str = "P") -> str:
    return f"{prefix}{i:05d}"


def load_catalogue(
    port: int, token: str | None, skus: list[str], on_hand: int, threads: int = 8
) -> None:
    """One shipping location, the products and a counted stock of each, through the API."""
    status, body = request(
        port,
        "POST",
        f"{API}/locations",
        {
            "code": LOCATION,
            "name": "Bench warehouse",
            "kind": "warehouse",
            "country": "FR",
            "postal_code": "75001",
            "ships": True,
        },
        token,
    )
    if status != 201:
        raise RuntimeError(f"POST /locations answered {status}: {body}")

    def one(sku: str) -> None:
        product = {"sku": sku, "name": f"Bench product {sku}", "price": "9.90"}
        status, body = request(port, "POST", f"{API}/products", product, token)
        if status != 201:
            raise RuntimeError(f"POST /products {sku} answered {status}: {body}")
        count = {"on_hand": on_hand, "reason": "bench stock"}
        status, body = request(port, "PUT", f"{API}/stock/{LOCATION}/{sku}", count, token)
        if status != 200:
            raise RuntimeError(f"PUT /stock/{LOCATION}/{sku} answered {status}: {body}")

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(one, skus))


def code_version() -> str:
    """The commit measured, and whether src/ had changes not yet committed."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "src"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        return "unknown (no git)"
    return f"{head or 'unknown'}" + (" with uncommitted changes in src/" if dirty else "")


@dataclass(frozen=True)
class Machine:
    cores: int
    cpu: str
    memory: str
    system: str
    python: str

    def line(self) -> str:
        return (
            f"{self.cores} cores, {self.cpu}, {self.memory} RAM; {self.system}; "
            f"Python {self.python}"
        )


def machine() -> Machine:
    cpu = "unknown CPU"
    memory = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    return Machine(
        cores=os.cpu_count() or 0,
        cpu=cpu,
        memory=memory,
        system=f"{platform.system()} {platform.release()}",
        python=platform.python_version(),
    )
