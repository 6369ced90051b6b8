"""Simplified or traditional characters for what the report shows.

The one place that reaches into the simulator's text helpers (OpenCC), imported lazily
inside `_opencc` so a later move of `simulator.text` is a one-line change here and
importing the report package stays light.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

_CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def _opencc() -> tuple[Callable[[str], str], Callable[[str], str]]:
    """(to_traditional, to_simplified) from the project's OpenCC helpers."""
    from simulator.text.normalise import to_simplified, to_traditional

    return to_traditional, to_simplified


def for_script(text: str, script: str | None) -> str:
    """`text` in the session's script: converted to traditional for "traditional", else
    to simplified (Whisper writes either at random), untouched without Chinese characters."""
    if not text or not _CJK_RE.search(text):
        return text
    to_traditional, to_simplified = _opencc()
    return to_traditional(text) if script == "traditional" else to_simplified(text)


@functools.lru_cache(maxsize=8192)
def simplified_char(ch: str) -> str:
    """One character in simplified script (for matching; keeps length one where it can)."""
    if not _CJK_RE.match(ch):
        return ch
    converted = _opencc()[1](ch)
    return converted if len(converted) == 1 else ch
