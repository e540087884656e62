"""A TCP proxy on 127.0.0.1 in front of PostgreSQL or Redis, which a test cuts and restores.

`cut()` is an outage as the bot sees a server restart or a broken link: every connection is
closed at once and new ones are refused. `stall()` is the silent kind (a dropped route, a
firewall eating packets): connections stay open and are accepted, but nothing goes through,
so only the client's own timeouts end the wait. `restore()` brings the service back on the same
port.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Self


class TcpProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target_host, self.target_port = target_host, target_port
        self.port = 0
        self._server: asyncio.Server | None = None
        self._flowing = asyncio.Event()
        self._flowing.set()
        self._writers: set[asyncio.StreamWriter] = set()
        self._pipes: set[asyncio.Task[None]] = set()
        self.connections = 0  # accepted so far

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    async def start(self) -> None:
        self._server = await asyncio.start_server(
            self._accept, "127.0.0.1", self.port, reuse_address=True
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def cut(self) -> None:
        """Close every connection and refuse new ones, as a stopped server does."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        self._drop_all()

    async def stall(self) -> None:
        """Keep connections open but let nothing through, in either direction."""
        self._flowing.clear()

    async def restore(self) -> None:
        self._flowing.set()
        if self._server is None:
            await self.start()

    async def close(self) -> None:
        await self.cut()
        for pipe in list(self._pipes):
            pipe.cancel()
        await asyncio.gather(*self._pipes, return_exceptions=True)

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    def _drop_all(self) -> None:
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._writers.add(writer)
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(
                self.target_host, self.target_port
            )
        except OSError:
            writer.transport.abort()
            self._writers.discard(writer)
            return
        self._writers.add(upstream_writer)
        for source, target in ((reader, upstream_writer), (upstream_reader, writer)):
            pipe = asyncio.create_task(self._pipe(source, target))
            self._pipes.add(pipe)
            pipe.add_done_callback(self._pipes.discard)

    async def _pipe(self, source: asyncio.StreamReader, target: asyncio.StreamWriter) -> None:
        try:
            while chunk := await source.read(65536):
                # Held back, not dropped: a stall that ends delivers it late, like TCP.
                await self._flowing.wait()
                target.write(chunk)
                await target.drain()
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            target.transport.abort()
            self._writers.discard(target)
            with contextlib.suppress(Exception):
                target.close()
