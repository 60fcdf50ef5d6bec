"""Headless Debian Chromium driven by Playwright (no browser download: ``/usr/bin/chromium``)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextmanager
def chromium(viewport: tuple[int, int] = (1280, 1100)) -> Iterator[Any]:
    """A browser context with a fresh profile directory, closed (and the profile removed) on exit."""
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="campaigns-e2e-chromium-")
    try:
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                profile,
                executable_path=CHROMIUM,
                headless=True,
                args=ARGS,
                viewport={"width": viewport[0], "height": viewport[1]},
            )
            context.set_default_timeout(30_000)
            try:
                yield context
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def side_by_side(context: Any, panels: list[tuple[str, bytes]], path: str) -> None:
    """Compose screenshots into one PNG, side by side with captions (rendered by the same browser)."""
    import base64

    cells = "".join(
        f'<figure><figcaption>{caption}</figcaption><img src="data:image/png;base64,{base64.b64encode(png).decode()}"></figure>'
        for caption, png in panels
    )
    page = context.new_page()
    try:
        page.set_content(
            "<html><body style='margin:0;background:#e2e8f0;font:14px sans-serif'>"
            "<div id=all style='display:flex;gap:16px;padding:16px;align-items:flex-start;width:max-content'>"
            f"{cells}</div><style>figure{{margin:0}}figcaption{{padding:0 0 6px 2px;color:#334155}}"
            "img{display:block;box-shadow:0 1px 4px #0003}</style></body></html>"
        )
        page.locator("#all").screenshot(path=path)
    finally:
        page.close()
