"""The judge's fitted numbers, read from `prompts/judge.toml`.

Small logistic models turn evidence into beliefs: that a key point was made (from its cue
and meaning evidence and the answer's overall relevance; a second reading weighs in how
much the answer says about the question, and the higher belief counts), that an answer is
off the topic, that it recommends bad practice, and that it is vague (general statements).
Their weights, the credit thresholds and the gates are fitted on the development split of
the blind evaluation set by `scripts/calibrate_judge.py`, which rewrites the file; nothing
here is tuned by hand.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from simulator.data import PROMPTS_DIR, read_toml
from simulator.errors import DataFileError

DEFAULT_CALIBRATION_PATH = PROMPTS_DIR / "judge.toml"
MAX_CALIBRATION_BYTES = 100_000


@dataclass(frozen=True)
class Logistic:
    """p = sigmoid(bias + sum(weight * (value - mean) / scale))."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float

    def probability(self, values: Mapping[str, float]) -> float:
        """The model's belief for these feature values (0-1)."""
        z = self.bias + sum(w * (values[f] - m) / s for f, m, s, w in
                            zip(self.features, self.mean, self.scale, self.weights, strict=True))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@dataclass(frozen=True, kw_only=True)
class Calibration:
    """Everything the judge was fitted to."""

    key_point: Logistic
    full_credit: float
    """Belief at which a key point earns full credit."""
    half_credit: float
    """Belief at which it earns half credit."""
    off_topic: Logistic
    off_topic_threshold: float
    """Belief above which the score is scaled down ("most of it is off the topic")."""
    breach: Logistic
    breach_threshold: float
    """Belief above which the score is scaled down as reading like bad practice, even
    without a cue heard."""
    breach_cue_support: float
    """A breach cue heard counts when its clause means at least this much like the breach's
    examples (cosine): a cue alone can be part of a good sentence."""
    minor_breach_cap: float
    """Share of the points an answer with a minor breach keeps at most (serious: 0)."""
    list_cap: float
    """Share of the points a list of terms keeps at most."""
    list_min_bare_share: float
    list_max_spoken_clauses: int
    relevant_similarity: float
    """A clause whose meaning is at least this close to some key point's example is on topic."""
    list_max_spoken_share: float = 0.0
    """A long list may hold more spoken clauses than `list_max_spoken_clauses`, up to this
    share of its clauses and terms ("让客户先说完" among twelve bare terms)."""
    vague: Logistic | None = None
    """Belief that an answer is general statements rather than what one would do (none: off)."""
    vague_threshold: float = 1.1
    """Belief above which the score is scaled by (1 - belief) ("mostly general statements")."""
    key_point_in_context: Logistic | None = None
    """The belief that a key point was made, read with the answer around it as well: how
    much the answer says about the question and how concretely (none: the evidence alone)."""
    context_full_credit: float = 0.55
    """Belief in context at which a key point earns full credit."""
    context_half_credit: float = 0.35
    """Belief in context at which it earns half credit."""
    off_topic_full: float = 1.0
    """Off-topic belief at which nothing is left of the score: above the threshold the score
    is scaled by 1 - belief / off_topic_full (1.0: by 1 - belief)."""
    breach_full: float = 1.0
    """The same for the belief that the answer reads like bad practice."""
    fitted_on: str = ""
    """Which data the numbers came from (for the record)."""

    def off_topic_scale(self, belief: float) -> float:
        """What is kept of a score whose off-topic belief is `belief`."""
        return _kept(belief, self.off_topic_threshold, self.off_topic_full)

    def breach_scale(self, belief: float) -> float:
        """What is kept of a score that reads like bad practice with belief `belief` (no
        breach heard)."""
        return _kept(belief, self.breach_threshold, self.breach_full)

    def credit(self, belief: float) -> float:
        """A key point's credit for the belief that it was made: 1, 0.5 or 0."""
        return 1.0 if belief >= self.full_credit else 0.5 if belief >= self.half_credit else 0.0

    def point_belief(self, values: Mapping[str, float]) -> float:
        """The belief that a key point was made: the higher of the evidence alone and the
        evidence in context, the latter put on the former's scale (its credit thresholds
        onto `full_credit` and `half_credit`, linearly between). A short answer that makes
        one point clearly never earns less than by the evidence alone; a long answer in the
        candidate's own words, whose sentences each come only near a point, is read as the
        examiners read it (docs/judge.md)."""
        alone = self.key_point.probability(values)
        if self.key_point_in_context is None:
            return alone
        on_scale = np.interp(self.key_point_in_context.probability(values),
                             (0.0, self.context_half_credit, self.context_full_credit, 1.0),
                             (0.0, self.half_credit, self.full_credit, 1.0))
        return max(alone, float(on_scale))


def load_calibration(path: Path = DEFAULT_CALIBRATION_PATH) -> Calibration:
    """Read and check the calibration file.

    Raises:
        DataFileError: missing, not TOML, or a field absent or of the wrong type (names it).
    """
    data = read_toml(path, "judge calibration", MAX_CALIBRATION_BYTES)
    try:
        gates = data["gates"]
        vague = ({"vague": read_logistic(data["vague"]),
                  "vague_threshold": float(data["vague"]["threshold"])} if "vague" in data else {})
        context = data.get("key_point_in_context")
        in_context = ({"key_point_in_context": read_logistic(context),
                       "context_full_credit": float(context["full_credit"]),
                       "context_half_credit": float(context["half_credit"])}
                      if context is not None else {})
        calibration = Calibration(
            key_point=read_logistic(data["key_point"]),
            full_credit=float(data["key_point"]["full_credit"]),
            half_credit=float(data["key_point"]["half_credit"]),
            off_topic=read_logistic(data["off_topic"]),
            off_topic_threshold=float(data["off_topic"]["threshold"]),
            breach=read_logistic(data["breach"]),
            breach_threshold=float(data["breach"]["threshold"]),
            breach_cue_support=float(data["breach"]["cue_support"]),
            minor_breach_cap=float(gates["minor_breach_cap"]),
            list_cap=float(gates["list_cap"]),
            list_min_bare_share=float(gates["list_min_bare_share"]),
            list_max_spoken_clauses=int(gates["list_max_spoken_clauses"]),
            relevant_similarity=float(gates["relevant_similarity"]),
            **vague,
            **in_context,
            **_optional(data["off_topic"], {"full": "off_topic_full"}),
            **_optional(data["breach"], {"full": "breach_full"}),
            **_optional(gates, {"list_max_spoken_share": "list_max_spoken_share"}),
            fitted_on=str(data.get("fitted_on", "")),
        )
    except (KeyError, TypeError, ValueError) as e:
        raise DataFileError(f"{path}: judge calibration field missing or invalid ({e})") from e
    for table, half, full in (("key_point", calibration.half_credit, calibration.full_credit),
                              ("key_point_in_context", calibration.context_half_credit,
                               calibration.context_full_credit)):
        if not 0.0 < half < full < 1.0:
            raise DataFileError(f"{path}: [{table}] needs 0 < half_credit < full_credit < 1 "
                                f"(has {half:g} and {full:g})")
    for table, full in (("off_topic", calibration.off_topic_full),
                        ("breach", calibration.breach_full)):
        if not 0.0 < full <= 1.0:
            raise DataFileError(f"{path}: [{table}] full must be in (0, 1] (has {full:g})")
    return calibration


def _optional(table: Mapping[str, Any], names: Mapping[str, str]) -> dict[str, float]:
    """The optional fields `table` has, under their `Calibration` names: an absent one keeps
    the dataclass's default, so each default is written once."""
    return {name: float(table[key]) for key, name in names.items() if key in table}


def _kept(belief: float, threshold: float, full: float) -> float:
    """What a gate leaves of a score: all of it below `threshold`, 1 - belief / full above."""
    return 1.0 if belief < threshold else max(0.0, 1.0 - belief / full)


def read_logistic(table: Mapping[str, Any]) -> Logistic:
    features = tuple(str(f) for f in table["features"])
    columns = [tuple(float(v) for v in table[k]) for k in ("mean", "scale", "weights")]
    if any(len(c) != len(features) for c in columns) or any(s <= 0 for s in columns[1]):
        raise ValueError("features, mean, scale and weights must have one positive-scale "
                         "entry per feature")
    return Logistic(features, columns[0], columns[1], columns[2], float(table["bias"]))
