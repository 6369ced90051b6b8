"""Find a key-point cue in a transcript: exactly, with small insertions, or by sound.

Both sides are normalised first (`simulator.text.normalise`). The rules follow how real
spoken answers and real Whisper transcripts differ from a cue:

- Mandarin
  - exact: the cue's characters appear together;
  - split: the cue's characters appear in order with one or two characters inserted, as
    in separable verbs and measure words (道个歉 for 道歉, 截几张图 for 截图);
  - sound: the same toneless pinyin, syllable by syllable, allowing only the confusions
    Whisper and Southern accents actually produce (z/zh, c/ch, s/sh, n/l, -n/-ng), so
    homophone errors (效率 heard as 销率, 盗用 as 刀用) still count.
  Non-exact matches must start and end on jieba word boundaries, so a cue is never "found"
  straddling two unrelated words (实习 inside 平时喜欢).
- English: every content word of the cue must appear, in order, within a window a little
  longer than the cue, each word equal to the answer's word or sharing its stem
  (apologise / apologised / apologizing, refund / refunds); function words in the cue
  (the, a, their...) are optional. A cue is never matched inside a longer unrelated word.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from simulator.text.normalise import has_cjk, normalise
from simulator.text.words import zh_words

_WORD_RE = re.compile(r"[a-z0-9]+")
EXACT, SPLIT_ONE, SPLIT_TWO, SOUND, SOUND_CONFUSABLE, STEMMED = 100.0, 95.0, 90.0, 95.0, 88.0, 95.0
NEAR_MISS = 75.0
"""A long cue with one syllable or word not heard: enough for half credit, never full."""
_MAX_INSERTED_CHARS = 2
_FUNCTION_WORDS = frozenset(
    "a an the their them they his her its my your our to of for in on at it this that is are "
    "be will would i we you me us".split())
_CONFUSABLE_INITIALS = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("l", "n"))
_CONFUSABLE_FINALS = (("ang", "an"), ("eng", "en"), ("ing", "in"))


@dataclass(frozen=True)
class CueMatch:
    """The best place a cue was found in an answer."""

    cue: str
    strength: float
    """0-100: 100 exact; 85-95 a near form (split word, same sound, inflection); 75 near miss."""
    method: str
    """"exact", "split", "pinyin", "stem" or "near"."""
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


def warm_up() -> None:
    """Load jieba's dictionary and pypinyin's tables now (about 1.5 s together), so the
    first answer's feedback does not wait for them; the app calls this on a background
    thread while the first question is spoken."""
    _word_boundaries("您好，请问有什么可以帮您")
    _pinyin_per_char("您好")


@functools.lru_cache(maxsize=1024)
def _word_boundaries(text: str) -> frozenset[int]:
    offsets = {0, len(text)}
    position = 0
    for token in zh_words(text):
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


def find_cue(cue: str, answer: AnswerText) -> CueMatch | None:
    """Return the strongest occurrence of `cue` in the answer, or None.

    Args:
        cue: a word or short phrase from a key point.
        answer: the prepared answer.
    """
    target = _normalised_cue(cue)
    if not target:
        return None
    if has_cjk(target):
        if not answer.is_chinese:
            return None
        position = answer.text.find(target)
        if position >= 0:
            return CueMatch(cue, EXACT, "exact", target, position, position + len(target))
        candidates = [_split_match(cue, target, answer), _sound_match(cue, target, answer)]
        found = [c for c in candidates if c is not None]
        return max(found, key=lambda m: m.strength) if found else None
    return _word_match(cue, target, answer)


def _split_match(cue: str, target: str, answer: AnswerText) -> CueMatch | None:
    """The cue's characters in order with at most two inserted, on word boundaries."""
    if len(target) < 2:
        return None
    inner = f"[^\\W\\d]{{0,{_MAX_INSERTED_CHARS}}}?"
    pattern = re.compile(inner.join(map(re.escape, target)))
    best: CueMatch | None = None
    for match in pattern.finditer(answer.text):
        start, end = match.span()
        inserted = (end - start) - len(target)
        if inserted > _MAX_INSERTED_CHARS or not _aligned(answer, start, end):
            continue
        strength = SPLIT_ONE if inserted <= 1 else SPLIT_TWO
        if best is None or strength > best.strength:
            best = CueMatch(cue, strength, "split", match.group(0), start, end)
    return best


def _aligned(answer: AnswerText, start: int, end: int) -> bool:
    return start in answer.boundaries and end in answer.boundaries


def _sound_match(cue: str, target: str, answer: AnswerText) -> CueMatch | None:
    """Same pinyin syllable by syllable (confusable initials/finals allowed)."""
    cue_syllables = _pinyin_per_char(target)
    n = len(cue_syllables)
    if not answer.syllables or not cue_syllables or n > len(answer.syllables):
        return None
    best: CueMatch | None = None
    for start in range(len(answer.syllables) - n + 1):
        if not _aligned(answer, start, start + n):
            continue
        strength = _syllables_strength(cue_syllables, answer.syllables[start : start + n])
        if strength and (best is None or strength > best.strength):
            best = CueMatch(cue, strength, "pinyin", answer.text[start : start + n], start,
                            start + n)
    return best


def _syllables_strength(cue: tuple[str, ...], heard: tuple[str, ...]) -> float:
    if cue == heard:
        return SOUND
    confusable = misses = 0
    for wanted, got in zip(cue, heard, strict=True):
        if wanted == got:
            continue
        if _confusable(wanted, got):
            confusable += 1
        else:
            misses += 1
    if misses == 0:
        return SOUND_CONFUSABLE
    if misses == 1 and confusable == 0 and len(cue) >= 4:
        return NEAR_MISS
    return 0.0


def _confusable(a: str, b: str) -> bool:
    return _canonical(a) == _canonical(b)


@functools.lru_cache(maxsize=2048)
def _canonical(syllable: str) -> str:
    """Fold the distinctions Whisper and accents blur: zh/z, ch/c, sh/s, n/l, -ng/-n."""
    for long, short in _CONFUSABLE_INITIALS:
        if syllable.startswith(long):
            syllable = short + syllable[len(long) :]
            break
    for long, short in _CONFUSABLE_FINALS:
        if syllable.endswith(long):
            syllable = syllable[: -len(long)] + short
            break
    return syllable


@functools.lru_cache(maxsize=8192)
def _stem(word: str) -> str:
    """A light English stem: enough for apologise/apologized/apologising, refund/refunds."""
    word = word.replace("ize", "ise").replace("yze", "yse")
    for suffix in ("ingly", "edly", "ing", "ed", "es", "s", "ly", "e"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _word_match(cue: str, target: str, answer: AnswerText) -> CueMatch | None:
    """Every content word of the cue, in order, within a short window of the answer."""
    cue_words = target.split()
    content = [w for w in cue_words if w not in _FUNCTION_WORDS] or cue_words
    words = answer.words
    if not words:
        return None
    window = len(cue_words) + 2
    best: CueMatch | None = None
    for i in range(len(words)):
        matched = _match_in_order(content, words, i, window)
        if matched is None:
            continue
        end_index, all_exact = matched
        contiguous = end_index - i + 1 == len(cue_words)
        strength = EXACT if all_exact and contiguous else STEMMED
        if best is None or strength > best.strength:
            start, end = words[i][1], words[end_index][2]
            best = CueMatch(cue, strength, "exact" if strength == EXACT else "stem",
                            answer.text[start:end], start, end)
        if best.strength == EXACT:
            break
    return best


def _match_in_order(content: list[str], words: tuple[tuple[str, int, int], ...], first: int,
                    window: int) -> tuple[int, bool] | None:
    """Match `content` words starting exactly at `first`; return (last index, all exact)."""
    position = first
    all_exact = True
    for k, wanted in enumerate(content):
        limit = first + window if k else first + 1
        while position < min(limit, len(words)):
            heard = words[position][0]
            if heard == wanted or _stem(heard) == _stem(wanted):
                all_exact &= heard == wanted
                break
            position += 1
        else:
            return None
        position += 1
    return position - 1, all_exact
