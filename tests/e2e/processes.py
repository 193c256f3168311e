"""`oms` commands as separate processes for the tests that need real ones (a server on a
port, a worker): started with the venv's `oms`, stopped by their own process id."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

OMS = str(Path(sys.executable).with_name("oms"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def oms(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run one `oms` command to its end; its output is returned (and checked by the caller)."""
    return subprocess.run(
        [OMS, *args], env={**os.environ, **env}, capture_output=True, text=True, timeout=300
    )


@contextmanager
def running(*args: str, env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`oms <args>` in the background, its output in `log`; stopped at the end."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            [OMS, *args], env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT
        )
        try:
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def server(env: dict[str, str], log: Path, port: int | None = None) -> Iterator[str]:
    """`oms serve` on a free port; yields its base URL once /healthz answers."""
    port = port or free_port()
    base = f"http://127.0.0.1:{port}"
    with running("serve", "--port", str(port), "--workers", "1", env=env, log=log) as process:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"oms serve stopped: {log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"oms serve did not start: {log.read_text()[-2000:]}")
            time.sleep(0.1)
        yield base
