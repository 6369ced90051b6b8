"""Record one answer from an audio source, ending it the way a listener would.

`record_answer` pulls 30 ms blocks from a source into one growing buffer and stops when the
endpointer hears `stop_s` of trailing silence after speech (the upper bound), when the
turn-end policy says the answer is over sooner (the end-of-turn model and the text agree,
or an end phrase such as "我说完了" was heard: `turn_end.py`), when the user presses
Enter, when the answer reaches `max_answer_s`, when nobody has started speaking within
`no_speech_timeout_s`, or when the source runs out. Every limit is counted in samples, so
live and replayed audio run the same code and replay is deterministic.

The audio is held once, in the recorder's `AudioBuffer`; an observer (streaming
transcription) reads the pieces it needs from that buffer instead of keeping a copy.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Protocol

import numpy as np

from simulator.audio.pcm import SAMPLE_RATE_HZ, Block
from simulator.config import LimitsConfig, VadConfig
from simulator.errors import AudioDeviceError
from simulator.listen.endpoint import Endpointer

_LOGGER = logging.getLogger(__name__)
_INITIAL_CAPACITY_SAMPLES = 30 * SAMPLE_RATE_HZ


class EndReason(StrEnum):
    """Why recording stopped."""

    SILENCE = "silence"
    """Trailing silence after speech (the normal case)."""
    SENTENCE_END = "sentence_end"
    """A shorter trailing silence after speech judged finished (the end-of-turn model, and
    the streamed text when it is known, say the speaker has finished)."""
    END_PHRASE = "end_phrase"
    """The speaker said they had finished ("我说完了", "that's all")."""
    ENTER = "enter"
    """The user pressed Enter."""
    MAX_LENGTH = "max_length"
    NO_SPEECH = "no_speech"
    """Nobody started speaking within the timeout."""
    SOURCE_ENDED = "source_ended"
    """The replayed file (or the device stream) ran out."""
    INTERRUPTED = "interrupted"
    """Ctrl-C: the audio recorded so far is kept."""
    DEVICE_LOST = "device_lost"
    """The microphone failed mid-answer: the audio recorded so far is kept."""


class AudioBuffer:
    """The answer's audio as it is recorded: appended block by block, read by slices.

    Capacity doubles when full, so appending is amortised O(1) and a slice is a view, never
    a join of blocks. Samples once written never change, so a slice handed to another
    thread stays valid while recording goes on.
    """

    def __init__(self, capacity_samples: int = _INITIAL_CAPACITY_SAMPLES) -> None:
        self._data = np.zeros(max(1, capacity_samples), dtype=np.float32)
        self._length = 0

    def __len__(self) -> int:
        return self._length

    def append(self, block: Block) -> None:
        """Add the next block at the end."""
        end = self._length + len(block)
        if end > len(self._data):
            grown = np.zeros(max(end, 2 * len(self._data)), dtype=np.float32)
            grown[: self._length] = self._data[: self._length]
            self._data = grown
        self._data[self._length : end] = block
        self._length = end

    def slice(self, start: int, end: int | None = None) -> Block:
        """Samples `start`..`end` (default: to the end) as a read-only view."""
        view = self._data[start : self._length if end is None else min(end, self._length)]
        view.flags.writeable = False
        return view


class BlockObserver(Protocol):
    """Sees the recording grow, block by block (streaming transcription)."""

    def feed(self, audio: AudioBuffer, endpointer: Endpointer) -> None:
        """Called after each block has been added to `audio` and given to the endpointer."""
        ...


class TurnEndPolicy(Protocol):
    """Decides whether the answer is over before the endpointer's full `stop_s` of silence.

    The one question the recorder asks after every block (`turn_end.TurnTaking`: the
    end-of-turn model, the streamed text and end phrases; `turn_end.SentenceEndPolicy`: the
    text alone). It must answer at once: work it needs runs elsewhere and is asked about
    again with the next block.
    """

    def turn_ended(self, audio: AudioBuffer, endpointer: Endpointer) -> EndReason | None:
        """Why the speaker's turn is over at the current pause, or None to keep listening."""
        ...


@dataclass(frozen=True)
class Recording:
    """One recorded answer and how it went. Positions are sample counts; the `_s` properties
    are derived from them."""

    audio: Block
    """Float32 mono 16 kHz: pre-roll, the answer, and trailing silence."""
    end_reason: EndReason
    stream_offset_samples: int = 0
    """Where `audio` starts in the stream the source delivered (audio before it was trimmed)."""
    speech_start_sample: int | None = None
    """Where speech started, in stream samples (None: no speech detected)."""
    speech_end_sample: int | None = None
    """Just after the last speech block, in stream samples (None: no speech detected)."""
    device_error: AudioDeviceError | None = None
    """With `EndReason.DEVICE_LOST`: the error, raised again once the answer is saved."""
    num_samples: int = -1
    """Length of `audio` as recorded (kept when the samples are released); -1: len(audio)."""

    def __post_init__(self) -> None:
        if self.num_samples < 0:
            object.__setattr__(self, "num_samples", len(self.audio))

    def without_audio(self) -> Recording:
        """The same recording minus its samples (they are in the WAV by then): what a session
        keeps of each finished answer, so memory does not grow with every answer."""
        return replace(self, audio=np.zeros(0, dtype=np.float32), num_samples=self.num_samples)

    @property
    def duration_s(self) -> float:
        """Length of the recorded audio in seconds."""
        return self.num_samples / SAMPLE_RATE_HZ

    @property
    def has_speech(self) -> bool:
        """True when the endpointer detected an answer."""
        return self.speech_start_sample is not None

    @property
    def speech_start_s(self) -> float | None:
        """Where speech starts within `audio`, seconds."""
        return self._in_audio_s(self.speech_start_sample)

    @property
    def speech_end_s(self) -> float | None:
        """Where the last speech block ends within `audio`, seconds."""
        return self._in_audio_s(self.speech_end_sample)

    @property
    def response_latency_s(self) -> float | None:
        """From listening start to the first speech, seconds (None: no speech)."""
        start = self.speech_start_sample
        return None if start is None else start / SAMPLE_RATE_HZ

    @property
    def trailing_silence_s(self) -> float:
        """Silence between the last speech and the end of recording (the endpointing wait)."""
        if self.speech_end_sample is None:
            return 0.0
        stream_end = self.stream_offset_samples + self.num_samples
        return (stream_end - self.speech_end_sample) / SAMPLE_RATE_HZ

    def _in_audio_s(self, stream_sample: int | None) -> float | None:
        if stream_sample is None:
            return None
        return (stream_sample - self.stream_offset_samples) / SAMPLE_RATE_HZ


def record_answer(blocks: Iterator[Block], vad: VadConfig, limits: LimitsConfig,
                  stop_requested: Callable[[], bool] = lambda: False,
                  observer: BlockObserver | None = None,
                  turn_end: TurnEndPolicy | None = None) -> Recording:
    """Consume blocks until the answer ends; see the module docstring for the rules.

    Args:
        blocks: consecutive blocks of one answer; closed (if it has `close`) on return.
        vad: endpointing options.
        limits: maximum answer length and no-speech timeout.
        stop_requested: polled once per block; True ends the answer (Enter pressed).
        observer: sees the recording after each block (streaming transcription).
        turn_end: asked after each block whether the answer is over before `stop_s`.

    Returns:
        The recording. Audio before the detected start is trimmed to the pre-roll.
    """
    endpointer = Endpointer(vad)
    audio = AudioBuffer()
    max_samples = int(limits.max_answer_s * SAMPLE_RATE_HZ)
    timeout_samples = int(limits.no_speech_timeout_s * SAMPLE_RATE_HZ)
    reason = EndReason.SOURCE_ENDED
    device_error: AudioDeviceError | None = None
    with contextlib.closing(blocks) if hasattr(blocks, "close") else contextlib.nullcontext():
        try:
            for block in blocks:
                audio.append(block)
                endpointer.process(block)
                if observer is not None:
                    observer.feed(audio, endpointer)
                if endpointer.ended:
                    reason = EndReason.SILENCE
                    break
                ended = turn_end.turn_ended(audio, endpointer) if turn_end else None
                if ended is not None:
                    reason = ended
                    break
                if stop_requested():
                    reason = EndReason.ENTER
                    break
                if not endpointer.started and endpointer.num_samples >= timeout_samples:
                    reason = EndReason.NO_SPEECH
                    break
                start = endpointer.speech_start_sample
                if start is not None and endpointer.num_samples - start >= max_samples:
                    reason = EndReason.MAX_LENGTH
                    break
        except KeyboardInterrupt:
            reason = EndReason.INTERRUPTED
        except AudioDeviceError as e:
            if not len(audio):
                raise  # nothing recorded: the device never worked, report it at once
            reason, device_error = EndReason.DEVICE_LOST, e
    recording = _trim(audio, endpointer, vad, reason)
    return replace(recording, device_error=device_error) if device_error else recording


def _trim(audio: AudioBuffer, endpointer: Endpointer, vad: VadConfig,
          reason: EndReason) -> Recording:
    # Copies, not views: a view would keep the whole buffer (30 s or more of capacity) alive
    # for as long as the recording is kept, 1.9 MB per answer even for a 2 s one.
    start = endpointer.speech_start_sample
    if start is None:
        return Recording(audio=audio.slice(0).copy(), end_reason=reason)
    offset = max(0, start - int(vad.pre_roll_s * SAMPLE_RATE_HZ))
    end = endpointer.speech_end_sample or len(audio)
    _LOGGER.debug("answer: speech %d..%d of %d samples (%s)", start, end, len(audio), reason)
    return Recording(audio=audio.slice(offset).copy(), end_reason=reason,
                     stream_offset_samples=offset, speech_start_sample=start,
                     speech_end_sample=end)
