"""Two features of a key point's evidence that read the question's other points and texts:
how surely the point's best clause makes this point rather than another (`point_votes`),
and how few texts describe the point (`sparseness`)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from simulator.bank.model import KeyPoint
from simulator.scoring.evidence import PointEvidence

VOTE_TEMPERATURE = 0.03
"""How sharply a clause's closeness to the question's points decides which point it makes
(`point_votes`): a cosine 0.03 closer counts e times as much."""


def point_votes(points: Sequence[PointEvidence]) -> list[float]:
    """Per point: how surely its best clause makes this point rather than another point of
    the question (a softmax over the points of that clause's closeness to each).

    A clause near every point ("今天下午就给您发货" is the nearest thing to 'offer
    compensation' too) votes for the one it is closest to. On the development split this
    replaced the difference to the next-closest point: grouped 5-fold CV 0.825 -> 0.841.
    """
    if not points or not all(p.per_clause for p in points):
        return [0.0] * len(points)
    closeness = np.array([p.per_clause for p in points])  # points x clauses
    shares = np.exp((closeness - closeness.max(axis=0)) / VOTE_TEMPERATURE)
    shares /= shares.sum(axis=0)
    return [float(shares[k, int(np.argmax(closeness[k]))]) for k in range(len(points))]


def sparseness(point: KeyPoint) -> float:
    """1/sqrt of how many texts describe the point (label, cues, examples; not borrowed
    ones). A point of an imported bank has a few, a shipped one about 25: the fewer there
    are, the less a missing match says, so the fitted model lowers the bar for such points
    (dev, grouped cross-validation: the imported bank 0.61 -> 0.66, docs/judge.md)."""
    return 1.0 / (1 + len(point.cues) + len(point.examples)) ** 0.5
