"""Split an answer into clauses: the unit a key point is judged on and quoted from.

Whisper punctuates most answers (commas, full stops, question marks, in either width); a
clause is the text between two marks. An unpunctuated stretch longer than about one clause
(30 Mandarin characters, 24 English words) is cut into near-equal pieces, so no single
"clause" hides a whole answer. Each clause keeps its offsets in the answer, for quoting.
A stretch that is nothing but hesitation sounds ("嗯，", "um,") is no clause: it says
nothing, and as a clause of its own it came close enough to short example sentences to earn
a point ("后续跟进 «嗯»"). A Mandarin fragment cut off by Whisper's pause commas is read for
meaning with its neighbours (`meaning_spans`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from simulator.text.error_rate import ERROR_RATE_FILLERS
from simulator.text.normalise import normalise, to_simplified

# A clause ends at sentence or clause punctuation of either width, the enumeration comma,
# a line break; "." and "," only when not between two digits (1.5, 2,499).
_BOUNDARY_RE = re.compile(r"(?<!\d)[.,]|[.,](?!\d)|[，。！？!?；;：:、\n…]+")
MAX_CLAUSE_ZH_CHARS = 30
MAX_CLAUSE_EN_WORDS = 24
MIN_MEANING_ZH_CHARS = 6
"""A Mandarin clause shorter than this, cut off by a pause comma, is read for meaning with
its neighbours (`meaning_spans`)."""


@dataclass(frozen=True)
class Clause:
    """One clause of an answer."""

    text: str
    """As transcribed (original script), without edge punctuation or spaces."""
    start: int
    """Character offset of `text` in the answer."""
    end: int
    normalised: str
    """`normalise(text)`; for Mandarin without spaces (what cues are matched against)."""
    plain: str
    """Simplified script, punctuation kept: what the sentence encoder reads."""
    lead: str = ""
    """The marks between the previous clause and this one ("。", "：“"): where a sentence or
    a quotation begins."""


def split_clauses(text: str, language: str) -> tuple[Clause, ...]:
    """The clauses of an answer, in order (empty ones dropped)."""
    clauses: list[Clause] = []
    position = 0
    for match in [*_BOUNDARY_RE.finditer(text), None]:
        end = match.start() if match else len(text)
        clauses += _pieces(text, position, end, language)
        position = match.end() if match else len(text)
    ends = [0, *(c.end for c in clauses)]
    return tuple(replace(c, lead=text[end:c.start].strip()) for c, end in zip(clauses, ends,
                                                                            strict=False))


def _pieces(text: str, start: int, end: int, language: str) -> list[Clause]:
    raw = text[start:end]
    stripped = raw.strip()
    if not stripped:
        return []
    start += raw.index(stripped)
    end = start + len(stripped)
    if language == "zh":
        count = -(-len(stripped) // MAX_CLAUSE_ZH_CHARS)
        bounds = [start + round(i * len(stripped) / count) for i in range(count + 1)]
    else:
        words = list(re.finditer(r"\S+", stripped))
        count = -(-len(words) // MAX_CLAUSE_EN_WORDS)
        per = -(-len(words) // count)
        bounds = [start + words[i * per].start() for i in range(count)] + [end]
    pieces = []
    for a, b in zip(bounds, bounds[1:], strict=False):
        piece = text[a:b].strip()
        norm = normalise(piece)
        if language == "zh":
            norm = norm.replace(" ", "")
        if norm and not _only_hesitation(norm, language):
            pieces.append(Clause(piece, a, b, norm, to_simplified(piece)))
    return pieces


def _only_hesitation(normalised: str, language: str) -> bool:
    sounds = ERROR_RATE_FILLERS.get(language, frozenset())
    units = normalised if language == "zh" else normalised.split()
    return all(unit in sounds for unit in units)


def meaning_spans(clauses: tuple[Clause, ...], language: str) -> tuple[tuple[int, int], ...]:
    """Per clause, the first and last clause read with it for meaning.

    Whisper writes a Mandarin pause as an ASCII comma, mid-phrase as often as not
    ("这件事挺,有意义的,我以前,在超,是做过收音的坚持"); people writing Mandarin use the
    full-width "，" (none of the 417 written Mandarin answers of the evaluation set has an
    ASCII comma). A fragment that short came as close to a point's short cue texts as a
    whole sentence ("解决问题" to the cue 解决问题) and earned points the answer never made.
    So a Mandarin clause of fewer than `MIN_MEANING_ZH_CHARS` characters is read together
    with the clauses after it across pause commas until the text is long enough (or before
    it, at the end of a stretch). Its own clause still carries cues, negation and the list
    check: a spoken list ("道歉,安抚,核实") stays a list.
    """
    spans = [(i, i) for i in range(len(clauses))]
    if language != "zh":
        return tuple(spans)

    def joined(i: int) -> bool:  # clause i and clause i + 1 are cut by a pause comma
        return i + 1 < len(clauses) and clauses[i + 1].lead.strip() == ","

    def size(first: int, last: int) -> int:
        return sum(len(c.normalised) for c in clauses[first:last + 1])

    for i in range(len(clauses)):
        first = last = i
        while size(first, last) < MIN_MEANING_ZH_CHARS and joined(last):
            last += 1
        while size(first, last) < MIN_MEANING_ZH_CHARS and first > 0 and joined(first - 1):
            first -= 1
        spans[i] = (first, last)
    return tuple(spans)
