"""The evidence for each key point and breach in one answer: cues heard and meaning matched.

A question is prepared once (`prepare_question`): the sentence vectors of every key
point's label, cues and example sentences, and of every breach's examples. An answer is
split into clauses, each clause is encoded, and then:

- a key point's **cue** evidence is its strongest cue found in a clause and not negated
  there (`matching.find_cue`, exact, split, by sound or stem);
- its **meaning** evidence is the closest any clause comes to any of its texts,
  with the clause quoted, and the most words any clause shares with one of them
  (`lexical.py`);
- a breach is heard when one of its cues is said with the same polarity as the cue (the
  cue "不告诉他" counts in "我就不告诉他", "把他电话给你" does not count in "我不会把他电话给你")
  or, by meaning, when a clause of the same polarity as an example means the same.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from simulator.bank.model import Breach, KeyPoint, MatchMode, Question
from simulator.ports import SentenceEncoder
from simulator.scoring.clauses import Clause, meaning_spans
from simulator.scoring.lexical import Overlap, Terms, best_overlap, terms
from simulator.scoring.matching import AnswerText, CueMatch, find_cue, prepare_answer
from simulator.scoring.negation import is_negative, negated_before
from simulator.scoring.result import Evidence
from simulator.scoring.stance import (
    actor_left_out,
    conditions,
    excused,
    reported_spans,
    sentence_ends,
    starts_sentence,
)
from simulator.text.normalise import normalise, to_simplified


@dataclass(frozen=True)
class PointTexts:
    """A key point's texts and their vectors."""

    point: KeyPoint
    texts: tuple[str, ...]
    """Label, cues and examples (simplified script), the label first."""
    vectors: np.ndarray
    terms: tuple[Terms, ...]
    """Each text's terms, for word overlap."""


@dataclass(frozen=True)
class BreachCue:
    """A breach cue, normalised once: how to find it."""

    cue: str
    target: str
    """Normalised (Mandarin without spaces)."""
    pattern: re.Pattern[str] | None
    """English: the literal phrase on word boundaries."""


@dataclass(frozen=True)
class BreachTexts:
    """A breach's examples, their vectors and polarity, and its cues and patterns prepared."""

    breach: Breach
    vectors: np.ndarray
    negative: tuple[bool, ...]
    """Whether each example is said in the negative ("不告诉他")."""
    cues: tuple[BreachCue, ...]
    patterns: tuple[re.Pattern[str], ...]


@dataclass(frozen=True)
class PreparedQuestion:
    """What judging answers to one question needs, computed once."""

    points: tuple[PointTexts, ...]
    breaches: tuple[BreachTexts, ...]
    every_point_text: np.ndarray
    """All key points' text vectors stacked (is a clause about this question at all?)."""


@dataclass(frozen=True)
class AnswerView:
    """An answer's clauses, ready for matching."""

    clauses: tuple[Clause, ...]
    prepared: tuple[AnswerText, ...]
    negative: tuple[bool, ...]
    texts: tuple[str, ...]
    """Per clause, the text read for its meaning (`clauses.meaning_spans`)."""
    spans: tuple[tuple[int, int], ...]
    """First and last clause of each text."""
    vectors: np.ndarray
    reported: tuple[tuple[int, int], ...]
    """Per clause, the span of its normalised text that voices someone else (`stance.py`)."""
    voiced_by_other: np.ndarray
    """Per clause, whether all of it voices someone else (its breach likeness is ignored)."""
    conditions: tuple[str, ...]
    """Per clause, the previous clause of its sentence (`stance.conditions`)."""
    terms: tuple[Terms, ...]
    """Per clause, its terms for word overlap (`lexical.terms`)."""
    read_on: tuple[str, ...]
    """Per clause, what a breach pattern written with a comma reads (`_read_on`)."""


@dataclass(frozen=True)
class PointEvidence:
    """What was found for one key point."""

    cue: CueMatch | None
    cue_clause: int
    cue_meaning: float
    """How close the cue's clause comes to the point's texts (0 when no cue)."""
    meaning: float
    """The closest any clause or pair comes to the point's texts (cosine)."""
    meaning_span: tuple[int, int]
    meaning_text: str
    """The point's text that was matched."""
    second: float
    """The second-best text's closest match (two texts agreeing is stronger evidence)."""
    label: float
    """The closest any clause comes to the label alone."""
    per_clause: tuple[float, ...] = ()
    """Per clause: how close it comes to the point's texts."""
    words: Overlap = Overlap()
    """The most words any clause shares with one of the point's texts (`lexical.py`)."""
    words_text: str = ""
    """That text of the point."""


@dataclass(frozen=True)
class BreachEvidence:
    """What was found for one breach."""

    breach: Breach
    cue: str
    cue_clause: int
    cue_support: float
    per_clause: tuple[float, ...]
    """Per clause: the closest example of the same polarity (0 if none agrees)."""
    example: tuple[str, ...]
    """Per clause: that example."""


def _plain(text: str) -> str:
    return to_simplified(text).strip()


def prepare_question(
    question: Question,
    generic: Sequence[Breach],
    encoder: SentenceEncoder,
    borrowed: Sequence[Sequence[str]] = (),
) -> PreparedQuestion:
    """Encode a question's key-point texts (with the sentences `borrowed` for each point,
    `borrow.py`) and its (and the generic) breaches' examples."""
    language = question.language
    points = []
    for k, kp in enumerate(question.key_points):
        lent = borrowed[k] if k < len(borrowed) else ()
        texts = tuple(
            dict.fromkeys(
                _plain(t) for t in (kp.label, *kp.cues, *kp.examples, *lent) if t.strip()
            )
        )
        points.append(PointTexts(kp, texts, encoder.encode(texts),
                                 tuple(terms(t, language) for t in texts)))
    breaches = []
    for breach in (*question.breaches, *generic):
        examples = [_plain(e) for e in breach.examples]
        cues = []
        for cue in breach.cues:
            target = _normalised(cue, language)
            if target:
                literal = (
                    None
                    if language == "zh"
                    else re.compile(rf"(?<![a-z0-9']){re.escape(target)}(?![a-z0-9'])")
                )
                cues.append(BreachCue(cue, target, literal))
        breaches.append(
            BreachTexts(
                breach,
                encoder.encode(examples),
                tuple(is_negative(_normalised(e, language), language) for e in examples),
                tuple(cues),
                tuple(re.compile(p) for p in breach.patterns),
            )
        )
    stacked = (
        np.concatenate([p.vectors for p in points]) if points else np.zeros((0, 1), np.float32)
    )
    return PreparedQuestion(tuple(points), tuple(breaches), stacked)


def view_answer(clauses: tuple[Clause, ...], language: str, encoder: SentenceEncoder) -> AnswerView:
    """Prepare the clauses for cue matching and encode them.

    Pairs of neighbouring clauses were encoded too at first, for points that span a comma;
    on the development split they did not help (grouped cross-validation QWK 0.608 with
    them, 0.617 without) and doubled the encoding time, so each clause stands alone, except
    a fragment cut off by one of Whisper's pause commas, which is read for meaning with its
    neighbours (`clauses.meaning_spans`).
    """
    spans = meaning_spans(clauses, language)
    texts = [_read_together(clauses[a:b + 1], language) for a, b in spans]
    prepared = tuple(prepare_answer(c.normalised) for c in clauses)
    negative = tuple(is_negative(c.normalised, language) for c in clauses)
    reported = reported_spans(clauses, language)
    return AnswerView(
        clauses=clauses,
        prepared=prepared,
        negative=negative,
        texts=tuple(texts),
        spans=tuple(spans),
        vectors=encoder.encode(texts),
        reported=reported,
        voiced_by_other=np.array([a == 0 and b >= len(p.text) > 0
                                  for (a, b), p in zip(reported, prepared, strict=True)], bool),
        conditions=conditions(clauses),
        terms=tuple(terms(t, language) for t in texts),
        read_on=_read_on(prepared, clauses, negative),
    )


WINDOW_CLAUSES = 3
"""Neighbouring clauses read together for `window_relevance`."""


def window_relevance(clauses: Sequence[Clause], language: str, encoder: SentenceEncoder,
                     reference: np.ndarray) -> float:
    """Mean over runs of three neighbouring clauses of how close each run comes to the
    question's point texts (`reference`), a feature of the off-topic belief. A story about
    the question is told over several clauses, none close alone ("我先请她坐下", "倒了杯水");
    a drifting answer stays far in every run (dev, off-topic against the rest: AUC 0.87
    against 0.84 for single clauses in Mandarin)."""
    if not clauses or not len(reference) or reference.shape[1] <= 1:
        return 0.0
    runs = [_read_together(clauses[i:i + WINDOW_CLAUSES], language)
            for i in range(max(1, len(clauses) - WINDOW_CLAUSES + 1))]
    vectors = encoder.encode(runs)
    if vectors.shape[1] != reference.shape[1]:
        return 0.0
    return float((vectors @ reference.T).max(axis=1).mean())


def _read_together(clauses: Sequence[Clause], language: str) -> str:
    """Neighbouring clauses as one text for the encoder (Mandarin without spaces)."""
    return ("" if language == "zh" else " ").join(c.plain for c in clauses)


def point_evidence(
    point: PointTexts, answer: AnswerView, language: str, strong: float
) -> PointEvidence:
    """Cue and meaning evidence for one key point.

    `strong` is the match strength at which a cue counts as heard; a point whose mode asks
    for several cues (`all`, `n_of`) has cue evidence only when enough distinct ones were.
    """
    cue: CueMatch | None = None
    cue_clause = -1
    heard: set[str] = set()
    for i, prepared in enumerate(answer.prepared):
        for c in point.point.cues:
            match = find_cue(c, prepared)
            if match is None or negated_before(prepared.text, match.start, language):
                continue
            if match.strength >= strong:
                heard.add(c)
            if cue is None or match.strength > cue.strength:
                cue, cue_clause = match, i
    if len(heard) < _cues_needed(point.point):
        cue, cue_clause = None, -1
    found = best_overlap(answer.terms, point.terms)
    words = {"words": found, "words_text": point.texts[found.text] if found.text >= 0 else ""}
    if not len(answer.vectors) or not len(point.vectors):
        return PointEvidence(cue, cue_clause, 0.0, 0.0, (0, 0), "", 0.0, 0.0, **words)
    sims = answer.vectors @ point.vectors.T  # texts x point texts
    best_text = int(sims.max(axis=1).argmax())
    per_point_text = np.sort(sims.max(axis=0))[::-1]
    n_clauses = len(answer.clauses)
    return PointEvidence(
        cue=cue,
        cue_clause=cue_clause,
        cue_meaning=float(sims[cue_clause].max()) if cue is not None else 0.0,
        per_clause=tuple(float(v) for v in sims.max(axis=1)),
        meaning=float(sims[best_text].max()),
        meaning_span=answer.spans[best_text],
        meaning_text=point.texts[int(sims[best_text].argmax())],
        second=float(per_point_text[1] if len(per_point_text) > 1 else per_point_text[0]),
        label=float(sims[:n_clauses, 0].max()) if n_clauses else 0.0,
        **words,
    )


def _cues_needed(point: KeyPoint) -> int:
    if point.mode is MatchMode.ALL:
        return len(point.cues)
    return point.min_cues if point.mode is MatchMode.N_OF else 0


def breach_evidence(breach: BreachTexts, answer: AnswerView, language: str) -> BreachEvidence:
    """Cue and meaning evidence for one breach, polarity checked clause by clause."""
    n_clauses = len(answer.clauses)
    sims = (
        answer.vectors[:n_clauses] @ breach.vectors.T
        if len(breach.vectors) and n_clauses
        else np.zeros((n_clauses, 0))
    )
    cue, cue_clause, support = "", -1, 0.0
    for i, prepared in enumerate(answer.prepared):
        sequel = answer.read_on[i][len(prepared.text):]  # read_on starts with the clause
        context = (prepared, answer.reported[i], answer.conditions[i], sequel, language)
        said = [(c.cue, i) for c in breach.cues
                if _as_own_act(_said_as_written(c, prepared, language), *context, words=True)]
        for p in breach.patterns:
            text = answer.read_on[i] if SENTENCE_COMMA in p.pattern else prepared.text
            m = _pattern_said(p, text, language)
            if m is None or m.start() >= len(prepared.text):
                continue
            theirs = actor_left_out(m.group(0), prepared.text[:m.start()],
                                    prepared.text[m.end():] + sequel, language)
            if _as_own_act(m.start(), *context, words=theirs):
                said.append((m.group(0), i + text.count(SENTENCE_COMMA, 0, m.end())))
        for c, last in said:
            s = float(sims[i:last + 1].max()) if sims.shape[1] else 0.0
            if not cue or s > support:
                cue, cue_clause, support = c, i, s
    if not sims.shape[1]:
        return BreachEvidence(
            breach.breach, cue, cue_clause, support, (0.0,) * n_clauses, ("",) * n_clauses
        )
    # Only examples of the clause's own polarity count ("我不会…" never matches "我会…").
    agree = np.array(answer.negative)[:, None] == np.array(breach.negative)[None, :]
    masked = np.where(agree, sims, -1.0)
    best = masked.argmax(axis=1)
    per_clause = np.maximum(masked[np.arange(n_clauses), best], 0.0)
    per_clause = np.where(answer.voiced_by_other, 0.0, per_clause)
    examples = tuple(
        breach.breach.examples[j] if v > 0 else "" for j, v in zip(best, per_clause, strict=True)
    )
    return BreachEvidence(
        breach.breach, cue, cue_clause, support, tuple(float(v) for v in per_clause), examples
    )


SENTENCE_COMMA = "，"
"""Written in a breach pattern, it reads across the clauses of a sentence."""


def _read_on(prepared: tuple[AnswerText, ...], clauses: tuple[Clause, ...],
             negative: tuple[bool, ...]) -> tuple[str, ...]:
    """Per clause, the text a breach pattern written with a comma reads ("(不回复|不理他?)，
    (直接)?(关掉|结单)"): the clause and the rest of its sentence joined by "，" (a match must
    still start in the clause). A sentence that began in the negative, "我绝不会把客户名单，
    或者…，发到群里", is read no further than each clause itself."""
    ends = sentence_ends(clauses)
    texts = []
    for i, own in enumerate(prepared):
        if i and not starts_sentence(clauses[i]) and negative[i - 1]:
            texts.append(own.text)
        else:
            texts.append(SENTENCE_COMMA.join(p.text for p in prepared[i:ends[i] + 1]))
    return tuple(texts)


def _pattern_said(pattern: re.Pattern[str], text: str,
                  language: str) -> re.Match[str] | None:
    """Where a breach pattern matched, when not negated before it."""
    found = pattern.search(text)
    if found is None or not found.group(0):
        return None
    return None if negated_before(text, found.start(), language) else found


def _as_own_act(position: int, answer: AnswerText, reported: tuple[int, int], condition: str,
                sequel: str, language: str, words: bool = False) -> bool:
    """A cue found at `position` (-1: not found) is the speaker's own act: not in words
    that voice someone else, nor excused by the words around it (`stance.excused`;
    `condition`: the sentence's previous clause; `sequel`: the rest of the sentence)."""
    if position < 0 or reported[0] <= position < reported[1]:
        return False
    return not excused(condition, answer.text[:position], answer.text[position:] + sequel,
                       language, words)


def _said_as_written(cue: BreachCue, answer: AnswerText, language: str) -> int:
    """Where the cue is said exactly (on word boundaries), not negated before it; -1 if not.

    A negation before the cue turns it around whatever the cue's own polarity: "我从不说这
    不归我管" passes the blame no more than "我不会把他的电话给你" leaks a number."""
    start = _cue_start(cue, answer)
    return -1 if start < 0 or negated_before(answer.text, start, language) else start


def _cue_start(cue: BreachCue, answer: AnswerText) -> int:
    if cue.pattern is not None:
        found = cue.pattern.search(answer.text)
        return found.start() if found else -1
    start = answer.text.find(cue.target)
    while start >= 0:
        if start in answer.boundaries and start + len(cue.target) in answer.boundaries:
            return start
        start = answer.text.find(cue.target, start + 1)
    return -1


def _normalised(text: str, language: str) -> str:
    norm = normalise(text)
    return norm.replace(" ", "") if language == "zh" else norm


_QUOTED_OVERLAP = 0.3
_QUOTED_SHARED = 2
"""Word overlap (`lexical.py`) and shared terms from which the clause that has them is quoted
as evidence too: a clause sharing one word with some example ("really") explains nothing."""


def point_quotes(evidence: PointEvidence, view: AnswerView) -> tuple[Evidence, ...]:
    """The clauses that earned a point, quoted with what they matched (cue, meaning, words)."""
    quotes = []
    if evidence.cue is not None:
        quotes.append(Evidence(evidence.cue.cue, view.clauses[evidence.cue_clause].text,
                               evidence.cue.strength, evidence.cue.method))
    first, last = evidence.meaning_span
    if evidence.meaning > 0 and (evidence.cue is None or evidence.cue_clause not in (first, last)):
        heard = "，".join(c.text for c in view.clauses[first:last + 1])
        quotes.append(Evidence(evidence.meaning_text, heard, round(100 * evidence.meaning, 1),
                               "meaning"))
    quoted = {q.heard for q in quotes}
    words = evidence.words
    if (words.value >= _QUOTED_OVERLAP and words.shared >= _QUOTED_SHARED
            and view.clauses[words.clause].text not in quoted):
        # The clause that shares the most words with one of the point's texts weighs in the
        # belief too: quote it when it is another clause.
        quotes.append(Evidence(evidence.words_text, view.clauses[words.clause].text,
                               round(100 * words.value, 1), "words"))
    return tuple(quotes)
