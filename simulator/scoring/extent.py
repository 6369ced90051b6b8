"""How much an answer says about the question, in short clauses' worth (a feature of the
key point read in context, `calibration.Calibration.point_belief`), and which of its clauses
say something new."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from simulator.scoring.evidence import AnswerView
from simulator.text.normalise import letters_and_digits

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
