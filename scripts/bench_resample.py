"""Benchmark: the hand-written resampler we had against soxr, for speed and quality, in one run.

`simulator.audio.pcm.resample` used a Kaiser-windowed sinc polyphase filter written with
numpy, and for ratios it could not do polyphase (44.1 kHz -> 16 kHz is 160/441) a low-pass
followed by `np.interp`. It now calls soxr. The old code is kept below, unchanged, as the
baseline, so both can still be measured side by side on the same signals:

* quality, for each conversion the program makes (file input at 48, 44.1 and 8 kHz; the
  telephone line's 24 kHz -> 8 kHz):
  - SNR of a sine sweep across the pass band (up to 90 % of the output Nyquist), against
    the same sweep computed exactly at the output sample times: everything that is not
    the sweep (ripple, distortion, noise, timing error) counts as noise;
  - THD+N of a 1 kHz tone (a least-squares sine fit; the rest is the residual);
  - aliasing rejection: tones between the output Nyquist and the input Nyquist must vanish;
    the figure is the worst (smallest) attenuation, in dB, over the tones tried;
* speed: seconds to resample one minute of mono audio (best of three), and the ratio.

Signal edges (the filters' start-up) are left out of every measurement. Nothing is written.

Usage: .venv/bin/python scripts/bench_resample.py
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from math import gcd
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from simulator.audio.pcm import resample as soxr_resample  # noqa: E402

Audio = NDArray[np.float32]
Resampler = Callable[[Audio, int, int], Audio]
CONVERSIONS = ((48_000, 16_000), (44_100, 16_000), (8_000, 16_000), (24_000, 8_000))
EDGE_S = 0.1
"""Left out at each end of every signal (filter start-up)."""


# --- the baseline: pcm.resample as it was before soxr (commit 7e1d34c), unchanged ----------


def old_resample(samples: Audio, from_hz: int, to_hz: int) -> Audio:
    """Resample mono audio with a windowed-sinc polyphase filter (scipy-free)."""
    if from_hz == to_hz or len(samples) == 0:
        return samples.astype(np.float32, copy=False)
    divisor = gcd(from_hz, to_hz)
    up, down = to_hz // divisor, from_hz // divisor
    if up > 64 or down > 64:
        return _resample_interp(samples, from_hz, to_hz)
    taps = _lowpass_taps(max(up, down), num_zeros=16)
    upsampled = np.zeros(len(samples) * up, dtype=np.float32)
    upsampled[::up] = samples
    filtered = np.convolve(upsampled, taps * up, mode="same")
    return filtered[::down].astype(np.float32)


def _lowpass_taps(factor: int, num_zeros: int) -> Audio:
    half = num_zeros * factor
    n = np.arange(-half, half + 1, dtype=np.float64)
    taps = np.sinc(n / factor) / factor * np.kaiser(len(n), 8.0)
    return taps.astype(np.float32)


def _resample_interp(samples: Audio, from_hz: int, to_hz: int) -> Audio:
    if to_hz < from_hz:
        factor = from_hz / to_hz
        taps = _lowpass_taps(int(np.ceil(factor)), num_zeros=16)
        samples = np.convolve(samples, taps, mode="same").astype(np.float32)
    num_out = int(round(len(samples) * to_hz / from_hz))
    positions = np.arange(num_out, dtype=np.float64) * (from_hz / to_hz)
    return np.interp(positions, np.arange(len(samples)), samples).astype(np.float32)


# --- signals and measures ------------------------------------------------------------------


def _sweep(times_s: NDArray[np.float64], low_hz: float, high_hz: float,
           length_s: float) -> NDArray[np.float64]:
    """A logarithmic sine sweep evaluated exactly at `times_s` (amplitude 0.5)."""
    k = np.log(high_hz / low_hz) / length_s
    return 0.5 * np.sin(2 * np.pi * low_hz * (np.exp(k * times_s) - 1) / k)


def _middle(x: NDArray[np.floating], rate_hz: int) -> NDArray[np.floating]:
    edge = int(EDGE_S * rate_hz)
    return x[edge:-edge]


def _db(power_ratio: float) -> float:
    return float(10 * np.log10(power_ratio)) if power_ratio > 0 else float("inf")


def sweep_snr_db(resampler: Resampler, from_hz: int, to_hz: int, length_s: float = 4.0) -> float:
    """SNR (dB) of a 50 Hz .. 0.9 x output-Nyquist sweep against the exact sweep."""
    high = 0.45 * min(from_hz, to_hz)
    source = _sweep(np.arange(int(length_s * from_hz)) / from_hz, 50.0, high, length_s)
    out = resampler(source.astype(np.float32), from_hz, to_hz).astype(np.float64)
    ideal = _sweep(np.arange(len(out)) / to_hz, 50.0, high, length_s)
    signal, error = _middle(ideal, to_hz), _middle(out - ideal, to_hz)
    return _db(float(np.mean(signal**2)) / float(np.mean(error**2)))


def thd_n_db(resampler: Resampler, from_hz: int, to_hz: int, tone_hz: float = 1_000.0) -> float:
    """THD+N (dB, negative is better) of a 1 kHz tone: residual after a sine fit."""
    t_in = np.arange(2 * from_hz) / from_hz
    out = resampler((0.5 * np.sin(2 * np.pi * tone_hz * t_in)).astype(np.float32),
                    from_hz, to_hz).astype(np.float64)
    y = _middle(out, to_hz)
    t = _middle(np.arange(len(out)) / to_hz, to_hz)
    basis = np.stack([np.sin(2 * np.pi * tone_hz * t), np.cos(2 * np.pi * tone_hz * t),
                      np.ones_like(t)], axis=1)
    fit, *_ = np.linalg.lstsq(basis, y, rcond=None)
    residual = y - basis @ fit
    return _db(float(np.mean(residual**2)) / float(np.mean((basis[:, :2] @ fit[:2]) ** 2)))


def alias_rejection_db(resampler: Resampler, from_hz: int, to_hz: int) -> float | None:
    """Worst attenuation (dB) of tones between the output and the input Nyquist (None when
    upsampling: there is nothing to reject)."""
    if to_hz >= from_hz:
        return None
    nyquist_out, nyquist_in = to_hz / 2, from_hz / 2
    tones = np.linspace(nyquist_out * 1.1, nyquist_in * 0.95, 6)
    t = np.arange(2 * from_hz) / from_hz
    worst = float("inf")
    for tone_hz in tones:
        source = (0.5 * np.sin(2 * np.pi * tone_hz * t)).astype(np.float32)
        out = _middle(resampler(source, from_hz, to_hz).astype(np.float64), to_hz)
        worst = min(worst, _db(0.125 / max(float(np.mean(out**2)), 1e-30)))
    return worst


def seconds_per_minute(resampler: Resampler, from_hz: int, to_hz: int) -> float:
    """Best of three: seconds to resample one minute of noise-like audio."""
    rng = np.random.default_rng(0)
    minute = (0.1 * rng.standard_normal(60 * from_hz)).astype(np.float32)
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        resampler(minute, from_hz, to_hz)
        best = min(best, time.perf_counter() - started)
    return best


def main() -> int:
    """Measure both resamplers on every conversion; print a table and the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args()
    print(f"{'conversion':<14} {'resampler':<10} {'sweep SNR dB':>12} {'THD+N dB':>9} "
          f"{'alias rej dB':>12} {'s / min':>8}")
    summary = []
    for from_hz, to_hz in CONVERSIONS:
        results = {}
        for name, resampler in (("old", old_resample), ("soxr", soxr_resample)):
            alias = alias_rejection_db(resampler, from_hz, to_hz)
            results[name] = (sweep_snr_db(resampler, from_hz, to_hz),
                             thd_n_db(resampler, from_hz, to_hz), alias,
                             seconds_per_minute(resampler, from_hz, to_hz))
            snr, thd, alias, speed = results[name]
            alias_text = "-" if alias is None else f"{alias:.1f}"
            print(f"{from_hz / 1000:g}->{to_hz / 1000:g} kHz".ljust(14)
                  + f" {name:<10} {snr:>12.1f} {thd:>9.1f} {alias_text:>12} {speed:>8.4f}")
        old, new = results["old"], results["soxr"]
        label = f"{from_hz // 1000}k_{to_hz // 1000}k"
        summary.append(f"{label}_speedup={old[3] / new[3]:.1f}x "
                       f"{label}_snr_gain_db={new[0] - old[0]:.1f}")
    print(" ".join(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
