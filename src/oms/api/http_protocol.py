"""uvicorn's HTTP protocol (httptools), with each answer sent in one write.

uvicorn writes an answer's status line and headers when the app sends
`http.response.start`, and its body when the app sends `http.response.body`: two `send`
system calls and two TCP segments for every small JSON answer. On the order intake that
first write alone was 9% of the server's CPU (py-spy `--gil`, docs/performance.md "One
write per answer"), and the client, woken by the headers, has to wait for the body. Here
the connection's transport keeps what is written during one turn of the event loop and
sends it at the end of that turn, joined: an answer written without an `await` in between
(every plain `Response`) leaves in one write; a streamed answer still leaves chunk by chunk,
each at the end of the turn that produced it. Closing or half-closing sends what is kept
first; aborting drops it, as the socket's own buffer would be.

`oms serve` runs uvicorn with `http="oms.api.http_protocol:HttpProtocol"`. The subclass
relies on uvicorn's `HttpToolsProtocol` taking its transport in `connection_made` and
writing through it only; tests/e2e/test_http_protocol.py drives it through uvicorn and
fails if an upgrade changes that.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class JoinedWrites(asyncio.Transport):
    """A connection's transport whose writes of one event-loop turn go out as one."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__()
        self._transport = transport
        self._loop = loop
        self._kept: list[bytes] = []

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not data:
            return
        if not self._kept:
            self._loop.call_soon(self.flush)
        self._kept.append(bytes(data))

    def writelines(self, list_of_data: Any) -> None:
        for data in list_of_data:
            self.write(data)

    def flush(self) -> None:
        """Send what was kept, as one write."""
        if not self._kept:
            return
        kept, self._kept = self._kept, []
        if not self._transport.is_closing():
            self._transport.write(kept[0] if len(kept) == 1 else b"".join(kept))

    def get_write_buffer_size(self) -> int:
        return self._transport.get_write_buffer_size() + sum(map(len, self._kept))

    def write_eof(self) -> None:
        self.flush()
        self._transport.write_eof()

    def can_write_eof(self) -> bool:
        return self._transport.can_write_eof()

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def abort(self) -> None:
        self._kept = []
        self._transport.abort()

    def is_closing(self) -> bool:
        return self._transport.is_closing()

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self._transport.get_extra_info(name, default)

    def pause_reading(self) -> None:
        self._transport.pause_reading()

    def resume_reading(self) -> None:
        self._transport.resume_reading()

    def is_reading(self) -> bool:
        return self._transport.is_reading()

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        self._transport.set_write_buffer_limits(high, low)

    def get_write_buffer_limits(self) -> tuple[int, int]:
        return self._transport.get_write_buffer_limits()

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        self._transport.set_protocol(protocol)

    def get_protocol(self) -> asyncio.BaseProtocol:
        return self._transport.get_protocol()


class HttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol on a transport that joins each turn's writes."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(JoinedWrites(transport, self.loop))
