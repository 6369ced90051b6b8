"""The screen's lines from `prompts/screen.toml`, in the session's language and script.

Mandarin lines (and what was heard) are shown in the script the session uses:
simplified, or traditional with `--script traditional`.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from simulator.data import PROMPTS_DIR, read_toml
from simulator.errors import DataFileError
from simulator.text.normalise import to_simplified, to_traditional

SCREEN_PATH = PROMPTS_DIR / "screen.toml"
KEYS = ("hint", "listening", "waiting", "speaking", "pause", "transcribing", "scoring", "heard",
        "fillers", "take_your_time", "choose", "model_answer", "no_model_answer", "retry",
        "follow_up_covered", "follow_up_missed", "best", "saved", "no_turn_model",
        "no_microphone")


@functools.lru_cache(maxsize=4)
def load_lines(path: Path = SCREEN_PATH) -> Mapping[str, Mapping[str, str]]:
    """Read and check the screen lines.

    Raises:
        DataFileError: missing file, or a language lacks a line (names both).
    """
    data = read_toml(path, "screen lines", 200_000)
    for language, table in data.items():
        if not isinstance(table, dict) or any(not isinstance(table.get(k), str) for k in KEYS):
            missing = [k for k in KEYS if not isinstance(table, dict) or k not in table]
            raise DataFileError(f"{path}: [{language}] is missing lines {missing}")
    return data


def in_script(text: str, language: str, script: str) -> str:
    """Mandarin text in the session's script (Whisper writes either); other text as is."""
    if language != "zh":
        return text
    return to_traditional(text) if script == "traditional" else to_simplified(text)


class Lines:
    """One language's lines in one script."""

    def __init__(self, language: str, script: str = "simplified") -> None:
        tables = load_lines()
        self.language = language if language in tables else "en"
        self.script = script
        self._table = tables[self.language]

    def __call__(self, key: str, **values: Any) -> str:
        """The line `key`, filled in and in the session's script."""
        return in_script(self._table[key].format(**values), self.language, self.script)
