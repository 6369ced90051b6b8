"""Example sentences lent by the shipped banks to the key points of other banks.

A bank made by `import` from a user's document has, per key point, only the document's own
answer text: a label ("初步判断", "主动沟通") and one to three specific sentences from one
model story. A candidate who makes the same point in their own story is far from all of them
in meaning. The shipped banks hold about five hand-written sentences per point in several
registers, over most of what customer-service answers say (apologise, verify, escalate,
follow up...). Each point of another bank borrows the sentences of the shipped points closest
to it in meaning (the centroid of label and examples), when they are close enough; the
judge compares answers with them as with the point's own. A shipped bank's points keep their
own sentences only.

On the development split of the evaluation set (docs/judge.md) this took the imported bank's
answers from QWK 0.48 to 0.58 under cross-validation (0.67 with the rest of the judge as
shipped), the shipped banks unchanged.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from simulator.bank.model import KeyPoint, Question
from simulator.ports import SentenceEncoder
from simulator.text.normalise import to_simplified

MIN_SIMILARITY = 0.35
"""Cosine between centroids from which a shipped point lends its sentences."""
NEIGHBOURS = 3
"""At most this many shipped points lend to one point."""
SENTENCES_PER_NEIGHBOUR = 6
Lenders = Mapping[str, Sequence[Question]]
"""The lending questions, per language."""


class ExampleLibrary:
    """The shipped banks' key points, per language; lends their sentences (thread-safe).

    Nothing is read at construction: the questions are loaded with the first question to
    prepare, and each language's centroids with the first question that borrows in it
    (about 1 000 sentences, 1.5 s on the background loading thread)."""

    def __init__(self, load: Callable[[], Lenders]) -> None:
        self._load = load
        self._questions: Lenders | None = None
        self._prompts: frozenset[str] = frozenset()
        self._centroids: dict[str, tuple[tuple[KeyPoint, ...], np.ndarray]] = {}
        self._lock = threading.Lock()

    def lends_to(self, question: Question) -> bool:
        """Whether the question borrows (it is not one of the library's own)."""
        questions = self._lenders()
        return question.prompt not in self._prompts and bool(questions.get(question.language))

    def lend(self, question: Question, encoder: SentenceEncoder) -> tuple[tuple[str, ...], ...]:
        """Per key point of `question`, the sentences borrowed for it (none for the
        library's own questions)."""
        if not self.lends_to(question):
            return tuple(() for _ in question.key_points)
        lenders, centroids = self._library(question.language, encoder)
        if centroids.shape[1] <= 1:  # no meaning available (a fallback encoder)
            return tuple(() for _ in question.key_points)
        borrowed = []
        for point in question.key_points:
            similarity = centroids @ _centroid(point, encoder)
            nearest = np.argsort(-similarity)[:NEIGHBOURS]
            sentences = [s for i in nearest if similarity[i] >= MIN_SIMILARITY
                         for s in lenders[i].examples[:SENTENCES_PER_NEIGHBOUR]]
            own = set(point.examples)
            borrowed.append(tuple(s for s in dict.fromkeys(sentences) if s not in own))
        return tuple(borrowed)

    def _lenders(self) -> Lenders:
        with self._lock:
            if self._questions is None:
                self._questions = self._load()
                self._prompts = frozenset(q.prompt for qs in self._questions.values()
                                          for q in qs)
            return self._questions

    def _library(self, language: str,
                 encoder: SentenceEncoder) -> tuple[tuple[KeyPoint, ...], np.ndarray]:
        questions = self._lenders()
        with self._lock:
            found = self._centroids.get(language)
            if found is None:
                points = tuple(kp for q in questions[language] for kp in q.key_points)
                vectors = [_centroid(point, encoder) for point in points]
                found = (points, np.stack(vectors) if vectors else np.zeros((0, 1)))
                self._centroids[language] = found
            return found


def _centroid(point: KeyPoint, encoder: SentenceEncoder) -> np.ndarray:
    vectors = encoder.encode([to_simplified(t) for t in (point.label, *point.examples)])
    mean = vectors.mean(axis=0)
    norm = float(np.linalg.norm(mean))
    return mean / norm if norm else mean


def shipped_lenders() -> Lenders:
    """The shipped banks' questions (`prompts/banks/cs-zh.toml`, `cs-en.toml`), per language."""
    from simulator.bank.loader import resolve_bank

    by_language: dict[str, list[Question]] = {}
    for bank in (resolve_bank("cs-zh"), resolve_bank("cs-en")):
        by_language.setdefault(bank.language, []).extend(bank.questions)
    return by_language


def load_example_library() -> ExampleLibrary:
    """The shipped banks as a library (read when first needed)."""
    return ExampleLibrary(shipped_lenders)
