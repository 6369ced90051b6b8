"""`replay --check --junit FILE`: one JUnit test case per replayed fixture, for CI systems.

Input is the `replay --json` document, whose turns carry `fixture: {id, expected,
in_expected_band}`. A fixture outside its expected band is a `<failure>` whose message
says what it scored and what was expected (the same words as the `check:` lines on
stderr); a fixture with no expected band is `<skipped>`; a turn without a fixture (a
plain file replayed with `--question`) is a test case named after its file. The layout
(`testsuites` > `testsuite` > `testcase` > `failure|skipped`, `system-out`) is the one
Jenkins, GitLab and GitHub test reporters read; tests validate it against
`tests/data/junit.xsd`.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

EXPECTED_BANDS: Mapping[str, tuple[float, float]] = {
    "strong": (0.7, 1.0),
    "partial": (0.2, 0.75),
    "off_topic": (0.0, 0.25),
    "empty": (0.0, 0.0),
    "too_short": (0.0, 0.3),
}
"""The bands of `replay --check` (commands.EXPECTED_BANDS at 7e1d34c), for the messages
only: pass/fail comes from the record's `in_expected_band`."""


def junit_xml(document: Mapping[str, Any], *, suite_name: str | None = None) -> str:
    """JUnit XML for a `replay --json` document.

    Args:
        document: the replay document (session shape plus `turns[].fixture`).
        suite_name: the test suite's name (default: "replay <replayed path>").

    Returns:
        The XML text, with declaration, ending in a newline.
    """
    turns = [t for t in document.get("turns") or [] if isinstance(t, Mapping)]
    name = suite_name or f"replay {document.get('replayed') or ''}".strip()
    cases = [_case(turn) for turn in turns]
    failures = sum(1 for c in cases if c.find("failure") is not None)
    skipped = sum(1 for c in cases if c.find("skipped") is not None)
    total_s = sum(float(c.get("time", "0")) for c in cases)
    counts = {"tests": str(len(cases)), "failures": str(failures), "errors": "0",
              "skipped": str(skipped), "time": f"{total_s:.3f}"}
    root = ET.Element("testsuites", {"name": "interview-sim replay --check", **counts})
    suite = ET.SubElement(root, "testsuite", {"name": name, **counts,
                                              "timestamp": _timestamp(document),
                                              "hostname": "localhost"})
    properties = ET.SubElement(suite, "properties")
    for key in ("tool_version", "model", "mode", "replayed"):
        if document.get(key) is not None:
            ET.SubElement(properties, "property", {"name": key, "value": str(document[key])})
    suite.extend(cases)
    ET.indent(root)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            + ET.tostring(root, encoding="unicode") + "\n")


def write_junit(path: Path, document: Mapping[str, Any]) -> Path:
    """Write `junit_xml(document)` to `path` atomically (temp file + rename)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(junit_xml(document))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _part(turn: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = turn.get(key)
    return value if isinstance(value, Mapping) else {}


def _case(turn: Mapping[str, Any]) -> ET.Element:
    fixture, question, answer, score, timings = (
        _part(turn, k) for k in ("fixture", "question", "answer", "score", "timings"))
    name = str(fixture.get("id") or Path(str(answer.get("source_file") or "answer")).stem)
    seconds = sum(float(timings.get(k) or 0.0) for k in ("transcribe_s", "score_s"))
    case = ET.Element("testcase", {
        "name": name, "classname": f"replay.{question.get('language', 'xx')}.q"
                                   f"{question.get('id', '')}", "time": f"{seconds:.3f}"})
    fraction = score.get("fraction")
    expected = fixture.get("expected")
    in_band = fixture.get("in_expected_band")
    if in_band is False:
        band = EXPECTED_BANDS.get(str(expected))
        band_text = f" ({band[0]:.2f}-{band[1]:.2f})" if band else ""
        message = (f"scored {_fraction(fraction)}, expected {expected}{band_text}")
        failure = ET.SubElement(case, "failure", {"message": message,
                                                  "type": "outside_expected_band"})
        failure.text = _details(turn)
    elif in_band is None:
        ET.SubElement(case, "skipped", {"message": "no expected band for this fixture"
                                        if expected is None else f"unknown band {expected!r}"})
    out = ET.SubElement(case, "system-out")
    out.text = (f"score {score.get('points')}/{score.get('max_points')} "
                f"(fraction {_fraction(fraction)})\nheard: {_text(turn)}")
    return case


def _details(turn: Mapping[str, Any]) -> str:
    score = _part(turn, "score")
    missed = [str(k.get("label")) for k in score.get("key_points") or []
              if isinstance(k, Mapping) and not k.get("covered")]
    lines = [f"heard: {_text(turn)}"]
    if missed:
        lines.append("missed key points: " + "; ".join(missed))
    lines.extend(str(r) for r in score.get("reasons") or [])
    return "\n".join(lines)


def _text(turn: Mapping[str, Any]) -> str:
    transcript = _part(turn, "transcript")
    return str(transcript.get("text") or "(nothing)")


def _fraction(value: object) -> str:
    return f"{value:.2f}" if isinstance(value, int | float) else "-"


def _timestamp(document: Mapping[str, Any]) -> str:
    """JUnit's timestamp: ISO 8601 without a zone (UTC), as the Ant schema requires."""
    raw = document.get("updated_at") or document.get("started_at")
    try:
        when = dt.datetime.fromisoformat(str(raw))
    except ValueError:
        when = dt.datetime.now(dt.UTC)
    if when.tzinfo is not None:
        when = when.astimezone(dt.UTC).replace(tzinfo=None)
    return when.isoformat(timespec="seconds")
