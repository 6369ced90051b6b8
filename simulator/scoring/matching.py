"""Find a key-point cue in a transcript: exactly, fuzzily, or by sound.

Transcripts are normalised first (`simulator.text.normalise`). Mandarin is compared over
character windows and over toneless pinyin, so Whisper's homophone errors (效率 heard as
销率) still match; English is compared over word windows, so a short cue never matches
inside an unrelated longer word. rapidfuzz does no preprocessing unless asked, so the
texts handed to it are already normalised here.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from simulator.text import has_cjk, normalise

_WORD_RE = re.compile(r"[a-z0-9']+")


@dataclass(frozen=True)
class CueMatch:
    """The best place a cue was found in an answer."""

    cue: str
    strength: float
    """0-100: 100 is an exact match."""
    method: str
    """"exact", "fuzzy" or "pinyin"."""
    span: str
    """The words of the answer that matched."""
    start: int
    """Character offset of `span` in the normalised answer."""
    end: int


@dataclass(frozen=True)
class AnswerText:
    """A normalised answer prepared once for matching many cues."""

    text: str
    """Normalised answer; for Mandarin the spaces are removed."""
    is_chinese: bool
    syllables: tuple[str, ...]
    """Toneless pinyin, one item per character of `text` (Mandarin only)."""
    words: tuple[tuple[str, int, int], ...]
    """(word, start, end) for English and other Latin-script words."""
    boundaries: frozenset[int] = frozenset()
    """Offsets in `text` where a jieba word starts or ends (Mandarin only)."""


def prepare_answer(normalised: str) -> AnswerText:
    """Precompute what cue matching needs from a normalised answer."""
    chinese = has_cjk(normalised)
    text = normalised.replace(" ", "") if chinese else normalised
    syllables = _pinyin_per_char(text) if chinese else ()
    words = tuple((m.group(0), m.start(), m.end()) for m in _WORD_RE.finditer(text))
    return AnswerText(text=text, is_chinese=chinese, syllables=syllables, words=words,
                      boundaries=_word_boundaries(text) if chinese else frozenset())


@functools.lru_cache(maxsize=1024)
def _word_boundaries(text: str) -> frozenset[int]:
    import jieba  # loads its dictionary on first use (about a second)

    jieba.setLogLevel(60)
    offsets = {0, len(text)}
    position = 0
    for token in jieba.cut(text, HMM=False):
        position += len(token)
        offsets.add(position)
    return frozenset(offsets)


@functools.lru_cache(maxsize=4096)
def _pinyin_per_char(text: str) -> tuple[str, ...]:
    from pypinyin import Style, lazy_pinyin  # imported on first Mandarin match

    syllables = lazy_pinyin(text, style=Style.NORMAL, errors=lambda chars: list(chars),
                            v_to_u=False)
    return tuple(syllables) if len(syllables) == len(text) else ()


@functools.lru_cache(maxsize=4096)
def _normalised_cue(cue: str) -> str:
    norm = normalise(cue)
    return norm.replace(" ", "") if has_cjk(norm) else norm


def find_cue(cue: str, answer: AnswerText, *, pinyin_threshold: float) -> CueMatch | None:
    """Return the strongest occurrence of `cue` in the answer, or None if nothing resembles it.

    Args:
        cue: a word or short phrase from a key point.
        answer: the prepared answer.
        pinyin_threshold: minimum similarity (0-100) of toneless pinyin for a sound match.
    """
    target = _normalised_cue(cue)
    if not target:
        return None
    position = answer.text.find(target)
    if position >= 0 and _on_word_boundaries(answer, position, position + len(target)):
        return CueMatch(cue, 100.0, "exact", target, position, position + len(target))
    if has_cjk(target) and answer.is_chinese:
        best = _best_char_window(target, answer)
        sound = _best_pinyin_window(target, answer, pinyin_threshold)
        if sound is not None and (best is None or sound.strength > best.strength):
            best = sound
        return best
    return _best_word_window(target, answer)


def _on_word_boundaries(answer: AnswerText, start: int, end: int) -> bool:
    if answer.is_chinese:
        return True
    text = answer.text
    before_ok = start == 0 or not text[start - 1].isalnum()
    # Allow English inflections after the cue: apologise -> apologised, refund -> refunds.
    tail = re.match(r"[a-z]*", text[end:]).group(0)  # type: ignore[union-attr]
    return before_ok and len(tail) <= 3


def _best_char_window(target: str, answer: AnswerText) -> CueMatch | None:
    """Best fuzzy match over spans that begin and end on word boundaries.

    Aligning on jieba boundaries keeps a cue from being "found" across two unrelated
    words (实习 inside 平时喜欢).
    """
    from rapidfuzz import fuzz

    n = len(target)
    best: CueMatch | None = None
    for start in sorted(answer.boundaries):
        for end in range(start + max(1, n - 1), min(len(answer.text), start + n + 1) + 1):
            if end not in answer.boundaries:
                continue
            score = float(fuzz.ratio(target, answer.text[start:end]))
            if score > 0 and (best is None or score > best.strength):
                best = CueMatch(target, score, "fuzzy", answer.text[start:end], start, end)
    return best


def _best_pinyin_window(target: str, answer: AnswerText, threshold: float) -> CueMatch | None:
    from rapidfuzz import fuzz

    cue_syllables = _pinyin_per_char(target)
    n = len(cue_syllables)
    if not answer.syllables or not cue_syllables or n > len(answer.syllables):
        return None
    cue_text = " ".join(cue_syllables)
    best: CueMatch | None = None
    for start in range(len(answer.syllables) - n + 1):
        if start not in answer.boundaries or start + n not in answer.boundaries:
            continue
        window = answer.syllables[start : start + n]
        score = 100.0 if window == cue_syllables else fuzz.ratio(cue_text, " ".join(window))
        if score >= threshold and (best is None or score > best.strength):
            # A sound-alike is weaker evidence than the same characters: cap below exact.
            best = CueMatch(target, min(score, 95.0), "pinyin", answer.text[start : start + n],
                            start, start + n)
    return best


def _best_word_window(target: str, answer: AnswerText) -> CueMatch | None:
    from rapidfuzz import fuzz

    cue_words = target.split()
    n = len(cue_words)
    if not answer.words or n == 0:
        return None
    best: CueMatch | None = None
    for size in {n, n + 1} if n > 1 else {n}:
        for i in range(len(answer.words) - size + 1):
            window = answer.words[i : i + size]
            phrase = " ".join(w for w, _, _ in window)
            score = float(fuzz.ratio(target, phrase))
            if best is None or score > best.strength:
                start, end = window[0][1], window[-1][2]
                best = CueMatch(target, score, "fuzzy", answer.text[start:end], start, end)
    return best
