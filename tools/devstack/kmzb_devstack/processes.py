"""Child processes of a local run: own process groups, output prefixed and kept, all stopped at exit."""

from __future__ import annotations

import atexit
import os
import signal
import subprocess
import threading
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from .polling import wait_until

__all__ = ["ManagedProcess", "spawn", "start_process", "stop_all", "is_ready"]


def _pump(stream: IO[bytes], prefix: str, sink: IO[str] | None, log_file: IO[str] | None) -> None:
    try:
        for raw in iter(stream.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip("\n")
            if log_file is not None:
                log_file.write(line + "\n")
                log_file.flush()
            if sink is not None:
                sink.write(f"{prefix} {line}\n")
                sink.flush()
    finally:
        stream.close()
        if log_file is not None:
            log_file.close()


@dataclass
class ManagedProcess:
    """A child process in its own process group, with its output prefixed and kept."""

    name: str
    proc: subprocess.Popen[bytes]
    port: int
    log_path: Path | None = None
    _threads: list[threading.Thread] = field(default_factory=list)

    @property
    def url(self) -> str:
        """Base URL of the process's HTTP or Kafka port."""
        return f"http://127.0.0.1:{self.port}"

    def alive(self) -> bool:
        """Whether the process still runs."""
        return self.proc.poll() is None

    def stop(self, *, timeout_s: float = 15.0, sig: int = signal.SIGTERM) -> None:
        """Stop the process group gracefully, then kill it if it does not exit in time."""
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout_s)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        for t in self._threads:
            t.join(2)
        with _RUNNING_LOCK:
            _RUNNING.pop(self.proc.pid, None)

    def kill(self) -> None:
        """SIGKILL the process group at once (a crash)."""
        self.stop(timeout_s=5, sig=signal.SIGKILL)


# Every process a harness started and has not stopped: stopped at exit, whatever the exit.
_RUNNING: dict[int, ManagedProcess] = {}
_RUNNING_LOCK = threading.Lock()


def stop_all() -> None:
    """Stop every process this harness started and has not stopped yet, the last started first."""
    with _RUNNING_LOCK:
        running = list(_RUNNING.values())
    for mp in reversed(running):
        mp.stop(timeout_s=10)


def _exit_on_signal(signum: int, _frame: object) -> None:
    # SIGTERM and SIGHUP end a Python program without running finally blocks or atexit:
    # turn them into SystemExit so every harness stops what it started.
    raise SystemExit(128 + signum)


def _guard_exit() -> None:
    """Make sure the processes started here stop when this program ends (once per program)."""
    if getattr(_guard_exit, "done", False):
        return
    _guard_exit.done = True  # type: ignore[attr-defined]
    atexit.register(stop_all)
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGHUP):
            if signal.getsignal(sig) is signal.SIG_DFL:
                signal.signal(sig, _exit_on_signal)


def spawn(
    name: str,
    argv: list[str],
    *,
    port: int,
    env: Mapping[str, str] | None,
    log_dir: Path | None,
    echo: IO[str] | None,
) -> ManagedProcess:
    """Start ``argv`` in its own process group; stopped by ``stop_all`` at exit if still running."""
    log_path = None
    log_file = None
    if log_dir is not None:
        log_dir.mkdir(parents=True, exist_ok=True)
        log_path = log_dir / f"{name}.log"
        log_file = log_path.open("a", encoding="utf-8")
    proc = subprocess.Popen(
        argv,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
        start_new_session=True,
    )
    mp = ManagedProcess(name=name, proc=proc, port=port, log_path=log_path)
    _guard_exit()
    with _RUNNING_LOCK:
        _RUNNING[proc.pid] = mp
    assert proc.stdout is not None
    t = threading.Thread(target=_pump, args=(proc.stdout, f"[{name}]", echo, log_file), daemon=True)
    t.start()
    mp._threads.append(t)
    return mp


def is_ready(url: str) -> bool:
    """Whether the service at ``url`` answers /readyz with 200."""
    try:
        with urllib.request.urlopen(url + "/readyz", timeout=2) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError):
        return False


def start_process(
    name: str,
    argv: list[str],
    *,
    port: int,
    env: Mapping[str, str] | None = None,
    log_dir: Path | None = None,
    echo: IO[str] | None = None,
    wait_ready_s: float | None = 90,
) -> ManagedProcess:
    """Start ``argv`` serving HTTP on ``port`` and, unless ``wait_ready_s`` is None, wait for /readyz 200."""
    mp = spawn(name, argv, port=port, env=env, log_dir=log_dir, echo=echo)
    if wait_ready_s is not None:
        try:
            wait_until(lambda: not mp.alive() or is_ready(mp.url), timeout_s=wait_ready_s, interval_s=0.25, what=name)
        except TimeoutError:
            mp.stop()
            raise
        if not mp.alive():
            raise RuntimeError(f"{name} exited with {mp.proc.returncode}; see {mp.log_path}")
    return mp
