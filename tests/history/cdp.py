"""A small Chrome DevTools Protocol client over `--remote-debugging-pipe` (stdlib only).

Chosen over Selenium + chromedriver (45.7 MB installed, and a driver whose version must
match the browser) and playwright-python (171 MB, and it expects its own browser build,
which cannot be downloaded here): Chromium speaks CDP itself on file descriptors 3 and 4,
NUL-separated JSON, which is all the report tests need (console errors, network requests,
screenshots, evaluating JavaScript). Install size: 0 bytes beyond Debian's `chromium`.
"""

from __future__ import annotations

import base64
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
LAUNCH_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--autoplay-policy=no-user-gesture-required", "--hide-scrollbars",
    "--disable-features=MediaRouter,OptimizationHints,Translate",
)


def find_chromium() -> str | None:
    """The Chromium executable on PATH, or None."""
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


class CdpError(RuntimeError):
    """Chromium answered a command with an error, or did not answer in time."""


class Chromium:
    """A headless Chromium driven over the DevTools pipe; use as a context manager."""

    def __init__(self, executable: str, *, timeout_s: float = 30.0) -> None:
        self._executable = executable
        self._timeout_s = timeout_s
        self._next_id = 0
        self._buffer = b""
        self.events: list[dict[str, Any]] = []
        """Every event received, in order (each with its `sessionId` when from a page)."""

    def __enter__(self) -> Chromium:
        self._profile = tempfile.TemporaryDirectory(prefix="report-chromium-")
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()
        flags = [*LAUNCH_FLAGS, f"--user-data-dir={self._profile.name}",
                 "--remote-debugging-pipe", "about:blank"]
        # Chromium reads commands on fd 3 and writes on fd 4; bash puts the pipes there
        # (dash's redirections take single-digit fds only, and under pytest they are higher).
        self._process = subprocess.Popen(
            ["bash", "-c", f'exec "$0" "$@" 3<&{to_chrome_r} 4>&{from_chrome_w}',
             self._executable, *flags],
            pass_fds=(to_chrome_r, from_chrome_w), stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.send("Browser.close", timeout_s=5)
        except (CdpError, OSError):
            pass
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        if self._process.stderr is not None:
            self._process.stderr.close()
        os.close(self._to_chrome)
        os.close(self._from_chrome)
        self._profile.cleanup()

    def send(self, method: str, params: dict[str, Any] | None = None, *,
             session: str | None = None, timeout_s: float | None = None) -> dict[str, Any]:
        """Send one command and return its result (events that arrive meanwhile are kept)."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method,
                                   "params": params or {}}
        if session:
            message["sessionId"] = session
        try:
            os.write(self._to_chrome, json.dumps(message).encode() + b"\0")
        except BrokenPipeError as e:
            raise CdpError(f"Chromium has exited: {self._stderr_tail()}") from e
        deadline = time.monotonic() + (timeout_s or self._timeout_s)
        while True:
            reply = self._read(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise CdpError(f"{method}: {reply['error']}")
                return dict(reply.get("result", {}))
            if "method" in reply:
                self.events.append(reply)

    def _stderr_tail(self) -> str:
        if self._process.poll() is None or self._process.stderr is None:
            return "(still running)"
        text = self._process.stderr.read().decode(errors="replace")
        return f"exit {self._process.returncode}: {text[-1500:]}"

    def wait_event(self, method: str, *, session: str | None = None,
                   timeout_s: float | None = None) -> dict[str, Any]:
        """The first not yet consumed event named `method` (waiting for it if needed)."""
        deadline = time.monotonic() + (timeout_s or self._timeout_s)
        seen = 0
        while True:
            for event in self.events[seen:]:
                if event.get("method") == method and (session is None
                                                       or event.get("sessionId") == session):
                    event["_consumed"] = True
                    return event
            seen = len(self.events)
            self.events.append(self._read(deadline))

    def _read(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise CdpError("Chromium did not answer in time")
            ready, _, _ = select.select([self._from_chrome], [], [], left)
            if ready:
                chunk = os.read(self._from_chrome, 1 << 20)
                if not chunk:
                    self._process.wait(timeout=5)
                    raise CdpError(f"Chromium closed the DevTools pipe: {self._stderr_tail()}")
                self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return dict(json.loads(message))

    def open_page(self, url: str, *, width: int = 1000, height: int = 800) -> str:
        """Open `url` in a new tab with console, log and network events on; the session id."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target,
                                                      "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable", session=session)
        self.send("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
            session=session)
        self.send("Page.navigate", {"url": url}, session=session)
        self.wait_event("Page.loadEventFired", session=session)
        return session

    def evaluate(self, session: str, expression: str) -> Any:
        """Evaluate JavaScript in the page (awaiting a promise) and return its value."""
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                "awaitPromise": True}, session=session)
        if "exceptionDetails" in result:
            raise CdpError(f"page script failed: {result['exceptionDetails']}")
        return result.get("result", {}).get("value")

    def bring_to_front(self, session: str) -> None:
        """Make the page the active tab: headless Chromium paints only the active tab, so
        a screenshot of a page opened before another can wait forever for its frame (seen
        intermittently on a loaded machine)."""
        self.send("Page.bringToFront", session=session)

    def screenshot(self, session: str, path: Path, *, full_page: bool = True,
                   max_height: int = 6000) -> Path:
        """Save a PNG of the page (the whole page, up to `max_height` CSS pixels)."""
        self.bring_to_front(session)
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            size = self.send("Page.getLayoutMetrics", session=session)["cssContentSize"]
            params.update(captureBeyondViewport=True, clip={
                "x": 0, "y": 0, "width": size["width"],
                "height": min(size["height"], max_height), "scale": 1})
        data = self.send("Page.captureScreenshot", params, session=session)["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    def problems(self, session: str) -> list[str]:
        """Console errors, uncaught exceptions and error log entries of one page."""
        out = []
        for event in self.events:
            if event.get("sessionId") != session:
                continue
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.exceptionThrown":
                out.append(f"exception: {params.get('exceptionDetails', {}).get('text')}")
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error",
                                                                                 "assert"):
                out.append(f"console.{params['type']}: {params.get('args')}")
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                out.append(f"log: {params['entry'].get('text')} {params['entry'].get('url')}")
        return out

    def requests(self, session: str) -> list[str]:
        """The URL of every request the page made."""
        return [e["params"]["request"]["url"] for e in self.events
                if e.get("sessionId") == session and e.get("method") == "Network.requestWillBeSent"]
