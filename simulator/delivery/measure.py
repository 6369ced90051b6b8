"""How an answer was delivered, apart from what it said: pace, fillers, pauses, latency, loudness.

`measure_delivery` is a pure function of one answer's transcript (with Whisper's word
timestamps), its recorded audio and the response latency the recorder measured. It reports
pace in Mandarin characters or English words per minute against a target band, hesitation
fillers and where they were heard, long pauses and dead air, the speech level and clipping,
and `tips`: the problems found, most useful first, so that feedback speaks only the first
one (`tips.render_tip`).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from simulator.audio.pcm import SAMPLE_RATE_HZ
from simulator.config import DeliveryConfig, TipCode
from simulator.delivery.activity import AudioActivity, audio_activity, audio_pauses, loudness
from simulator.delivery.fillers import find_fillers, gap_after
from simulator.delivery.model import Delivery, DeliveryTip, Pause, TipParam, Verdict
from simulator.speech.transcript import Transcript, Word
from simulator.text.normalise import has_cjk

_LOGGER = logging.getLogger(__name__)


def _language(transcript: Transcript) -> str:
    if transcript.language in ("zh", "en"):
        return transcript.language
    return "zh" if has_cjk(transcript.text) else "en"


def _word_pauses(words: Sequence[Word], config: DeliveryConfig) -> list[Pause]:
    pauses = []
    for index in range(len(words) - 1):
        gap = gap_after(words, index)
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
    activity = audio_activity(audio, config)
    band = config.pace_band(language)
    unit_name = "cpm" if chinese else "wpm"
    heard = not transcript.is_empty
    speech_dbfs, clipped_share, loudness_verdict = loudness(audio, activity, heard, config)
    if not heard:
        tips = _tips(config, loudness=(speech_dbfs, clipped_share, loudness_verdict))
        return Delivery(language=language, timing_source="none", speech_span_s=None,
                        talk_s=None, pace_unit=unit_name, pace_units=0, pace_per_min=None,
                        pace_band=band, pace_verdict=None, fillers=(), filler_per_min=None,
                        filler_verdict=None, pauses=(), response_latency_s=response_latency_s,
                        latency_verdict=None, speech_dbfs=speech_dbfs,
                        clipped_share=clipped_share, loudness_verdict=loudness_verdict,
                        tips=tips)

    span_s, pauses, source = _timing(transcript, audio, activity, config)
    talk_s = max(0.0, span_s - sum(p.length_s for p in pauses)) if span_s is not None else None

    fillers, pace_units = find_fillers(transcript, chinese, config.filler_pause_s)

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


def _timing(transcript: Transcript, audio: NDArray[np.float32], activity: AudioActivity,
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
        return span_s, audio_pauses(activity, config), "audio"
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
