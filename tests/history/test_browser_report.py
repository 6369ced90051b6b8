"""The report in headless Chromium: loads from disk offline, charts render, audio plays.

Driven over the DevTools pipe (tests/history/cdp.py). Without Chromium they skip with a
message on a developer's machine and fail in CI (CI=true), like the desk tests: there
scripts/setup.sh has installed Debian's `chromium` (scripts/install_system_deps.sh).
The run also refreshes docs/report.png, the screenshot in the README.
"""

from __future__ import annotations

import math
import os
import shutil
import struct
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from simulator.history import history_db_path, history_summary, import_sessions
from simulator.report import write_report
from tests.history.cdp import Chromium, find_chromium
from tests.history.png import colours
from tests.history.records import CALL_ZH, DATA, REPLAY_ZH, load

pytestmark = pytest.mark.slow
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "report.png"


def tone_wav(path: Path, seconds: float = 3.0) -> None:
    """A 16 kHz mono 440 Hz tone (stands in for the answer recording)."""
    rate = 16_000
    frames = b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * n / rate)))
                      for n in range(int(rate * seconds)))
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames)


@pytest.fixture(scope="module")
def browser() -> Iterator[Chromium]:
    """One headless Chromium for the module."""
    executable = find_chromium()
    if executable is None:
        message = ("chromium not found: install Debian's chromium "
                   "(scripts/install_system_deps.sh) to run the browser tests")
        if os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}:
            # In CI setup.sh installs it: a skip there would hide a broken install step.
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    with Chromium(executable) as chromium:
        yield chromium


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Reports written into copies of the captured folders, WAVs standing in for answers."""
    sessions = tmp_path_factory.mktemp("sessions")
    for name in (REPLAY_ZH, CALL_ZH):
        shutil.copytree(DATA / name, sessions / name)
        for turn in load(name)["turns"]:
            tone_wav(sessions / name / turn["answer"]["wav"])
    import_sessions(history_db_path(sessions), sessions)
    summary = history_summary(history_db_path(sessions))
    traditional = sessions / "traditional"
    traditional.mkdir()
    return {
        "practice": write_report(sessions / REPLAY_ZH, history=summary),
        "call": write_report(sessions / CALL_ZH, history=summary),
        "traditional": write_report(traditional, {**load(REPLAY_ZH), "script": "traditional"}),
    }


@pytest.fixture(scope="module")
def pages(browser: Chromium, reports: dict[str, Path]) -> dict[str, str]:
    """Each report opened from its file:// URL (page sessions by report name)."""
    return {name: browser.open_page(path.as_uri()) for name, path in reports.items()}


def test_pages_load_from_disk_with_no_errors_and_no_network(
        browser: Chromium, pages: dict[str, str]) -> None:
    """No console error, no exception, and every request is file:// or data:."""
    for name, session in pages.items():
        assert browser.problems(session) == [], name
        requests = browser.requests(session)
        assert requests and requests[0].startswith("file://")
        assert all(url.startswith(("file://", "data:")) for url in requests), requests


def test_charts_render(browser: Chromium, pages: dict[str, str], tmp_path: Path) -> None:
    """Every chart has a size on screen, and a screenshot of one is far from blank."""
    session = pages["practice"]
    browser.bring_to_front(session)
    sizes = browser.evaluate(session, "[...document.querySelectorAll('svg.chart')].map(s => {"
                                      "const r = s.getBoundingClientRect(); "
                                      "return [r.width, r.height]; })")
    assert len(sizes) >= 8 and all(w > 300 and h > 20 for w, h in sizes)
    box = browser.evaluate(session, "(() => { const s = document.querySelector("
                                    "'svg.bar-chart'); s.scrollIntoView(); const r = "
                                    "s.getBoundingClientRect(); return [r.x, r.y + scrollY, "
                                    "r.width, r.height]; })()")
    data = browser.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True,
                                                   "clip": {"x": box[0], "y": box[1],
                                                            "width": box[2], "height": box[3],
                                                            "scale": 0.5}}, session=session)
    import base64

    counts = colours(base64.b64decode(data["data"]))
    background = max(counts.values())
    assert len(counts) >= 4 and sum(counts.values()) - background > 0.05 * sum(counts.values())
    browser.screenshot(session, SCREENSHOT, max_height=2600)
    assert SCREENSHOT.stat().st_size > 20_000


def test_data_points_in_the_page_match_the_session(browser: Chromium,
                                                   pages: dict[str, str]) -> None:
    """Pace, fraction and filler points read back from the live DOM equal the record."""
    turns = load(REPLAY_ZH)["turns"]

    def read(session: str, metric: str) -> list[Any]:
        return list(browser.evaluate(session, "[...document.querySelectorAll("
                                              f"'svg [data-metric=\"{metric}\"]')].map("
                                              "e => Number(e.dataset.value))"))

    session = pages["practice"]
    assert read(session, "pace") == [t["delivery"]["pace"]["per_min"] for t in turns]
    assert read(session, "filler") == [f["start_s"] for t in turns
                                       for f in t["delivery"]["fillers"]["items"]]
    bars = browser.evaluate(session, "[...document.querySelectorAll('svg.bar-chart "
                                     "[data-metric=fraction]')].map(e => Number(e.dataset.value))")
    assert bars == [t["score"]["fraction"] for t in turns]
    call = load(CALL_ZH)
    lanes = browser.evaluate(pages["call"], "[...document.querySelectorAll('svg.call-timeline "
                                            "rect.seg')].map(e => e.dataset.lane)")
    assert lanes.count("trainee") == len(call["turns"]) and "customer" in lanes


def test_the_audio_element_plays_the_take(browser: Chromium, pages: dict[str, str]) -> None:
    """play() resolves and currentTime advances for the first answer's recording."""
    result = browser.evaluate(pages["practice"], """(async () => {
        const audio = document.querySelector('audio');
        await audio.play();
        await new Promise(done => setTimeout(done, 800));
        return {t: audio.currentTime, paused: audio.paused, error: audio.error,
                duration: audio.duration, src: audio.currentSrc};
    })()""")
    assert result["error"] is None and not result["paused"], result
    assert result["t"] > 0.2 and result["duration"] == pytest.approx(3.0, abs=0.05)
    assert result["src"].endswith("/answer-01-q12.wav")


def test_a_traditional_session_shows_traditional_text(browser: Chromium,
                                                      pages: dict[str, str]) -> None:
    """The rendered text is in traditional characters and the page says zh-Hant."""
    session = pages["traditional"]
    text = browser.evaluate(session, "document.body.innerText")
    assert browser.evaluate(session, "document.documentElement.lang") == "zh-Hant"
    assert "面試練習報告" in text and "說聲對不起" in text and "答案要點" in text
    assert "面试练习报告" not in text and "说声对不起" not in text


def test_the_print_layout_hides_players_and_makes_a_pdf(browser: Chromium,
                                                        pages: dict[str, str]) -> None:
    """Print media hides the audio players; printing gives a multi-page PDF."""
    session = pages["practice"]
    browser.send("Emulation.setEmulatedMedia", {"media": "print"}, session=session)
    try:
        shown = browser.evaluate(session, "getComputedStyle(document.querySelector('audio'))"
                                          ".display")
    finally:
        browser.send("Emulation.setEmulatedMedia", {"media": ""}, session=session)
    assert shown == "none"
    import base64

    pdf = base64.b64decode(browser.send("Page.printToPDF", {"printBackground": True},
                                        session=session, timeout_s=60)["data"])
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") >= 2
