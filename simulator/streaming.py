"""Transcribe an answer while it is being spoken, so only the tail is left when it ends.

`IncrementalTranscription` watches the recorder's blocks and the endpointer. Whenever the
speaker pauses (`pause_s`) after at least `min_stretch_s` of new audio, the stretch up to
the middle of the pause is handed to a single worker thread, which transcribes stretches
in order (optionally with the text before it as context: off by default, see
`StreamingConfig.use_context`). When the answer ends only the audio
after the last cut remains to be transcribed. Cuts fall inside pauses, never inside a
word, so the joined text matches a whole-answer transcription closely (measured in
docs/turnaround.md).
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np

from simulator.audio.endpoint import Endpointer
from simulator.audio.pcm import SAMPLE_RATE_HZ, Block
from simulator.config import StreamingConfig
from simulator.ports import Transcriber
from simulator.text import normalise
from simulator.transcript import Transcript, Word

_LOGGER = logging.getLogger(__name__)


class IncrementalTranscription:
    """A recorder observer that transcribes stretches of one answer in the background."""

    def __init__(self, transcriber: Transcriber, language: str, config: StreamingConfig) -> None:
        self._transcriber = transcriber
        self._language = language
        self._pause_samples = int(config.pause_s * SAMPLE_RATE_HZ)
        self._min_stretch_samples = int(config.min_stretch_s * SAMPLE_RATE_HZ)
        self._use_context = config.use_context
        self._blocks: list[Block] = []
        self._num_samples = 0
        self._last_cut = 0
        self._cut_at_speech_end: int | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="stt-stream")
        self._pending: list[tuple[int, Future[Transcript]]] = []
        self._context = ""
        self.compute_s = 0.0
        """Total seconds spent transcribing stretches (on the worker)."""

    def feed(self, block: Block, endpointer: Endpointer) -> None:
        """Take the next block (already given to the endpointer)."""
        self._blocks.append(block)
        self._num_samples += len(block)
        speech_end = endpointer.speech_end_sample
        if (speech_end is None or speech_end == self._cut_at_speech_end
                or self._num_samples - speech_end < self._pause_samples
                or speech_end - self._last_cut < self._min_stretch_samples):
            return
        cut = speech_end + (self._num_samples - speech_end) // 2
        self._submit(self._last_cut, cut)
        self._last_cut = cut
        self._cut_at_speech_end = speech_end

    def finish(self, offset_samples: int, speech_end_sample: int | None) -> Transcript:
        """Transcribe what is left and join all stretches.

        Args:
            offset_samples: where the kept recording starts in the stream (pre-roll trim);
                word times are made relative to it.
            speech_end_sample: where the last speech ended in the stream (None: no speech).

        Returns:
            The whole answer's transcript; `transcribe_s` is the time spent after the answer
            ended (the part the user waits for).
        """
        started = time.perf_counter()
        if speech_end_sample is not None and speech_end_sample > self._last_cut:
            self._submit(self._last_cut, self._num_samples)
        parts = [(start, future.result()) for start, future in self._pending]
        self._executor.shutdown(wait=True)
        waited_s = time.perf_counter() - started
        return _join(parts, self._language, offset_samples, waited_s,
                     self._num_samples - offset_samples)

    def close(self) -> None:
        """Abandon pending work (the answer was discarded)."""
        self._executor.shutdown(wait=False, cancel_futures=True)

    def _submit(self, start: int, end: int) -> None:
        audio = np.concatenate(self._blocks)[start:end] if self._blocks else np.zeros(0, np.float32)
        _LOGGER.debug("stretch %.2f-%.2f s submitted", start / SAMPLE_RATE_HZ, end / SAMPLE_RATE_HZ)
        self._pending.append((start, self._executor.submit(self._transcribe, audio)))

    def _transcribe(self, audio: Block) -> Transcript:
        # Runs on the single worker thread, in submission order, so the context is the
        # text of every earlier stretch.
        started = time.perf_counter()
        context = self._context if self._use_context else ""
        result = self._transcriber.transcribe(audio, self._language, context=context)
        self._context = _join_text([self._context, result.text], self._language)
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
