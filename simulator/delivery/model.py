"""The delivery metrics of one answer, as values: pace, fillers, pauses, latency, loudness, tips."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from simulator.config import TipCode


class Verdict(StrEnum):
    """The judgement on one delivery metric."""

    FINE = "fine"
    TOO_SLOW = "too_slow"
    TOO_FAST = "too_fast"
    TOO_MANY = "too_many"
    """Fillers: more per minute than the limit."""
    SLOW = "slow"
    """Response latency: the answer started late."""
    TOO_QUIET = "too_quiet"
    CLIPPING = "clipping"


TIP_PARAMS: Mapping[TipCode, frozenset[str]] = {
    TipCode.DEAD_AIR: frozenset({"count", "longest_s", "at_s"}),
    TipCode.TOO_FAST: frozenset({"rate", "low", "high"}),
    TipCode.TOO_SLOW: frozenset({"rate", "low", "high"}),
    TipCode.FILLERS: frozenset({"count", "per_min", "examples"}),
    TipCode.SLOW_START: frozenset({"latency_s"}),
    TipCode.TOO_QUIET: frozenset({"dbfs"}),
    TipCode.CLIPPING: frozenset({"percent"}),
    TipCode.LONG_PAUSES: frozenset({"count", "longest_s"}),
}
"""The placeholders each tip's template may use."""

TipParam = int | float | str | tuple[str, ...]
"""A template parameter: numbers are rounded for speech, tuples joined with the separator."""


@dataclass(frozen=True)
class Filler:
    """One hesitation filler heard in the answer."""

    text: str
    """The filler in its plain form ("嗯", "那个", "um", "you know"); a run such as 嗯嗯 is one."""
    char_offset: int
    """Offset in the analysed text: the words joined by single spaces when word timings
    exist, else `Transcript.text`."""
    word_index: int | None
    """Index into `Transcript.words` of the word it starts in (None: no word timings)."""
    start_s: float | None
    """Seconds from the start of the audio (None: no word timings)."""


@dataclass(frozen=True)
class Pause:
    """A silence inside the answer at least `DeliveryConfig.long_pause_s` long."""

    start_s: float
    """Seconds from the start of the audio."""
    length_s: float
    """Seconds."""
    after_word_index: int | None
    """Index into `Transcript.words` of the word before it (None: found in the audio)."""
    dead_air: bool
    """At least `DeliveryConfig.dead_air_s` long."""


@dataclass(frozen=True)
class DeliveryTip:
    """One delivery problem worth saying, with the values its template needs."""

    code: TipCode
    params: tuple[tuple[str, TipParam], ...] = field(default=())
    """(placeholder, value) pairs; see `TIP_PARAMS`."""

    def param_dict(self) -> dict[str, TipParam]:
        """The parameters as a dict."""
        return dict(self.params)


@dataclass(frozen=True)
class Delivery:
    """Delivery metrics for one answer. Metrics that could not be measured are None."""

    language: str
    """"zh" (pace in characters) or "en" (pace in words)."""
    timing_source: str
    """Where speaking time and pauses came from: "words" (timestamps), "audio" (energy),
    "duration" (the audio length: no timings, no voiced frames) or "none" (nothing said)."""
    speech_span_s: float | None
    """From the first word's start to the last word's end, seconds."""
    talk_s: float | None
    """`speech_span_s` less the long pauses: time spent talking, seconds."""
    pace_unit: str
    """"cpm" (characters per minute) or "wpm" (words per minute)."""
    pace_units: int
    """Characters or words counted, fillers excluded."""
    pace_per_min: float | None
    """`pace_units` per minute of `talk_s`."""
    pace_band: tuple[float, float]
    """The target band, in `pace_unit`."""
    pace_verdict: Verdict | None
    """TOO_SLOW, FINE, TOO_FAST; None when too little was said to judge."""
    fillers: tuple[Filler, ...]
    filler_per_min: float | None
    """Fillers per minute of `talk_s`."""
    filler_verdict: Verdict | None
    """FINE or TOO_MANY."""
    pauses: tuple[Pause, ...]
    """Long pauses and dead air, in time order."""
    response_latency_s: float | None
    """From the end of the question to the first speech, seconds (as the recorder measured)."""
    latency_verdict: Verdict | None
    """FINE or SLOW."""
    speech_dbfs: float | None
    """RMS level of the voiced frames, dBFS."""
    clipped_share: float | None
    """Share (0-1) of voiced samples at or above the clip level."""
    loudness_verdict: Verdict | None
    """FINE, TOO_QUIET or CLIPPING; None when the audio holds no sound."""
    tips: tuple[DeliveryTip, ...]
    """Problems found, most useful first."""

    @property
    def filler_count(self) -> int:
        """Number of fillers heard."""
        return len(self.fillers)

    @property
    def long_pause_count(self) -> int:
        """Pauses of at least `long_pause_s`, dead air included."""
        return len(self.pauses)

    @property
    def dead_air_count(self) -> int:
        """Pauses of at least `dead_air_s`."""
        return sum(1 for p in self.pauses if p.dead_air)

    @property
    def longest_pause_s(self) -> float | None:
        """The longest pause, seconds (None: no long pause)."""
        return max((p.length_s for p in self.pauses), default=None)
