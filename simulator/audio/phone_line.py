"""A telephone line for a voice: speech band-limited to 300-3400 Hz and sampled at 8 kHz.

`PhoneLineVoice` wraps any `Voice` (`--phone-line`), so the simulated customer sounds like
a caller on a narrowband line, which is what call-centre agents actually hear. The band
limit is an FFT mask with raised-cosine edges (a brick-wall mask rings audibly), applied at
the voice's own rate; the result is then resampled to 8 kHz with `pcm.resample` (soxr),
whose anti-aliasing filter has nothing left to remove above 3.4 kHz.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from numpy.typing import NDArray

from simulator.audio.pcm import Sound, resample
from simulator.ports import Voice

PHONE_RATE_HZ = 8_000
"""Narrowband telephony sample rate (G.711)."""
LOW_HZ = 300.0
"""Lower edge of the telephone band (Hertz)."""
HIGH_HZ = 3_400.0
"""Upper edge of the telephone band (Hertz)."""
EDGE_HZ = 100.0
"""Width of each raised-cosine transition, outside the band (Hertz)."""
_PAD_SAMPLES = 2_048
"""Zero padding before the FFT, so the filter's tails do not wrap around the sentence."""


def band_limit(samples: NDArray[np.float32], sample_rate_hz: int, low_hz: float = LOW_HZ,
               high_hz: float = HIGH_HZ, edge_hz: float = EDGE_HZ) -> NDArray[np.float32]:
    """Keep `low_hz`..`high_hz` of mono audio; fade out over `edge_hz` beyond each edge.

    Args:
        samples: 1-D float32 audio.
        sample_rate_hz: its rate (Hertz).
        low_hz: lowest frequency kept at full level.
        high_hz: highest frequency kept at full level.
        edge_hz: transition width; below `low_hz - edge_hz` and above `high_hz + edge_hz`
            nothing is left.

    Returns:
        Float32 audio of the same length and rate.
    """
    if len(samples) == 0:
        return samples.astype(np.float32, copy=False)
    size = 1 << int(np.ceil(np.log2(len(samples) + _PAD_SAMPLES)))
    spectrum = np.fft.rfft(samples.astype(np.float64), n=size)
    freqs = np.fft.rfftfreq(size, d=1.0 / sample_rate_hz)
    mask = np.zeros_like(freqs)
    mask[(freqs >= low_hz) & (freqs <= high_hz)] = 1.0
    rising = (freqs > low_hz - edge_hz) & (freqs < low_hz)
    mask[rising] = 0.5 - 0.5 * np.cos(np.pi * (freqs[rising] - (low_hz - edge_hz)) / edge_hz)
    falling = (freqs > high_hz) & (freqs < high_hz + edge_hz)
    mask[falling] = 0.5 + 0.5 * np.cos(np.pi * (freqs[falling] - high_hz) / edge_hz)
    filtered = np.fft.irfft(spectrum * mask, n=size)[: len(samples)]
    return np.clip(filtered, -1.0, 1.0).astype(np.float32)


def phone_line(sound: Sound) -> Sound:
    """The sound as heard over a narrowband telephone line (300-3400 Hz at 8 kHz)."""
    limited = band_limit(sound.samples, sound.sample_rate_hz)
    return Sound(samples=resample(limited, sound.sample_rate_hz, PHONE_RATE_HZ),
                 sample_rate_hz=PHONE_RATE_HZ)


class PhoneLineVoice:
    """A `Voice` that passes another voice's sentences through a telephone line."""

    def __init__(self, inner: Voice) -> None:
        self._inner = inner

    def render(self, text: str) -> Iterator[Sound]:
        """Yield the inner voice's sounds, band-limited to 300-3400 Hz at 8 kHz.

        Raises:
            TtsError: from the inner voice.
        """
        for sound in self._inner.render(text):
            yield phone_line(sound)
