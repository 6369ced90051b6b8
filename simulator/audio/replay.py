"""Recorded answers in place of a microphone, for testers and headless runs.

Each `open_answer()` yields the next file's audio (converted at the edge to float32 mono
16 kHz) in 30 ms blocks, followed by enough silence for the endpointer to close the answer
the way it would live. With `paced=True` blocks are released in real time, for latency
benchmarks; otherwise replay runs as fast as the machine allows.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from simulator.audio.pcm import BLOCK_MS, BLOCK_SAMPLES, Block, blocks, read_audio
from simulator.errors import AnswersExhausted

TRAILING_SILENCE_S = 5.0
"""Silence appended after each file: more than the default `stop_s` (4.5 s, the bound that
holds a thinking pause), so a replayed answer ends on silence as a spoken one does."""


class WavReplaySource:
    """An `AudioSource` that plays a list of audio files, one per answer."""

    def __init__(self, files: Sequence[Path], *, paced: bool = False,
                 trailing_silence_s: float = TRAILING_SILENCE_S) -> None:
        self._files = list(files)
        self._next = 0
        self._paced = paced
        self._silence_blocks = int(trailing_silence_s * 1000 / BLOCK_MS)

    @property
    def current_file(self) -> Path | None:
        """The file the last `open_answer()` replayed."""
        return self._files[self._next - 1] if self._next else None

    def open_answer(self) -> Iterator[Block]:
        """Yield the next file's blocks, then trailing silence.

        Raises:
            AnswersExhausted: no files left (a call ends there).
            AudioFileError: the file cannot be read (names it).
        """
        if self._next >= len(self._files):
            raise AnswersExhausted("replay: no recorded answer left")
        path = self._files[self._next]
        self._next += 1
        audio = read_audio(path)
        return self._stream(audio)

    def _stream(self, audio: Block) -> Iterator[Block]:
        started = time.monotonic()
        count = 0
        silence = np.zeros(BLOCK_SAMPLES, dtype=np.float32)
        for block in _chain(blocks(audio), (silence for _ in range(self._silence_blocks))):
            if self._paced:
                due = started + count * BLOCK_MS / 1000
                delay = due - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
            count += 1
            yield block


def _chain(*iterables: Iterator[Block]) -> Iterator[Block]:
    for iterable in iterables:
        yield from iterable
