"""Paths and loaders for the real session records captured for these tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent.parent / "data" / "history"
REPLAY_ZH = "20261202-162211-6c36"
"""replay --save of zh-12-strong, zh-12-partial, zh-22-fillers (3 answers)."""
REPLAY_MIXED = "20261202-162240-ac04"
"""replay --save of en-4-fillers, en-1-partial, zh-12-off-topic (3 answers)."""
CALL_EN = "20261202-162300-a0e4"
"""call --scenario en-long-wait with three replayed answers (the customer hangs up)."""
CALL_ZH = "20261202-161831-e94f"
"""call --scenario zh-order-not-shipped with two replayed answers."""
REPLAY_CHECK = DATA / "replay-check.json"
"""`replay --json` of four fixtures, one outside its expected band."""


def load(name: str) -> dict[str, Any]:
    """The record document of one of the captured folders."""
    folder = DATA / name
    path = folder / ("call.json" if (folder / "call.json").exists() else "session.json")
    return json.loads(path.read_text(encoding="utf-8"))

