"""The four services as local processes: their environment, start, restart, and demo tokens."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import IO

from .polling import wait_until
from .processes import ManagedProcess, is_ready, start_process

__all__ = ["SERVICES", "dev_token", "restart_service", "service_env", "stack_links", "start_service", "start_stack"]


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


@functools.cache
def _dev_secrets() -> dict[str, str]:
    """Local development mode only: secrets made once per run (on first use), shared by its services."""
    return {
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
    env[f"{prefix}AUTH__HS256_SECRET"] = _dev_secrets()["AUTH__HS256_SECRET"]
    if name == "notifier":
        env[f"{prefix}AUTH__DEV_LOGIN"] = "true"
    if name == "stats":
        # Tansu's end offsets count record batches, not records: with one record a batch, faust's
        # table recovery reads every changelog record (bench/broker_bench.py, docs/benchmarks.md).
        env[f"{prefix}KAFKA_PRODUCER_BATCH_BYTES"] = "1"
        # One stats process: every count it serves was written through it, nothing to read back.
        env[f"{prefix}COUNTS_VIEW_CATCH_UP_S"] = "0"
    if name == "intake":
        env[f"{prefix}DEVICE_KEY_SECRET"] = _dev_secrets()["DEVICE_KEY_SECRET"]
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
                lambda mp=mp: not mp.alive() or is_ready(mp.url), timeout_s=wait_ready_s, interval_s=0.25, what=name
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
    from kmzb_common.auth import AuthSettings, TokenIssuer

    settings = AuthSettings(hs256_secret=_dev_secrets()["AUTH__HS256_SECRET"], dev_login=True)
    return TokenIssuer(settings).login(username, "demo")
