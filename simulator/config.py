"""Option dataclasses for every part of the simulator, validated on construction.

`SimulatorConfig` is built once, by the CLI, and each component receives only its own
slice (`VadConfig` for the endpointer, `WhisperConfig` for the transcriber, ...).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulator.errors import ConfigError

if TYPE_CHECKING:
    from simulator.delivery import DeliveryConfig


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise ConfigError(message)


@dataclass(frozen=True, kw_only=True)
class VadConfig:
    """Energy-based voice-activity endpointing, counted in 30 ms blocks."""

    start_s: float = 0.15
    """Speech must last this long (seconds) before an answer counts as started."""
    stop_s: float = 1.5
    """Trailing silence (seconds) that ends an answer."""
    sentence_end_stop_s: float = 1.0
    """Shorter trailing silence that ends an answer when the streamed transcript ends a
    sentence (full stop, no "and"/"然后"/"um" at the end). Needs streaming transcription;
    at or above `stop_s` it never applies."""
    pre_roll_s: float = 0.5
    """Audio kept from before the detected start (seconds), so first syllables survive."""
    min_speech_dbfs: float = -50.0
    """Absolute floor: blocks quieter than this (dBFS RMS) are never speech."""
    margin_db: float = 12.0
    """A block is speech when it is this many dB above the tracked noise floor."""
    calibration_s: float = 0.3
    """The first this-many seconds after listening starts measure the background level."""

    def __post_init__(self) -> None:
        _check(0 < self.start_s <= 2, f"vad start_s must be in (0, 2], got {self.start_s}")
        _check(
            0.2 <= self.stop_s <= 10, f"--silence-s must be between 0.2 and 10, got {self.stop_s}"
        )
        _check(
            0.2 <= self.sentence_end_stop_s <= 10,
            f"--sentence-end-silence-s must be between 0.2 and 10, got {self.sentence_end_stop_s}",
        )
        _check(
            0 <= self.pre_roll_s <= 3, f"vad pre_roll_s must be in [0, 3], got {self.pre_roll_s}"
        )
        _check(self.margin_db > 0, f"vad margin_db must be > 0, got {self.margin_db}")
        _check(0 <= self.calibration_s <= 2, "vad calibration_s must be in [0, 2]")


@dataclass(frozen=True, kw_only=True)
class LimitsConfig:
    """When an answer ends regardless of the endpointer."""

    max_answer_s: float = 180.0
    """Longest answer recorded (seconds)."""
    no_speech_timeout_s: float = 12.0
    """Give up waiting for the answer to start after this many seconds."""

    def __post_init__(self) -> None:
        _check(
            1 <= self.max_answer_s <= 3600,
            f"--max-answer-s must be between 1 and 3600, got {self.max_answer_s}",
        )
        _check(
            1 <= self.no_speech_timeout_s <= 600,
            f"--no-speech-timeout-s must be between 1 and 600, got {self.no_speech_timeout_s}",
        )


@dataclass(frozen=True, kw_only=True)
class WhisperConfig:
    """Speech recognition with faster-whisper."""

    model: str = "base"
    """"base" (the bundled model), a local CTranslate2 folder, or a model name to download."""
    allow_download: bool = False
    """Only true when the user named a non-bundled model on the command line."""
    cache_dir: Path | None = None
    """Where the bundled model is assembled; None means the user cache folder."""
    compute_type: str = "int8"
    device: str = "cpu"
    cpu_threads: int = 0
    """0 means one per core."""
    beam_size: int = 5
    no_speech_threshold: float = 0.6
    """Segments whose no-speech probability exceeds this (with low log-probability) are dropped."""
    vad_filter: bool = True
    """Run faster-whisper's bundled Silero VAD before decoding (stops silence hallucinations)."""

    def __post_init__(self) -> None:
        _check(bool(self.model.strip()), "--model must not be empty")
        _check(
            self.compute_type
            in {"int8", "int8_float32", "float32", "float16", "int8_float16", "default"},
            f"unknown --compute-type {self.compute_type!r}",
        )
        _check(self.cpu_threads >= 0, f"cpu_threads must be >= 0, got {self.cpu_threads}")
        _check(1 <= self.beam_size <= 10, f"--beam-size must be 1..10, got {self.beam_size}")


@dataclass(frozen=True, kw_only=True)
class StreamingConfig:
    """Transcribing an answer in stretches while it is still being spoken."""

    enabled: bool = True
    """False transcribes the whole answer after it ends (slower feedback, same text)."""
    pause_s: float = 0.45
    """A pause at least this long may close a stretch."""
    min_stretch_s: float = 6.0
    """Stretches shorter than this are not committed (short pieces lose context); they are
    transcribed speculatively as the answer's possible tail."""
    use_context: bool = False
    """Give Whisper the earlier stretches' text as its prompt. Off: measured, a prompt made
    each stretch's decoding several times slower (docs/turnaround.md), so the stretches fell
    behind the speaker; cuts fall in pauses, so stretches read well without it."""

    def __post_init__(self) -> None:
        _check(
            0.2 <= self.pause_s < 5, f"streaming pause_s must be in [0.2, 5), got {self.pause_s}"
        )
        _check(
            1 <= self.min_stretch_s <= 60,
            f"streaming min_stretch_s must be in [1, 60], got {self.min_stretch_s}",
        )


@dataclass(frozen=True, kw_only=True)
class ScoringConfig:
    """Thresholds for matching key-point cues in a transcript (all in one place)."""

    fuzzy_threshold: float = 85.0
    """Match strength (0-100, see scoring/matching.py) at which a cue counts as heard:
    exact 100, split word or inflection 90-95, same sound 88-95."""
    partial_credit_threshold: float = 70.0
    """Below the full threshold but above this (a long cue with one syllable or word
    missing, strength 75), a cue earns half credit for its point."""
    critical_cap: float = 0.5
    """If a critical key point is missed, the score is capped at this fraction of the points."""
    min_answer_chars: int = 6
    """Normalised answers shorter than this (characters) score zero."""

    def __post_init__(self) -> None:
        for name in ("fuzzy_threshold", "partial_credit_threshold"):
            value = getattr(self, name)
            _check(0 < value <= 100, f"scoring {name} must be in (0, 100], got {value}")
        _check(
            self.partial_credit_threshold <= self.fuzzy_threshold,
            "scoring partial_credit_threshold must not exceed fuzzy_threshold",
        )
        _check(0 <= self.critical_cap <= 1, "scoring critical_cap must be in [0, 1]")


@dataclass(frozen=True, kw_only=True)
class SessionConfig:
    """What to ask and where to keep the record."""

    bank: str = "cs-zh"
    """Bank id or path."""
    question_ids: tuple[str, ...] = ()
    """Ask exactly these questions, in this order (empty: use the selection below)."""
    section: str | None = None
    count: int = 3
    """How many questions when none are named."""
    seed: int | None = None
    """Pick questions at random with this seed; None asks them in bank order."""
    sessions_dir: Path = field(default_factory=lambda: Path("sessions"))
    script: str = "simplified"
    """"simplified" or "traditional": the characters prompts and feedback are shown in."""
    resume_dir: Path | None = None
    """Continue this earlier session folder instead of starting a new one."""

    def __post_init__(self) -> None:
        _check(1 <= self.count <= 500, f"--count must be between 1 and 500, got {self.count}")
        _check(
            self.script in {"simplified", "traditional"},
            f"--script must be simplified or traditional, got {self.script!r}",
        )


@dataclass(frozen=True, kw_only=True)
class AudioConfig:
    """Devices and voices."""

    input_device: str | None = None
    """Microphone name or index as `interview-sim devices` lists it; None: system default."""
    output_device: str | None = None
    voice: str = "auto"
    """"auto" (Kokoro for Mandarin when installed, else eSpeak NG), "kokoro", "espeak", "none"."""
    device_timeout_s: float = 5.0
    """A microphone that delivers nothing for this long is reported as lost."""

    def __post_init__(self) -> None:
        _check(
            self.voice in {"auto", "kokoro", "espeak", "none"},
            f"--voice must be auto, kokoro, espeak or none, got {self.voice!r}",
        )


@dataclass(frozen=True, kw_only=True)
class SimulatorConfig:
    """Everything, composed of the slices above."""

    session: SessionConfig = field(default_factory=SessionConfig)
    audio: AudioConfig = field(default_factory=AudioConfig)
    vad: VadConfig = field(default_factory=VadConfig)
    limits: LimitsConfig = field(default_factory=LimitsConfig)
    whisper: WhisperConfig = field(default_factory=WhisperConfig)
    streaming: StreamingConfig = field(default_factory=StreamingConfig)
    scoring: ScoringConfig = field(default_factory=ScoringConfig)
    delivery: DeliveryConfig = field(default_factory=lambda: _delivery_config())


def _delivery_config() -> Any:
    # DeliveryConfig lives with the delivery metrics; imported here lazily to avoid a cycle.
    from simulator.delivery import DeliveryConfig

    return DeliveryConfig()
