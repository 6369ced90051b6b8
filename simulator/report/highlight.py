"""Mark covered key points and fillers inside a transcript, then render it escaped.

The record gives key-point evidence as the words heard (`evidence[].heard`, in the
normalised form: simplified, no punctuation) and fillers by word index. Both are found in
the displayed text by comparing folded characters (simplified script, lower case, NFKC,
punctuation dropped), so a transcript shown in traditional characters or with commas
still gets its marks. Evidence the folding cannot place (a number heard as digits but
written in words) is simply not marked; the key-point list still shows it.
"""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from simulator.report.script import simplified_char


@dataclass(frozen=True)
class Mark:
    """A span of the displayed text to highlight."""

    start: int
    end: int
    css_class: str
    """"kp" (a covered key point's evidence) or "filler"."""
    title: str


def _fold_char(ch: str) -> str:
    ch = unicodedata.normalize("NFKC", ch)
    if ch.isspace():
        return " "
    if any(unicodedata.category(c)[0] in "PS" for c in ch):
        return ""
    return "".join(simplified_char(c) for c in ch.lower())


def _fold(text: str) -> tuple[str, list[int]]:
    """Folded text and, for each folded character, its index in `text`."""
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        for c in _fold_char(ch):
            if c == " " and (not out or out[-1] == " "):
                continue
            out.append(c)
            index.append(i)
    return "".join(out), index


def _needle(text: str) -> str:
    return " ".join(_fold(text)[0].split())


def _is_word_char(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _find(folded: str, needle: str, start: int) -> int:
    """First whole-word occurrence of `needle` at or after `start` (-1: none)."""
    at = folded.find(needle, start)
    while at >= 0:
        before = folded[at - 1] if at > 0 else " "
        after = folded[at + len(needle)] if at + len(needle) < len(folded) else " "
        ascii_edges = _is_word_char(needle[0]) or _is_word_char(needle[-1])
        if not ascii_edges or (not _is_word_char(before) and not _is_word_char(after)):
            return at
        at = folded.find(needle, at + 1)
    return -1


def find_marks(text: str, key_points: Sequence[Mapping[str, Any]],
               fillers: Sequence[Mapping[str, Any]],
               words: Sequence[Mapping[str, Any]]) -> list[Mark]:
    """Where covered key points' evidence and fillers are in `text`.

    Args:
        text: the transcript as displayed.
        key_points: `score.key_points[]` of the record.
        fillers: `delivery.fillers.items[]` of the record.
        words: `transcript.words[]` (locates each filler's word; may be empty).
    """
    folded, index = _fold(text)
    marks: list[Mark] = []

    def add(at: int, needle: str, css_class: str, title: str) -> None:
        end = index[at + len(needle) - 1] + 1
        marks.append(Mark(index[at], end, css_class, title))

    for point in key_points:
        if not point.get("covered"):
            continue
        for evidence in point.get("evidence") or []:
            needle = _needle(str(evidence.get("heard") or ""))
            at = _find(folded, needle, 0) if needle else -1
            if at >= 0:
                add(at, needle, "kp", str(point.get("label") or ""))
    word_starts = _word_starts(folded, words)
    cursor = 0
    for filler in fillers:
        needle = _needle(str(filler.get("text") or ""))
        if not needle:
            continue
        word = filler.get("word_index")
        start = word_starts[word] if isinstance(word, int) and 0 <= word < len(
            word_starts) and word_starts[word] >= 0 else cursor
        at = _find(folded, needle, start)
        if at >= 0:
            add(at, needle, "filler", str(filler.get("text")))
            cursor = at + len(needle)
    return marks


def _word_starts(folded: str, words: Sequence[Mapping[str, Any]]) -> list[int]:
    """Folded-text position of each timed word (-1 where it cannot be placed)."""
    starts, cursor = [], 0
    for word in words:
        needle = _needle(str(word.get("text") or ""))
        at = folded.find(needle, cursor) if needle else -1
        starts.append(at)
        if at >= 0:
            cursor = at + len(needle)
    return starts


def render_marked(text: str, marks: Sequence[Mark]) -> str:
    """`text` escaped for HTML, with `<mark>` (key point) and `<span class="filler">` runs."""
    classes: list[set[Mark]] = [set() for _ in text]
    for mark in marks:
        for i in range(mark.start, min(mark.end, len(text))):
            classes[i].add(mark)
    out: list[str] = []
    i = 0
    while i < len(text):
        j = i
        while j < len(text) and classes[j] == classes[i]:
            j += 1
        chunk = html.escape(text[i:j], quote=True)
        kinds = {m.css_class for m in classes[i]}
        if "filler" in kinds:
            titles = "; ".join(sorted({m.title for m in classes[i] if m.css_class == "filler"}))
            chunk = f'<span class="filler" title="{html.escape(titles)}">{chunk}</span>'
        if "kp" in kinds:
            titles = "; ".join(sorted({m.title for m in classes[i] if m.css_class == "kp"}))
            chunk = f'<mark class="kp" title="{html.escape(titles)}">{chunk}</mark>'
        out.append(chunk)
        i = j
    return "".join(out)
