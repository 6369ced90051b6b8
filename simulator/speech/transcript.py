"""What the recogniser heard: text, normalised text and word timings."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Word:
    """One recognised word (or character group for Mandarin) with its timing."""

    text: str
    start_s: float
    """Seconds from the start of the answer."""
    end_s: float
    probability: float = 1.0


@dataclass(frozen=True)
class Transcript:
    """The result of transcribing one answer. An empty `text` means nothing was said."""

    text: str
    """The recogniser's text, as it came out (minus rejected hallucinations)."""
    normalised: str
    """`text` normalised for scoring (simplified script, no punctuation, digits)."""
    language: str
    """Language the text is in ("zh", "en")."""
    words: tuple[Word, ...] = field(default=())
    audio_s: float = 0.0
    """Length of the audio that was transcribed, in seconds."""
    transcribe_s: float = 0.0
    """Wall-clock time the transcription took, in seconds."""
    rejected: tuple[str, ...] = field(default=())
    """Segments dropped as silence or hallucination, with the reason, for the record."""

    @property
    def is_empty(self) -> bool:
        """True when nothing was understood."""
        return not self.normalised.strip()
