"""The small interfaces the loops depend on; adapters and fakes implement them.

Each protocol has one or two methods. `LoopParts` bundles the parts a practice session or a
call talks to, so the composition root (`app.py`) or a test can hand over real or fake ones.
Nothing here imports a heavy library.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import numpy as np

from simulator.audio.pcm import Block, Sound
from simulator.bank.model import Question
from simulator.scoring.result import BreachResult, Score
from simulator.speech.transcript import Transcript

if TYPE_CHECKING:
    from simulator.listen.endpoint import Endpointer
    from simulator.listen.recorder import AudioBuffer, Recording

TurnT = TypeVar("TurnT", contravariant=True)


class Voice(Protocol):
    """Turns text into audio, one sentence at a time, so playback can start early."""

    def render(self, text: str) -> Iterator[Sound]:
        """Yield the speech for `text` in order, usually one sound per sentence."""
        ...


class Player(Protocol):
    """Plays audio on a speaker and returns when it has finished playing."""

    def play(self, sound: Sound) -> None:
        """Play `sound` to the end (blocking)."""
        ...


class Speaker(Protocol):
    """Says text to the user; returns when the speech is finished."""

    def say(self, text: str, language: str) -> float | None:
        """Speak (or print) `text` in `language` ("zh" or "en").

        Returns:
            Seconds from the call to the first sound, or None when nothing was played.
        """
        ...


class AudioSource(Protocol):
    """Where answers come from: a microphone or recorded files."""

    def open_answer(self) -> Iterator[Block]:
        """Yield consecutive 30 ms blocks of one answer; closing the iterator releases it."""
        ...


class Transcriber(Protocol):
    """Speech to text."""

    def transcribe(self, audio: Block, language: str | None, context: str = "") -> Transcript:
        """Transcribe internal-format audio; `language` None means detect it.

        `context` is text heard earlier in the same answer (when transcribing in stretches).
        """
        ...


class TurnModel(Protocol):
    """The end-of-turn model, judging off the caller's thread (`turn_end.ModelWorker`)."""

    def submit(self, audio: Block) -> Future[float]:
        """Start judging `audio` (the speech so far); the result is P(finished), 0..1."""
        ...


class ListenView(Protocol):
    """What the screen shows while an answer is recorded (a level meter, elapsed time)."""

    def feed(self, audio: AudioBuffer, endpointer: Endpointer) -> None:
        """Called after each block, on the recorder's thread: must return at once."""
        ...

    def close(self) -> None:
        """The answer has ended: stop showing it."""
        ...


class SentenceEncoder(Protocol):
    """Sentences to unit vectors whose dot product is their similarity in meaning."""

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One row per text, each of unit length (or all zero when meaning is unavailable)."""
        ...


class Scorer(Protocol):
    """Judges an answer against a question's key points (`scoring.judge.Judge`)."""

    def score(self, text: str, question: Question) -> Score:
        """Score the answer `text` (as transcribed, punctuation kept)."""
        ...

    def bad_practice(self, text: str, language: str) -> tuple[BreachResult, ...]:
        """The generic bad practices said in `text` (a call turn)."""
        ...

    def relevance(self, text: str, language: str, topic: Sequence[str]) -> float:
        """How close in meaning `text` comes to a subject (0-1)."""
        ...


class RecordSink(Protocol[TurnT]):
    """Keeps the record as it happens: each answer's audio at once, each finished turn after
    (`records.store.SessionStore`, for practice turns and call turns alike)."""

    @property
    def folder(self) -> Path | None:
        """Where the record is kept (None: not on disk), for the spoken summary."""
        ...

    def save_answer(self, index: int, recording: Recording, label: str = "") -> Path | None:
        """Write the answer audio at once (before transcription); return its path."""
        ...

    def record_turn(self, turn: TurnT) -> None:
        """Persist a finished turn."""
        ...


class StopSignal:
    """Set from another thread (Enter pressed) to end the current answer early."""

    def __init__(self) -> None:
        self._set = False

    def set(self) -> None:
        """Request the current answer to end."""
        self._set = True

    def clear(self) -> None:
        """Forget an earlier request (called when an answer starts)."""
        self._set = False

    def __call__(self) -> bool:
        return self._set


@dataclass(frozen=True, kw_only=True)
class LoopParts:
    """The real or fake parts a practice session or a call talks to."""

    speaker: Speaker
    """The tool's own voice: questions and feedback; a call's briefing and scorecard."""
    source: AudioSource
    transcriber: Transcriber
    judge: Scorer
    """Scores practice answers; reads a call's turns for its branches and scorecard."""
    sink: RecordSink[Any] | None = None
    stop: StopSignal = field(default_factory=StopSignal)
    clock: Callable[[], float] = time.perf_counter
    on_listening: Callable[[], ListenView | None] | None = None
    """Called when the microphone opens for an answer; may return a view of the recording
    (the screen's level meter), closed when the answer ends."""
    on_busy: Callable[[str], Any] | None = None
    """Called with "transcribing" or "scoring"; returns a context manager held while that
    work runs (the screen's spinner)."""
    choose: Callable[[str], str] | None = None
    """After the feedback: shows the choice in that language and returns "retry", "model"
    or "next" (keys from the terminal); None: always the next question."""
    turn_model: TurnModel | None = None
    """The end-of-turn model (live answers; None: answers end on silence, end phrase, Enter)."""
    on_heard: Callable[[Transcript], None] | None = None
    """Called with each transcript before anything reacts to it (console echo)."""
