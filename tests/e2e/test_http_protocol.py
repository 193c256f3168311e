"""`oms serve`'s HTTP protocol: each answer in one write, and nothing else changed.

The protocol is driven the way uvicorn's own tests drive theirs (bytes in through
`data_received`, the transport's writes recorded), then served for real by uvicorn on a
socket: keep-alive, `Connection: close`, pipelined requests, a streamed answer whose
first chunk arrives before the last is made, and a body larger than the socket's buffers.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest
import uvicorn
from uvicorn.server import ServerState

from oms.api.http_protocol import HttpProtocol, JoinedWrites

BIG = 5_000_000
T = TypeVar("T")


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """asyncio.run on a thread of its own: other tests (Playwright's) may leave an event
    loop running on the main thread."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """A small ASGI app: /small answers JSON, /stream sends three chunks 0.3 s apart,
    /big sends 5 MB at once."""
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    await receive()
    path = scope["path"]
    if path == "/stream":
        await send({"type": "http.response.start", "status": 200, "headers": []})
        for i in range(3):
            await send({"type": "http.response.body", "body": b"chunk%d;" % i, "more_body": True})
            await asyncio.sleep(0.3)
        await send({"type": "http.response.body", "body": b""})
        return
    body = b"x" * BIG if path == "/big" else b'{"ok":true,"path":"%s"}' % path.encode()
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", b"%d" % len(body)),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class Recording(asyncio.Transport):
    """A transport that records each write, as uvicorn's tests' MockTransport does."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.closed = False
        self.aborted = False
        self.eof = False

    def write(self, data: Any) -> None:
        self.writes.append(bytes(data))

    def close(self) -> None:
        self.closed = True

    def abort(self) -> None:
        self.aborted = True

    def is_closing(self) -> bool:
        return self.closed or self.aborted

    def write_eof(self) -> None:
        self.eof = True

    def can_write_eof(self) -> bool:
        return True

    def get_write_buffer_size(self) -> int:
        return 0

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"sockname": ("127.0.0.1", 8000), "peername": ("127.0.0.1", 50000)}.get(
            name, default
        )

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


def test_an_answer_leaves_in_one_write() -> None:
    async def main() -> list[bytes]:
        config = uvicorn.Config(app, lifespan="off", access_log=False)
        config.load()
        transport = Recording()
        protocol = HttpProtocol(config, ServerState(), {}, asyncio.get_running_loop())
        protocol.connection_made(transport)
        protocol.data_received(b"GET /small HTTP/1.1\r\nHost: x\r\n\r\n")
        for _ in range(50):
            await asyncio.sleep(0.01)
            if transport.writes:
                break
        await asyncio.sleep(0.05)
        protocol.connection_lost(None)
        return transport.writes

    writes = run(main())
    assert len(writes) == 1, writes
    head, _, body = writes[0].partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"content-length: 27" in head
    assert body == b'{"ok":true,"path":"/small"}'


def test_the_transport_joins_one_turns_writes_and_keeps_their_order() -> None:
    async def main() -> None:
        loop = asyncio.get_running_loop()
        inner = Recording()
        joined = JoinedWrites(inner, loop)
        joined.write(b"a")
        joined.write(bytearray(b"b"))
        joined.writelines([b"c", memoryview(b"d")])
        joined.write(b"")  # nothing, and no empty write
        assert inner.writes == []
        assert joined.get_write_buffer_size() == 4
        await asyncio.sleep(0)
        assert inner.writes == [b"abcd"]
        joined.write(b"e")
        await asyncio.sleep(0)
        joined.write(b"f")
        await asyncio.sleep(0)
        assert inner.writes == [b"abcd", b"e", b"f"]
        # closing sends what is kept first; half-closing too
        joined.write(b"g")
        joined.write_eof()
        assert inner.writes[-1] == b"g" and inner.eof
        joined.write(b"h")
        joined.close()
        assert inner.writes[-1] == b"h" and inner.closed
        await asyncio.sleep(0)
        assert inner.writes == [b"abcd", b"e", b"f", b"g", b"h"]
        # nothing is written to a closed transport; aborting drops what is kept
        joined.write(b"late")
        await asyncio.sleep(0)
        assert inner.writes[-1] == b"h"
        other = Recording()
        aborted = JoinedWrites(other, loop)
        aborted.write(b"lost")
        aborted.abort()
        await asyncio.sleep(0)
        assert other.writes == [] and other.aborted

    run(main())


@pytest.fixture(scope="module")
def served() -> Iterator[int]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port,
            http=HttpProtocol,
            access_log=False,
            log_level="warning",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield port
    server.should_exit = True
    thread.join(10)


def _read_answer(sock: socket.socket, buffer: bytearray) -> tuple[bytes, bytes]:
    """One answer with a content-length from the connection: (head, body)."""
    while b"\r\n\r\n" not in buffer:
        chunk = sock.recv(65536)
        assert chunk, "connection closed before the headers"
        buffer += chunk
    head, _, rest = bytes(buffer).partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length")
    )
    buffer[:] = rest
    while len(buffer) < length:
        chunk = sock.recv(1 << 20)
        assert chunk, "connection closed in the body"
        buffer += chunk
    body = bytes(buffer[:length])
    del buffer[:length]
    return head, body


def test_keep_alive_and_pipelined_requests_are_answered_in_order(served: int) -> None:
    with socket.create_connection(("127.0.0.1", served), timeout=10) as sock:
        buffer = bytearray()
        sock.sendall(b"GET /one HTTP/1.1\r\nHost: x\r\n\r\n")
        head, body = _read_answer(sock, buffer)
        assert head.startswith(b"HTTP/1.1 200") and body == b'{"ok":true,"path":"/one"}'
        sock.sendall(b"GET /two HTTP/1.1\r\nHost: x\r\n\r\nGET /three HTTP/1.1\r\nHost: x\r\n\r\n")
        assert _read_answer(sock, buffer)[1] == b'{"ok":true,"path":"/two"}'
        assert _read_answer(sock, buffer)[1] == b'{"ok":true,"path":"/three"}'


def test_connection_close_sends_the_whole_answer_then_closes(served: int) -> None:
    with socket.create_connection(("127.0.0.1", served), timeout=10) as sock:
        sock.sendall(b"GET /bye HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        received = bytearray()
        while chunk := sock.recv(65536):
            received += chunk
    assert received.startswith(b"HTTP/1.1 200")
    assert received.endswith(b'{"ok":true,"path":"/bye"}')


def test_a_large_body_arrives_whole(served: int) -> None:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)  # before connecting
        sock.settimeout(10)
        sock.connect(("127.0.0.1", served))
        sock.sendall(b"GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
        time.sleep(0.2)  # the server meets a full socket buffer: flow control
        head, body = _read_answer(sock, bytearray())
    assert head.startswith(b"HTTP/1.1 200")
    assert len(body) == BIG and body == b"x" * BIG


def test_a_streamed_answer_is_not_held_back(served: int) -> None:
    with socket.create_connection(("127.0.0.1", served), timeout=10) as sock:
        started = time.monotonic()
        sock.sendall(b"GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
        first = bytearray()
        while b"chunk0;" not in first:
            chunk = sock.recv(65536)
            assert chunk
            first += chunk
        first_at = time.monotonic() - started
        rest = bytearray()
        while not rest.endswith(b"0\r\n\r\n"):
            chunk = sock.recv(65536)
            assert chunk
            rest += chunk
        done_at = time.monotonic() - started
    assert first.startswith(b"HTTP/1.1 200") and b"transfer-encoding: chunked" in first
    assert b"chunk2;" in rest
    # the first chunk came at once; the last one 0.6 s of the app's sleeps later
    assert first_at < done_at - 0.5, (first_at, done_at)
