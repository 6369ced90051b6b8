"""The answer read as a whole: what graders gave answers that read like this one.

The judge's score is built point by point, then gated and moved toward the graded samples
(`judge.py`). Graders do not add points up: they read the whole answer. A strong answer told
in words of its own, whose points each read as borderline, earns most of the marks from
them; a partial answer whose one point is said at length earns less than its points' sum
suggests. On the development split the judge's own readings of an answer (its points'
beliefs and credits, what the samples most like it earned and how alike they are, the gates'
beliefs, how much of it is about the question and how long that part is, how concrete it
is) predict the graders' grade better together than the score built from them does. Length
is read on the clauses about the question only, so small talk added to an answer buys
nothing.

`AnswerModel` is that prediction: boosted regression trees fitted on the dev split by
`scripts/fit_answer_model.py` (each answer read against other batches' samples, grouped
cross-validation by batch reported before the fit is written), monotone in what should only
raise a grade (the score, the coverage, the beliefs, the samples' grades, how much of the
answer is about the question) and in what should only lower it (the gates' beliefs, a
breach, a list, the share of small talk). How close to the points the clauses come that are
not small talk is read freely: a story told in words of one's own comes less close than a
plain answer and earns as much. Its output is stretched about the middle (`stretch`, chosen
by that cross-validation): a least-squares fit pulls every answer toward the mean, which is
what kept strong answers low. It applies only where graded samples exist
(`AnchorEstimate`), never raises an answer a breach, a list or a missed critical point
capped, and leaves a clean answer (no gate near firing) at least `floor` of the score built
point by point (all of it, as shipped: the model only lowers an answer a gate has doubts
about): the blind writers' short answers were mostly partial ones, so a concise answer that
makes its points read to the trees like one and lost up to a third of its marks.
The trees are data: `prompts/answer_model.toml`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from simulator.bank.model import Question
from simulator.data import PROMPTS_DIR, read_toml
from simulator.errors import DataFileError
from simulator.scoring.calibration import Calibration
from simulator.scoring.features import AnswerFeatures
from simulator.scoring.result import Score

DEFAULT_ANSWER_MODEL_PATH = PROMPTS_DIR / "answer_model.toml"
MAX_ANSWER_MODEL_BYTES = 2_000_000
READINGS = (
    "score", "coverage_credit", "coverage_own", "belief_own", "belief_supported",
    "belief_max", "belief_min", "samples_grade", "samples_error", "samples_alike",
    "off_topic", "vague", "bad_practice", "breach_heard", "listing", "critical_missed",
    "extent", "concrete", "relevant_share", "relevance_mean", "relevance_top3", "speaker",
    "commentary", "platitude", "on_topic_clauses", "log_on_topic_letters", "story_parts",
    "bare_share", "english", "small_talk_share", "relevance_mean_kept", "relevant_share_kept",
)
"""What the model may read of an answer (`Judge.readings`)."""


@dataclass(frozen=True)
class Trees:
    """Regression trees, every tree's nodes in one set of arrays; a node whose `feature` is
    -1 is a leaf. A value at or below a node's threshold goes left."""

    baseline: float
    roots: tuple[int, ...]
    feature: np.ndarray
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    value: np.ndarray

    def predict(self, x: Sequence[float]) -> float:
        """The baseline plus the leaf each tree sends `x` to."""
        total = self.baseline
        feature, threshold, left, right = self.feature, self.threshold, self.left, self.right
        for node in self.roots:
            while feature[node] >= 0:
                node = left[node] if x[feature[node]] <= threshold[node] else right[node]
            total += self.value[node]
        return float(total)


@dataclass(frozen=True)
class AnswerModel:
    """Share of the marks graders gave answers with these readings."""

    features: tuple[str, ...]
    trees: Trees
    stretch: float
    """The prediction's distance from 0.5 is multiplied by this (1: as fitted)."""
    floor: float = 0.0
    """A clean answer keeps at least this share of the score built point by point."""
    clean_below: float = 0.0
    """An answer is clean when its off-topic, vague and bad-practice beliefs are all under
    this: nothing but its length and wording would lower it."""

    def fraction(self, readings: Mapping[str, float]) -> float | None:
        """The share of the marks (0-1), or None when a reading is missing or not finite."""
        values = [readings.get(name, math.nan) for name in self.features]
        if not all(math.isfinite(v) for v in values):
            return None
        predicted = self.trees.predict(values)
        return min(1.0, max(0.0, 0.5 + self.stretch * (predicted - 0.5)))


def reread(score: Score, readings: Mapping[str, float], model: AnswerModel) -> Score:
    """`score` with its points set to what the model says graders give such answers, and a
    reason saying so: an answer a breach, a list or a missed critical point capped is never
    raised, a clean one never lowered under `floor` of its points; unchanged, no reason."""
    fraction = model.fraction(readings)
    if fraction is None or not score.max_points:
        return score
    points = round(fraction * score.max_points, 1)
    capped = (bool(score.breaches) or score.list_like
              or readings.get("critical_missed", 0.0) > 0)
    if capped and points > score.points:
        return score
    clean = all(readings.get(gate, 1.0) < model.clean_below
                for gate in ("off_topic", "vague", "bad_practice"))
    kept = round(model.floor * score.points, 1)
    if clean and points < kept:
        fraction, points = kept / score.max_points, kept
    if points == score.points:
        return score
    why = (f"read as a whole (its points, the graded sample answers most like it, how much of "
           f"it is about the question and how concretely), answers like it "
           f"earned {fraction:.0%} of the marks: {score.points:g} -> {points:g}/"
           f"{score.max_points:g}")
    return replace(score, points=points, reasons=(*score.reasons, why))


def readings_of(features: AnswerFeatures, question: Question, score: Score,
                own: Sequence[float], supported: Sequence[float], gates: Mapping[str, float],
                cal: Calibration) -> dict[str, float]:
    """What the model reads of an answer (`READINGS`): `score` is the judge's score built
    point by point, `own` and `supported` the key points' beliefs judged alone and with the
    samples' support, `gates` the gates' features (`Judge.readings`)."""
    weights = np.array([kp.weight for kp in question.key_points] or [1.0])

    def covered(values: Sequence[float]) -> float:
        return float(np.dot(list(values) or [0.0], weights) / weights.sum())

    anchor = features.anchor
    return {
        "score": score.fraction, "coverage_credit": covered(r.credit for r in score.key_points),
        "coverage_own": covered(cal.credit(b) for b in own), "belief_own": covered(own),
        "belief_supported": covered(supported),
        "belief_max": max(supported, default=0.0), "belief_min": min(supported, default=0.0),
        "samples_grade": anchor.fraction if anchor else math.nan,
        "samples_error": anchor.error if anchor else math.nan,
        "samples_alike": anchor.similarity if anchor else math.nan,
        "off_topic": cal.off_topic.probability(gates),
        "vague": cal.vague.probability(gates) if cal.vague is not None else 0.0,
        "bad_practice": cal.breach.probability(gates),
        "breach_heard": float(bool(score.breaches)), "listing": float(score.list_like),
        "critical_missed": float(any(r.critical and not r.covered for r in score.key_points)),
        "extent": features.point_features[0]["answer_extent"] if features.point_features
        else 0.0,
        **{name: float(gates[name]) for name in (
            "concrete", "relevant_share", "relevance_mean", "relevance_top3", "speaker",
            "commentary", "platitude", "small_talk_share", "relevance_mean_kept",
            "relevant_share_kept")},
        "on_topic_clauses": gates.get("on_topic_clauses", 0.0),
        "log_on_topic_letters": math.log1p(gates.get("on_topic_letters", 0.0)),
        "story_parts": float(sum(1 for part in features.told if part)),
        "bare_share": features.listing.bare_share,
        "english": float(question.language == "en")}


def load_answer_model(path: Path = DEFAULT_ANSWER_MODEL_PATH) -> AnswerModel:
    """Read and check the model file.

    Raises:
        DataFileError: missing, not TOML, a field absent or of the wrong type, a feature not
            among `READINGS`, or a node pointing outside its tree (names the file and field).
    """
    data = read_toml(path, "answer model", MAX_ANSWER_MODEL_BYTES)
    try:
        features = tuple(str(f) for f in data["features"])
        stretch, baseline = float(data["stretch"]), float(data["baseline"])
        floor, clean_below = float(data["floor"]), float(data["clean_below"])
        trees = [_tree(t, len(features)) for t in data["tree"]]
    except (KeyError, TypeError, ValueError) as e:
        raise DataFileError(f"{path}: answer model: field missing or invalid ({e})") from e
    unknown = sorted(set(features) - set(READINGS))
    if unknown:
        raise DataFileError(f"{path}: answer model: unknown feature(s) {', '.join(unknown)}")
    if (not trees or not 0.0 < stretch <= 3.0 or not math.isfinite(baseline)
            or not all(0.0 <= v <= 1.0 for v in (floor, clean_below))):
        raise DataFileError(f"{path}: answer model: needs at least one [[tree]], stretch in "
                            "(0, 3], floor and clean_below in [0, 1] and a finite baseline")
    roots, offset, columns = [], 0, {k: [] for k in ("feature", "threshold", "left", "right",
                                                     "value")}
    for tree in trees:
        roots.append(offset)
        for key, values in tree.items():
            columns[key].extend(v + offset if key in ("left", "right") and v >= 0 else v
                                for v in values)
        offset += len(tree["feature"])
    return AnswerModel(features, Trees(
        baseline, tuple(roots), np.array(columns["feature"], np.int64),
        np.array(columns["threshold"], np.float64), np.array(columns["left"], np.int64),
        np.array(columns["right"], np.int64), np.array(columns["value"], np.float64)), stretch,
        floor, clean_below)


def _tree(table: Mapping[str, Any], n_features: int) -> dict[str, list]:
    """One tree's arrays, checked: every split names a feature and two later nodes."""
    tree = {"feature": [int(v) for v in table["feature"]],
            "threshold": [float(v) for v in table["threshold"]],
            "left": [int(v) for v in table["left"]], "right": [int(v) for v in table["right"]],
            "value": [float(v) for v in table["value"]]}
    n = len(tree["feature"])
    if not n or any(len(v) != n for v in tree.values()):
        raise ValueError("a tree's feature, threshold, left, right and value must be "
                         "non-empty and of one length")
    for node, f in enumerate(tree["feature"]):
        if f >= 0 and not (f < n_features and node < tree["left"][node] < n
                           and node < tree["right"][node] < n
                           and math.isfinite(tree["threshold"][node])):
            raise ValueError(f"node {node} splits on a feature or points to a node that does "
                             "not exist")
        if f < 0 and not math.isfinite(tree["value"][node]):
            raise ValueError(f"leaf {node} has no finite value")
    return tree
