"""Hesitation fillers (嗯, 那个, um, "you know"...) and the pace units that are not fillers.

Mandarin is read character by character, English word by word. A word set off by
punctuation or by a pause in Whisper's word timings counts as set off; ambiguous fillers
(那个 the demonstrative, "like" the verb) only count when set off. The rules are inline.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from simulator.delivery.model import Filler
from simulator.speech.transcript import Transcript, Word
from simulator.text.normalise import has_cjk, to_simplified


def find_fillers(transcript: Transcript, chinese: bool,
                 pause_s: float) -> tuple[tuple[Filler, ...], int]:
    """The hesitation fillers heard, and the pace units (characters or words) without them.

    Args:
        transcript: the answer, with word timings when the recogniser gave them.
        chinese: count Mandarin characters (else English words).
        pause_s: a gap between words at least this long sets a word off like a comma.
    """
    words = transcript.words
    text, owners = _analysed_text(transcript, chinese)
    units = _units(text, owners, words, chinese, pause_s)
    found = _find_fillers_zh(units) if chinese else _find_fillers_en(units)
    fillers = tuple(_filler(name, units[first], words) for first, _, name in found)
    filler_units = {first + k for first, size, _ in found for k in range(size)}
    return fillers, _pace_units(units, filler_units, chinese)


def gap_after(words: Sequence[Word], index: int | None) -> float:
    """Seconds of silence after word `index` (0 for the last word or None)."""
    if index is None or index + 1 >= len(words):
        return 0.0
    return words[index + 1].start_s - words[index].end_s


_BOUNDARY_PUNCT = frozenset(",.;:!?…—–，。；：！？、")
"""Punctuation that sets a word off (a comma, a full stop, a dash; not a hyphen)."""
_ZH_FILLERS = ("就是说", "然后呢", "那个", "这个", "哪个", "嗯", "呃", "啊", "额")
"""Longest first, so 就是说 is taken whole."""
_ZH_PRONOUNS = ("我", "您", "你", "他", "她", "我们", "咱们")
_ZH_ALWAYS = frozenset({"嗯", "呃", "然后呢"})
_ZH_REPEATABLE = frozenset({"嗯", "呃", "啊", "额"})
_ZH_E_BEFORE = frozenset("金余数限总差份面全巨配税名超定")
"""额 after these is part of a word (金额 amount, 余额 balance, 限额 limit...), not 呃."""
_ZH_E_AFTER = frozenset("度外头定")
"""额 before these is part of a word (额度 quota, 额外 extra...)."""
_EN_HESITATIONS = frozenset({"um", "umm", "uh", "uhh", "uhm", "er", "erm", "hmm", "mm"})
_LIKE_BLOCKERS = frozenset({
    "i", "you", "we", "they", "he", "she", "who", "i'd", "you'd", "we'd", "they'd", "he'd",
    "she'd", "would", "wouldn't", "do", "does", "did", "don't", "doesn't", "didn't", "to",
    "really", "also", "might", "may", "could", "should", "will", "i'll", "we'll", "you'll",
    "look", "looks", "looked", "sound", "sounds", "feel", "feels", "felt", "seem", "seems",
    "just", "exactly", "something", "anything", "nothing", "things", "stuff", "more", "much",
    "less", "not", "people", "someone", "somebody",
})
"""Words after which "like" is a verb (I like, would like) or a preposition (looks like)."""
_YOU_KNOW_BEFORE = frozenset({"do", "did", "don't", "didn't", "if", "as", "let", "would",
                              "will", "what", "because", "i", "that", "how", "whether"})
_YOU_KNOW_AFTER = frozenset({"what", "how", "that", "why", "where", "who", "whether", "if",
                             "the", "about"})
_I_MEAN_BEFORE = frozenset({"what", "do", "did", "don't", "didn't", "you", "if"})
_I_MEAN_AFTER = frozenset({"it", "to", "by", "that", "what", "is", "this"})
_EN_SPAN_RE = re.compile(r"[a-z0-9][a-z0-9']*|[^\sa-z0-9']")
"""An English word, or one character of anything else (punctuation)."""


@dataclass(frozen=True)
class _Unit:
    """A character (Mandarin) or word (English) of the analysed text."""

    text: str
    offset: int
    word_index: int | None
    boundary_before: bool
    boundary_after: bool


def _fold(text: str, chinese: bool) -> str:
    """Width-fold and (Mandarin) simplify, or lower-case English; quotes become ASCII."""
    text = unicodedata.normalize("NFKC", text).replace("’", "'").replace("‘", "'")
    if chinese:
        return to_simplified(text)
    lowered = text.lower()
    return lowered if len(lowered) == len(text) else text


def _analysed_text(transcript: Transcript, chinese: bool) -> tuple[str, list[int | None]]:
    """The text fillers are found in, and the word index of each of its characters.

    Each word is folded on its own, so a change of length cannot shift the word indexes.
    """
    if not transcript.words:
        text = _fold(transcript.text, chinese)
        return text, [None] * len(text)
    parts: list[str] = []
    owners: list[int | None] = []
    for index, word in enumerate(transcript.words):
        if parts:
            parts.append(" ")
            owners.append(None)
        folded = _fold(word.text, chinese)
        parts.append(folded)
        owners.extend([index] * len(folded))
    return "".join(parts), owners


def _units(text: str, owners: list[int | None], words: Sequence[Word], chinese: bool,
           pause_s: float) -> list[_Unit]:
    """Split the text into units and mark which are set off by punctuation or a pause."""
    if chinese:
        spans = [(ch, i) for i, ch in enumerate(text) if not ch.isspace()]
    else:
        spans = [(m.group(0), m.start()) for m in _EN_SPAN_RE.finditer(text)]
    units: list[_Unit] = []
    pending_boundary = True  # the answer's start counts as a boundary
    for k, (token, offset) in enumerate(spans):
        if token in _BOUNDARY_PUNCT:
            pending_boundary = True
            if units:
                last = units[-1]
                units[-1] = _Unit(last.text, last.offset, last.word_index, last.boundary_before,
                                  True)
            continue
        if not (token[0].isalnum() or has_cjk(token)):
            continue  # quotes, brackets: neither a unit nor a boundary
        owner = owners[offset]
        next_owner = owners[spans[k + 1][1]] if k + 1 < len(spans) else None
        paused = (owner is not None and next_owner is not None and next_owner != owner
                  and gap_after(words, owner) >= pause_s)
        units.append(_Unit(token, offset, owner, pending_boundary, paused))
        pending_boundary = paused
    if units:  # the answer's end counts as a boundary
        last = units[-1]
        units[-1] = _Unit(last.text, last.offset, last.word_index, last.boundary_before, True)
    return units


def _find_fillers_zh(units: list[_Unit]) -> list[tuple[int, int, str]]:
    """(first unit, unit count, filler) for every Mandarin filler; see the rules inline."""
    chars = "".join(u.text for u in units)
    found: list[tuple[int, int, str]] = []

    def starts_filler(at: int) -> bool:
        return at < len(chars) and (chars[at] in "嗯呃" or chars.startswith("然后呢", at))

    i = 0
    while i < len(units):
        for pattern in _ZH_FILLERS:
            if not chars.startswith(pattern, i):
                continue
            end = i + len(pattern)
            before, after = units[i].boundary_before, units[end - 1].boundary_after
            previous_is_filler = bool(found) and found[-1][0] + found[-1][1] == i
            if pattern in _ZH_ALWAYS:
                is_filler = True
            elif pattern in ("那个", "这个"):
                # A demonstrative (那个订单, 这个问题) runs straight into its noun, so 那个/这个
                # count only when set off by punctuation or a pause, repeated (那个那个), or
                # followed by another filler. Sentence-initial 那个 without a pause stays a
                # demonstrative: missing a filler is better than faulting correct grammar.
                is_filler = after or chars.startswith(pattern, end) or starts_filler(end)
            elif pattern == "哪个":
                # Whisper often writes the hesitation 那个 as 哪个. At a clause start and
                # running into a pronoun (哪个我觉得), it cannot be the question word.
                is_filler = before and chars.startswith(_ZH_PRONOUNS, end)
            elif pattern == "就是说":
                # 也就是说 ("that is to say") is a proper connective.
                is_filler = before or chars[i - 1] != "也"
            elif pattern == "啊":
                # Sentence-final 啊 (是啊, 好啊) is a modal particle; hesitation 啊 opens a
                # clause or follows another filler.
                is_filler = before or previous_is_filler
            else:  # 额: the same sound as 呃, but also the 额 of 金额/额度/额外
                in_word = ((not before and chars[i - 1] in _ZH_E_BEFORE)
                           or (not after and end < len(chars) and chars[end] in _ZH_E_AFTER))
                is_filler = not in_word and (before or after or starts_filler(end))
            if not is_filler:
                continue
            if pattern in _ZH_REPEATABLE:
                while end < len(chars) and chars[end] == pattern:
                    end += 1  # 嗯嗯嗯 is one hesitation
            found.append((i, end - i, pattern))
            i = end
            break
        else:
            i += 1
    return found


def _find_fillers_en(units: list[_Unit]) -> list[tuple[int, int, str]]:
    """(first unit, unit count, filler) for every English filler; see the rules inline."""
    tokens = [u.text for u in units]
    found: list[tuple[int, int, str]] = []

    def at(index: int) -> str:
        return tokens[index] if 0 <= index < len(tokens) else ""

    i = 0
    while i < len(tokens):
        token = tokens[i]
        size = 0
        if token in _EN_HESITATIONS:
            size = 1
        elif (token, at(i + 1)) in {("you", "know"), ("i", "mean")}:
            blockers_before, blockers_after = (
                (_YOU_KNOW_BEFORE, _YOU_KNOW_AFTER) if token == "you"
                else (_I_MEAN_BEFORE, _I_MEAN_AFTER))
            # "you know the answer", "do you know", "I mean it" are not fillers; set off by a
            # comma or a pause ("you know, the refund...") they are.
            set_off_after = units[i + 1].boundary_after
            set_off_before = units[i].boundary_before and at(i + 2) not in blockers_after
            if (i == 0 or at(i - 1) not in blockers_before) and (set_off_after or set_off_before):
                size = 2
        elif token == "like":
            # "I like", "I'd like", "looks like" are a verb or a preposition. Filler "like" is
            # set off: "it was, like, slow". At the very start, "Like I said" is a conjunction.
            said = at(i + 2) in {"said", "mentioned"}
            set_off = units[i].boundary_after or (i > 0 and units[i].boundary_before)
            if (i == 0 or at(i - 1) not in _LIKE_BLOCKERS) and set_off and not said:
                size = 1
        if size:
            found.append((i, size, " ".join(tokens[i : i + size])))
            i += size
        else:
            i += 1
    return found


def _pace_units(units: list[_Unit], filler_units: set[int], chinese: bool) -> int:
    """Characters (Mandarin: each CJK character or digit, each Latin word) or words."""
    count = 0
    previous_latin = False
    for index, unit in enumerate(units):
        if index in filler_units:
            previous_latin = False
            continue
        if not chinese:
            count += 1
            continue
        latin = unit.text.isascii() and unit.text.isalpha()
        if not (latin and previous_latin):
            count += 1  # a Latin word written into Mandarin ("APP") counts once
        previous_latin = latin
    return count


def _filler(name: str, unit: _Unit, words: Sequence[Word]) -> Filler:
    index = unit.word_index
    start_s = float(words[index].start_s) if index is not None else None
    return Filler(text=name, char_offset=unit.offset, word_index=index, start_s=start_s)
