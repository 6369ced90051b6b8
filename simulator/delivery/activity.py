"""Speech and silence in the recorded audio (30 ms frames), and how loud the speech was.

Used where the transcript has no word timings (pauses from the audio energy) and always
for loudness: the level of the voiced frames and the share of clipped samples.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from simulator.audio.pcm import BLOCK_SAMPLES, SAMPLE_RATE_HZ, rms_dbfs
from simulator.config import DeliveryConfig
from simulator.delivery.model import Pause, Verdict


@dataclass(frozen=True)
class AudioActivity:
    voiced: NDArray[np.bool_]
    """One flag per 30 ms frame."""
    frame_s: float


def audio_activity(audio: NDArray[np.float32], config: DeliveryConfig) -> AudioActivity:
    """Mark 30 ms frames as voiced when near the loud speech level and above the floor."""
    frame_s = BLOCK_SAMPLES / SAMPLE_RATE_HZ
    num_frames = len(audio) // BLOCK_SAMPLES
    if num_frames == 0:
        return AudioActivity(np.zeros(0, dtype=bool), frame_s)
    frames = audio[: num_frames * BLOCK_SAMPLES].astype(np.float64).reshape(num_frames, -1)
    power = np.mean(np.square(frames), axis=1)
    with np.errstate(divide="ignore"):
        levels = 10.0 * np.log10(power)
    above_floor = levels > config.silence_floor_dbfs
    if not np.any(above_floor):
        return AudioActivity(np.zeros(num_frames, dtype=bool), frame_s)
    # Percentiles, not extremes: a few clicks must not set the speech level, nor a few
    # dropouts the background level.
    loud_dbfs = float(np.percentile(levels[above_floor], 90))
    noise_dbfs = float(np.percentile(levels[above_floor], 10))
    if loud_dbfs - noise_dbfs < config.noise_margin_db:
        # No contrast: all sound (a steady voice or tone) or all noise. Call it all voiced,
        # which measures its level; the transcript decides whether anything was said.
        return AudioActivity(above_floor, frame_s)
    threshold = max(config.silence_floor_dbfs, noise_dbfs + config.noise_margin_db,
                    loud_dbfs - config.voiced_range_db)
    return AudioActivity(levels > threshold, frame_s)


def audio_pauses(activity: AudioActivity, config: DeliveryConfig) -> list[Pause]:
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


def loudness(audio: NDArray[np.float32], activity: AudioActivity, heard_words: bool,
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
