"""A TCP proxy that can cut the network: every connection through it drops, new ones are refused."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Coroutine
from typing import Any

__all__ = ["TcpProxy", "ProxyThread"]


class TcpProxy:
    """Forwards 127.0.0.1:listen_port to 127.0.0.1:upstream_port until cut."""

    def __init__(self, *, listen_port: int, upstream_port: int) -> None:
        self.listen_port = listen_port
        self.upstream_port = upstream_port
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        """Accept connections (again)."""
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.listen_port, reuse_address=True)

    async def cut(self) -> None:
        """Drop every open connection and refuse new ones until start() is called again."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        except OSError:
            writer.transport.abort()
            return
        self._writers |= {writer, up_writer}

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(ConnectionError, OSError):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            dst.transport.abort()

        try:
            await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        finally:
            self._writers -= {writer, up_writer}


class ProxyThread:
    """Runs a TcpProxy on its own event loop in a thread, so it outlives the caller's loops."""

    def __init__(self, *, listen_port: int, upstream_port: int) -> None:
        self.proxy = TcpProxy(listen_port=listen_port, upstream_port=upstream_port)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def _call(self, coro: Coroutine[Any, Any, None]) -> None:
        asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout=30)

    def start(self) -> None:
        """Start the thread (once) and accept connections."""
        if not self._thread.is_alive():
            self._thread.start()
        self._call(self.proxy.start())

    def cut(self) -> None:
        """Drop every connection and refuse new ones."""
        self._call(self.proxy.cut())

    def close(self) -> None:
        """Cut and stop the thread."""
        self.cut()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
