"""Record one answer from an audio source, ending it the way a listener would.

`record_answer` pulls 30 ms blocks from a source and stops when the endpointer hears
`stop_s` of trailing silence after speech (or only `sentence_end_stop_s` when the observer,
the streaming transcriber, heard a finished sentence), when the user presses Enter, when the answer
reaches `max_answer_s`, when nobody has started speaking within `no_speech_timeout_s`, or
when the source runs out. Every limit is counted in samples, so live and replayed audio
run the same code and replay is deterministic.
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


class EndReason(StrEnum):
    """Why recording stopped."""

    SILENCE = "silence"
    """Trailing silence after speech (the normal case)."""
    SENTENCE_END = "sentence_end"
    """A shorter trailing silence after speech that ended a sentence (streaming only)."""
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


class BlockObserver(Protocol):
    """Sees every block as it is recorded (streaming transcription)."""

    def feed(self, block: Block, endpointer: Endpointer) -> None:
        """Called after the endpointer has processed `block`."""
        ...

    def sounds_finished(self, endpointer: Endpointer) -> bool | None:
        """Whether the speech up to the current pause ends a sentence (None: not known yet,
        ask again with the next block)."""
        ...


@dataclass(frozen=True)
class Recording:
    """One recorded answer and how it went."""

    audio: Block
    """Float32 mono 16 kHz: pre-roll, the answer, and trailing silence."""
    end_reason: EndReason
    speech_start_s: float | None
    """Where speech starts within `audio` (None: no speech detected)."""
    speech_end_s: float | None
    """Where the last speech block ends within `audio`."""
    response_latency_s: float | None
    """From listening start to the first speech (None: no speech)."""
    trailing_silence_s: float
    """Silence between the last speech and the end of recording (the endpointing wait)."""
    stream_offset_samples: int = 0
    """Where `audio` starts in the stream the source delivered (audio before it was trimmed)."""
    device_error: AudioDeviceError | None = None
    """With `EndReason.DEVICE_LOST`: the error, raised again once the answer is saved."""

    @property
    def duration_s(self) -> float:
        """Length of the recorded audio in seconds."""
        return len(self.audio) / SAMPLE_RATE_HZ

    @property
    def has_speech(self) -> bool:
        """True when the endpointer detected an answer."""
        return self.speech_start_s is not None


def record_answer(blocks: Iterator[Block], vad: VadConfig, limits: LimitsConfig,
                  stop_requested: Callable[[], bool] = lambda: False,
                  observer: BlockObserver | None = None) -> Recording:
    """Consume blocks until the answer ends; see the module docstring for the rules.

    Args:
        blocks: consecutive blocks of one answer; closed (if it has `close`) on return.
        vad: endpointing options.
        limits: maximum answer length and no-speech timeout.
        stop_requested: polled once per block; True ends the answer (Enter pressed).
        observer: sees each block after the endpointer (streaming transcription).

    Returns:
        The recording. Audio before the detected start is trimmed to the pre-roll.
    """
    endpointer = Endpointer(vad)
    sentence_end_samples = (int(vad.sentence_end_stop_s * SAMPLE_RATE_HZ)
                            if vad.sentence_end_stop_s < vad.stop_s else None)
    judged_speech_end: int | None = None  # the pause the observer has answered for
    kept: list[Block] = []
    max_samples = int(limits.max_answer_s * SAMPLE_RATE_HZ)
    timeout_samples = int(limits.no_speech_timeout_s * SAMPLE_RATE_HZ)
    reason = EndReason.SOURCE_ENDED
    device_error: AudioDeviceError | None = None
    with contextlib.closing(blocks) if hasattr(blocks, "close") else contextlib.nullcontext():
        try:
            for block in blocks:
                kept.append(block)
                endpointer.process(block)
                if observer is not None:
                    observer.feed(block, endpointer)
                if endpointer.ended:
                    reason = EndReason.SILENCE
                    break
                if (observer is not None and sentence_end_samples is not None
                        and endpointer.speech_end_sample is not None
                        and endpointer.speech_end_sample != judged_speech_end
                        and endpointer.num_samples - endpointer.speech_end_sample
                        >= sentence_end_samples):
                    finished = observer.sounds_finished(endpointer)
                    if finished is not None:
                        judged_speech_end = endpointer.speech_end_sample
                    if finished:
                        reason = EndReason.SENTENCE_END
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
            if not kept:
                raise  # nothing recorded: the device never worked, report it at once
            reason, device_error = EndReason.DEVICE_LOST, e
    audio = np.concatenate(kept) if kept else np.zeros(0, dtype=np.float32)
    recording = _trim(audio, endpointer, vad, reason)
    return replace(recording, device_error=device_error) if device_error else recording


def _trim(audio: Block, endpointer: Endpointer, vad: VadConfig, reason: EndReason) -> Recording:
    start = endpointer.speech_start_sample
    if start is None:
        return Recording(audio=audio, end_reason=reason, speech_start_s=None, speech_end_s=None,
                         response_latency_s=None, trailing_silence_s=0.0)
    offset = max(0, start - int(vad.pre_roll_s * SAMPLE_RATE_HZ))
    end = endpointer.speech_end_sample or len(audio)
    _LOGGER.debug("answer: speech %d..%d of %d samples (%s)", start, end, len(audio), reason)
    return Recording(
        audio=audio[offset:],
        end_reason=reason,
        speech_start_s=(start - offset) / SAMPLE_RATE_HZ,
        speech_end_s=(end - offset) / SAMPLE_RATE_HZ,
        response_latency_s=start / SAMPLE_RATE_HZ,
        trailing_silence_s=(len(audio) - end) / SAMPLE_RATE_HZ,
        stream_offset_samples=offset,
    )
