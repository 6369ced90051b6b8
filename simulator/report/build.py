"""Build one self-contained HTML report for a session or call record, and write it.

The page has inline CSS and inline SVG charts, no script and no external URL (a
Content-Security-Policy of `default-src 'none'` makes sure), so it opens from disk
offline and prints with a print stylesheet. Answer recordings are referenced by their
path relative to the session folder, where `report.html` is written, rather than
embedded: embedding even as Opus would multiply the file size by ~20 for a 20-answer
session (docs/report.md has the measurements), and the folder already holds the WAVs.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from simulator.report.call import call_body
from simulator.report.parts import get, html_lang, page
from simulator.report.practice import practice_body
from simulator.report.strings import ui_strings

REPORT_FILENAME = "report.html"
RECORD_NAMES = ("session.json", "call.json")


def session_language(document: Mapping[str, Any]) -> str | None:
    """The language the page is written in: the scenario's, or most of the questions'."""
    scenario = get(document, "scenario", "language")
    if isinstance(scenario, str):
        return scenario
    counts = Counter(get(t, "question", "language") for t in get(document, "turns") or [])
    counts.pop(None, None)
    return counts.most_common(1)[0][0] if counts else None


def build_report(document: Mapping[str, Any], folder: Path | None = None,
                 history: Mapping[str, Any] | None = None) -> str:
    """The report page for one session or call record.

    Args:
        document: the parsed `session.json` or `call.json`. Its optional top-level `script`
            ("traditional"/"simplified") picks the characters of a Mandarin page.
        folder: the session folder (audio players point at its WAVs; None: no players).
        history: a `history_summary` document for the progress charts (None: none).

    Returns:
        A complete HTML document as a string.
    """
    script = document.get("script") if document.get("script") in (
        "traditional", "simplified") else None
    language = session_language(document)
    strings = ui_strings(language, script)
    is_call = str(document.get("schema", "")).startswith("interview-sim/call/")
    body = (call_body if is_call else practice_body)(document, folder, strings, script,
                                                     history)
    title = strings["title_call" if is_call else "title_practice"]
    started = document.get("started_at")
    if isinstance(started, str):
        title += f" · {started[:16].replace('T', ' ')}"
    return page(title=title, lang=html_lang(language, script), body=body, strings=strings)


def write_report(folder: Path, document: Mapping[str, Any] | None = None,
                 history: Mapping[str, Any] | None = None) -> Path:
    """Write `<folder>/report.html` atomically (temp file + rename) and return its path.

    Args:
        folder: the session folder.
        document: the record; None reads the folder's session.json or call.json.
        history: a `history_summary` document for the progress charts.

    Raises:
        OSError: the folder cannot be read or written.
        ValueError: no record in the folder, or it is not valid JSON.
    """
    folder = Path(folder)
    if document is None:
        document = _read_record(folder)
    text = build_report(document, folder, history)
    fd, tmp = tempfile.mkstemp(prefix=f".{REPORT_FILENAME}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)  # as private as the answers next to it
        os.replace(tmp, folder / REPORT_FILENAME)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return folder / REPORT_FILENAME


def _read_record(folder: Path) -> Mapping[str, Any]:
    for name in RECORD_NAMES:
        path = folder / name
        if path.is_file():
            try:
                document = json.loads(path.read_text(encoding="utf-8"))
            except (json.JSONDecodeError, UnicodeDecodeError) as e:
                raise ValueError(f"{path}: not valid JSON ({e})") from e
            if not isinstance(document, dict):
                raise ValueError(f"{path}: not a session record")
            return document
    raise ValueError(f"{folder}: no session.json or call.json there")
