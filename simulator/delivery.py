"""How an answer was delivered, apart from what it said: pace, fillers, pauses, latency, loudness.

`measure_delivery` is a pure function of one answer's transcript (with Whisper's word
timestamps), its recorded audio and the response latency the recorder measured. It reports
pace in Mandarin characters or English words per minute against a target band, hesitation
fillers and where they were heard, long pauses and dead air, the speech level and clipping,
and `tips`: the problems found, most useful first, so that feedback speaks only the first
one (`render_tip`, with the sentences in `prompts/delivery.toml`). Nothing here does I/O
except `load_delivery_templates`.
"""

from __future__ import annotations

import logging
import re
import string
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from simulator.audio.pcm import BLOCK_SAMPLES, SAMPLE_RATE_HZ, rms_dbfs
from simulator.config import DeliveryConfig, TipCode
from simulator.data import PROMPTS_DIR, read_toml
from simulator.errors import DataFileError
from simulator.speech.transcript import Transcript, Word
from simulator.text.normalise import has_cjk, to_simplified

_LOGGER = logging.getLogger(__name__)

DEFAULT_DELIVERY_TEMPLATES_PATH = PROMPTS_DIR / "delivery.toml"
"""The shipped spoken delivery tips."""
MAX_TEMPLATES_BYTES = 1_000_000


class Verdict(StrEnum):
    """The judgement on one delivery metric."""

    FINE = "fine"
    TOO_SLOW = "too_slow"
    TOO_FAST = "too_fast"
    TOO_MANY = "too_many"
    """Fillers: more per minute than the limit."""
    SLOW = "slow"
    """Response latency: the answer started late."""
    TOO_QUIET = "too_quiet"
    CLIPPING = "clipping"


TIP_PARAMS: Mapping[TipCode, frozenset[str]] = {
    TipCode.DEAD_AIR: frozenset({"count", "longest_s", "at_s"}),
    TipCode.TOO_FAST: frozenset({"rate", "low", "high"}),
    TipCode.TOO_SLOW: frozenset({"rate", "low", "high"}),
    TipCode.FILLERS: frozenset({"count", "per_min", "examples"}),
    TipCode.SLOW_START: frozenset({"latency_s"}),
    TipCode.TOO_QUIET: frozenset({"dbfs"}),
    TipCode.CLIPPING: frozenset({"percent"}),
    TipCode.LONG_PAUSES: frozenset({"count", "longest_s"}),
}
"""The placeholders each tip's template may use."""

TipParam = int | float | str | tuple[str, ...]
"""A template parameter: numbers are rounded for speech, tuples joined with the separator."""


@dataclass(frozen=True)
class Filler:
    """One hesitation filler heard in the answer."""

    text: str
    """The filler in its plain form ("嗯", "那个", "um", "you know"); a run such as 嗯嗯 is one."""
    char_offset: int
    """Offset in the analysed text: the words joined by single spaces when word timings
    exist, else `Transcript.text`."""
    word_index: int | None
    """Index into `Transcript.words` of the word it starts in (None: no word timings)."""
    start_s: float | None
    """Seconds from the start of the audio (None: no word timings)."""


@dataclass(frozen=True)
class Pause:
    """A silence inside the answer at least `DeliveryConfig.long_pause_s` long."""

    start_s: float
    """Seconds from the start of the audio."""
    length_s: float
    """Seconds."""
    after_word_index: int | None
    """Index into `Transcript.words` of the word before it (None: found in the audio)."""
    dead_air: bool
    """At least `DeliveryConfig.dead_air_s` long."""


@dataclass(frozen=True)
class DeliveryTip:
    """One delivery problem worth saying, with the values its template needs."""

    code: TipCode
    params: tuple[tuple[str, TipParam], ...] = field(default=())
    """(placeholder, value) pairs; see `TIP_PARAMS`."""

    def param_dict(self) -> dict[str, TipParam]:
        """The parameters as a dict."""
        return dict(self.params)


@dataclass(frozen=True)
class Delivery:
    """Delivery metrics for one answer. Metrics that could not be measured are None."""

    language: str
    """"zh" (pace in characters) or "en" (pace in words)."""
    timing_source: str
    """Where speaking time and pauses came from: "words" (timestamps), "audio" (energy),
    "duration" (the audio length: no timings, no voiced frames) or "none" (nothing said)."""
    speech_span_s: float | None
    """From the first word's start to the last word's end, seconds."""
    talk_s: float | None
    """`speech_span_s` less the long pauses: time spent talking, seconds."""
    pace_unit: str
    """"cpm" (characters per minute) or "wpm" (words per minute)."""
    pace_units: int
    """Characters or words counted, fillers excluded."""
    pace_per_min: float | None
    """`pace_units` per minute of `talk_s`."""
    pace_band: tuple[float, float]
    """The target band, in `pace_unit`."""
    pace_verdict: Verdict | None
    """TOO_SLOW, FINE, TOO_FAST; None when too little was said to judge."""
    fillers: tuple[Filler, ...]
    filler_per_min: float | None
    """Fillers per minute of `talk_s`."""
    filler_verdict: Verdict | None
    """FINE or TOO_MANY."""
    pauses: tuple[Pause, ...]
    """Long pauses and dead air, in time order."""
    response_latency_s: float | None
    """From the end of the question to the first speech, seconds (as the recorder measured)."""
    latency_verdict: Verdict | None
    """FINE or SLOW."""
    speech_dbfs: float | None
    """RMS level of the voiced frames, dBFS."""
    clipped_share: float | None
    """Share (0-1) of voiced samples at or above the clip level."""
    loudness_verdict: Verdict | None
    """FINE, TOO_QUIET or CLIPPING; None when the audio holds no sound."""
    tips: tuple[DeliveryTip, ...]
    """Problems found, most useful first."""

    @property
    def filler_count(self) -> int:
        """Number of fillers heard."""
        return len(self.fillers)

    @property
    def long_pause_count(self) -> int:
        """Pauses of at least `long_pause_s`, dead air included."""
        return len(self.pauses)

    @property
    def dead_air_count(self) -> int:
        """Pauses of at least `dead_air_s`."""
        return sum(1 for p in self.pauses if p.dead_air)

    @property
    def longest_pause_s(self) -> float | None:
        """The longest pause, seconds (None: no long pause)."""
        return max((p.length_s for p in self.pauses), default=None)


# --- fillers ------------------------------------------------------------------------------

_BOUNDARY_PUNCT = frozenset(",.;:!?…—–，。；：！？、")
"""Punctuation that sets a word off (a comma, a full stop, a dash; not a hyphen)."""
_ZH_FILLERS = ("就是说", "然后呢", "那个", "这个", "哪个", "嗯", "呃", "啊", "额")
"""Longest first, so 就是说 is taken whole."""
_ZH_PRONOUNS = ("我", "您", "你", "他", "她", "我们", "咱们")
_ZH_ALWAYS = frozenset({"嗯", "呃", "然后呢"})
_ZH_REPEATABLE = frozenset({"嗯", "呃", "啊", "额"})
_ZH_E_BEFORE = frozenset("金余数限总差份面全巨配税名超定")
"""额 after these is part of a word (金额 amount, 余额 balance, 限额 limit...), not 呃."""
_ZH_E_AFTER = frozenset("度外头定")
"""额 before these is part of a word (额度 quota, 额外 extra...)."""
_EN_HESITATIONS = frozenset({"um", "umm", "uh", "uhh", "uhm", "er", "erm", "hmm", "mm"})
_LIKE_BLOCKERS = frozenset({
    "i", "you", "we", "they", "he", "she", "who", "i'd", "you'd", "we'd", "they'd", "he'd",
    "she'd", "would", "wouldn't", "do", "does", "did", "don't", "doesn't", "didn't", "to",
    "really", "also", "might", "may", "could", "should", "will", "i'll", "we'll", "you'll",
    "look", "looks", "looked", "sound", "sounds", "feel", "feels", "felt", "seem", "seems",
    "just", "exactly", "something", "anything", "nothing", "things", "stuff", "more", "much",
    "less", "not", "people", "someone", "somebody",
})
"""Words after which "like" is a verb (I like, would like) or a preposition (looks like)."""
_YOU_KNOW_BEFORE = frozenset({"do", "did", "don't", "didn't", "if", "as", "let", "would",
                              "will", "what", "because", "i", "that", "how", "whether"})
_YOU_KNOW_AFTER = frozenset({"what", "how", "that", "why", "where", "who", "whether", "if",
                             "the", "about"})
_I_MEAN_BEFORE = frozenset({"what", "do", "did", "don't", "didn't", "you", "if"})
_I_MEAN_AFTER = frozenset({"it", "to", "by", "that", "what", "is", "this"})
_EN_SPAN_RE = re.compile(r"[a-z0-9][a-z0-9']*|[^\sa-z0-9']")
"""An English word, or one character of anything else (punctuation)."""


@dataclass(frozen=True)
class _Unit:
    """A character (Mandarin) or word (English) of the analysed text."""

    text: str
    offset: int
    word_index: int | None
    boundary_before: bool
    boundary_after: bool


def _fold(text: str, chinese: bool) -> str:
    """Width-fold and (Mandarin) simplify, or lower-case English; quotes become ASCII."""
    text = unicodedata.normalize("NFKC", text).replace("’", "'").replace("‘", "'")
    if chinese:
        return to_simplified(text)
    lowered = text.lower()
    return lowered if len(lowered) == len(text) else text


def _analysed_text(transcript: Transcript, chinese: bool) -> tuple[str, list[int | None]]:
    """The text fillers are found in, and the word index of each of its characters.

    Each word is folded on its own, so a change of length cannot shift the word indexes.
    """
    if not transcript.words:
        text = _fold(transcript.text, chinese)
        return text, [None] * len(text)
    parts: list[str] = []
    owners: list[int | None] = []
    for index, word in enumerate(transcript.words):
        if parts:
            parts.append(" ")
            owners.append(None)
        folded = _fold(word.text, chinese)
        parts.append(folded)
        owners.extend([index] * len(folded))
    return "".join(parts), owners


def _gap_after(words: Sequence[Word], index: int | None) -> float:
    if index is None or index + 1 >= len(words):
        return 0.0
    return words[index + 1].start_s - words[index].end_s


def _units(text: str, owners: list[int | None], words: Sequence[Word], chinese: bool,
           pause_s: float) -> list[_Unit]:
    """Split the text into units and mark which are set off by punctuation or a pause."""
    if chinese:
        spans = [(ch, i) for i, ch in enumerate(text) if not ch.isspace()]
    else:
        spans = [(m.group(0), m.start()) for m in _EN_SPAN_RE.finditer(text)]
    units: list[_Unit] = []
    pending_boundary = True  # the answer's start counts as a boundary
    for k, (token, offset) in enumerate(spans):
        if token in _BOUNDARY_PUNCT:
            pending_boundary = True
            if units:
                last = units[-1]
                units[-1] = _Unit(last.text, last.offset, last.word_index, last.boundary_before,
                                  True)
            continue
        if not (token[0].isalnum() or has_cjk(token)):
            continue  # quotes, brackets: neither a unit nor a boundary
        owner = owners[offset]
        next_owner = owners[spans[k + 1][1]] if k + 1 < len(spans) else None
        paused = (owner is not None and next_owner is not None and next_owner != owner
                  and _gap_after(words, owner) >= pause_s)
        units.append(_Unit(token, offset, owner, pending_boundary, paused))
        pending_boundary = paused
    if units:  # the answer's end counts as a boundary
        last = units[-1]
        units[-1] = _Unit(last.text, last.offset, last.word_index, last.boundary_before, True)
    return units


def _find_fillers_zh(units: list[_Unit]) -> list[tuple[int, int, str]]:
    """(first unit, unit count, filler) for every Mandarin filler; see the rules inline."""
    chars = "".join(u.text for u in units)
    found: list[tuple[int, int, str]] = []

    def starts_filler(at: int) -> bool:
        return at < len(chars) and (chars[at] in "嗯呃" or chars.startswith("然后呢", at))

    i = 0
    while i < len(units):
        for pattern in _ZH_FILLERS:
            if not chars.startswith(pattern, i):
                continue
            end = i + len(pattern)
            before, after = units[i].boundary_before, units[end - 1].boundary_after
            previous_is_filler = bool(found) and found[-1][0] + found[-1][1] == i
            if pattern in _ZH_ALWAYS:
                is_filler = True
            elif pattern in ("那个", "这个"):
                # A demonstrative (那个订单, 这个问题) runs straight into its noun, so 那个/这个
                # count only when set off by punctuation or a pause, repeated (那个那个), or
                # followed by another filler. Sentence-initial 那个 without a pause stays a
                # demonstrative: missing a filler is better than faulting correct grammar.
                is_filler = after or chars.startswith(pattern, end) or starts_filler(end)
            elif pattern == "哪个":
                # Whisper often writes the hesitation 那个 as 哪个. At a clause start and
                # running into a pronoun (哪个我觉得), it cannot be the question word.
                is_filler = before and chars.startswith(_ZH_PRONOUNS, end)
            elif pattern == "就是说":
                # 也就是说 ("that is to say") is a proper connective.
                is_filler = before or chars[i - 1] != "也"
            elif pattern == "啊":
                # Sentence-final 啊 (是啊, 好啊) is a modal particle; hesitation 啊 opens a
                # clause or follows another filler.
                is_filler = before or previous_is_filler
            else:  # 额: the same sound as 呃, but also the 额 of 金额/额度/额外
                in_word = ((not before and chars[i - 1] in _ZH_E_BEFORE)
                           or (not after and end < len(chars) and chars[end] in _ZH_E_AFTER))
                is_filler = not in_word and (before or after or starts_filler(end))
            if not is_filler:
                continue
            if pattern in _ZH_REPEATABLE:
                while end < len(chars) and chars[end] == pattern:
                    end += 1  # 嗯嗯嗯 is one hesitation
            found.append((i, end - i, pattern))
            i = end
            break
        else:
            i += 1
    return found


def _find_fillers_en(units: list[_Unit]) -> list[tuple[int, int, str]]:
    """(first unit, unit count, filler) for every English filler; see the rules inline."""
    tokens = [u.text for u in units]
    found: list[tuple[int, int, str]] = []

    def at(index: int) -> str:
        return tokens[index] if 0 <= index < len(tokens) else ""

    i = 0
    while i < len(tokens):
        token = tokens[i]
        size = 0
        if token in _EN_HESITATIONS:
            size = 1
        elif (token, at(i + 1)) in {("you", "know"), ("i", "mean")}:
            blockers_before, blockers_after = (
                (_YOU_KNOW_BEFORE, _YOU_KNOW_AFTER) if token == "you"
                else (_I_MEAN_BEFORE, _I_MEAN_AFTER))
            # "you know the answer", "do you know", "I mean it" are not fillers; set off by a
            # comma or a pause ("you know, the refund...") they are.
            set_off_after = units[i + 1].boundary_after
            set_off_before = units[i].boundary_before and at(i + 2) not in blockers_after
            if (i == 0 or at(i - 1) not in blockers_before) and (set_off_after or set_off_before):
                size = 2
        elif token == "like":
            # "I like", "I'd like", "looks like" are a verb or a preposition. Filler "like" is
            # set off: "it was, like, slow". At the very start, "Like I said" is a conjunction.
            said = at(i + 2) in {"said", "mentioned"}
            set_off = units[i].boundary_after or (i > 0 and units[i].boundary_before)
            if (i == 0 or at(i - 1) not in _LIKE_BLOCKERS) and set_off and not said:
                size = 1
        if size:
            found.append((i, size, " ".join(tokens[i : i + size])))
            i += size
        else:
            i += 1
    return found


def _pace_units(units: list[_Unit], filler_units: set[int], chinese: bool) -> int:
    """Characters (Mandarin: each CJK character or digit, each Latin word) or words."""
    count = 0
    previous_latin = False
    for index, unit in enumerate(units):
        if index in filler_units:
            previous_latin = False
            continue
        if not chinese:
            count += 1
            continue
        latin = unit.text.isascii() and unit.text.isalpha()
        if not (latin and previous_latin):
            count += 1  # a Latin word written into Mandarin ("APP") counts once
        previous_latin = latin
    return count


# --- audio --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _AudioActivity:
    voiced: NDArray[np.bool_]
    """One flag per 30 ms frame."""
    frame_s: float


def _audio_activity(audio: NDArray[np.float32], config: DeliveryConfig) -> _AudioActivity:
    """Mark 30 ms frames as voiced when near the loud speech level and above the floor."""
    frame_s = BLOCK_SAMPLES / SAMPLE_RATE_HZ
    num_frames = len(audio) // BLOCK_SAMPLES
    if num_frames == 0:
        return _AudioActivity(np.zeros(0, dtype=bool), frame_s)
    frames = audio[: num_frames * BLOCK_SAMPLES].astype(np.float64).reshape(num_frames, -1)
    power = np.mean(np.square(frames), axis=1)
    with np.errstate(divide="ignore"):
        levels = 10.0 * np.log10(power)
    above_floor = levels > config.silence_floor_dbfs
    if not np.any(above_floor):
        return _AudioActivity(np.zeros(num_frames, dtype=bool), frame_s)
    # Percentiles, not extremes: a few clicks must not set the speech level, nor a few
    # dropouts the background level.
    loud_dbfs = float(np.percentile(levels[above_floor], 90))
    noise_dbfs = float(np.percentile(levels[above_floor], 10))
    if loud_dbfs - noise_dbfs < config.noise_margin_db:
        # No contrast: all sound (a steady voice or tone) or all noise. Call it all voiced,
        # which measures its level; the transcript decides whether anything was said.
        return _AudioActivity(above_floor, frame_s)
    threshold = max(config.silence_floor_dbfs, noise_dbfs + config.noise_margin_db,
                    loud_dbfs - config.voiced_range_db)
    return _AudioActivity(levels > threshold, frame_s)


def _audio_pauses(activity: _AudioActivity, config: DeliveryConfig) -> list[Pause]:
    indices = np.flatnonzero(activity.voiced)
    if len(indices) < 2:
        return []
    pauses = []
    for left, right in zip(indices[:-1].tolist(), indices[1:].tolist(), strict=True):
        length_s = (right - left - 1) * activity.frame_s
        if length_s >= config.long_pause_s:
            pauses.append(Pause(start_s=(left + 1) * activity.frame_s, length_s=length_s,
                                after_word_index=None,
                                dead_air=bool(length_s >= config.dead_air_s)))
    return pauses


def _loudness(audio: NDArray[np.float32], activity: _AudioActivity, heard_words: bool,
              config: DeliveryConfig) -> tuple[float | None, float | None, Verdict | None]:
    if activity.voiced.any():
        frames = audio[: len(activity.voiced) * BLOCK_SAMPLES].reshape(len(activity.voiced), -1)
        speech = frames[activity.voiced].ravel()
    elif heard_words and len(audio):
        speech = audio  # words were heard below the silence floor: the whole take is quiet
    else:
        return None, None, None
    level = rms_dbfs(speech)
    if not np.isfinite(level):
        return None, None, None
    clipped = float(np.mean(np.abs(speech) >= config.clip_level))
    if level < config.quiet_dbfs:
        verdict = Verdict.TOO_QUIET
    elif clipped > config.clip_share_max:
        verdict = Verdict.CLIPPING
    else:
        verdict = Verdict.FINE
    return float(level), clipped, verdict


# --- the measurement ----------------------------------------------------------------------


def _language(transcript: Transcript) -> str:
    if transcript.language in ("zh", "en"):
        return transcript.language
    return "zh" if has_cjk(transcript.text) else "en"


def _word_pauses(words: Sequence[Word], config: DeliveryConfig) -> list[Pause]:
    pauses = []
    for index in range(len(words) - 1):
        gap = _gap_after(words, index)
        if gap >= config.long_pause_s:
            pauses.append(Pause(start_s=float(words[index].end_s), length_s=float(gap),
                                after_word_index=index, dead_air=bool(gap >= config.dead_air_s)))
    return pauses


def measure_delivery(transcript: Transcript, recording_audio: NDArray[np.float32],
                     response_latency_s: float | None, config: DeliveryConfig) -> Delivery:
    """Measure how one answer was delivered.

    Speaking time runs from the first word's start to the last word's end (Whisper's word
    timestamps, which must be relative to the start of `recording_audio`, as they are when
    the recording itself was transcribed). Without word timings it is the span of voiced
    audio frames, and pauses come from the audio energy too.

    Args:
        transcript: the answer's transcript, with `words` when the recogniser gave timings.
        recording_audio: the recorded answer (`Recording.audio`), float32 mono 16 kHz.
        response_latency_s: `Recording.response_latency_s` (None: no speech detected).
        config: thresholds and bands.

    Returns:
        The metrics and the tips, most useful first. For an empty transcript every metric
        is None or empty and only a loudness tip can be given.
    """
    language = _language(transcript)
    chinese = language == "zh"
    audio = np.asarray(recording_audio, dtype=np.float32).ravel()
    activity = _audio_activity(audio, config)
    band = config.pace_band(language)
    unit_name = "cpm" if chinese else "wpm"
    heard = not transcript.is_empty
    speech_dbfs, clipped_share, loudness_verdict = _loudness(audio, activity, heard, config)
    if not heard:
        tips = _tips(config, loudness=(speech_dbfs, clipped_share, loudness_verdict))
        return Delivery(language=language, timing_source="none", speech_span_s=None,
                        talk_s=None, pace_unit=unit_name, pace_units=0, pace_per_min=None,
                        pace_band=band, pace_verdict=None, fillers=(), filler_per_min=None,
                        filler_verdict=None, pauses=(), response_latency_s=response_latency_s,
                        latency_verdict=None, speech_dbfs=speech_dbfs,
                        clipped_share=clipped_share, loudness_verdict=loudness_verdict,
                        tips=tips)

    words = transcript.words
    span_s, pauses, source = _timing(transcript, audio, activity, config)
    talk_s = max(0.0, span_s - sum(p.length_s for p in pauses)) if span_s is not None else None

    text, owners = _analysed_text(transcript, chinese)
    units = _units(text, owners, words, chinese, config.filler_pause_s)
    found = _find_fillers_zh(units) if chinese else _find_fillers_en(units)
    fillers = tuple(_filler(name, units[first], words) for first, _, name in found)
    filler_units = {first + k for first, size, _ in found for k in range(size)}
    pace_units = _pace_units(units, filler_units, chinese)

    pace_per_min = filler_per_min = None
    pace_verdict = filler_verdict = None
    if talk_s:
        pace_per_min = pace_units / talk_s * 60.0
        filler_per_min = len(fillers) / talk_s * 60.0
        if talk_s >= config.min_pace_talk_s and pace_units > 0:
            pace_verdict = (Verdict.TOO_SLOW if pace_per_min < band[0]
                            else Verdict.TOO_FAST if pace_per_min > band[1] else Verdict.FINE)
        filler_verdict = (Verdict.TOO_MANY if len(fillers) >= config.filler_min_count
                          and filler_per_min > config.filler_max_per_min else Verdict.FINE)
    latency_verdict = None
    if response_latency_s is not None:
        latency_verdict = (Verdict.SLOW if response_latency_s >= config.slow_start_s
                           else Verdict.FINE)
    delivery = Delivery(
        language=language, timing_source=source, speech_span_s=span_s, talk_s=talk_s,
        pace_unit=unit_name, pace_units=pace_units, pace_per_min=pace_per_min, pace_band=band,
        pace_verdict=pace_verdict, fillers=fillers, filler_per_min=filler_per_min,
        filler_verdict=filler_verdict, pauses=tuple(pauses),
        response_latency_s=response_latency_s, latency_verdict=latency_verdict,
        speech_dbfs=speech_dbfs, clipped_share=clipped_share,
        loudness_verdict=loudness_verdict, tips=(),
    )
    tips = _tips(config, delivery=delivery,
                 loudness=(speech_dbfs, clipped_share, loudness_verdict))
    _LOGGER.debug("delivery: %s %s/min over %s s, %d fillers, %d pauses, tips %s",
                  unit_name, pace_per_min, talk_s, len(fillers), len(pauses),
                  [t.code.value for t in tips])
    return replace(delivery, tips=tips)


def _filler(name: str, unit: _Unit, words: Sequence[Word]) -> Filler:
    index = unit.word_index
    start_s = float(words[index].start_s) if index is not None else None
    return Filler(text=name, char_offset=unit.offset, word_index=index, start_s=start_s)


def _timing(transcript: Transcript, audio: NDArray[np.float32], activity: _AudioActivity,
            config: DeliveryConfig) -> tuple[float | None, list[Pause], str]:
    """Speaking span, long pauses and where they came from (words, audio, or neither)."""
    words = transcript.words
    if words:
        span_s = words[-1].end_s - words[0].start_s
        if span_s > 0:
            return span_s, _word_pauses(words, config), "words"
        _LOGGER.debug("word timings span %.2f s; measuring the audio instead", span_s)
    voiced = np.flatnonzero(activity.voiced)
    if len(voiced):
        span_s = float(voiced[-1] - voiced[0] + 1) * activity.frame_s
        return span_s, _audio_pauses(activity, config), "audio"
    fallback_s = transcript.audio_s or len(audio) / SAMPLE_RATE_HZ
    return (fallback_s if fallback_s > 0 else None), [], "duration"


def _tips(config: DeliveryConfig, *, delivery: Delivery | None = None,
          loudness: tuple[float | None, float | None, Verdict | None]) -> tuple[DeliveryTip, ...]:
    found: dict[TipCode, tuple[tuple[str, TipParam], ...]] = {}
    speech_dbfs, clipped_share, loudness_verdict = loudness
    if loudness_verdict is Verdict.TOO_QUIET and speech_dbfs is not None:
        found[TipCode.TOO_QUIET] = (("dbfs", round(speech_dbfs)),)
    elif loudness_verdict is Verdict.CLIPPING and clipped_share is not None:
        found[TipCode.CLIPPING] = (("percent", round(clipped_share * 100, 1)),)
    if delivery is not None:
        dead = [p for p in delivery.pauses if p.dead_air]
        if dead:
            longest = max(dead, key=lambda p: p.length_s)
            found[TipCode.DEAD_AIR] = (("count", len(dead)),
                                       ("longest_s", round(longest.length_s, 1)),
                                       ("at_s", round(longest.start_s)))
        low, high = delivery.pace_band
        if delivery.pace_verdict in (Verdict.TOO_FAST, Verdict.TOO_SLOW):
            code = (TipCode.TOO_FAST if delivery.pace_verdict is Verdict.TOO_FAST
                    else TipCode.TOO_SLOW)
            found[code] = (("rate", round(delivery.pace_per_min or 0.0)), ("low", round(low)),
                           ("high", round(high)))
        if delivery.filler_verdict is Verdict.TOO_MANY:
            common = Counter(f.text for f in delivery.fillers).most_common(config.max_examples)
            found[TipCode.FILLERS] = (("count", delivery.filler_count),
                                      ("per_min", round(delivery.filler_per_min or 0.0, 1)),
                                      ("examples", tuple(text for text, _ in common)))
        if delivery.latency_verdict is Verdict.SLOW and delivery.response_latency_s is not None:
            found[TipCode.SLOW_START] = (("latency_s", round(delivery.response_latency_s, 1)),)
        long_only = [p for p in delivery.pauses if not p.dead_air]
        if not dead and len(long_only) >= config.long_pauses_tip_count:
            found[TipCode.LONG_PAUSES] = (
                ("count", len(long_only)),
                ("longest_s", round(max(p.length_s for p in long_only), 1)))
    return tuple(DeliveryTip(TipCode(code), found[TipCode(code)])
                 for code in config.tip_order if TipCode(code) in found)


# --- JSON ---------------------------------------------------------------------------------


def _r(value: float | None, digits: int = 2) -> float | None:
    if value is None or not np.isfinite(value):
        return None
    return round(float(value), digits)


def _json_param(value: TipParam) -> Any:
    return list(value) if isinstance(value, tuple) else value


def delivery_json(delivery: Delivery) -> dict[str, Any]:
    """The delivery record for `session.json` (plain JSON types; times in seconds)."""
    return {
        "language": delivery.language,
        "timing_source": delivery.timing_source,
        "speech_span_s": _r(delivery.speech_span_s),
        "talk_s": _r(delivery.talk_s),
        "pace": {
            "unit": delivery.pace_unit,
            "units": delivery.pace_units,
            "per_min": _r(delivery.pace_per_min, 1),
            "band": [delivery.pace_band[0], delivery.pace_band[1]],
            "verdict": _verdict(delivery.pace_verdict),
        },
        "fillers": {
            "count": delivery.filler_count,
            "per_min": _r(delivery.filler_per_min, 1),
            "verdict": _verdict(delivery.filler_verdict),
            "items": [{"text": f.text, "word_index": f.word_index, "start_s": _r(f.start_s),
                       "char_offset": f.char_offset} for f in delivery.fillers],
        },
        "pauses": {
            "long_count": delivery.long_pause_count,
            "dead_air_count": delivery.dead_air_count,
            "longest_s": _r(delivery.longest_pause_s),
            "items": [{"start_s": _r(p.start_s), "length_s": _r(p.length_s),
                       "after_word_index": p.after_word_index, "dead_air": p.dead_air}
                      for p in delivery.pauses],
        },
        "response_latency_s": _r(delivery.response_latency_s),
        "latency_verdict": _verdict(delivery.latency_verdict),
        "loudness": {
            "speech_dbfs": _r(delivery.speech_dbfs, 1),
            "clipped_share": _r(delivery.clipped_share, 5),
            "verdict": _verdict(delivery.loudness_verdict),
        },
        "tips": [{"code": tip.code.value,
                  "params": {k: _json_param(v) for k, v in tip.params}}
                 for tip in delivery.tips],
    }


def _verdict(verdict: Verdict | None) -> str | None:
    return verdict.value if verdict is not None else None


# --- spoken tips --------------------------------------------------------------------------

DeliveryTemplates = dict[str, dict[str, Any]]
"""language -> {"examples_separator": str, "tips": {code: text}}."""


def load_delivery_templates(path: Path = DEFAULT_DELIVERY_TEMPLATES_PATH) -> DeliveryTemplates:
    """Read and check the spoken delivery tips.

    Every language table needs `examples_separator`, a template for every `TipCode` under
    `tips` (using only that tip's placeholders, see `TIP_PARAMS`); "zh" and "en" must both
    be present.

    Raises:
        DataFileError: the file is unreadable, not TOML, or lacks a key (names the file and key).
    """
    path = Path(path)
    data = read_toml(path, "delivery templates", MAX_TEMPLATES_BYTES)
    for language in ("zh", "en"):
        if not isinstance(data.get(language), dict):
            raise DataFileError(f"{path}: missing table [{language}]")
    templates: DeliveryTemplates = {}
    for language, table in data.items():
        if not isinstance(table, dict):
            raise DataFileError(f"{path}: [{language}] must be a table")
        if not isinstance(table.get("examples_separator"), str):
            raise DataFileError(f"{path}: [{language}] is missing key 'examples_separator'")
        tips = _string_table(table, "tips", path, language)
        for code in TipCode:
            if code.value not in tips:
                raise DataFileError(f"{path}: [{language}.tips] is missing key '{code.value}'")
            unknown = _placeholders(tips[code.value], path, f"{language}.tips", code.value)
            unknown -= TIP_PARAMS[code]
            if unknown:
                allowed = ", ".join(sorted(TIP_PARAMS[code])) or "none"
                raise DataFileError(f"{path}: [{language}.tips] key '{code.value}' uses unknown "
                                f"placeholder {{{sorted(unknown)[0]}}}; allowed: {allowed}")
        templates[language] = {"examples_separator": table["examples_separator"],
                               "tips": dict(tips)}
    return templates


def _string_table(table: Mapping[str, Any], key: str, path: Path,
                  language: str) -> Mapping[str, str]:
    value = table.get(key)
    if not isinstance(value, dict):
        raise DataFileError(f"{path}: [{language}] is missing table '{key}'")
    for name, text in value.items():
        if not isinstance(text, str) or not text.strip():
            raise DataFileError(f"{path}: [{language}.{key}] key '{name}' must be a non-empty string")
    return value


def _placeholders(template: str, path: Path, table: str, key: str) -> set[str]:
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
    except ValueError as e:
        raise DataFileError(f"{path}: [{table}] key '{key}' is not a valid template: {e}") from e
    names = {re.split(r"[.\[]", name, maxsplit=1)[0] for name in fields}
    if "" in names:
        raise DataFileError(f"{path}: [{table}] key '{key}' has an empty placeholder {{}}")
    return names


def _speakable(value: TipParam, separator: str) -> str:
    if isinstance(value, tuple):
        return separator.join(value)
    if isinstance(value, float):
        return f"{value:.1f}".rstrip("0").rstrip(".")
    return str(value)


def _language_table(templates: Mapping[str, Mapping[str, Any]], language: str) -> Mapping[str, Any]:
    table = templates.get(language) or templates.get("en")
    if table is None:
        raise DataFileError(f"delivery templates have no [{language}] or [en] table")
    return table


def render_tip(delivery: Delivery, language: str,
               templates: Mapping[str, Mapping[str, Any]]) -> str | None:
    """The one delivery sentence worth saying after this answer, or None if all was fine.

    Args:
        delivery: from `measure_delivery`.
        language: the language to speak ("zh" or "en"), normally `delivery.language`.
        templates: from `load_delivery_templates`.
    """
    if not delivery.tips:
        return None
    table = _language_table(templates, language)
    tip = delivery.tips[0]
    separator = table["examples_separator"]
    values = {name: _speakable(value, separator) for name, value in tip.params}
    return str(table["tips"][tip.code.value].format(**values))
