"""Speech to text with faster-whisper, with the known Whisper traps handled.

`FasterWhisperTranscriber` takes internal-format audio and returns a `Transcript` with the
raw text, the normalised text and word timings. It guards against Whisper inventing text
on silence and noise (Silero VAD first, then per-segment no-speech, log-probability and
compression checks, then a list of phrases Whisper is known to invent, then the whole-answer
rules of `non_answer`: hesitation sounds only, an echo of the prompt, another language),
and it consumes
faster-whisper's lazy segment generator on the calling thread, so the work really happens
where the caller thinks it does.
"""

from __future__ import annotations

import ctypes
import functools
import logging
import re
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from simulator.audio.pcm import SAMPLE_RATE_HZ, Block
from simulator.config import WhisperConfig
from simulator.errors import TranscriptionError
from simulator.speech.non_answer import (
    echoes_prompt,
    evidence,
    foreign_reason,
    is_credit,
    only_hesitations,
)
from simulator.speech.onnx_runtime import disable_telemetry
from simulator.speech.transcript import Transcript, Word
from simulator.speech.whisper_model import locate_model
from simulator.text.normalise import normalise, to_simplified

_LOGGER = logging.getLogger(__name__)

# Whisper was trained on subtitled video; on silence or noise it produces the credits.
# Compared after normalisation; a segment that is only one of these is dropped.
KNOWN_HALLUCINATIONS = (
    "谢谢观看", "谢谢大家观看", "感谢观看", "谢谢收看", "请不吝点赞订阅转发打赏支持明镜与点点栏目",
    "请不吝点赞订阅转发", "点赞订阅转发", "字幕由amara org社区提供", "字幕志愿者", "中文字幕",
    "优优独播剧场", "yoyo television series exclusive", "明镜需要您的支持",
    "thanks for watching", "thank you for watching", "please subscribe", "subtitles by",
    "like and subscribe", "transcription by", "you",
)
_HALLUCINATION_FRAGMENTS = ("点赞", "订阅", "字幕", "观看", "amara", "subscribe", "明镜")

# Per-language style prompts. Measured on 40 real Mandarin customer-service clips
# (scripts/bench_asr.py, docs/asr.md): every Mandarin prompt tried made decoding 2.7-7x
# slower and no more accurate (CER 0.093 without, 0.093-0.112 with), so Mandarin gets
# none; OpenCC turns traditional output into simplified afterwards. The English prompt
# keeps hesitations (um, uh) that Whisper otherwise drops, for the delivery metrics.
INITIAL_PROMPTS: dict[str, str] = {
    "en": "Um, well, uh, I think the first thing is to understand what the customer needs.",
}

MAX_COMPRESSION_RATIO = 2.4
"""Segments above this gzip ratio are repetition loops (Whisper's own threshold)."""
LOW_LOGPROB = -1.0
"""With a high no-speech probability, segments below this average log-probability are dropped."""


class FasterWhisperTranscriber:
    """A `Transcriber` backed by a faster-whisper `WhisperModel`.

    The model is loaded on first use (or `load()`), unless one is injected (tests pass a
    fake with a `transcribe()` method shaped like faster-whisper's).
    """

    def __init__(self, config: WhisperConfig, *, model: Any = None) -> None:
        self._config = config
        self._model = model
        self._lock = threading.Lock()
        self.load_s: float = 0.0
        """Seconds the model took to load (0 for an injected model)."""

    def load(self) -> None:
        """Load the model now (thread-safe; later calls return at once).

        Raises:
            ModelError: the model files are missing or corrupt.
            TranscriptionError: faster-whisper is not installed or cannot load the model.
        """
        with self._lock:
            if self._model is not None:
                return
            started = time.perf_counter()
            location = locate_model(self._config.model, cache_dir=self._config.cache_dir,
                                    allow_download=self._config.allow_download)
            disable_telemetry()  # faster-whisper's Silero VAD runs on onnxruntime
            try:
                from faster_whisper import WhisperModel
            except ImportError as e:
                raise TranscriptionError(
                    "faster-whisper is not installed: pip install faster-whisper") from e
            path = location.path_or_name
            if not location.is_local:
                path = _download(path)
            try:
                self._model = WhisperModel(
                    path, device=self._config.device,
                    compute_type=self._config.compute_type, cpu_threads=self._config.cpu_threads,
                    local_files_only=location.is_local)
            except (RuntimeError, ValueError, OSError) as e:
                raise TranscriptionError(
                    f"cannot load Whisper model {location.path_or_name}: {e}") from e
            self.load_s = time.perf_counter() - started
            _LOGGER.info("Whisper model %s loaded in %.2f s", location.path_or_name, self.load_s)

    def warm_up(self) -> None:
        """Run one short decode so the first real answer does not pay CTranslate2's
        first-call cost (measured: about 2 s on the first call, 0.3 s after)."""
        self.load()
        noise = np.random.default_rng(0).standard_normal(SAMPLE_RATE_HZ).astype(np.float32)
        segments, _ = self._model.transcribe(  # type: ignore[union-attr]
            noise * 0.01, language="en", beam_size=1, vad_filter=False,
            without_timestamps=True, condition_on_previous_text=False)
        list(segments)

    def _not_an_answer(self, audio: Block, kept: list[Any], language: str | None,
                       context: str) -> str | None:
        """Why the kept segments are no answer at all (`non_answer`), or None."""
        if not kept:
            return None
        text = join_segment_texts((s.text for s in kept), language or "")
        if not context and only_hesitations(text):
            return "only hesitation sounds"
        found = evidence(kept)
        if echoes_prompt(text, INITIAL_PROMPTS.get(language or ""), found):
            return "echo of the prompt"
        if language and found.weak:
            probabilities = self._language_probabilities(audio)
            if probabilities:
                return foreign_reason(language, probabilities)
        return None

    def _language_probabilities(self, audio: Block) -> dict[str, float]:
        """Whisper's language identification on the first 30 s (one more encoder pass)."""
        detect = getattr(self._model, "detect_language", None)
        if detect is None:
            return {}
        try:
            _, _, ranked = detect(audio=audio.astype(np.float32, copy=False))
        except (RuntimeError, ValueError) as e:
            _LOGGER.debug("language identification failed: %s", e)
            return {}
        return {str(code): float(p) for code, p in ranked}

    def transcribe(self, audio: Block, language: str | None, context: str = "") -> Transcript:
        """Transcribe one answer (or one stretch of it).

        Args:
            audio: float32 mono 16 kHz samples.
            language: "zh", "en", or None to detect.
            context: text already heard earlier in the same answer (streaming), given to
                Whisper as the prompt so the stretches read as one text.

        Returns:
            The transcript; empty text when nothing was said.

        Raises:
            TranscriptionError: the model failed.
        """
        self.load()
        started = time.perf_counter()
        audio_s = len(audio) / SAMPLE_RATE_HZ
        if len(audio) < SAMPLE_RATE_HZ // 10 or not np.any(audio):
            return Transcript(text="", normalised="", language=language or "", audio_s=audio_s)
        prompt = initial_prompt(language, context)
        try:
            segments, info = self._model.transcribe(  # type: ignore[union-attr]
                audio.astype(np.float32, copy=False),
                language=language,
                beam_size=self._config.beam_size,
                vad_filter=self._config.vad_filter,
                word_timestamps=True,
                condition_on_previous_text=False,
                initial_prompt=prompt,
                no_speech_threshold=self._config.no_speech_threshold,
            )
            # The generator is lazy: decoding happens here, on this thread.
            segment_list = list(segments)
        except (RuntimeError, ValueError) as e:
            raise TranscriptionError(f"Whisper failed on a {audio_s:.1f} s answer: {e}") from e
        detected = language or getattr(info, "language", "") or ""
        kept, rejected = filter_segments(segment_list, self._config.no_speech_threshold)
        why_not = self._not_an_answer(audio, kept, language, context)
        if why_not is not None:
            rejected.append(f"{why_not}: {join_segment_texts((s.text for s in kept), detected)}")
            kept = []
        text = join_segment_texts((s.text for s in kept), detected)
        if detected == "zh":
            text = to_simplified(text)
        words = tuple(
            Word(text=to_simplified(w.word).strip() if detected == "zh" else w.word.strip(),
                 start_s=float(w.start), end_s=float(w.end), probability=float(w.probability))
            for s in kept for w in (getattr(s, "words", None) or ())
        )
        release_freed_memory()
        return Transcript(text=text, normalised=normalise(text), language=detected, words=words,
                          audio_s=audio_s, transcribe_s=time.perf_counter() - started,
                          rejected=tuple(rejected))


CONTEXT_CHARS = 120
"""How much earlier text (characters) is passed as the prompt when transcribing a stretch."""


def initial_prompt(language: str | None, context: str) -> str | None:
    """The prompt for Whisper: the per-language style prompt, then recent context if any."""
    base = INITIAL_PROMPTS.get(language or "")
    tail = context[-CONTEXT_CHARS:].strip()
    if not tail:
        return base
    return f"{base} {tail}" if base else tail


def filter_segments(segments: Iterable[Any],
                    no_speech_threshold: float) -> tuple[list[Any], list[str]]:
    """Split segments into those to keep and reasons for those dropped.

    A segment is dropped when Whisper itself thinks it is probably not speech
    (`no_speech_prob` above the threshold with low confidence), when it is a repetition
    loop (high compression ratio), or when it is one of the phrases Whisper is known to
    invent on silence.
    """
    kept: list[Any] = []
    rejected: list[str] = []
    for segment in segments:
        text = segment.text.strip()
        if not text:
            continue
        no_speech = float(getattr(segment, "no_speech_prob", 0.0))
        avg_logprob = float(getattr(segment, "avg_logprob", 0.0))
        compression = float(getattr(segment, "compression_ratio", 1.0))
        if no_speech > no_speech_threshold and avg_logprob < LOW_LOGPROB:
            rejected.append(f"no speech (p={no_speech:.2f}): {text}")
        elif compression > MAX_COMPRESSION_RATIO:
            rejected.append(f"repetition (compression {compression:.1f}): {text}")
        elif is_known_hallucination(text) or is_credit(text):
            rejected.append(f"known hallucination: {text}")
        else:
            kept.append(segment)
    return kept, rejected


def is_known_hallucination(text: str) -> bool:
    """True if the text is only a phrase Whisper is known to invent on silence."""
    norm = normalise(text).replace(" ", "")
    if not norm:
        return True
    for phrase in KNOWN_HALLUCINATIONS:
        if norm == phrase.replace(" ", ""):
            return True
    # Subtitle credits come in many variants; short segments made of their words go too.
    return len(norm) <= 24 and sum(frag in norm for frag in _HALLUCINATION_FRAGMENTS) >= 2


def join_segment_texts(texts: Iterable[str], language: str) -> str:
    """Join segment texts: without spaces for Mandarin, with single spaces otherwise."""
    parts = [t.strip() for t in texts if t.strip()]
    if language == "zh":
        return re.sub(r"\s+", " ", "".join(parts)).strip()
    return " ".join(parts)


def _download(name: str) -> str:
    """Fetch a named model (the user asked for it) and return its absolute folder.

    faster-whisper would take a folder called `name` in the working directory instead of
    the named model; resolving the name here first means it never looks there.
    """
    from faster_whisper.utils import download_model

    try:
        return str(Path(download_model(name)).resolve())
    except Exception as e:  # noqa: BLE001 - hub and network errors have no common base
        raise TranscriptionError(f"cannot download Whisper model {name!r}: "
                                 f"{str(e).splitlines()[0] if str(e) else type(e).__name__}"
                                 ) from e


@functools.cache
def _malloc_trim() -> Any:
    try:
        libc = ctypes.CDLL("libc.so.6")
        return libc.malloc_trim
    except (OSError, AttributeError):  # not glibc: nothing to do
        return None


def release_freed_memory() -> None:
    """Give the heap pages freed by this transcription back to the system (glibc).

    Each answer's features, encoder output and decoding buffers are freed after it, but
    glibc keeps the pages in its per-thread arenas, so a long session's resident memory
    crept up with the longest answers seen (issue 15's soak). `malloc_trim(0)` takes about a
    millisecond.
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)

