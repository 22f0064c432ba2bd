"""What a page looks like to a reader, measured in a real browser (Debian's chromium, headless).

A script added to a copy of the page computes, after the browser laid it out, the WCAG contrast
of every element that has text of its own against the background it is drawn on, and how wide
the page is; chromium's ``--dump-dom`` hands the result back. No screenshot reading, no second
guess of CSS: the browser's own computed styles.
"""

from __future__ import annotations

import html as html_text
import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium is not installed (Debian: apt-get install chromium; .ci/run installs it)",
)

#: WCAG 2 AA for body text.
MIN_CONTRAST = 4.5

_MEASURE = """
<script>
(function () {
  function parse(value) {
    const m = value.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const p = m[1].split(',').map(Number.parseFloat);
    return {rgb: p.slice(0, 3), a: p.length > 3 ? p[3] : 1};
  }
  function luminance(rgb) {
    const [r, g, b] = rgb.map(function (v) {
      v = v / 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  }
  function background(element) {
    for (let e = element; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c.a > 0) return c.rgb;
    }
    return [255, 255, 255];
  }
  const low = [];
  let lowest = 21;
  for (const element of document.querySelectorAll('body *')) {
    const ownText = Array.from(element.childNodes).some(
      function (n) { return n.nodeType === 3 && n.textContent.trim(); });
    const style = getComputedStyle(element);
    if (!ownText || style.display === 'none' || style.visibility === 'hidden') continue;
    const a = luminance(parse(style.color).rgb), b = luminance(background(element));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    lowest = Math.min(lowest, ratio);
    if (ratio < %(min)s) low.push(element.tagName + ' ' + ratio.toFixed(2) + ': '
                              + element.textContent.trim().slice(0, 60));
  }
  const result = {lowest: lowest, low: low, width: document.documentElement.scrollWidth,
                  window: window.innerWidth};
  document.body.innerHTML = '<pre id="tfexam-check"></pre>';
  document.getElementById('tfexam-check').textContent = JSON.stringify(result);
})();
</script>
"""


@dataclass(frozen=True)
class PageCheck:
    lowest_contrast: float
    low_contrast: list[str]
    page_width: int
    window_width: int


def check_page(html: str, folder: Path, width: int = 1280, height: int = 800) -> PageCheck:
    """Open ``html`` in headless chromium at ``width`` x ``height`` and measure it."""
    assert CHROMIUM is not None
    page = folder / "checked-page.html"
    script = _MEASURE.replace("%(min)s", str(MIN_CONTRAST))
    page.write_text(html.replace("</body>", script + "</body>"), encoding="utf-8")
    done = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         f"--user-data-dir={folder / 'chromium-profile'}", f"--window-size={width},{height}",
         "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    found = re.search(r'<pre id="tfexam-check">(.*?)</pre>', done.stdout, re.S)
    assert found, f"chromium gave no measurement: {done.stderr[-2000:]}"
    result = json.loads(html_text.unescape(found.group(1)))
    return PageCheck(result["lowest"], result["low"], result["width"], result["window"])
