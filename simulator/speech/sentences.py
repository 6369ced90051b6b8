"""Sentence splitting for the voices, so that playback can start after the first sentence.

Both voices synthesise one sentence at a time. This module decides where sentences end in
Mandarin (。！？；) and English (. ! ?), keeps very short fragments ("好的。", "Yes.") attached
to a neighbour so that a voice never has to say a lone word out of context, and never returns
an empty string. It imports nothing heavy.
"""

from __future__ import annotations

import logging
import re

_LOGGER = logging.getLogger(__name__)

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CLOSERS = "”’」』）)\"'"
# Where a sentence ends. "." only counts before whitespace, a Chinese character or the end,
# so decimals (3.5) and dotted codes (v1.2) stay whole.
_BOUNDARY_RE = re.compile(
    rf"[。！？；!?]+[{_CLOSERS}]*"
    rf"|\.+[{_CLOSERS}]*(?=\s|$|[{_CJK}])"
    r"|\n\s*"
)
# Abbreviations whose dot does not end a sentence (compared lower case, without the dot).
_ABBREVIATIONS = frozenset({"mr", "mrs", "ms", "dr", "st", "vs", "e.g", "i.e", "no", "approx"})
_UNIT_RE = re.compile(rf"[{_CJK}]|[A-Za-z0-9]+")
_MIN_UNITS = 3
"""A piece with fewer units (Chinese characters or Latin words) is attached to a neighbour."""


def _units(piece: str) -> int:
    return len(_UNIT_RE.findall(piece))


def _join(left: str, right: str) -> str:
    """Join two pieces: no space after Chinese punctuation or characters, else one space."""
    if re.search(rf"[{_CJK}。！？；，、：]$", left) or re.match(rf"[{_CJK}]", right):
        return left + right
    return f"{left} {right}"


def _raw_pieces(text: str) -> list[str]:
    pieces: list[str] = []
    start = 0
    for match in _BOUNDARY_RE.finditer(text):
        if match.group(0).startswith("."):
            word = re.search(r"([A-Za-z.]+)\.*$", text[start : match.start()])
            if word and word.group(1).lower().rstrip(".") in _ABBREVIATIONS:
                continue
        pieces.append(text[start : match.end()])
        start = match.end()
    pieces.append(text[start:])
    return [piece.strip() for piece in pieces if piece.strip()]


def split_sentences(text: str) -> list[str]:
    """Split Mandarin and/or English text into sentences for synthesis.

    Boundaries are the Chinese 。！？；, the English . ! ? (a dot only before whitespace, a
    Chinese character or the end, and not after abbreviations such as "Mr." or "e.g.") and
    line breaks. Closing quotes and brackets stay with their sentence. A piece with fewer
    than three units (Chinese characters or Latin words) is attached to the next sentence,
    or to the previous one when it is the last; pieces made only of punctuation are
    attached to the previous sentence.

    Args:
        text: Any text; may be empty.

    Returns:
        The sentences in order, each stripped and non-empty; `[]` when `text` has no
        speakable content.
    """
    merged: list[str] = []
    pending = ""
    for piece in _raw_pieces(text):
        if _units(piece) == 0:
            # Only punctuation ("……", "!"): keep it with what came before, or drop it.
            if pending:
                pending = _join(pending, piece)
            elif merged:
                merged[-1] = _join(merged[-1], piece)
            continue
        candidate = _join(pending, piece) if pending else piece
        if _units(candidate) < _MIN_UNITS:
            pending = candidate
            continue
        merged.append(candidate)
        pending = ""
    if pending:
        if merged:
            merged[-1] = _join(merged[-1], pending)
        else:
            merged.append(pending)
    return merged
