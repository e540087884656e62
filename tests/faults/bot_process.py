"""The bot as its own process (`python -m bot polling`), started, SIGKILLed and restarted by a
test that serves it a fake Bot API on 127.0.0.1.

The process is hermetic: it runs in a directory of its own (no `.env` to find), with an
environment that holds nothing of the developer's settings, only the ones given here.

Starting Python and importing aiogram takes about 3 s, and a crash test restarts the bot a
dozen times; so by default a small fork server (`Launcher`, run as `python -m
tests.faults.bot_process`) imports the bot's modules once and forks a child for each start,
which sets the environment and working directory and runs exactly what `python -m bot
polling` runs (`bot.__main__.main`). `FAULTS_SPAWN=exec` starts a fresh `python -m bot
polling` each time instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import select
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.fakes.bot_api import FakeBotAPI

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# Only these are taken from the test's own environment: enough to run Python, nothing that
# the bot reads as a setting.
PASSED_THROUGH = ("PATH", "LANG", "LC_ALL", "TZ", "SYSTEMROOT", "TMPDIR")
STARTUP_SECONDS = 60.0


def bot_environment(settings: dict[str, str], home: Path) -> dict[str, str]:
    env = {name: os.environ[name] for name in PASSED_THROUGH if name in os.environ}
    env |= {"HOME": str(home), "PYTHONPATH": str(PROJECT_ROOT), "PYTHONUNBUFFERED": "1"}
    return env | settings


class Launcher:
    """The test's side of the fork server: one per test, shared by its bot processes."""

    def __init__(self) -> None:
        self._process: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None
        self._started: asyncio.Queue[int] = asyncio.Queue()
        self._exits: dict[int, asyncio.Future[int]] = {}

    async def open(self) -> None:
        self._process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.faults.bot_process",
            cwd=PROJECT_ROOT,
            env=bot_environment({}, PROJECT_ROOT),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        while line := await self._process.stdout.readline():
            message = json.loads(line)
            if "started" in message:
                self._started.put_nowait(message["started"])
            else:
                self._exit_of(message["exited"]).set_result(message["code"])
        for exit_ in self._exits.values():  # the fork server is gone, its children with it
            if not exit_.done():
                exit_.set_result(-9)

    def _exit_of(self, pid: int) -> asyncio.Future[int]:
        if pid not in self._exits:
            self._exits[pid] = asyncio.get_running_loop().create_future()
        return self._exits[pid]

    async def spawn(self, env: dict[str, str], cwd: Path, log: Path) -> int:
        assert self._process is not None and self._process.stdin is not None
        if self._process.returncode is not None:
            raise AssertionError("the fork server has died")
        command = {"env": env, "cwd": str(cwd), "log": str(log), "argv": ["polling"]}
        self._process.stdin.write(json.dumps(command).encode() + b"\n")
        await self._process.stdin.drain()
        return await asyncio.wait_for(self._started.get(), 30)

    def exited(self, pid: int) -> asyncio.Future[int]:
        return self._exit_of(pid)

    async def close(self) -> None:
        if self._process is None:
            return
        if self._process.stdin is not None:
            self._process.stdin.close()
        try:
            await asyncio.wait_for(self._process.wait(), 10)
        except TimeoutError:
            self._process.kill()
            await self._process.wait()
        if self._reader is not None:
            await self._reader
        self._process = None


class BotProcess:
    """One bot process at a time; its output goes to `log_path`, appended across restarts."""

    def __init__(
        self,
        telegram: FakeBotAPI,
        settings: dict[str, str],
        workdir: Path,
        launcher: Launcher | None = None,
        name: str = "bot",
    ) -> None:
        self.telegram = telegram
        self.workdir = workdir
        self.log_path = workdir / f"{name}.log"
        self.env = bot_environment(settings, workdir)
        self.launcher = launcher
        self.pid: int | None = None
        self._exec: asyncio.subprocess.Process | None = None
        self.starts = self.kills = 0

    async def start(self, timeout: float = STARTUP_SECONDS) -> None:  # noqa: ASYNC109
        """Start the bot and wait until it polls the fake Bot API."""
        assert self.pid is None, "already running"
        polls_before = len(self.telegram.calls_of("getUpdates"))
        with self.log_path.open("ab") as log:
            log.write(f"--- start {self.starts + 1}\n".encode())
        if self.launcher is not None:
            self.pid = await self.launcher.spawn(self.env, self.workdir, self.log_path)
        else:
            with self.log_path.open("ab") as log:
                self._exec = await asyncio.create_subprocess_exec(
                    sys.executable,
                    "-m",
                    "bot",
                    "polling",
                    cwd=self.workdir,
                    env=self.env,
                    stdin=asyncio.subprocess.DEVNULL,
                    stdout=log,
                    stderr=asyncio.subprocess.STDOUT,
                )
            self.pid = self._exec.pid
        self.starts += 1
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(self.telegram.calls_of("getUpdates")) == polls_before:
            if self._finished():
                raise AssertionError(f"the bot exited at start:\n{self.tail()}")
            if loop.time() > deadline:
                raise AssertionError(f"the bot did not poll within {timeout:.0f}s:\n{self.tail()}")
            await asyncio.sleep(0.02)

    def _finished(self) -> bool:
        if self.pid is None:
            return True
        if self.launcher is not None:
            return self.launcher.exited(self.pid).done()
        return self._exec is not None and self._exec.returncode is not None

    async def _wait(self) -> int:
        assert self.pid is not None
        if self.launcher is not None:
            return await self.launcher.exited(self.pid)
        assert self._exec is not None
        return await self._exec.wait()

    @property
    def alive(self) -> bool:
        return not self._finished()

    def kill_now(self) -> None:
        """SIGKILL at once, from anywhere (the fake server's call hook included)."""
        if self.pid is not None and not self._finished():
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)

    async def kill(self) -> None:
        """SIGKILL: no shutdown, no draining; whatever was in flight is cut off."""
        self.kill_now()
        await self._wait()
        self.pid, self._exec = None, None
        self.kills += 1

    async def restart(self) -> None:
        if self.pid is not None:
            await self.kill()
        await self.start()

    async def stop(self, timeout: float = 30.0) -> int:  # noqa: ASYNC109
        """SIGTERM and wait; the exit code (the bot drains what is in flight first)."""
        if self.pid is None:
            return 0
        if not self._finished():
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGTERM)
        try:
            code = await asyncio.wait_for(asyncio.shield(self._wait()), timeout)
        except TimeoutError:
            self.kill_now()
            await self._wait()
            raise AssertionError(
                f"the bot did not stop in {timeout:.0f}s:\n{self.tail()}"
            ) from None
        finally:
            self.pid, self._exec = None, None
        return code

    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.output().splitlines()[-lines:])


def _serve() -> None:
    """The fork server: import the bot once, then fork a `python -m bot` for each request.

    Reads one JSON request a line on stdin, writes `{"started": pid}` for each and
    `{"exited": pid, "code": n}` when a child ends (-9 for SIGKILL); stops at end of input.
    """
    import bot.__main__ as entry
    import bot.app  # noqa: F401  (the slow part: aiogram, SQLAlchemy, the handlers)

    def say(message: dict[str, int]) -> None:
        sys.stdout.write(json.dumps(message) + "\n")
        sys.stdout.flush()

    children: set[int] = set()
    stdin = sys.stdin.fileno()
    buffer = b""
    open_input = True
    while open_input or children:
        for pid in list(children):
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                children.discard(pid)
                say({"exited": pid, "code": os.waitstatus_to_exitcode(status)})
        if not open_input:
            select.select([], [], [], 0.05)
            continue
        readable, _, _ = select.select([stdin], [], [], 0.05)
        if not readable:
            continue
        chunk = os.read(stdin, 65536)
        if not chunk:
            open_input = False
            for pid in children:  # the test has gone: so do its bots
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            continue
        buffer += chunk
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            request = json.loads(line)
            pid = os.fork()
            if pid == 0:
                _run_child(entry.main, request)
            children.add(pid)
            say({"started": pid})


def _die_with_parent() -> None:
    """Linux: should the fork server die, so does this bot (no stray poller outlives a test)."""
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _run_child(main: object, request: dict[str, object]) -> None:
    """In the forked child: become `python -m bot polling` with the given environment."""
    code = 1
    try:
        _die_with_parent()
        log = os.open(str(request["log"]), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.close(log)
        os.close(null)
        os.environ.clear()
        os.environ.update(request["env"])  # type: ignore[arg-type]
        os.chdir(str(request["cwd"]))
        sys.argv = ["python -m bot", *request["argv"]]  # type: ignore[misc]
        code = main(list(request["argv"]))  # type: ignore[operator]
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


if __name__ == "__main__":
    _serve()
