"""Opens an HTML file in headless Chromium: console errors, plot boxes and a screenshot."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

#: Injected into a copy of the page: records errors and every plot's box in the DOM.
PROBE = """<script>
window.__errors = [];
window.addEventListener("error", e => window.__errors.push(String(e.message)));
const originalError = console.error;
console.error = (...a) => { window.__errors.push(a.join(" ")); originalError(...a); };
window.addEventListener("load", () => {
  const boxes = [...document.querySelectorAll("figure.plot")].map(f => {
    const r = f.getBoundingClientRect();
    return [r.left + window.scrollX, r.top + window.scrollY, r.width, r.height];
  });
  const out = document.createElement("pre");
  out.id = "__probe";
  out.textContent = JSON.stringify({errors: window.__errors, boxes: boxes,
                                    height: document.documentElement.scrollHeight});
  document.body.appendChild(out);
});
</script>"""
WIDTH = 1200


def chromium() -> str | None:
    """The Chromium executable, or None."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _run(arguments: list[str]) -> subprocess.CompletedProcess:
    base = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
            "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000"]  # fmt: skip
    return subprocess.run(base + arguments, capture_output=True, text=True, timeout=120)


def inspect(page: Path, screenshot: Path) -> dict:
    """Loads ``page`` twice: once to read the probe, once for a full-page screenshot.

    Returns:
        ``errors`` (console and page errors), ``boxes`` (x, y, w, h of each plot),
        ``height`` and ``console`` (Chromium's CONSOLE log lines at error level).
    """
    probed = page.with_name(f"probed-{page.name}")
    probed.write_text(page.read_text(encoding="utf-8").replace("<head>", "<head>" + PROBE, 1))
    # the same width as the screenshot, so boxes measured here are where the shot has them
    dumped = _run(["--dump-dom", f"--window-size={WIDTH},900", probed.as_uri()])
    match = re.search(r'<pre id="__probe">(.*?)</pre>', dumped.stdout, re.S)
    assert match, dumped.stderr[-2000:]
    found = json.loads(match.group(1).replace("&quot;", '"'))
    console = [line for line in dumped.stderr.splitlines()
               if "CONSOLE" in line and ("ERROR" in line or "Uncaught" in line)]  # fmt: skip
    shot = _run([f"--screenshot={screenshot}", f"--window-size={WIDTH},{found['height'] + 40}",
                 page.as_uri()])  # fmt: skip
    assert screenshot.is_file(), shot.stderr[-2000:]
    probed.unlink()
    return found | {"console": console}


def plot_is_visible(screenshot: Path, box: list[float]) -> bool:
    """Whether the screenshot's region of a plot has drawn content (not one flat colour)."""
    import cv2

    image = cv2.imread(str(screenshot), cv2.IMREAD_GRAYSCALE)
    x, y, width, height = (int(v) for v in box)
    if width < 100 or height < 100:
        return False
    region = image[y : y + height, x : x + width]
    dark = (region < 200).mean()  # lines, text, markers
    return region.size > 0 and region.std() > 10 and 0.005 < dark < 0.9
