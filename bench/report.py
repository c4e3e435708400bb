"""Shared by the benchmark scripts: the commit, the machine line, and appending to docs/benchmarks.md."""

from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"


def cpu_s(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def commit() -> str:
    """The short hash of HEAD, or '?'."""
    out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT)
    return out.stdout.strip() or "?"


def machine() -> str:
    """Cores and Python of this machine."""
    return (
        f"{os.cpu_count()} cores, {platform.python_implementation()} {platform.python_version()}, {platform.machine()}"
    )


def append(text: str) -> None:
    """Append a section to docs/benchmarks.md (created with its heading if missing)."""
    if not DOC.exists():
        DOC.write_text("# Benchmarks\n\nWritten by the scripts in `bench/`; newest last.\n\n", encoding="utf-8")
    with DOC.open("a", encoding="utf-8") as f:
        f.write(text + "\n")
