"""The committed web bundle is what the sources build to (so `make run` needs no Node)."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from web_browser import WEB_DIR

pytestmark = pytest.mark.integration


def test_the_committed_bundle_is_up_to_date() -> None:
    """Building services/intake/web again gives byte for byte the committed static files."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is missing: the web bundle cannot be checked")
    if not (WEB_DIR / "node_modules" / ".bin" / "esbuild").exists():
        pytest.fail("esbuild is missing: `make system-deps` installs services/intake/web/node_modules")
    done = subprocess.run([node, "build.mjs", "--check"], cwd=WEB_DIR, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
