"""What the judge measures of an answer before deciding anything (`Judge.measure`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from simulator.scoring.anchors import AnchorEstimate
from simulator.scoring.evidence import AnswerView, BreachEvidence, PointEvidence
from simulator.scoring.structure import ListCheck


class NoEncoder:
    """Meaning unavailable: every text gets an empty vector, so only cues count."""

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return np.zeros((len(texts), 1), np.float32)


@dataclass(frozen=True)
class AnswerFeatures:
    """Everything measured about one answer, before any decision."""

    view: AnswerView
    points: tuple[PointEvidence, ...]
    point_features: tuple[dict[str, float], ...]
    breaches: tuple[BreachEvidence, ...]
    gate_features: dict[str, float]
    listing: ListCheck
    anchor: AnchorEstimate | None = None
    point_samples: tuple[tuple[float, float], ...] | None = None
    """Per key point, the graded samples' support and average credit
    (`AnchorLibrary.point_support`)."""
    told: tuple[tuple[str, int] | None, ...] = ()
    """Per key point that asks for a part of a story, the part told and its clause."""

    def most_breach_like(self) -> str:
        """The clause closest in meaning to a breach's examples ("" without one)."""
        best = max(((v, i) for b in self.breaches for i, v in enumerate(b.per_clause)),
                   default=(0.0, -1))
        return self.view.clauses[best[1]].text if best[1] >= 0 else ""
