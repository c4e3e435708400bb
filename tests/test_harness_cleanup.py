"""A harness that starts processes stops all of them however it ends: an error, SIGTERM, or success."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

pytestmark = pytest.mark.integration

HARNESS = textwrap.dedent(
    """
    import sys, time
    from kmzb_devstack import start_tansu
    broker = start_tansu()
    print(broker.proc.pid, flush=True)
    if sys.argv[1] == "error":
        raise RuntimeError("the harness failed before it stopped its broker")
    time.sleep(60)
    """
)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone for every purpose but its entry: it is reaped by its parent only.
    with open(f"/proc/{pid}/stat") as f:
        return f.read().split()[2] != "Z"


def _wait_gone(pid: int, timeout_s: float = 20) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.1)
    return False


def test_a_harness_that_fails_stops_the_broker_it_started() -> None:
    """An exception that nothing catches still stops the harness's broker (atexit)."""
    done = subprocess.run([sys.executable, "-c", HARNESS, "error"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "the harness failed" in done.stderr
    pid = int(done.stdout.split()[0])
    assert _wait_gone(pid), f"Tansu {pid} outlived its harness"


def test_a_harness_ended_by_sigterm_stops_the_broker_it_started() -> None:
    """SIGTERM (a CI timeout, `kill`) ends the harness through its exit handlers, not around them."""
    with subprocess.Popen([sys.executable, "-c", HARNESS, "wait"], stdout=subprocess.PIPE, text=True) as proc:
        assert proc.stdout is not None
        pid = int(proc.stdout.readline())
        assert _alive(pid)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 128 + signal.SIGTERM
    assert _wait_gone(pid), f"Tansu {pid} outlived its harness"
