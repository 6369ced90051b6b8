"""Transcribe an answer while it is being spoken, so nothing is left when it ends.

`IncrementalTranscription` watches the recorder's blocks and the endpointer. Every time the
speaker pauses (`pause_s`), the audio since the last cut, up to the middle of the pause, is
handed to a single worker thread:

* after at least `min_stretch_s` of new audio the cut is *committed*: that stretch is part
  of the answer whatever comes next;
* a shorter piece is transcribed *speculatively*, as the answer's possible tail, when the
  worker is idle. If the speaker goes on, the result is dropped and the audio joins the
  next stretch; if the answer ends here, the tail is (being) transcribed already, about
  `stop_s - pause_s` seconds before the endpointer would have asked for it.

The worker transcribes in submission order (optionally with the committed text as
context: off by default, see `StreamingConfig.use_context`). Cuts fall inside pauses, never
inside a word, so the joined text matches a whole-answer transcription closely (measured
in docs/turnaround.md).

The text of the pause-ending piece is also what the turn-end policy judges
(`text_at_pause`, `turn_end.SentenceEndPolicy`): a finished sentence lets the answer end
after a shorter silence. The audio itself is read from the recorder's buffer, never copied
whole.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from simulator.audio.pcm import SAMPLE_RATE_HZ, Block
from simulator.config import StreamingConfig
from simulator.listen.endpoint import Endpointer
from simulator.listen.recorder import AudioBuffer
from simulator.ports import Transcriber
from simulator.speech.transcript import Transcript, Word
from simulator.text.normalise import normalise

_LOGGER = logging.getLogger(__name__)


@dataclass
class _Piece:
    """Audio `start`..`cut` (stream samples) handed to the worker."""

    start: int
    cut: int
    pause_end: int | None
    """The speech end of the pause the piece was cut in (None: cut when the answer ended)."""
    result: Future[Transcript]


class IncrementalTranscription:
    """A recorder observer that transcribes one answer in the background as it is spoken."""

    def __init__(self, transcriber: Transcriber, language: str, config: StreamingConfig) -> None:
        self._transcriber = transcriber
        self._language = language
        self._pause_samples = int(config.pause_s * SAMPLE_RATE_HZ)
        self._min_stretch_samples = int(config.min_stretch_s * SAMPLE_RATE_HZ)
        self._use_context = config.use_context
        self._audio: AudioBuffer | None = None
        """The recorder's buffer: pieces are sliced from it, never copied whole."""
        self._last_cut = 0
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="stt-stream")
        self._committed: list[_Piece] = []
        self._tail: _Piece | None = None
        """The speculative last piece, if the latest pause was too early to commit a cut."""
        self._latest: _Piece | None = None
        """The piece submitted last: the one whose text ends at the latest pause handed over
        (and the worker is idle once it is done)."""
        self.compute_s = 0.0
        """Total seconds spent transcribing on the worker (speculative pieces included)."""

    @property
    def _num_samples(self) -> int:
        return len(self._audio) if self._audio is not None else 0

    def feed(self, audio: AudioBuffer, endpointer: Endpointer) -> None:
        """Look at the recording after its latest block (already given to the endpointer)."""
        self._audio = audio
        speech_end = endpointer.speech_end_sample
        if (speech_end is None
                or (self._latest is not None and self._latest.pause_end == speech_end)
                or self._num_samples - speech_end < self._pause_samples
                or speech_end <= self._last_cut):
            return
        commit = speech_end - self._last_cut >= self._min_stretch_samples
        if not commit and self._latest is not None and not self._latest.result.done():
            # A guess never queues behind other work: it would delay the real tail if the
            # speaker goes on. Asked again with the next block of this pause.
            return
        cut = speech_end + (self._num_samples - speech_end) // 2
        piece = self._submit(self._last_cut, cut, pause_end=speech_end)
        if self._tail is not None:
            self._tail.result.cancel()  # the speaker went on: that tail was not the end
        if commit:
            self._committed.append(piece)
            self._last_cut, self._tail = cut, None
        else:
            self._tail = piece

    def text_at_pause(self, speech_end: int, wait: bool = False) -> str | None:
        """What was heard up to the pause that began at `speech_end` (stream samples).

        Returns None while that is not known yet: the piece is still being transcribed
        (unless `wait`), or a guess waits for the busy worker; a live recorder keeps
        listening instead of stalling. Returns "" when no piece ends in that pause (it is
        shorter than `pause_s`, or falls before the last cut): nothing will be known.
        """
        latest = self._latest
        if latest is None or latest.pause_end != speech_end:
            waiting = (speech_end > self._last_cut
                       and self._num_samples - speech_end >= self._pause_samples)
            return None if waiting else ""
        if not wait and not latest.result.done():
            return None
        return latest.result.result().text

    def finish(self, offset_samples: int, speech_end_sample: int | None) -> Transcript:
        """Transcribe what is left (usually nothing) and join all pieces.

        Args:
            offset_samples: where the kept recording starts in the stream (pre-roll trim);
                word times are made relative to it.
            speech_end_sample: where the last speech ended in the stream (None: no speech).

        Returns:
            The whole answer's transcript; `transcribe_s` is the time spent after the answer
            ended (the part the user waits for).
        """
        started = time.perf_counter()
        pieces = list(self._committed)
        if self._tail is not None and (speech_end_sample or 0) <= self._tail.cut:
            pieces.append(self._tail)  # the speculative tail was the end after all
        elif speech_end_sample is not None and speech_end_sample > self._last_cut:
            if self._tail is not None:
                self._tail.result.cancel()
            pieces.append(self._submit(self._last_cut, self._num_samples, pause_end=None))
        parts = [(piece.start, piece.result.result()) for piece in pieces]
        self._executor.shutdown(wait=True)
        waited_s = time.perf_counter() - started
        return _join(parts, self._language, offset_samples, waited_s,
                     self._num_samples - offset_samples)

    def close(self) -> None:
        """Abandon pending work (the answer was discarded)."""
        self._executor.shutdown(wait=False, cancel_futures=True)

    def _submit(self, start: int, end: int, pause_end: int | None) -> _Piece:
        audio = (self._audio.slice(start, end) if self._audio is not None
                 else np.zeros(0, np.float32))
        _LOGGER.debug("piece %.2f-%.2f s submitted", start / SAMPLE_RATE_HZ, end / SAMPLE_RATE_HZ)
        earlier = list(self._committed)
        self._latest = _Piece(start, end, pause_end,
                              self._executor.submit(self._transcribe, audio, earlier))
        return self._latest

    def _transcribe(self, audio: Block, earlier: list[_Piece]) -> Transcript:
        # Runs on the single worker thread in submission order: every committed piece
        # before this one is done, so its text can serve as context.
        started = time.perf_counter()
        context = (_join_text([p.result.result().text for p in earlier], self._language)
                   if self._use_context else "")
        result = self._transcriber.transcribe(audio, self._language, context=context)
        self.compute_s += time.perf_counter() - started
        return result


def _join_text(texts: list[str], language: str) -> str:
    parts = [t.strip() for t in texts if t.strip()]
    return ("" if language == "zh" else " ").join(parts)


def _join(parts: list[tuple[int, Transcript]], language: str, offset_samples: int,
          waited_s: float, num_samples: int) -> Transcript:
    text = _join_text([t.text for _, t in parts], language)
    words = tuple(
        Word(text=w.text, start_s=w.start_s + (start - offset_samples) / SAMPLE_RATE_HZ,
             end_s=w.end_s + (start - offset_samples) / SAMPLE_RATE_HZ, probability=w.probability)
        for start, t in parts for w in t.words)
    rejected = tuple(r for _, t in parts for r in t.rejected)
    detected = next((t.language for _, t in parts if t.language), language)
    return Transcript(text=text, normalised=normalise(text), language=detected, words=words,
                      audio_s=num_samples / SAMPLE_RATE_HZ, transcribe_s=waited_s,
                      rejected=rejected)
