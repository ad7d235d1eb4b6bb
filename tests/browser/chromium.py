"""Debian's Chromium, headless, driven by Selenium through Debian's chromedriver.

Selenium is synchronous and the app under test runs on the test's event loop, so every
call to the browser runs in a worker thread (``asyncio.to_thread``): the loop keeps
serving the pages the browser asks for.
"""

from __future__ import annotations

import asyncio
import base64
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

T = TypeVar("T")

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--window-size=1100,900",
)
# What a page may not do in the browser, read after it has loaded.
PAGE_CHECK = """
const broken = Array.from(document.images)
  .filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src);
const sheets = Array.from(document.styleSheets).map(s => s.cssRules.length);
const others = performance.getEntriesByType('resource').map(r => r.name)
  .filter(n => new URL(n).origin !== location.origin);
return {broken, sheets, others};
"""


def require_chromium() -> None:
    """Skip (on a developer's machine) or fail (in CI) unless Chromium and its driver exist."""
    if shutil.which("chromium") and shutil.which("chromedriver"):
        return
    reason = "Chromium is not installed: apt-get install chromium chromium-driver"
    if os.environ.get("CI") == "true":
        pytest.fail(reason + " (required in CI)")
    pytest.skip(reason)


def start(profile: Path) -> webdriver.Chrome:
    """A fresh headless Chromium with its own profile folder; its console is recorded."""
    options = Options()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)


@dataclass
class Browser:
    """One Chromium, used by one test at a time."""

    driver: webdriver.Chrome
    shots: Path

    async def _run(self, call: Callable[..., T], *args: Any) -> T:
        return await asyncio.to_thread(call, *args)

    async def speak(self, accept_language: str) -> None:
        """Send ``accept_language`` as the Accept-Language header from now on."""
        agent = await self._run(self.driver.execute_script, "return navigator.userAgent")
        await self._run(
            self.driver.execute_cdp_cmd,
            "Emulation.setUserAgentOverride",
            {"userAgent": agent, "acceptLanguage": accept_language},
        )

    async def open(self, url: str) -> None:
        """Load ``url`` and wait for it."""
        await self._run(self.driver.get, url)

    async def click(self, css: str) -> None:
        """Click the element ``css`` selects (it must be there) and wait for the next page."""
        element = await self._run(self.driver.find_element, By.CSS_SELECTOR, css)
        await self._run(element.click)
        await self._run(self.driver.execute_script, "return document.readyState")

    async def text(self, css: str = "body") -> str:
        """The visible text of the element ``css`` selects."""
        element = await self._run(self.driver.find_element, By.CSS_SELECTOR, css)
        return await self._run(lambda: element.text)

    async def attribute(self, css: str, name: str) -> str:
        """An attribute of the element ``css`` selects."""
        element = await self._run(self.driver.find_element, By.CSS_SELECTOR, css)
        return str(await self._run(element.get_attribute, name))

    async def script(self, source: str) -> Any:
        """Run ``source`` in the page; what it returns."""
        return await self._run(self.driver.execute_script, source)

    @property
    def url(self) -> str:
        """Where the browser is."""
        return str(self.driver.current_url)

    async def console_errors(self, status: int = 200) -> list[str]:
        """The console's errors since the last look, except the page's own HTTP status.

        Chromium logs "Failed to load resource: … status of 400" for a page answered with
        400, which is the honest status of an error page, not an error of the page.
        """
        entries = await self._run(self.driver.get_log, "browser")
        own = (
            f"{self.url} - Failed to load resource: the server responded with a status of {status}"
        )
        return [
            e["message"]
            for e in entries
            if e["level"] == "SEVERE" and not (status != 200 and e["message"].startswith(own))
        ]

    async def check_page(self, name: str, status: int = 200) -> dict[str, Any]:
        """Whether the page is whole: no broken image, its stylesheet applied, nothing
        from another host, no console error; a full-page screenshot ``name``.png."""
        found: dict[str, Any] = await self.script(PAGE_CHECK)
        assert found["broken"] == [], found
        assert found["sheets"], found  # the stylesheet is linked
        assert all(found["sheets"]), found  # and loaded
        assert found["others"] == [], found
        errors = await self.console_errors(status)
        assert errors == [], errors
        found["shot"] = await self.screenshot(name)
        return found

    async def screenshot(self, name: str) -> Path:
        """A screenshot of the whole page (as tall as it is), saved as ``name``.png."""
        size = await self.script(
            "const e = document.documentElement; return [e.scrollWidth, e.scrollHeight];"
        )
        clip = {"x": 0, "y": 0, "width": size[0], "height": size[1], "scale": 1}
        shot = await self._run(
            self.driver.execute_cdp_cmd,
            "Page.captureScreenshot",
            {"format": "png", "captureBeyondViewport": True, "clip": clip},
        )
        path = self.shots / f"{name}.png"
        path.write_bytes(base64.b64decode(shot["data"]))
        return path
