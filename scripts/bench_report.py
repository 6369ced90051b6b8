"""Measure the HTML report: chart approach, size and build time, audio linked or embedded.

    .venv/bin/python scripts/bench_report.py SESSION_FOLDER [--npm DIR]

SESSION_FOLDER is a saved session with at least 20 answers and their WAVs (for example
`replay audio_fixtures/manifest.json --save`). `--npm DIR` holds `npm pack uplot
chart.js` unpacked (DIR/uplot/package, DIR/chart.js/package) for the chart comparison:
the same chart (pace of 20 answers against the target band) as hand-written inline SVG,
as uPlot and as Chart.js, each inlined into a page, measured for bytes, gzip bytes, time
to render in headless Chromium and PDF size. Also what the wired tool pays per answer and
at the end: the record rewritten and synced into the history after each of the 20 answers
(as `records.store` does), and the end-of-session report (history summary + write).
Prints Markdown tables (docs/report.md).
"""

from __future__ import annotations

import argparse
import base64
import gzip
import io
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from simulator.report import build_report  # noqa: E402
from simulator.report.svg import line_chart  # noqa: E402

ANSWERS = 20


def twenty_answers(folder: Path) -> dict[str, Any]:
    """The folder's session record cut to its first 20 answers."""
    document = json.loads((folder / "session.json").read_text(encoding="utf-8"))
    return {**document, "turns": document["turns"][:ANSWERS]}


def report_numbers(document: dict[str, Any], folder: Path) -> dict[str, float]:
    """Build time (median of 7) and size of the 20-answer report."""
    times = []
    for _ in range(7):
        started = time.perf_counter()
        page = build_report(document, folder)
        times.append(time.perf_counter() - started)
    data = page.encode()
    return {"build_ms": statistics.median(times) * 1000, "bytes": len(data),
            "gzip_bytes": len(gzip.compress(data, 9))}


def sync_numbers(document: dict[str, Any], folder: Path) -> dict[str, float]:
    """The store's step after each answer, 20 times: rewrite the growing session.json, then
    `sync_session`; and the end of the session: `report_after_session` (summary + page)."""
    from simulator.history import history_db_path, sync_session
    from simulator.records.store import write_json_atomic
    from simulator.report.cli import report_after_session

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "sessions" / folder.name
        copy.mkdir(parents=True)
        db = history_db_path(copy.parent)
        write_s, sync_s = [], []
        for k in range(1, len(document["turns"]) + 1):
            grown = {**document, "turns": document["turns"][:k]}
            started = time.perf_counter()
            write_json_atomic(copy / "session.json", grown)
            written = time.perf_counter()
            sync_session(db, copy, grown)
            write_s.append(written - started)
            sync_s.append(time.perf_counter() - written)
        started = time.perf_counter()
        report_after_session(copy)
        end_s = time.perf_counter() - started
        record_bytes = (copy / "session.json").stat().st_size
    return {"sync_median_ms": statistics.median(sync_s) * 1000,
            "sync_last_ms": sync_s[-1] * 1000, "sync_max_ms": max(sync_s) * 1000,
            "write_median_ms": statistics.median(write_s) * 1000,
            "end_report_ms": end_s * 1000, "record_kb": record_bytes / 1000}


def audio_numbers(document: dict[str, Any], folder: Path) -> dict[str, float]:
    """WAV bytes of the 20 answers, and as base64 Opus (what embedding would cost)."""
    import soundfile

    wav = opus = seconds = 0.0
    for turn in document["turns"]:
        path = folder / str(turn["answer"]["wav"])
        if not path.is_file():
            continue
        audio, rate = soundfile.read(path, dtype="float32")
        wav += path.stat().st_size
        seconds += len(audio) / rate
        buffer = io.BytesIO()
        soundfile.write(buffer, audio, rate, format="OGG", subtype="OPUS")
        opus += len(base64.b64encode(buffer.getvalue()))
    return {"seconds": seconds, "wav_bytes": wav, "opus_base64_bytes": opus}


def pace_points(document: dict[str, Any]) -> list[tuple[str, float | None]]:
    return [(str(t["index"]), (t.get("delivery") or {}).get("pace", {}).get("per_min"))
            for t in document["turns"]]


def svg_page(points: list[tuple[str, float | None]]) -> str:
    from simulator.report.style import CSS

    chart = line_chart([(n, v, {}) for n, v in points], metric="pace", label="pace")
    # The whole report stylesheet counts against this page (the chart rules are part of it).
    return (f"<!DOCTYPE html><meta charset=utf-8><style>{CSS}</style>"
            f"<body style='width:900px;background:#fff'>{chart}</body>")


def uplot_page(points: list[tuple[str, float | None]], npm: Path) -> str:
    dist = npm / "uplot" / "package" / "dist"
    js = (dist / "uPlot.iife.min.js").read_text(encoding="utf-8")
    css = (dist / "uPlot.min.css").read_text(encoding="utf-8")
    xs = list(range(1, len(points) + 1))
    ys = [v for _, v in points]
    return ("<!DOCTYPE html><meta charset=utf-8><style>" + css + "</style><body><div id=c>"
            "</div><script>" + js + "</script><script>new uPlot({width:900,height:200,"
            "scales:{x:{time:false}},series:[{},{label:'pace',stroke:'#2f6fde'}]},"
            + json.dumps([xs, ys]) + ",document.getElementById('c'));</script></body>")


def chartjs_page(points: list[tuple[str, float | None]], npm: Path) -> str:
    js = (npm / "chart.js" / "package" / "dist" / "chart.umd.min.js").read_text(
        encoding="utf-8")
    config = {"type": "line", "data": {"labels": [n for n, _ in points], "datasets": [
        {"label": "pace", "data": [v for _, v in points], "borderColor": "#2f6fde"}]},
        "options": {"animation": False, "responsive": False}}
    return ("<!DOCTYPE html><meta charset=utf-8><body><canvas id=c width=900 height=200>"
            "</canvas><script>" + js + "</script><script>new Chart(document.getElementById('c'),"
            + json.dumps(config) + ");</script></body>")


def render(pages: dict[str, str], shots: Path) -> dict[str, dict[str, float]]:
    """Load each page in headless Chromium: ms to load, PDF bytes, screenshot saved."""
    from tests.history.cdp import Chromium, find_chromium

    executable = find_chromium()
    if executable is None:
        return {}
    out = {}
    with Chromium(executable) as browser, tempfile.TemporaryDirectory() as tmp:
        for name, page in pages.items():
            path = Path(tmp) / f"{name}.html"
            path.write_text(page, encoding="utf-8")
            session = browser.open_page(path.as_uri(), width=960, height=260)
            load_ms = float(browser.evaluate(session, "performance.getEntriesByType("
                                                      "'navigation')[0].loadEventEnd"))
            browser.screenshot(session, shots / f"chart-{name}.png", full_page=False)
            pdf = base64.b64decode(browser.send("Page.printToPDF", {}, session=session)["data"])
            out[name] = {"load_ms": load_ms, "pdf_bytes": len(pdf),
                         "errors": len(browser.problems(session))}
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--npm", type=Path, help="unpacked `npm pack uplot chart.js`")
    parser.add_argument("--shots", type=Path, default=Path(tempfile.gettempdir()))
    args = parser.parse_args()
    document = twenty_answers(args.folder)
    report = report_numbers(document, args.folder)
    print("| 20-answer report | value |\n|---|---|")
    print(f"| build time (median of 7) | {report['build_ms']:.0f} ms |")
    print(f"| size | {report['bytes'] / 1000:.0f} kB ({report['gzip_bytes'] / 1000:.0f} kB "
          "gzipped) |")
    sync = sync_numbers(document, args.folder)
    print(f"| history sync after each answer (`sync_session`, 1..20 answers) | median "
          f"{sync['sync_median_ms']:.0f} ms, at the 20th {sync['sync_last_ms']:.0f} ms, max "
          f"{sync['sync_max_ms']:.0f} ms (the JSON rewrite itself: median "
          f"{sync['write_median_ms']:.0f} ms; record {sync['record_kb']:.0f} kB) |")
    print(f"| end of session: history summary + report written | "
          f"{sync['end_report_ms']:.0f} ms |")
    audio = audio_numbers(document, args.folder)
    print(f"| the 20 answers' audio | {audio['seconds']:.0f} s: WAV "
          f"{audio['wav_bytes'] / 1e6:.1f} MB; Opus as base64 "
          f"{audio['opus_base64_bytes'] / 1e6:.2f} MB |\n")
    if args.npm is None:
        return 0
    points = pace_points(document)
    pages = {"inline SVG": svg_page(points), "uPlot 1.6": uplot_page(points, args.npm),
             "Chart.js 4": chartjs_page(points, args.npm)}
    shown = render({k.split()[0].lower().replace(".", ""): v for k, v in pages.items()},
                   args.shots)
    print("| chart (pace of 20 answers) | page bytes | gzip | loaded after | PDF |"
          " console errors |\n|---|---|---|---|---|---|")
    for (name, page), key in zip(pages.items(), shown or [None] * len(pages), strict=True):
        data = page.encode()
        seen = shown.get(key, {}) if key else {}
        print(f"| {name} | {len(data):,} | {len(gzip.compress(data, 9)):,} | "
              f"{seen.get('load_ms', float('nan')):.0f} ms | {seen.get('pdf_bytes', 0):,} | "
              f"{seen.get('errors', '-')} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
