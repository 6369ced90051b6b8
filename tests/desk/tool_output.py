"""Helpers for desk tests that run `interview-sim` as a child process and read its output."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

from simulator.practice.fixtures import read_manifest

ROOT = Path(__file__).resolve().parents[2]


def strong_answer_file(bank: str, question: str) -> Path:
    """The shipped strong answer to a question (from audio_fixtures/manifest.json)."""
    for entry in read_manifest(ROOT / "audio_fixtures" / "manifest.json"):
        if (entry.get("bank") == bank and str(entry.get("question")) == question
                and entry.get("expected") == "strong"):
            return ROOT / "audio_fixtures" / entry["file"]
    raise AssertionError(f"no strong fixture for {bank} question {question}")


def pump_lines(stream: IO[str]) -> queue.Queue[str]:
    """Read a child's output lines on a thread into a queue; "<EOF>" marks the end."""
    lines: queue.Queue[str] = queue.Queue()

    def _run() -> None:
        for line in iter(stream.readline, ""):
            lines.put(line.rstrip("\n"))
        lines.put("<EOF>")

    threading.Thread(target=_run, daemon=True).start()
    return lines


def _read_until(lines: queue.Queue[str], seen: list[str], timeout_s: float,
                done: Callable[[str], bool]) -> bool:
    """Append lines to `seen` until `done(line)` (True), end of output or timeout (False)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.5)
        except queue.Empty:
            continue
        if line == "<EOF>":
            return False
        seen.append(line)
        if done(line):
            return True
    return False


def wait_for_line(lines: queue.Queue[str], needle: str, timeout_s: float,
                  seen: list[str]) -> None:
    """Consume lines until one contains `needle`; fail with everything seen otherwise."""
    wait_for_any(lines, (needle,), timeout_s, seen)


def wait_for_any(lines: queue.Queue[str], needles: tuple[str, ...], timeout_s: float,
                 seen: list[str]) -> None:
    """Consume lines until one contains any of `needles`; fail with everything seen
    otherwise."""
    if not _read_until(lines, seen, timeout_s, lambda line: any(n in line for n in needles)):
        wanted = needles[0] if len(needles) == 1 else needles
        raise AssertionError(f"did not see {wanted!r} in time; output so far:\n"
                             + "\n".join(seen))


def drain(lines: queue.Queue[str], seen: list[str], timeout_s: float) -> None:
    """Consume the rest of the output (until it ends or `timeout_s`) into `seen`."""
    _read_until(lines, seen, timeout_s, lambda line: False)
