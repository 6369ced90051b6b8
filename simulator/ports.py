"""The small interfaces the session loop depends on; adapters and fakes implement them.

Each protocol has one or two methods. Nothing here imports a heavy library.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from simulator.audio.pcm import Block, Sound
from simulator.speech.transcript import Transcript


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
