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

The transcript of the pause-ending piece also tells the recorder whether the answer
sounds finished (`sounds_finished`): a sentence that ends with a full stop and not with a
word that announces more ("然后", "and", "um") lets the answer end after a shorter silence.
"""

from __future__ import annotations

import bisect
import logging
import re
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from simulator.audio.pcm import SAMPLE_RATE_HZ, Block
from simulator.config import StreamingConfig
from simulator.listen.endpoint import Endpointer
from simulator.ports import Transcriber
from simulator.speech.transcript import Transcript, Word
from simulator.text.normalise import normalise, to_simplified

_LOGGER = logging.getLogger(__name__)

_SENTENCE_END = "。！？.!?…"
# Words after which a speaker is about to say more: conjunctions, list openers, fillers.
_CONTINUES_ZH = ("然后", "还有", "就是", "因为", "所以", "但是", "可是", "而且", "并且", "或者",
                 "比如", "例如", "如果", "那么", "首先", "其次", "另外", "第一", "第二", "第三",
                 "嗯", "呃", "啊", "那个", "这个", "的话", "和", "跟", "以及", "包括", "是")
_CONTINUES_EN = frozenset(("and", "but", "so", "because", "or", "then", "also", "like", "um",
                           "uh", "er", "the", "a", "an", "to", "of", "with", "if", "that",
                           "firstly", "secondly", "is", "are", "i", "we"))
_TRAILING_PUNCTUATION_RE = re.compile(r"[\s。！？.!?…，,、；;：:\"'”’」』)）]+$")


def ends_sentence(text: str, language: str) -> bool:
    """Whether `text` (the last thing heard) sounds like the end of what the speaker meant.

    True when it ends with sentence-final punctuation and its last word does not announce
    more (a conjunction, a list opener or a filler). Whisper writes the full stop from the
    intonation it heard, so it is the acoustic half of the judgement; the word list is
    the lexical half.
    """
    stripped = (to_simplified(text) if language == "zh" else text).rstrip()
    if not stripped or stripped[-1] not in _SENTENCE_END:
        return False
    body = _TRAILING_PUNCTUATION_RE.sub("", stripped)
    if not body:
        return False
    if language == "zh":
        return not body.endswith(_CONTINUES_ZH)
    last_word = re.split(r"[^\w']+", body.lower())[-1]
    return last_word not in _CONTINUES_EN


@dataclass
class _Piece:
    """Audio `start`..`cut` (stream samples) handed to the worker."""

    start: int
    cut: int
    result: Future[Transcript]


class IncrementalTranscription:
    """A recorder observer that transcribes one answer in the background as it is spoken."""

    def __init__(self, transcriber: Transcriber, language: str, config: StreamingConfig) -> None:
        self._transcriber = transcriber
        self._language = language
        self._pause_samples = int(config.pause_s * SAMPLE_RATE_HZ)
        self._min_stretch_samples = int(config.min_stretch_s * SAMPLE_RATE_HZ)
        self._use_context = config.use_context
        self._blocks: list[Block] = []
        self._block_starts: list[int] = []
        """Stream sample where each block starts (to slice a piece without copying it all)."""
        self._num_samples = 0
        self._last_cut = 0
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="stt-stream")
        self._committed: list[_Piece] = []
        self._tail: _Piece | None = None
        """The speculative last piece, if the latest pause was too early to commit a cut."""
        self._latest: _Piece | None = None
        """The piece submitted last (the worker is idle once it is done)."""
        self._at_pause: tuple[int, _Piece] | None = None
        """(speech end, piece whose text ends at that pause): for `sounds_finished`."""
        self.compute_s = 0.0
        """Total seconds spent transcribing on the worker (speculative pieces included)."""

    def feed(self, block: Block, endpointer: Endpointer) -> None:
        """Take the next block (already given to the endpointer)."""
        self._blocks.append(block)
        self._block_starts.append(self._num_samples)
        self._num_samples += len(block)
        speech_end = endpointer.speech_end_sample
        if (speech_end is None
                or (self._at_pause is not None and self._at_pause[0] == speech_end)
                or self._num_samples - speech_end < self._pause_samples
                or speech_end <= self._last_cut):
            return
        commit = speech_end - self._last_cut >= self._min_stretch_samples
        if not commit and self._latest is not None and not self._latest.result.done():
            # A guess never queues behind other work: it would delay the real tail if the
            # speaker goes on. Asked again with the next block of this pause.
            return
        cut = speech_end + (self._num_samples - speech_end) // 2
        piece = self._submit(self._last_cut, cut)
        if self._tail is not None:
            self._tail.result.cancel()  # the speaker went on: that tail was not the end
        if commit:
            self._committed.append(piece)
            self._last_cut, self._tail = cut, None
        else:
            self._tail = piece
        self._at_pause = (speech_end, piece)

    def sounds_finished(self, endpointer: Endpointer, wait: bool = False) -> bool | None:
        """Whether the speech so far ends a sentence, judged on the last piece's text.

        Returns None while that text is not ready yet (unless `wait`) or its piece is still
        waiting for the worker, so a live recorder keeps listening instead of stalling;
        False when the pause is shorter than `pause_s` (nothing was handed over).
        """
        speech_end = endpointer.speech_end_sample
        if self._at_pause is None or self._at_pause[0] != speech_end:
            # Not judged yet: a guess waits for an idle worker (None: ask again), or the
            # pause is too short to have been handed over (False).
            waiting = (speech_end is not None and speech_end > self._last_cut
                       and self._num_samples - speech_end >= self._pause_samples)
            return None if waiting else False
        result = self._at_pause[1].result
        if not wait and not result.done():
            return None
        return ends_sentence(result.result().text, self._language)

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
            pieces.append(self._submit(self._last_cut, self._num_samples))
        parts = [(piece.start, piece.result.result()) for piece in pieces]
        self._executor.shutdown(wait=True)
        waited_s = time.perf_counter() - started
        return _join(parts, self._language, offset_samples, waited_s,
                     self._num_samples - offset_samples)

    def close(self) -> None:
        """Abandon pending work (the answer was discarded)."""
        self._executor.shutdown(wait=False, cancel_futures=True)

    def _submit(self, start: int, end: int) -> _Piece:
        first = max(0, bisect.bisect_right(self._block_starts, start) - 1)
        audio = (np.concatenate(self._blocks[first:])[start - self._block_starts[first]:
                                                       end - self._block_starts[first]]
                 if self._blocks else np.zeros(0, np.float32))
        _LOGGER.debug("piece %.2f-%.2f s submitted", start / SAMPLE_RATE_HZ, end / SAMPLE_RATE_HZ)
        earlier = list(self._committed)
        self._latest = _Piece(start, end, self._executor.submit(self._transcribe, audio, earlier))
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
