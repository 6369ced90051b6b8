"""Graded sample answers to known questions ("anchors"), the way examiners calibrate.

Examiners who mark against 答案要点 also keep a few marked scripts of each question beside
them: a new answer is read against the points and compared with the marked answers it most
resembles. The judge does the same for the questions it has such answers for: the answer's
meaning is compared with the graded sample answers of its question, the grades of the
closest few (weighted by closeness) give a second estimate of its score, and the score moves
`weight` of the way toward it. Caps (a breach heard, a list of terms, a missed critical
point) still hold after the move (with a breach heard it may only lower the score), and the
move is written into the reasons.

The answer is read twice, whole and as its clauses about the question only (each compared
with the samples read the same way), and the lower estimate counts. Read whole, an answer's
register and story count (they carry most of what the samples add), but small talk added to
a weak answer moves it toward long, chatty samples that were graded well; its on-topic part
does not move. On the dev split, padding low answers with small talk gained +0.048 of the
marks on average read whole, +0.012 with the lower of the two (the judge alone: +0.008).

The samples (`prompts/anchors.toml`, written by `scripts/build_anchors.py`) are the
development split of the blind evaluation set: answers written by helpers who saw only the
questions, each graded by two others. They are keyed by a fingerprint of the question (its
prompt and key-point labels), so a question whose wording or points were edited gets none,
and a user's own bank gets none: the judge alone scores those. The test split is never
written there.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from simulator.bank.model import Question
from simulator.data import PROMPTS_DIR, read_toml
from simulator.errors import DataFileError
from simulator.ports import SentenceEncoder
from simulator.text.normalise import to_simplified

DEFAULT_ANCHORS_PATH = PROMPTS_DIR / "anchors.toml"
MAX_ANCHORS_BYTES = 4_000_000


@dataclass(frozen=True)
class Anchor:
    """One graded sample answer."""

    text: str
    fraction: float
    """The graders' mean score as a share of the question's marks (0-1)."""
    source: str
    """Its id in the evaluation set (`cs-zh-12-j3`)."""


@dataclass(frozen=True)
class AnchorSettings:
    weight: float
    """Share of the way the score moves toward the closest samples' grades (0: off)."""
    neighbours: int
    """How many of the closest samples are read."""
    temperature: float
    """Softmax temperature over cosine similarity: lower reads the closest one more."""
    min_anchors: int
    """A question with fewer samples than this gets no move."""


@dataclass(frozen=True)
class AnchorEstimate:
    """What the closest graded samples say about an answer."""

    fraction: float
    """Their grades, weighted by closeness (share of the marks)."""
    nearest: Anchor
    similarity: float
    """Cosine between the answer and the nearest sample."""
    samples: int
    """How many samples the question has."""


def question_key(question: Question) -> str:
    """The fingerprint samples are filed under: the prompt and the key-point labels."""
    text = "\n".join([question.prompt, *(kp.label for kp in question.key_points)])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


class AnchorLibrary:
    """The graded samples, by question fingerprint."""

    def __init__(self, settings: AnchorSettings,
                 by_question: Mapping[str, Sequence[Anchor]]) -> None:
        self.settings = settings
        self._by_question = {k: tuple(v) for k, v in by_question.items()}
        self._readings: dict[str, tuple[tuple[str, str], ...]] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_question.values())

    def samples(self, question: Question) -> tuple[Anchor, ...]:
        return self._by_question.get(question_key(question), ())

    def without(self, leave_out: Callable[[Anchor], bool]) -> AnchorLibrary:
        """The same library less the samples `leave_out` picks (evaluation: an answer is
        never compared with its own writer's samples)."""
        return AnchorLibrary(self.settings, {
            k: [a for a in v if not leave_out(a)] for k, v in self._by_question.items()})

    def with_weight(self, weight: float) -> AnchorLibrary:
        return AnchorLibrary(replace(self.settings, weight=weight), self._by_question)

    def warm_up(self, question: Question, encoder: SentenceEncoder,
                read: Callable[[str], tuple[str, str]]) -> None:
        """Read and encode the samples of `question` now (the encoder caches the vectors)."""
        samples = self.samples(question)
        if samples:
            encoder.encode([to_simplified(t) for pair in self._read(question, samples, read)
                            for t in pair])

    def estimate(self, readings: tuple[str, str], question: Question, encoder: SentenceEncoder,
                 read: Callable[[str], tuple[str, str]]) -> AnchorEstimate | None:
        """The closest samples' verdict on an answer, or None (too few samples, no encoder).

        `readings`: the answer's clauses, all and those about the question, each as one text;
        `read` gives a sample's the same way. Each reading is compared with the samples'
        same reading, and the lower estimate counts. An answer with no clause about the
        question gets none: the samples cannot vouch for it (the judge's off-topic gate
        decides alone)."""
        samples = self.samples(question)
        if (self.settings.weight <= 0 or len(samples) < max(1, self.settings.min_anchors)
                or not readings[1].strip()):
            return None
        theirs = self._read(question, samples, read)
        found = [self._closest(readings[k], [pair[k] for pair in theirs], samples, encoder)
                 for k in (0, 1)]
        if found[0] is None or found[1] is None:
            return None
        return min(found[0], found[1], key=lambda e: e.fraction)

    def _closest(self, text: str, texts: Sequence[str], samples: Sequence[Anchor],
                 encoder: SentenceEncoder) -> AnchorEstimate | None:
        vectors = encoder.encode([to_simplified(t) for t in (text, *texts)])
        if vectors.shape[1] <= 1:
            return None
        similarity = vectors[1:] @ vectors[0]
        closest = np.argsort(-similarity, kind="stable")[:self.settings.neighbours]
        near = similarity[closest]
        weights = np.exp((near - near.max()) / self.settings.temperature)
        grades = np.array([samples[i].fraction for i in closest])
        return AnchorEstimate(float(weights @ grades / weights.sum()), samples[int(closest[0])],
                              float(near[0]), len(samples))

    def _read(self, question: Question, samples: Sequence[Anchor],
              read: Callable[[str], tuple[str, str]]) -> tuple[tuple[str, str], ...]:
        key = question_key(question)
        with self._lock:
            found = self._readings.get(key)
        if found is None:
            # A sample with no clause about the question is read whole both ways.
            found = tuple((whole, part or whole) for whole, part in map(read, (
                a.text for a in samples)))
            with self._lock:
                self._readings[key] = found
        return found


def toward_anchors(raw: float, ceiling: float, max_points: float,
                   estimate: AnchorEstimate, weight: float) -> tuple[float, str]:
    """Move the score `weight` of the way toward the samples' estimate, never above the
    caps already applied (`ceiling`); with the reason in words."""
    target = estimate.fraction * max_points
    moved = min(ceiling, (1.0 - weight) * raw + weight * target)
    return moved, (f"the graded sample answers most like this one (of {estimate.samples} for "
                   f"this question; closest cosine {estimate.similarity:.2f}) earned "
                   f"{target:.1f}/{max_points:g}: {weight:.0%} of the way there -> {moved:.2f}")


def load_anchors(path: Path = DEFAULT_ANCHORS_PATH) -> AnchorLibrary:
    """Read the graded samples.

    Raises:
        DataFileError: missing, not TOML, or a field absent or of the wrong type (names it).
    """
    data = read_toml(path, "graded sample answers", MAX_ANCHORS_BYTES)
    try:
        settings = AnchorSettings(weight=float(data["weight"]),
                                  neighbours=int(data["neighbours"]),
                                  temperature=float(data["temperature"]),
                                  min_anchors=int(data["min_anchors"]))
        by_question = {
            str(q["key"]): [Anchor(str(a["text"]), float(a["fraction"]), str(a["source"]))
                            for a in q["answer"]]
            for q in data["question"]}
    except (KeyError, TypeError, ValueError) as e:
        raise DataFileError(f"{path}: graded sample answers: field missing or invalid ({e})") from e
    if not 0.0 <= settings.weight <= 1.0 or settings.neighbours < 1 or settings.temperature <= 0:
        raise DataFileError(f"{path}: needs 0 <= weight <= 1, neighbours >= 1 and "
                            "temperature > 0")
    for key, samples in by_question.items():
        if any(not 0.0 <= a.fraction <= 1.0 for a in samples):
            raise DataFileError(f"{path}: question {key}: fraction must be in [0, 1]")
    return AnchorLibrary(settings, by_question)
