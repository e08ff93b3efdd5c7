"""Draw the pictures of docs/diagrams.md from the bundled example (`make docs-pictures`).

Each view is rendered by the archgraph command line as a user would run it, then stored as a
palette PNG (a few dozen colours: diagrams have flat fills and anti-aliased lines) so that each
stays well under 200 KB. The HTML report is photographed in headless Chromium at 1400 x 900 when
chromium and chromedriver are installed (`make browser-deps`); otherwise that picture is kept.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

DOCS = Path(__file__).resolve().parent
EXAMPLE = DOCS.parent / "examples" / "agent_backend"
MAX_BYTES = 200_000
# picture -> the render options that draw it
VIEWS: dict[str, tuple[str, ...]] = {
    "default.png": (),
    "focus.png": ("--focus", "app.core.tools", "--radius", "1"),
    "contract-layers.png": ("--contract", "layers"),
    "contract-protected.png": ("--contract", "registry-module-protected"),
    "matrix.png": ("--matrix", "--depth", "3"),
    "families.png": ("--families",),
    "concept.png": ("--families", "--concept", "*ToolDispatcher"),
}
WINDOW = (1400, 900)


def archgraph(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "archgraph", *args, "--no-cache"], check=True)


def store(source: Path, target: Path) -> None:
    """`source` as a palette PNG at `target`, with fewer colours until it is small enough."""
    image = Image.open(source).convert("RGB")
    for colours in (64, 32, 16):
        image.quantize(colors=colours, dither=Image.Dither.NONE).save(target, optimize=True)
        if target.stat().st_size <= MAX_BYTES:
            break
    print(f"{target.relative_to(DOCS.parent)}: {image.width} x {image.height}, {target.stat().st_size // 1024} KB")


def screenshot_of_report(work: Path) -> Path | None:
    """The example's HTML report as a person first sees it, or None without a browser."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        return None
    import shutil

    chromium, driver_path = shutil.which("chromium") or shutil.which("chromium-browser"), shutil.which("chromedriver")
    if chromium is None or driver_path is None:
        return None
    report = work / "report.html"
    archgraph("report", str(EXAMPLE), "-o", str(report))
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                 f"--window-size={WINDOW[0]},{WINDOW[1]}", f"--user-data-dir={work / 'profile'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(driver_path))
    try:
        driver.get(report.as_uri())
        for _attempt in range(100):
            if driver.execute_script("return document.body.dataset.ready") == "true":
                break
            time.sleep(0.1)
        picture = work / "report.png"
        picture.write_bytes(driver.get_screenshot_as_png())
        return picture
    finally:
        driver.quit()


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        for name, options in VIEWS.items():
            archgraph("render", str(EXAMPLE), *options, "-o", str(work / name))
            store(work / name, DOCS / name)
        report = screenshot_of_report(work)
        if report is None:
            print("docs/report.png kept: chromium and chromedriver are not installed (make browser-deps)")
        else:
            store(report, DOCS / "report.png")


if __name__ == "__main__":
    main()
