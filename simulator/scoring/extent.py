"""How much an answer says about the question, in short clauses' worth (a feature of the
key point read in context, `calibration.Calibration.point_belief`), and which of its clauses
say something new, and the reading of it the graded samples are compared with."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from simulator.ports import SentenceEncoder
from simulator.scoring.anchors import Reading
from simulator.scoring.clauses import Clause
from simulator.scoring.evidence import AnswerView, PreparedQuestion
from simulator.text.normalise import letters_and_digits, to_simplified

EXTENT_UNIT = {"zh": 8.0, "en": 5.0}
"""A short clause's worth of an answer: Mandarin characters, English words."""
REPEAT_SIMILARITY = 0.9
"""A clause this close in meaning to one already counted says nothing new (`on_topic_extent`)."""


def on_topic_extent(view: AnswerView, related: np.ndarray, language: str) -> float:
    """log(1 + how much the answer says about the question, in short clauses' worth).

    The clauses about the question (`related`: close to some key point's texts) count by
    their own length; a clause that repeats one counted elsewhere (`REPEAT_SIMILARITY`), or
    the question read out twice, counts once, and small talk counts nothing. A candidate
    who explains a point at some length in their own words has more likely made it than one
    whose single sentence merely comes close (the graders credited them so). It is read by
    the key point in context (`Calibration.point_belief`), with `concrete_share`: on the
    development split, grouped 5-fold CV 0.841 -> 0.859, own-words answers 0.77 -> 0.85
    (docs/judge.md).
    """
    size = 0
    for i in new_clauses(view, np.flatnonzero(related)):
        text = view.clauses[i].plain
        size += len(text.split()) if language == "en" else len(letters_and_digits(text))
    return float(np.log1p(size / EXTENT_UNIT.get(language, EXTENT_UNIT["en"])))


def new_clauses(view: AnswerView, among: Iterable[int]) -> list[int]:
    """Those of the clauses `among` (in order) that repeat none kept before them: closer
    than `REPEAT_SIMILARITY` in meaning, the same sentence said again."""
    vectors = view.vectors[:len(view.clauses)]
    kept: list[int] = []
    for i in among:
        # A fragment read with its neighbours for meaning (`clauses.meaning_spans`) shares
        # their text: it is part of the same stretch, not a repeat of it.
        if not any(float(vectors[i] @ vectors[j]) >= REPEAT_SIMILARITY
                   and not _overlap(view.spans[i], view.spans[j]) for j in kept):
            kept.append(int(i))
    return kept


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


def closest_point(view: AnswerView, prepared: PreparedQuestion) -> np.ndarray:
    """Per clause, the cosine to the closest of the question's point texts (0 without)."""
    n = len(view.clauses)
    if n and prepared.points and len(view.vectors) and view.vectors.shape[1] > 1:
        return (view.vectors[:n] @ prepared.every_point_text.T).max(axis=1)
    return np.zeros(n)


def reading_of(view: AnswerView, related: np.ndarray, language: str) -> Reading:
    """All the clauses and those about the question ("" when none is), each as one text,
    a repeated one once: hesitation sounds are no clauses and a sentence said again says
    nothing new, so neither changes the reading."""
    joiner = "，" if language == "zh" else " "
    kept = new_clauses(view, range(len(view.clauses)))
    return Reading(joiner.join(view.clauses[i].text for i in kept),
                   joiner.join(view.clauses[i].text for i in kept if related[i]))


def on_topic_vectors(view: AnswerView, related: np.ndarray) -> np.ndarray:
    """The vectors of the clauses about the question (none when none is): small talk around
    an answer finds samples' clauses of every grade, and the more clauses are read, the
    likelier one of them comes near a sample that made a point (dev, low answers padded
    with small talk: +0.022 of the marks when every clause was read, +0.012 so)."""
    return view.vectors[:len(view.clauses)][related]


def topic_relevance(clauses: Sequence[Clause], topic: Sequence[str],
                    encoder: SentenceEncoder) -> float:
    """How close the closest of `clauses` comes in meaning to any of `topic`; 0 without
    clauses, a topic or meaning."""
    if not clauses or not topic:
        return 0.0
    answer = encoder.encode([c.plain for c in clauses])
    reference = encoder.encode([to_simplified(t) for t in topic])
    if answer.shape[1] <= 1:
        return 0.0
    return float((answer @ reference.T).max())


SMALL_TALK_SIMILARITY = 0.3
"""Cosine with the question's closest point below which a clause reads as small talk. Small
talk about hobbies added to dev answers came to 0.17-0.35 (median 0.25; three quarters under
0.3); 13 % of the clauses of answers in words of one's own are under 0.3, 41 % under the
0.4 at which a clause is about the question (a story's narration: "the bag was at her hotel
by eleven")."""


def beside_small_talk(clause_best: np.ndarray, related: np.ndarray) -> dict[str, float]:
    """The share of clauses that read as small talk, and how close to the question's points
    the others come (mean cosine, share about the question): read without the small talk,
    so adding some cannot make an answer look more like a story told in words of one's own
    (`overall.py`)."""
    kept = clause_best >= SMALL_TALK_SIMILARITY
    if not len(clause_best):
        return {"small_talk_share": 0.0, "relevance_mean_kept": 0.0, "relevant_share_kept": 0.0}
    return {"small_talk_share": float(1.0 - kept.mean()),
            "relevance_mean_kept": float(clause_best[kept].mean()) if kept.any() else 0.0,
            "relevant_share_kept": float(related[kept].mean()) if kept.any() else 0.0}
