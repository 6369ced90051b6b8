"""A session's memory does not grow with every answer (issue 15).

The 200-answer soak grew 1.3 MB per answer (456 to 710 MB; 2.4 MB per answer on today's
fixtures). tracemalloc found it: every finished turn kept its `Recording.audio`, a view
into the recorder's whole buffer (30 s of capacity, 1.9 MB, more once doubled), for the rest
of the session. Now the recording is copied to its own length when it ends, and the session
keeps each turn without its samples (they are in the WAV). Python-level growth is measured
here with a scripted transcriber (no model, fast); `scripts/soak_replay.py` measures the
whole process with the real one.
"""

from __future__ import annotations

import gc
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np

from simulator.app import practice_settings
from simulator.audio.pcm import blocks
from simulator.audio.replay import WavReplaySource
from simulator.bank.loader import resolve_bank
from simulator.config import LimitsConfig, SimulatorConfig, VadConfig
from simulator.listen.recorder import record_answer
from simulator.ports import LoopParts
from simulator.practice.session import run_session
from tests.fakes import ScriptedTranscriber, real_judge, silence, tone

ROOT = Path(__file__).resolve().parents[2]
FILES = [ROOT / "audio_fixtures" / name for name in
         ("zh-1-short.wav", "zh-1-partial.wav", "zh-12-strong.wav", "zh-16-partial.wav")]


class _Silent:
    def say(self, text: str, language: str) -> float | None:
        return None


class _MeasuringSink:
    """Saves nothing; reads traced memory after chosen answers."""

    folder = None

    def __init__(self, marks: tuple[int, ...]) -> None:
        self._marks = marks
        self.answers = 0
        self.traced: dict[int, int] = {}

    def save_answer(self, index: int, recording: Any, label: str = "") -> None:
        return None

    def record_turn(self, turn: Any) -> None:
        self.answers += 1
        if self.answers in self._marks:
            gc.collect()
            self.traced[self.answers] = tracemalloc.get_traced_memory()[0]


def test_memory_per_answer_stays_under_a_tenth_of_a_megabyte() -> None:
    """48 answers through the loop: traced memory grows < 0.1 MB per answer after answer 8."""
    answers = 48
    question = resolve_bank("cs-zh").questions[0]
    files = [FILES[i % len(FILES)] for i in range(answers)]
    sink = _MeasuringSink((8, answers))
    parts = LoopParts(speaker=_Silent(), source=WavReplaySource(files),
                      transcriber=ScriptedTranscriber(["我会先道歉，然后马上处理。"] * answers),
                      judge=real_judge(), sink=sink)
    settings = practice_settings(SimulatorConfig(), live=False)
    parts.judge.warm_up([question])  # the judge's models load before measuring
    tracemalloc.start()
    try:
        result = run_session([question] * answers, parts, settings)
    finally:
        tracemalloc.stop()
    assert len(result.turns) == answers
    growth_mb = (sink.traced[answers] - sink.traced[8]) / 1e6 / (answers - 8)
    assert growth_mb < 0.1, f"{growth_mb:.2f} MB per answer"
    assert all(t.answer.recording.duration_s > 0 for t in result.turns), "durations survive"


def test_a_recording_holds_only_its_own_samples() -> None:
    """A 2 s answer keeps 2-odd seconds of samples, not the recorder's 30 s buffer."""
    audio = np.concatenate([silence(0.3), tone(2.0), silence(2.0)])
    recording = record_answer(blocks(audio), VadConfig(), LimitsConfig())
    assert recording.audio.base is None or recording.audio.base.nbytes == recording.audio.nbytes
    assert recording.audio.nbytes < 5 * 16_000 * 4
    kept = recording.without_audio()
    assert len(kept.audio) == 0 and kept.duration_s == recording.duration_s
    assert kept.trailing_silence_s == recording.trailing_silence_s
