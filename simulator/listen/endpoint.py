"""Voice-activity endpointing: decide, block by block, when an answer starts and ends.

Pure logic, no I/O: `Endpointer.process(block)` is fed consecutive 30 ms blocks and keeps
a four-state machine (QUIET -> STARTING -> SPEAKING -> STOPPING -> QUIET) with hysteresis.
A block is speech when its RMS level is above an absolute floor and a margin above the
tracked background level. Time is counted in samples, never read from a clock, so a
replayed file gives the same result every time and replay runs faster than real time.
"""

from __future__ import annotations

import math
from enum import Enum

import numpy as np

from simulator.audio.pcm import BLOCK_SAMPLES, SAMPLE_RATE_HZ, Block
from simulator.config import VadConfig

_SILENCE_DBFS = -100.0
"""Level used for digital silence (log of zero)."""
_MAX_CALIBRATED_FLOOR_DBFS = -40.0
"""Calibration never sets the background above this: someone who starts talking the instant
the microphone opens must not be mistaken for the room."""
_NOISE_RISE_PER_S = 6.0
"""How fast (dB per second) the background estimate may rise towards louder non-speech."""


class VadState(Enum):
    """Where the endpointer is in an answer."""

    QUIET = "quiet"
    STARTING = "starting"
    SPEAKING = "speaking"
    STOPPING = "stopping"


class Endpointer:
    """Tracks speech start and end over a stream of equal-size blocks.

    Attributes are read after each `process()` call: `state`, `started` (the answer has
    begun), `ended` (trailing silence reached `stop_s` after speech), and the sample
    positions of the first and last speech block.
    """

    def __init__(self, config: VadConfig, block_samples: int = BLOCK_SAMPLES) -> None:
        self._config = config
        self._block_samples = block_samples
        self._start_blocks = max(1, math.ceil(config.start_s * SAMPLE_RATE_HZ / block_samples))
        self._stop_blocks = max(1, math.ceil(config.stop_s * SAMPLE_RATE_HZ / block_samples))
        self._rise_db_per_block = _NOISE_RISE_PER_S * block_samples / SAMPLE_RATE_HZ
        self.state = VadState.QUIET
        self.noise_floor_dbfs = config.min_speech_dbfs - config.margin_db
        self.num_samples = 0
        """Samples processed so far."""
        self.speech_start_sample: int | None = None
        """Sample index where the answer's speech began (start of the first speech block)."""
        self.speech_end_sample: int | None = None
        """Sample index just after the most recent speech block."""
        self.ended = False
        self._run = 0  # consecutive speech blocks (STARTING) or silent blocks (STOPPING)
        self._calibration_blocks = math.ceil(config.calibration_s * SAMPLE_RATE_HZ / block_samples)
        self._calibration_levels: list[float] = []
        self._candidate_start = 0

    @property
    def started(self) -> bool:
        """True once speech has lasted `start_s`."""
        return self.speech_start_sample is not None

    @property
    def trailing_silence_s(self) -> float:
        """Seconds since the last speech block (0 before speech started)."""
        if self.speech_end_sample is None:
            return 0.0
        return (self.num_samples - self.speech_end_sample) / SAMPLE_RATE_HZ

    def threshold_dbfs(self) -> float:
        """Current speech threshold: the higher of the absolute floor and noise + margin."""
        return max(self._config.min_speech_dbfs, self.noise_floor_dbfs + self._config.margin_db)

    def is_speech(self, level_dbfs: float) -> bool:
        """Whether a block at this level counts as speech now."""
        return level_dbfs > self.threshold_dbfs()

    def process(self, block: Block) -> VadState:
        """Feed the next block; returns the new state."""
        level = _level_dbfs(block)
        if len(self._calibration_levels) < self._calibration_blocks:
            # The first moments after the microphone opens measure the room, not the answer.
            self._calibration_levels.append(level)
            self.noise_floor_dbfs = min(float(np.median(self._calibration_levels)),
                                        _MAX_CALIBRATED_FLOOR_DBFS)
            self.num_samples += len(block)
            return self.state
        speech = self.is_speech(level)
        if not speech:
            self._track_noise(level)
        block_start = self.num_samples
        self.num_samples += len(block)
        if self.state is VadState.QUIET:
            if speech:
                self.state, self._run = VadState.STARTING, 1
                self._candidate_start = block_start
        elif self.state is VadState.STARTING:
            if speech:
                self._run += 1
            else:
                self.state, self._run = VadState.QUIET, 0
        elif self.state is VadState.SPEAKING:
            if not speech:
                self.state, self._run = VadState.STOPPING, 1
        elif self.state is VadState.STOPPING:
            if speech:
                self.state, self._run = VadState.SPEAKING, 0
            else:
                self._run += 1
        if self.state is VadState.STARTING and self._run >= self._start_blocks:
            self.state = VadState.SPEAKING
            if self.speech_start_sample is None:
                self.speech_start_sample = self._candidate_start
        if speech and self.state is VadState.SPEAKING:
            self.speech_end_sample = self.num_samples
        if self.state is VadState.STOPPING and self._run >= self._stop_blocks:
            self.state, self._run = VadState.QUIET, 0
            self.ended = True
        return self.state

    def _track_noise(self, level: float) -> None:
        # Fall at once to a quieter background; rise slowly, so speech never becomes "noise".
        if level < self.noise_floor_dbfs:
            self.noise_floor_dbfs = level
        else:
            self.noise_floor_dbfs = min(level, self.noise_floor_dbfs + self._rise_db_per_block)


def _level_dbfs(block: Block) -> float:
    if len(block) == 0:
        return _SILENCE_DBFS
    rms = float(np.sqrt(np.mean(np.square(block, dtype=np.float64))))
    return 20.0 * math.log10(rms) if rms > 1e-5 else _SILENCE_DBFS
