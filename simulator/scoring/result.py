"""What judging an answer produces: per key point credit with its evidence, the breaches
heard, the answer-level findings, and every adjustment in words."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simulator.bank.model import KeyPoint


@dataclass(frozen=True)
class Evidence:
    """Why a key point (or a breach) was credited: the words heard and what they matched."""

    cue: str
    """The cue found, or the example sentence the clause means the same as."""
    heard: str
    """The clause of the answer, as transcribed (quoted in feedback and reports)."""
    strength: float
    """0-100: a cue's match strength, or 100 x the cosine similarity for meaning."""
    method: str
    """"exact", "split", "pinyin", "stem", "near" (cue matching), "meaning" (the sentence
    encoder), "words" (word overlap with one of the point's texts) or "story" (the part of a
    story the point asks for, `story.py`)."""


@dataclass(frozen=True)
class KeyPointResult:
    """How one key point fared."""

    label: str
    weight: float
    mode: str
    credit: float
    """1.0 made, 0.5 partly made, 0.0 missed."""
    critical: bool
    evidence: tuple[Evidence, ...]
    probability: float = 0.0
    """The judge's belief (0-1) that the point was made."""
    probe: str = ""
    example: str = ""
    """One way to make the point ("比如可以说：…"), from the bank."""

    @property
    def covered(self) -> bool:
        """True when the point was made (credit of at least half)."""
        return self.credit >= 0.5

    @classmethod
    def missed(cls, kp: KeyPoint) -> KeyPointResult:
        """A key point not made (nothing to judge)."""
        return cls(label=kp.label, weight=kp.weight, mode=kp.mode.value, credit=0.0,
                   critical=kp.critical, evidence=(), probe=kp.probe,
                   example=kp.examples[0] if kp.examples else "")


@dataclass(frozen=True)
class BreachResult:
    """A bad practice heard in the answer."""

    label: str
    severity: str
    """"serious" (the answer scores 0) or "minor" (the answer is capped low)."""
    evidence: Evidence
    violates: str = ""
    """Label of the key point it breaks ("" when none is named)."""


@dataclass(frozen=True)
class Score:
    """The result of judging one answer."""

    points: float
    """Marks earned, rounded to 0.1."""
    max_points: float
    key_points: tuple[KeyPointResult, ...]
    breaches: tuple[BreachResult, ...] = ()
    list_like: bool = False
    """The answer names terms without saying what the speaker would do."""
    off_topic: bool = False
    """Most of the answer is about something else."""
    vague: bool = False
    """The answer is general statements rather than what the speaker would do."""
    reasons: tuple[str, ...] = field(default=())
    """Every adjustment made, in plain words, for the record."""

    @property
    def fraction(self) -> float:
        """Score as a share of the maximum (0-1)."""
        return self.points / self.max_points if self.max_points else 0.0

    @property
    def covered(self) -> tuple[KeyPointResult, ...]:
        """Key points made."""
        return tuple(k for k in self.key_points if k.covered)

    @property
    def missed(self) -> tuple[KeyPointResult, ...]:
        """Key points not made."""
        return tuple(k for k in self.key_points if not k.covered)
