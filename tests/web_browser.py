"""Headless Chromium (Debian's package, driven by Playwright) and axe-core for the web tests."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

__all__ = ["CHROMIUM_ARGS", "chromium_path", "axe_script", "browser_page", "run_axe", "WEB_DIR"]

ROOT = Path(__file__).resolve().parent.parent
WEB_DIR = ROOT / "services" / "intake" / "web"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium_path() -> str:
    """Debian's chromium; the tests never download a browser."""
    path = os.environ.get("KMZB_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.fail("chromium is missing: `make system-deps` installs the Debian package")
    return path


def axe_script() -> Path:
    """axe-core from the web project's node_modules (`make system-deps` runs `npm ci`)."""
    axe = WEB_DIR / "node_modules" / "axe-core" / "axe.min.js"
    if not axe.exists():
        pytest.fail("axe-core is missing: `make system-deps` installs services/intake/web/node_modules")
    return axe


def run_axe(page) -> list[dict]:  # noqa: ANN001 - a Playwright page
    """Run axe-core (WCAG 2.1 A/AA and best practices) on the page; return the violations."""
    # Evaluated, not added as a <script>: the pages' Content-Security-Policy refuses inline scripts.
    page.evaluate(axe_script().read_text(encoding="utf-8") + "\n;true")
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {runOnly: {type: 'tag',
                values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
        }"""
    )
    return list(result)


def browser_page(playwright, *, locale: str = "pl-PL", **options) -> Iterator:  # noqa: ANN001, ANN003
    """A fresh headless Chromium context (own profile directory) and page; ``options`` go to the context."""
    profile = tempfile.mkdtemp(prefix="kmzb-chromium-")
    context = playwright.chromium.launch_persistent_context(
        profile,
        executable_path=chromium_path(),
        headless=True,
        args=CHROMIUM_ARGS,
        locale=locale,
        **{"viewport": {"width": 1280, "height": 900}, **options},
    )
    try:
        yield context.pages[0] if context.pages else context.new_page()
    finally:
        context.close()
        shutil.rmtree(profile, ignore_errors=True)
