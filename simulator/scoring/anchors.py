"""Graded sample answers to known questions ("anchors"), the way examiners calibrate.

Examiners who mark against 答案要点 also keep marked scripts of each question beside them: a
new answer is read against the points and compared with the marked answers it most
resembles. The judge does the same for the questions it has such answers for. The closest
few samples in meaning (weighted by closeness) say two things:

- what they **earned** (their graders' marks): the score moves `grade_weight` of the way
  toward it;
- how far **the judge's own verdict on them** fell from their graders' marks: the judge
  errs alike on answers alike (a wording it under-credits, a breach it does not hear), so
  up to `error_weight` of that difference is added: none below cosine `alike_from` with the
  closest sample, all of it from `alike_full` (a short partial answer whose closest samples,
  at 0.50, were ones the judge over-credited by a third of the marks lost that much).

The first alone pulls every answer toward its question's average (strong answers down, weak
ones up); the second corrects the judge without that pull, but learns little where the judge
was fitted. QWK, each answer compared only with other writers' samples: dev split 0.798 for
the judge alone, 0.837 toward the grades alone (35 %), 0.847 with both (20 % and 50 %);
batch K, which no model was fitted on, 0.715, 0.802 and 0.805; batch L 0.658, 0.712 and
0.742; the anchor split (test questions, new writers) 0.620, 0.628 and 0.644 (docs/judge.md).

The samples' graders also credited each key point, and a point is read against the samples'
clauses too (`point_support`): the clauses of other writers' answers most like the answer's
own clauses about the question, and whether those answers made the point. A fitted logistic
(`point_model`: the judge's own belief, that support, the samples' average credit) gives a
second belief for the point, `point_weight` of which counts (`with_point_support`). Only the
clauses about the question are compared, the samples' too. QWK, each answer compared only
with other batches' samples: dev 1860 0.832 -> 0.843; batches R and S, measured before they
joined the samples, 0.674 -> 0.676 and 0.745 -> 0.809; the anchor split 0.644 -> 0.657; the
test split 0.750 -> 0.746 (docs/judge.md).

The answer is read twice, as all its clauses and as its clauses about the question only,
each compared with the samples read the same way; the lower grade counts, and the error of
the on-topic reading. Read whole, an answer's register and story count, but small talk added
to a weak answer moves it toward long, chatty samples that were graded well; its on-topic
part does not move (dev, low answers padded with small talk: +0.048 of the marks with the
whole reading alone, +0.011 as shipped, +0.008 for the judge alone).
An answer with no clause about the question gets no move (the off-topic gate decides). Caps
(a breach heard, a list of terms, a missed critical point) still hold after the move (with
a breach heard it may only lower the score), and the move is written into the reasons.
One exception: a breach heard in an answer whose closest samples earned `breach_lift_from`
of the marks or more may be a false alarm (a new writer's good answer saying words the
breach library knows), and the judge lets it keep up to `breach_lift_cap` (`breach_lift`,
`Judge.decide`): anchor split 0.673 -> 0.726, dev batches V and xa 0.755 -> 0.766.

The samples (`prompts/anchors.toml`, written by `scripts/build_anchors.py`) are the dev and
anchor splits of the blind evaluation set: answers written by helpers who saw only the
questions, each graded by two others; the test split is never written there. They are filed
under a fingerprint of the question (its prompt and key-point labels), so a question whose
wording or points were edited gets none, and a user's own bank gets none: the judge alone
scores those. The judge's own score for each sample is written beside it with a fingerprint
of the judge's data files and settings (`build.judge_fingerprint`); a judge whose
fingerprint differs (an edited calibration, other settings) scores the samples itself when a
question is first prepared (about 45 ms a sample, against 9 ms to read one).
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from simulator.bank.model import Question
from simulator.data import PROMPTS_DIR, read_toml
from simulator.errors import DataFileError
from simulator.ports import SentenceEncoder
from simulator.scoring.calibration import Logistic, read_logistic
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
    judged: float | None = None
    """The shipped judge's own score for it (share of the marks), when known."""
    credits: tuple[float, ...] = ()
    """The graders' mean credit for each key point (0-1; empty when not known)."""


@dataclass(frozen=True)
class Reading:
    """An answer as the samples are compared with it."""

    whole: str
    """All its clauses, as one text."""
    on_topic: str
    """Its clauses about the question ("" when none is)."""
    judged: float = 0.0
    """The judge's own score for it, alone (share of the marks; used for samples)."""
    vectors: np.ndarray | None = None
    """Its clauses' sentence vectors (used for samples: `AnchorLibrary.point_support`)."""


@dataclass(frozen=True)
class AnchorSettings:
    grade_weight: float
    """Share of the way the score moves toward the closest samples' grades."""
    error_weight: float
    """Share of the judge's error on those samples (graders' minus its own) added."""
    neighbours: int
    """How many of the closest samples are read."""
    temperature: float
    """Softmax temperature over cosine similarity: lower reads the closest one more."""
    min_anchors: int
    """A question with fewer samples than this gets no move."""
    alike_from: float = 0.5
    """Cosine with the closest sample below which the judge's error on it is not added."""
    alike_full: float = 0.7
    """Cosine from which all of `error_weight` counts (linearly between)."""
    point_weight: float = 0.0
    """Share of a key point's belief that comes from `point_model` (0: the samples' clauses
    are not read for the points)."""
    point_neighbours: int = 5
    """How many of the samples' clauses closest to one of the answer's are read."""
    point_model: Logistic | None = None
    """A key point's belief from the judge's own (its logit), the samples' support and the
    samples' average credit for the point (`point_support`); fitted on the dev split."""
    breach_lift_from: float = 2.0
    """Share of the marks the samples most like an answer earned from which a bad practice
    heard in it stops counting fully (above 1: never)."""
    breach_lift_full: float = 3.0
    """From this share it is lifted all the way to `breach_lift_cap` (linearly between)."""
    breach_lift_cap: float = 0.0
    """The most an answer with a bad practice heard may keep once lifted (share of the
    marks): a good answer with one breach said in it stays low, since its samples are
    good answers too."""

    def breach_lift(self, fraction: float) -> float:
        """How far to lift a heard bad practice's cap toward `breach_lift_cap` when the
        samples most like the answer earned `fraction` of the marks (0: not, 1: all the
        way)."""
        span = max(1e-9, self.breach_lift_full - self.breach_lift_from)
        return min(1.0, max(0.0, (fraction - self.breach_lift_from) / span))

    def error_share(self, similarity: float) -> float:
        """How much of the samples' error is added at this closeness."""
        span = max(1e-9, self.alike_full - self.alike_from)
        return self.error_weight * min(1.0, max(0.0, (similarity - self.alike_from) / span))


@dataclass(frozen=True)
class AnchorEstimate:
    """What the closest graded samples say about an answer."""

    fraction: float
    """Their grades, weighted by closeness (share of the marks; the lower reading)."""
    error: float
    """Their grades minus the judge's own scores for them, weighted alike (on-topic reading)."""
    similarity: float
    """Cosine between the answer's on-topic reading and the nearest sample's."""
    samples: int
    """How many samples the question has."""


def question_key(question: Question) -> str:
    """The fingerprint samples are filed under: the prompt and the key-point labels."""
    text = "\n".join([question.prompt, *(kp.label for kp in question.key_points)])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


Reader = Callable[[str, bool], Reading]
"""Reads a sample of the question at hand, scoring it too when asked (`Judge.read_sample`)."""


class AnchorLibrary:
    """The graded samples, by question fingerprint."""

    def __init__(self, settings: AnchorSettings, by_question: Mapping[str, Sequence[Anchor]],
                 _readings: dict[tuple[str, str], tuple[Reading, np.ndarray]] | None = None,
                 fingerprint: str = "") -> None:
        self.settings = settings
        self.fingerprint = fingerprint
        """Of the judge whose scores are written beside the samples ("": none are)."""
        self.trusted = False
        """The judge using the library has that fingerprint (set by `build_judge`)."""
        self._by_question = {k: tuple(v) for k, v in by_question.items()}
        # Shared with the libraries made from this one (`without`, `with_settings`): a
        # sample is read once per question, whichever subset it is in.
        self._readings = {} if _readings is None else _readings
        # Per question: this library's samples' on-topic clause vectors stacked, each row's
        # sample credits and their average (None: too few credited samples).
        self._clauses: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray] | None] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_question.values())

    def samples(self, question: Question) -> tuple[Anchor, ...]:
        return self._by_question.get(question_key(question), ())

    def without(self, leave_out: Callable[[Anchor], bool]) -> AnchorLibrary:
        """The same library less the samples `leave_out` picks (evaluation: an answer is
        never compared with its own writer's samples)."""
        return self._derived(self.settings, {
            k: [a for a in v if not leave_out(a)] for k, v in self._by_question.items()})

    def with_settings(self, **changes: float | Logistic | None) -> AnchorLibrary:
        return self._derived(replace(self.settings, **changes), self._by_question)

    def _derived(self, settings: AnchorSettings,
                 by_question: Mapping[str, Sequence[Anchor]]) -> AnchorLibrary:
        other = AnchorLibrary(settings, by_question, self._readings, self.fingerprint)
        other.trusted = self.trusted
        return other

    def warm_up(self, question: Question, encoder: SentenceEncoder, read: Reader) -> None:
        """Read and encode the samples of `question` now."""
        self._read(question, encoder, read)

    def estimate(self, answer: Reading, question: Question, encoder: SentenceEncoder,
                 read: Reader) -> AnchorEstimate | None:
        """The closest samples' verdict on an answer, or None (too few samples, no clause
        about the question, no encoder, or both weights 0)."""
        samples = self.samples(question)
        weights = self.settings.grade_weight, self.settings.error_weight
        if (not any(weights) or len(samples) < max(1, self.settings.min_anchors)
                or not answer.on_topic.strip()):
            return None
        theirs = self._read(question, encoder, read)
        mine = encoder.encode([to_simplified(answer.whole), to_simplified(answer.on_topic)])
        if mine.shape[1] <= 1:
            return None
        grades = np.array([a.fraction for a in samples])
        errors = grades - np.array([r.judged for r, _ in theirs])
        near_w, weights_w, _ = self._closest(mine[0], np.stack([v[0] for _, v in theirs]))
        near_t, weights_t, top = self._closest(mine[1], np.stack([v[1] for _, v in theirs]))
        return AnchorEstimate(
            fraction=min(float(weights_w @ grades[near_w]), float(weights_t @ grades[near_t])),
            error=float(weights_t @ errors[near_t]), similarity=top, samples=len(samples))

    def point_support(self, clauses: np.ndarray, question: Question, encoder: SentenceEncoder,
                      read: Reader) -> tuple[tuple[float, float], ...] | None:
        """Per key point, how often the samples' clauses most like the answer's come from
        samples credited with that point, and the samples' average credit for it (both 0-1);
        None when too few samples have credits or no clause of the answer is given.

        Each clause of the answer is compared with every clause of the samples; its
        `point_neighbours` closest (weighted by cosine) vote with their sample's credit for
        the point, and the mean of the answer's two best clauses counts. A clause every
        answer says ("您好") finds samples of every grade and votes about the question's
        average; a point said in words of one's own finds other writers' words for it.
        """
        if self.settings.point_weight <= 0 or not len(clauses) or clauses.shape[1] <= 1:
            return None
        stacked = self._sample_clauses(question, encoder, read)
        if stacked is None:
            return None
        vectors, credits, average = stacked
        similarity = np.clip(clauses @ vectors.T, 0.0, None)  # answer clauses x sample clauses
        k = min(self.settings.point_neighbours, similarity.shape[1])
        near = np.argsort(-similarity, axis=1, kind="stable")[:, :k]
        weights = np.take_along_axis(similarity, near, axis=1)
        weights = weights / np.maximum(weights.sum(axis=1, keepdims=True), 1e-9)
        per_clause = np.einsum("ck,ckp->cp", weights, credits[near])  # clauses x points
        best_two = np.sort(per_clause, axis=0)[-2:].mean(axis=0)
        return tuple((float(b), float(a)) for b, a in zip(best_two, average, strict=True))

    def _sample_clauses(self, question: Question, encoder: SentenceEncoder,
                        read: Reader) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """The samples' on-topic clause vectors stacked, each row's sample credits and the
        samples' average credits, stacked once per question (not on every answer)."""
        key = question_key(question)
        with self._lock:
            if key in self._clauses:
                return self._clauses[key]
        n_points = len(question.key_points)
        samples = self.samples(question)
        theirs = [(s, r.vectors) for s, (r, _) in
                  zip(samples, self._read(question, encoder, read), strict=True)
                  if len(s.credits) == n_points and r.vectors is not None and len(r.vectors)]
        stacked = None
        if theirs and sum(len(s.credits) == n_points for s in samples) >= max(
                1, self.settings.min_anchors):
            stacked = (np.vstack([v for _, v in theirs]),
                       np.vstack([np.repeat([s.credits], len(v), axis=0) for s, v in theirs]),
                       np.mean([s.credits for s, _ in theirs], axis=0))
        with self._lock:
            self._clauses[key] = stacked
        return stacked

    def _closest(self, vector: np.ndarray,
                 theirs: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
        """The indexes of the closest samples, their softmax weights and the top cosine."""
        similarity = theirs @ vector
        closest = np.argsort(-similarity, kind="stable")[:self.settings.neighbours]
        near = similarity[closest]
        weights = np.exp((near - near.max()) / self.settings.temperature)
        return closest, weights / weights.sum(), float(near[0])

    def _read(self, question: Question, encoder: SentenceEncoder,
              read: Reader) -> list[tuple[Reading, np.ndarray]]:
        """Each sample's reading and the vectors of its two texts, kept here (not in the
        encoder's bounded cache, which a long replay would overflow)."""
        key = question_key(question)
        readings = []
        for sample in self.samples(question):
            with self._lock:
                found = self._readings.get((key, sample.source))
            if found is None:
                known = sample.judged if self.trusted else None
                reading = read(sample.text, known is None)
                # A sample with no clause about the question is read whole both ways.
                reading = replace(reading, on_topic=reading.on_topic or reading.whole,
                                  judged=reading.judged if known is None else known)
                found = (reading, encoder.encode([to_simplified(reading.whole),
                                                  to_simplified(reading.on_topic)]))
                with self._lock:
                    self._readings[(key, sample.source)] = found
            readings.append(found)
        return readings


POINT_VALUES = ("belief_logit", "samples_best", "samples_average", "answer_grade")
"""What a key-point model may read (`point_values`); a model fitted before one of them was
known reads only those it names."""


def point_values(belief: float, support: tuple[float, float],
                 answer_grade: float) -> dict[str, float]:
    """What `AnchorSettings.point_model` reads of one key point: the judge's own belief, the
    samples' support for it and what the samples most like the whole answer earned."""
    belief = min(max(belief, 1e-4), 1 - 1e-4)
    return {"belief_logit": math.log(belief / (1 - belief)), "samples_best": support[0],
            "samples_average": support[1], "answer_grade": answer_grade}


def answer_grade(estimate: AnchorEstimate | None,
                 support: Sequence[tuple[float, float]] | None) -> float:
    """What the samples most like the whole answer earned (`AnchorEstimate.fraction`), or
    without an estimate the samples' average credit for the question's points."""
    if estimate is not None:
        return estimate.fraction
    return float(np.mean([average for _, average in support])) if support else 0.0


def with_point_support(beliefs: Sequence[float], support: Sequence[tuple[float, float]],
                       settings: AnchorSettings, grade: float) -> list[float]:
    """The key points' beliefs, `point_weight` of each from the samples' point model.

    `grade` is `answer_grade`: graders credit the points of a strong answer told in words of
    its own that the evidence for each point alone reads as borderline, and the samples most
    like the whole answer say it is one (dev: docs/judge.md, the fifteenth session)."""
    model, w = settings.point_model, settings.point_weight
    if model is None or w <= 0:
        return list(beliefs)
    return [(1 - w) * b + w * model.probability(point_values(b, s, grade))
            for b, s in zip(beliefs, support, strict=True)]


def support_reason(label: str, before: float, after: float, credit: float,
                   support: tuple[float, float], grade: float) -> str:
    """Why the samples changed a key point's credit, in words."""
    return (f"'{label}': the graded sample answers whose clauses are most like this answer's "
            f"had it {support[0]:.2f} of the time (all of them: {support[1]:.2f}), those most "
            f"like the whole answer earned {grade:.0%} of the marks: "
            f"belief {before:.2f} -> {after:.2f}, credit {credit:g}")


def toward_anchors(raw: float, ceiling: float, max_points: float, estimate: AnchorEstimate,
                   settings: AnchorSettings) -> tuple[float, str]:
    """Move the score toward the samples' grades and by the judge's error on them, never
    above the caps already applied (`ceiling`); with the reason in words."""
    target = estimate.fraction * max_points
    error = estimate.error * max_points
    share = settings.error_share(estimate.similarity)
    moved = raw + settings.grade_weight * (target - raw) + share * error
    moved = max(0.0, min(ceiling, max_points, moved))
    than = f"{abs(error):.1f} {'less' if error < 0 else 'more'} than the judge gave them"
    return moved, (f"the graded sample answers most like this one (of {estimate.samples} for "
                   f"this question; closest cosine {estimate.similarity:.2f}) earned "
                   f"{target:.1f}/{max_points:g}, {than}: {settings.grade_weight:.0%} of the "
                   f"way there and {share:.0%} of that difference -> {moved:.2f}")


_OPTIONAL = {"point_weight": float, "point_neighbours": int, "breach_lift_from": float,
             "breach_lift_full": float, "breach_lift_cap": float}
"""Settings an older file may lack: `AnchorSettings`' own defaults then hold."""


def load_anchors(path: Path = DEFAULT_ANCHORS_PATH) -> AnchorLibrary:
    """Read the graded samples.

    Raises:
        DataFileError: missing, not TOML, or a field absent or of the wrong type (names it).
    """
    data = read_toml(path, "graded sample answers", MAX_ANCHORS_BYTES)
    try:
        settings = AnchorSettings(grade_weight=float(data["grade_weight"]),
                                  error_weight=float(data["error_weight"]),
                                  neighbours=int(data["neighbours"]),
                                  temperature=float(data["temperature"]),
                                  min_anchors=int(data["min_anchors"]),
                                  alike_from=float(data["alike_from"]),
                                  alike_full=float(data["alike_full"]),
                                  **{name: kind(data[name]) for name, kind in _OPTIONAL.items()
                                     if name in data},
                                  point_model=(read_logistic(data["point_support"])
                                               if "point_support" in data else None))
        by_question = {
            str(q["key"]): [Anchor(str(a["text"]), float(a["fraction"]), str(a["source"]),
                                   float(a["judged"]) if "judged" in a else None,
                                   tuple(float(c) for c in a.get("credits", ())))
                            for a in q["answer"]]
            for q in data["question"]}
        fingerprint = str(data.get("judge_fingerprint", ""))
    except (KeyError, TypeError, ValueError) as e:
        raise DataFileError(f"{path}: graded sample answers: field missing or invalid ({e})") from e
    if (not 0.0 <= settings.grade_weight <= 1.0 or not 0.0 <= settings.error_weight <= 1.0
            or settings.neighbours < 1 or settings.temperature <= 0
            or not settings.alike_from < settings.alike_full
            or not settings.breach_lift_from < settings.breach_lift_full
            or not 0.0 <= settings.breach_lift_cap <= 1.0
            or not 0.0 <= settings.point_weight <= 1.0 or settings.point_neighbours < 1
            or (settings.point_model is not None
                and not set(settings.point_model.features) <= set(POINT_VALUES))):
        raise DataFileError(f"{path}: needs grade_weight, error_weight, point_weight and "
                            "breach_lift_cap in [0, 1], neighbours and point_neighbours >= 1, "
                            "temperature > 0, alike_from < alike_full, breach_lift_from < "
                            "breach_lift_full and [point_support] features among "
                            f"{', '.join(POINT_VALUES)}")
    for key, samples in by_question.items():
        if any(not 0.0 <= a.fraction <= 1.0 or any(not 0.0 <= c <= 1.0 for c in a.credits)
               for a in samples):
            raise DataFileError(f"{path}: question {key}: fraction and credits must be in "
                                "[0, 1]")
    return AnchorLibrary(settings, by_question, fingerprint=fingerprint)
