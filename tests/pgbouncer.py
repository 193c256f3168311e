"""Start a PgBouncer in transaction pooling mode in front of the local PostgreSQL, for
`.ci/run`: `python tests/pgbouncer.py start DIR` prints the port it listens on;
`python tests/pgbouncer.py stop DIR` stops it (by the pid it wrote)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start(folder: Path, upstream_port: int = 5432) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    (folder / "users.txt").write_text('"postgres" ""\n')
    (folder / "pgbouncer.ini").write_text(
        "[databases]\n"
        f"* = host=127.0.0.1 port={upstream_port}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\n"
        f"unix_socket_dir =\nauth_type = trust\nauth_file = {folder}/users.txt\n"
        "pool_mode = transaction\ndefault_pool_size = 20\nmax_client_conn = 1000\n"
        f"pidfile = {folder}/pgbouncer.pid\nlogfile = {folder}/pgbouncer.log\n"
        "ignore_startup_parameters = extra_float_digits,options\n"
    )
    os.chmod(folder, 0o777)
    for name in ("users.txt", "pgbouncer.ini"):
        os.chmod(folder / name, 0o644)
    binary = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    user = ["-u", "postgres"] if os.geteuid() == 0 else []  # it refuses to run as root
    subprocess.run([binary, "-d", *user, str(folder / "pgbouncer.ini")], check=True)
    for _ in range(50):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return port
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"pgbouncer did not start: {(folder / 'pgbouncer.log').read_text()}")


def stop(folder: Path) -> None:
    pid_file = folder / "pgbouncer.pid"
    if pid_file.exists():
        os.kill(int(pid_file.read_text().strip()), signal.SIGTERM)


if __name__ == "__main__":
    command, where = sys.argv[1], Path(sys.argv[2])
    if command == "start":
        print(start(where))
    else:
        stop(where)
