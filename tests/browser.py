"""The real headless Chromium the HTML report tests drive (Debian's chromium and chromedriver,
installed by `make browser-deps`), and what the tests read from its screenshots."""

from __future__ import annotations

import io
import json
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
WINDOW = (1400, 900)
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--window-size={WINDOW[0]},{WINDOW[1]}", "--hide-scrollbars"]

needs_chromium = pytest.mark.skipif(
    CHROMIUM is None or CHROMEDRIVER is None,
    reason="chromium and chromium-driver are not installed (make browser-deps, or apt-get install "
    "chromium chromium-driver)",
)


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium in a throw-away profile that records console and network events."""
    from selenium import webdriver  # noqa: PLC0415 - the test extra; callers skip without it
    from selenium.webdriver.chrome.service import Service  # noqa: PLC0415

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="archgraph-chromium-")
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def requested_urls(driver: Any, document: str | None = None) -> list[str]:
    """Every URL asked of the network stack since the last call (DevTools' log), for the
    document at `document` (leaving out the browser's own pages, such as its start page)."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] != "Network.requestWillBeSent":
            continue
        params = message["params"]
        if document is None or params.get("documentURL") == document:
            urls.append(params["request"]["url"])
    return urls


class Screenshot:
    """A screenshot of the viewport, read in CSS pixels (elements' rects are in CSS pixels)."""

    def __init__(self, driver: Any) -> None:
        from PIL import Image  # noqa: PLC0415 - Pillow comes with matplotlib

        image = Image.open(io.BytesIO(driver.get_screenshot_as_png())).convert("RGB")
        ratio = driver.execute_script("return window.devicePixelRatio") or 1
        if ratio != 1:
            image = image.resize((round(image.width / ratio), round(image.height / ratio)))
        self.image = image

    def save(self, path: Any) -> None:
        self.image.save(path)

    def pixels(self, rect: dict[str, float]) -> list[tuple[int, int, int]]:
        box = (max(0, int(rect["x"])), max(0, int(rect["y"])),
               min(self.image.width, int(rect["x"] + rect["width"])),
               min(self.image.height, int(rect["y"] + rect["height"])))
        if box[2] <= box[0] or box[3] <= box[1]:
            return []
        raw = self.image.crop(box).tobytes()
        return [(raw[i], raw[i + 1], raw[i + 2]) for i in range(0, len(raw), 3)]

    def ink(self, rect: dict[str, float]) -> float:
        """The share of pixels in the rect that are not (near) white: something is drawn there."""
        pixels = self.pixels(rect)
        drawn = sum(1 for r, g, b in pixels if min(r, g, b) < 200)
        return drawn / max(len(pixels), 1)

    def count_colour(self, rect: dict[str, float], colour: tuple[int, int, int], tolerance: int = 40) -> int:
        """How many pixels in the rect are close to the colour."""
        return sum(
            1 for pixel in self.pixels(rect)
            if all(abs(channel - want) <= tolerance for channel, want in zip(pixel, colour, strict=True))
        )
