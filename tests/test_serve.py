"""``tfexam serve``: the exam screen in a real headless Chromium tab, and who may not use it.

Every test runs ``tfexam serve`` as a user would (its own process, a private TFEXAM_HOME, Ctrl+C
at the end) and reads what the tab shows from the websocket's frames (tests/browser_tab.py).
"""

from __future__ import annotations

import asyncio
import re
import socket
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

from tests.browser_tab import MISSING, BrowserTab, Served, launch
from tests.conftest import run_cli

#: The tests that open the exam in a real browser tab.
needs_browser = pytest.mark.skipif(MISSING is not None, reason=MISSING or "")

CLOCK = re.compile(r"⏱ (\d+):(\d\d):(\d\d) left")


def test_a_busy_port_is_said_in_one_line_and_costs_no_session(tfexam_home: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        done = run_cli("serve", "--port", str(port))
    assert done.returncode == 1
    assert done.stderr.strip() == (
        f"tfexam: error: cannot listen on 127.0.0.1:{port} (Address already in use): "
        "another program uses it? Pick another port with --port"
    )
    assert not (tfexam_home / "tfexam.db").exists() or not sessions(tfexam_home)


@pytest.fixture
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


def serve_practice(home: Path, tmp_path: Path, *more: str) -> Served:
    return Served(
        ["practice", "--workspace", str(tmp_path / "ws"), "--duration", "1h", *more], home=home
    )


def sessions(home: Path) -> list[tuple[str, int | None]]:
    db = sqlite3.connect(f"file:{home / 'tfexam.db'}?mode=ro", uri=True, timeout=10)
    try:
        return db.execute("SELECT id, engine_pid FROM sessions").fetchall()
    finally:
        db.close()


def seconds_left(text: str) -> int:
    found = CLOCK.search(text)
    assert found, f"no clock on the screen:\n{text}"
    hours, minutes, seconds = (int(part) for part in found.groups())
    return hours * 3600 + minutes * 60 + seconds


def tab_processes(served: Served) -> set[int]:
    """The exam-screen processes ``tfexam serve`` has started (a spare one included)."""
    return {child.pid for child in psutil.Process(served.process.pid).children()}


def stopped_cleanly(served: Served, home: Path) -> None:
    """Ctrl+C: exit 0, says how to come back, the session's engine let go, no process left."""
    children = psutil.Process(served.process.pid).children(recursive=True)
    assert served.stop() == 0, served.output
    assert "Come back with: tfexam serve --session" in served.output
    assert all(pid is None for _, pid in sessions(home)), "the engine let the session go"
    _, alive = psutil.wait_procs(children, timeout=30)
    assert not alive, "every exam screen and its graders ended"


@needs_browser
def test_the_exam_in_a_tab_survives_a_reload_and_moves_to_another_tab(
    tfexam_home: Path, tmp_path: Path, browser: Any
) -> None:
    served = serve_practice(tfexam_home, tmp_path)
    try:
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        tab = BrowserTab(context)
        tab.open(served.url)
        tab.wait_for("Submit and Test")
        assert "Q1 Basic model" in tab.text
        assert "token=" not in tab.page.url, "the token left the address bar"
        (cookie,) = [c for c in context.cookies() if c["name"].startswith("tfexam-serve-")]
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"

        tab.focus()
        tab.press("2")  # keys typed in the page reach the app
        tab.wait_for("Q2 Model from a learning dataset")
        tab.press("e")
        tab.wait_for("category2/starter.py")
        tab.type("# typed in the browser")
        tab.press("Enter")
        tab.wait_for("category2/starter.py ●")  # unsaved
        tab.wait_for(" 2  # =====")  # every key typed has reached the editor

        tab.page.reload()  # the view ends; the session does not
        tab.wait_for("category2/starter.py ●", timeout=30)
        assert "# typed in the browser" in tab.text, tab.text
        (session_id, _), *others = sessions(tfexam_home)
        assert not others, "a reload starts no second session"
        deadline = time.time() + 3600  # --duration 1h, started a moment ago
        assert 0 <= (deadline - time.time()) - seconds_left(tab.text) < 120, "the clock ran on"

        other = BrowserTab(context)  # a second tab: the cookie is its key, no token needed
        other.open(served.origin + "/")
        other.wait_for("This exam is open in another tab.")
        assert len(tab_processes(served)) <= 2, "no second exam screen (one spare at most)"
        other.focus()
        other.press("Enter")  # take it over
        tab.wait_for("The exam moved to another tab.")
        other.wait_for("category2/starter.py ●", timeout=30)
        assert "# typed in the browser" in other.text
        assert [s for s, _ in sessions(tfexam_home)] == [session_id]
    finally:
        stopped_cleanly(served, tfexam_home)


def test_a_request_without_the_token_is_refused_and_starts_nothing(
    tfexam_home: Path, tmp_path: Path
) -> None:
    import aiohttp

    served = serve_practice(tfexam_home, tmp_path)
    try:
        before = tab_processes(served)
        host = served.origin.removeprefix("http://")
        token = served.url.split("token=", 1)[1]

        async def probe() -> dict[str, Any]:
            seen: dict[str, Any] = {}
            # unsafe: a jar that keeps cookies of IP addresses (127.0.0.1), as browsers do
            async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
                async with http.get(served.origin + "/") as response:
                    seen["no token"] = response.status
                async with http.get(served.origin + "/?token=" + token[:-2] + "xx") as response:
                    seen["wrong token"] = response.status
                async with http.get(served.origin + "/static/js/textual.js") as response:
                    seen["static, no token"] = response.status
                started = time.monotonic()
                try:
                    await http.ws_connect(served.origin + "/ws", origin=served.origin)
                    seen["socket, no token"] = 101
                except aiohttp.WSServerHandshakeError as error:
                    seen["socket, no token"] = error.status
                seen["refusal took"] = time.monotonic() - started
                # With the token (as cookie): the page, but not from another site's name...
                async with http.get(served.url, allow_redirects=False) as response:
                    seen["token"] = response.status
                    seen["location"] = response.headers.get("Location")
                    seen["set-cookie"] = response.headers.get("Set-Cookie", "")
                async with http.get(served.origin + "/") as response:
                    seen["cookie"] = response.status
                    seen["headers"] = dict(response.headers)
                async with http.get(
                    served.origin + "/", headers={"Host": f"rebound.example:{host.split(':')[1]}"}
                ) as response:
                    seen["rebound host"] = response.status
                for path in ("/static/../server.py", "/static/%2e%2e/server.py", "/static/"):
                    async with http.get(served.origin + path) as response:
                        seen[path] = response.status
                # ... nor a websocket opened by a page of another site.
                try:
                    await http.ws_connect(served.origin + "/ws", origin="http://evil.example")
                    seen["socket, other origin"] = 101
                except aiohttp.WSServerHandshakeError as error:
                    seen["socket, other origin"] = error.status
            return seen

        seen = asyncio.run(probe())
        assert seen["no token"] == seen["wrong token"] == seen["static, no token"] == 403
        assert seen["socket, no token"] == 403 and seen["refusal took"] >= 0.9, "slowed down"
        assert seen["token"] == 302 and seen["location"] == "/", "the token leaves the address"
        assert "HttpOnly" in seen["set-cookie"] and "SameSite=Strict" in seen["set-cookie"]
        assert seen["cookie"] == 200
        assert "frame-ancestors 'none'" in seen["headers"]["Content-Security-Policy"]
        assert seen["rebound host"] == 403, "DNS rebinding: another name for this machine"
        assert seen["/static/../server.py"] in (403, 404)
        assert seen["/static/%2e%2e/server.py"] in (403, 404)
        assert seen["/static/"] in (403, 404), "no folder listing"
        assert seen["socket, other origin"] == 403
        assert tab_processes(served) == before, "no exam screen was started"
        assert sum("refused" in line for line in served.lines) >= 5, served.output
        assert served.output.count(token[:12]) == 1, "the token is printed once, never logged"
    finally:
        stopped_cleanly(served, tfexam_home)


def line_number(path: Path, text: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, start=1) if line.strip() == text)


@needs_browser
def test_question_1_solved_in_the_browser(tfexam_home: Path, tmp_path: Path, browser: Any) -> None:
    """Open the starter from the Project tree, type the missing lines, save, run, and see the
    run's model graded 5/5, all in the browser tab (as tests/test_tui_terminal_editor.py does
    in a terminal)."""
    served = serve_practice(tfexam_home, tmp_path)
    starter = tmp_path / "ws" / "category1" / "starter.py"
    try:
        tab = BrowserTab(browser.new_context(viewport={"width": 1280, "height": 800}))
        tab.open(served.url)
        tab.wait_for("grader ready", timeout=180)
        # The key bar, before any click or key: the page gives its terminal the focus (Textual
        # leaves the key bar empty while the app is told it has none).
        tab.wait_for("v Run/Exam", timeout=20)
        tab.focus()
        tab.press("Alt+1")  # PyCharm's Project window, on the question's folder, open
        tab.wait_for("└ starter.py", timeout=20)
        tab.press("ArrowDown", "ArrowDown", "Enter")  # prompt.md, starter.py: open it
        tab.wait_for(" 1  # ====", timeout=30)  # the file, with line numbers
        tab.press("Control+g")
        tab.wait_for("Go to line", timeout=10)
        tab.type(str(line_number(starter, "model.summary()")))
        tab.press("Enter")
        tab.wait_until_gone("Go to line", timeout=10)
        tab.press("End", "Enter")  # a new line after model.summary(), indented as it is
        tab.type(
            "model.compile(optimizer=tf.keras.optimizers.SGD(learning_rate=0.05), "
            'loss="mean_squared_error")'
        )
        tab.press("Enter")
        tab.type("model.fit(xs, ys, epochs=500, verbose=0)")
        tab.wait_for("epochs=500, verbose=0)", timeout=10)
        tab.press("Control+s")
        tab.wait_for("Saved category1/starter.py", timeout=10)
        assert "    model.fit(xs, ys, epochs=500, verbose=0)\n" in starter.read_text()
        tab.press("Shift+F10")  # run it
        tab.wait_for("Q1 #1 exit 0", timeout=240)  # the run's tab: it finished
        tab.wait_for("category1/  5/5", timeout=180)  # graded: the score, in the page
        tab.page.reload()
        tab.wait_for("category1/  5/5", timeout=30)  # still there after a reload
    finally:
        stopped_cleanly(served, tfexam_home)
