"""Built answers with thinking pauses, for `bench_endpointing.py` (built at run time, never saved).

Each answer joins 2-5 clips of one pool (one speaker or voice): real recordings from
../shared/realspeech (Mandarin customer-service sentences; English phone turns and read
speech) or the fixture answers. Between clips: 0.3-1.5 s, a pause between sentences. Inside
1-2 clips: a 2-4 s thinking pause, cut mid-thought at the quietest 30 ms between 30 % and
75 % of the clip (a gap between words, not inside one; a gap already there is replaced, so
the pause is 2-4 s in all), with 5 ms fades. Gaps and the 6 s
after the end are filled with white noise at the clip's own background level (at most
-55 dBFS), so the endpointer hears a room, not digital silence.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from simulator.audio.pcm import SAMPLE_RATE_HZ

FRAME = 480  # 30 ms
TAIL_S = 6.0
POOLS = {"zh": (("zh_cs", 3), ("fixtures_zh", 1)),
         "en": (("en_phone", 9), ("en_read", 6), ("fixtures_en", 5))}
"""Pools per language with their weights (the shares of the issue 13 research)."""


@dataclass(frozen=True)
class BuiltAnswer:
    """One answer: its audio, where its speech truly ends, and the pauses put into it."""

    answer_id: str
    language: str
    pool: str
    audio: np.ndarray
    speech_end_sample: int
    """The end of the last clip's speech: an end decided before this cut the answer."""
    thinking_pauses: int
    sentence_pauses: int


def _frame_dbfs(audio: np.ndarray) -> np.ndarray:
    n = len(audio) // FRAME
    frames = audio[: n * FRAME].reshape(n, FRAME).astype(np.float64)
    return 20 * np.log10(np.sqrt(np.mean(frames ** 2, axis=1)) + 1e-9)


def trim_to_speech(audio: np.ndarray, margin_s: float = 0.06) -> np.ndarray:
    """The clip from its first to its last loud frame (within 35 dB of its peak)."""
    levels = _frame_dbfs(audio)
    if not len(levels):
        return audio
    loud = np.flatnonzero(levels > max(levels.max() - 35, -50))
    if not len(loud):
        return audio
    margin = int(margin_s * SAMPLE_RATE_HZ)
    return audio[max(0, loud[0] * FRAME - margin): min(len(audio),
                                                       (loud[-1] + 1) * FRAME + margin)]


def longest_gap_s(audio: np.ndarray) -> float:
    """The longest stretch quieter than 35 dB below the clip's peak (a pause inside it)."""
    levels = _frame_dbfs(trim_to_speech(audio))
    quiet = levels < levels.max() - 35 if len(levels) else np.zeros(0, bool)
    longest = run = 0
    for is_quiet in quiet:
        run = run + 1 if is_quiet else 0
        longest = max(longest, run)
    return longest * FRAME / SAMPLE_RATE_HZ


def speech_dbfs(audio: np.ndarray) -> float:
    """The clip's speech level: the 90th-percentile frame level between its first and last
    loud frames."""
    levels = _frame_dbfs(trim_to_speech(audio))
    return float(np.percentile(levels, 90)) if len(levels) else -120.0


def background_dbfs(audio: np.ndarray) -> float:
    """The clip's room level: its 10th-percentile frame, between -75 and -55 dBFS."""
    levels = _frame_dbfs(audio)
    return float(np.clip(np.percentile(levels, 10), -75, -55)) if len(levels) else -70.0


def thinking_cut(audio: np.ndarray) -> tuple[int, int]:
    """Where a thinking pause goes: around the quietest 30 ms between 30 % and 75 % of the
    clip. Returns the quiet stretch there (start, end samples), to be replaced by the pause,
    so a gap the speaker already left there does not make the pause longer than meant."""
    levels = _frame_dbfs(audio)
    first, last = int(len(levels) * 0.3), max(int(len(levels) * 0.75), int(len(levels) * 0.3) + 1)
    quietest = first + int(np.argmin(levels[first:last]))
    quiet = levels.max() - 30  # quieter than this is a gap, not a syllable
    start, end = quietest, quietest + 1
    while start > first and levels[start - 1] < quiet:
        start -= 1
    while end < last and levels[end] < quiet:
        end += 1
    return start * FRAME, end * FRAME


def _noise(rng: np.random.Generator, seconds: float, dbfs: float) -> np.ndarray:
    level = 10 ** (dbfs / 20)
    return (rng.standard_normal(int(seconds * SAMPLE_RATE_HZ)) * level).astype(np.float32)


def _fade(audio: np.ndarray, fade_in: bool, fade_out: bool) -> np.ndarray:
    n = int(0.005 * SAMPLE_RATE_HZ)
    out = audio.astype(np.float32, copy=True)
    ramp = np.linspace(0, 1, n, dtype=np.float32)
    if fade_in and len(out) > n:
        out[:n] *= ramp
    if fade_out and len(out) > n:
        out[-n:] *= ramp[::-1]
    return out


def build_answers(clips_by_pool: dict[str, Sequence[np.ndarray]], language: str, count: int,
                  seed: int = 13) -> list[BuiltAnswer]:
    """`count` answers in `language` from the pools that have clips (see module docstring)."""
    rng = random.Random(seed)
    noise_rng = np.random.default_rng(seed)
    pools = [(name, weight) for name, weight in POOLS[language]
             if len(clips_by_pool.get(name, ())) >= 2]
    if not pools:
        return []
    answers = []
    for number in range(count):
        pool = rng.choices([p for p, _ in pools], weights=[w for _, w in pools])[0]
        clips = clips_by_pool[pool]
        size = rng.randint(2, 3 if pool.startswith("fixtures") else 5)
        chosen = [trim_to_speech(clips[i]) for i in rng.sample(range(len(clips)), size)]
        room = min(background_dbfs(c) for c in chosen)
        thinking = set(rng.sample(range(size), rng.randint(1, min(2, size))))
        parts: list[np.ndarray] = [_noise(noise_rng, 0.6, room)]
        sentence_pauses = 0
        for index, clip in enumerate(chosen):
            if index in thinking:
                start, end = thinking_cut(clip)
                parts += [_fade(clip[:start], False, True),
                          _noise(noise_rng, rng.uniform(2.0, 4.0), room),
                          _fade(clip[end:], True, False)]
            else:
                parts.append(clip.astype(np.float32))
            if index < size - 1:
                parts.append(_noise(noise_rng, rng.uniform(0.3, 1.5), room))
                sentence_pauses += 1
        speech_end = sum(len(p) for p in parts)
        parts.append(_noise(noise_rng, TAIL_S, room))
        answers.append(BuiltAnswer(f"{language}-{number:03d}", language, pool,
                                   np.concatenate(parts), speech_end, len(thinking),
                                   sentence_pauses))
    return answers
