"""Proves the virtual desk: a child process using sounddevice's default devices really hears
the fake microphone and really plays into the fake speakers, the way the tool will be run."""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
import time
import wave
from pathlib import Path

import numpy as np
import pytest

from .pulse import VirtualDesk

pytestmark = [pytest.mark.desk, pytest.mark.timeout(60)]

SAMPLE_RATE = 16_000
CHILD_TIMEOUT_S = 20.0
SILENCE_RMS = 0.01
TONE_THRESHOLD = 0.05

# Records with the default input only, as the tool does. It prints READY once the first block
# has arrived (the microphone is live), then saves the samples and each block's arrival time
# (time.monotonic is CLOCK_MONOTONIC, comparable across processes on Linux).
_RECORD_CHILD = r"""
import json, queue, sys, time
import numpy as np
import sounddevice as sd

seconds, out_prefix = float(sys.argv[1]), sys.argv[2]
blocks = queue.Queue()

def callback(indata, frames, t, status):
    blocks.put((time.monotonic(), indata[:, 0].copy(), bool(status)))

wanted = int(seconds * 16000)
chunks, arrivals, num_samples, num_bad = [], [], 0, 0
with sd.InputStream(samplerate=16000, channels=1, dtype="float32", blocksize=480,
                    callback=callback) as stream:
    while num_samples < wanted:
        arrived, block, bad = blocks.get(timeout=5)
        if not chunks:
            print("READY", flush=True)
        chunks.append(block)
        arrivals.append([arrived, num_samples])
        num_samples += len(block)
        num_bad += bad
    device = sd.query_devices(kind="input")["name"]
np.save(out_prefix + ".npy", np.concatenate(chunks)[:wanted])
with open(out_prefix + ".json", "w") as f:
    json.dump({"arrivals": arrivals, "status_flags": num_bad, "device": device}, f)
"""

_PLAY_CHILD = r"""
import sys
import numpy as np
import sounddevice as sd

frequency_hz, seconds = float(sys.argv[1]), float(sys.argv[2])
t = np.arange(int(seconds * 16000)) / 16000
sd.play((0.5 * np.sin(2 * np.pi * frequency_hz * t)).astype(np.float32), 16000)
sd.wait()
"""

_QUERY_CHILD = r"""
import json
import sounddevice as sd

devices = [
    {"name": d["name"], "inputs": d["max_input_channels"], "outputs": d["max_output_channels"]}
    for d in sd.query_devices()
]
print(json.dumps({"devices": devices, "default": list(sd.default.device)}))
"""


def _write_tone(path: Path, frequency_hz: float, seconds: float, amplitude: float = 0.5) -> None:
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    pcm = np.round(amplitude * np.sin(2 * np.pi * frequency_hz * t) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes(pcm.tobytes())


def _read_wav(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as w:
        assert w.getsampwidth() == 2 and w.getnchannels() == 1
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
        return pcm.astype(np.float32) / 32768.0, w.getframerate()


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64))))


def _dominant_hz(x: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return float(np.fft.rfftfreq(len(x), 1 / rate)[int(np.argmax(spectrum))])


def _child(code: str, *args: str) -> list[str]:
    return [sys.executable, "-c", code, *args]


def _wait_for_line(process: subprocess.Popen[bytes], expected: str, timeout_s: float) -> None:
    """Read the child's stdout until `expected`, failing (not hanging) after timeout_s."""
    assert process.stdout is not None
    deadline = time.monotonic() + timeout_s
    buffer = b""
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while expected.encode() not in buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not selector.select(remaining):
                process.kill()
                pytest.fail(f"child did not print {expected!r} within {timeout_s} s")
            chunk = os.read(process.stdout.fileno(), 4096)
            if not chunk:
                process.wait(timeout=5)
                pytest.fail(f"child exited ({process.returncode}) before printing {expected!r}")
            buffer += chunk


def test_default_input_hears_what_is_played_into_mic(desk: VirtualDesk, tmp_path: Path) -> None:
    """A child recording 3 s from sounddevice's default input hears a 1 kHz tone played into mic."""
    tone = tmp_path / "tone_1khz.wav"
    _write_tone(tone, 1000.0, seconds=2.0)
    prefix = tmp_path / "recorded"
    stderr_path = tmp_path / "child.stderr"
    with stderr_path.open("wb") as stderr:
        child = subprocess.Popen(
            _child(_RECORD_CHILD, "3.0", str(prefix)),
            env=desk.child_env(),
            stdout=subprocess.PIPE,
            stderr=stderr,
        )
        try:
            _wait_for_line(child, "READY", timeout_s=CHILD_TIMEOUT_S)
            played_at = time.monotonic()
            player = desk.play_into_mic(tone)
            child.wait(timeout=CHILD_TIMEOUT_S)
            assert player.wait(timeout=CHILD_TIMEOUT_S) == 0
        finally:
            if child.poll() is None:
                child.kill()
            assert child.stdout is not None
            child.stdout.close()
    assert child.returncode == 0, stderr_path.read_text()

    recorded = np.load(prefix.with_suffix(".npy"))
    info = json.loads(prefix.with_suffix(".json").read_text())
    assert recorded.dtype == np.float32 and recorded.shape == (3 * SAMPLE_RATE,)
    assert info["device"] == "default"
    rms = _rms(recorded)
    # A 0.5-amplitude sine has RMS 0.354; 2 s of it in 3 s of recording gives about 0.29.
    assert rms > 0.15, f"recorded RMS {rms:.4f}: the microphone heard (almost) nothing"
    assert abs(_dominant_hz(recorded, SAMPLE_RATE) - 1000.0) < 20.0
    heard_at = next(
        arrived
        for arrived, offset in info["arrivals"]
        if np.max(np.abs(recorded[offset : offset + 480])) > TONE_THRESHOLD
    )
    latency_s = heard_at - played_at
    print(f"capture latency {latency_s:.3f} s, RMS {rms:.3f}, flags {info['status_flags']}")
    assert latency_s < 1.5, f"the tool heard the tone only {latency_s:.2f} s after paplay started"


def test_default_output_reaches_speakers_monitor(desk: VirtualDesk, tmp_path: Path) -> None:
    """A child playing a 660 Hz tone on the default output is heard on speakers.monitor."""
    recording = desk.start_recording_speakers(tmp_path / "speakers.wav")
    try:
        result = subprocess.run(
            _child(_PLAY_CHILD, "660", "1.0"),
            env=desk.child_env(),
            capture_output=True,
            text=True,
            timeout=CHILD_TIMEOUT_S,
        )
    finally:
        wav_path = desk.stop_recording_speakers(recording)
    assert result.returncode == 0, result.stderr
    samples, rate = _read_wav(wav_path)
    assert rate == SAMPLE_RATE
    rms = _rms(samples)
    assert rms > SILENCE_RMS * 10, f"speakers.monitor RMS {rms:.4f}: nothing was played"
    assert abs(_dominant_hz(samples, rate) - 660.0) < 20.0


def test_default_devices_are_listed(desk: VirtualDesk) -> None:
    """A child's sounddevice.query_devices() lists inputs and outputs with valid defaults."""
    result = subprocess.run(
        _child(_QUERY_CHILD),
        env=desk.child_env(),
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT_S,
    )
    assert result.returncode == 0, result.stderr
    listing = json.loads(result.stdout)
    devices = listing["devices"]
    assert any(d["inputs"] > 0 for d in devices), devices
    assert any(d["outputs"] > 0 for d in devices), devices
    default_in, default_out = listing["default"]
    assert devices[default_in]["name"] == "default" and devices[default_in]["inputs"] > 0
    assert devices[default_out]["name"] == "default" and devices[default_out]["outputs"] > 0


def test_unload_mic_removes_the_microphone(fresh_desk: VirtualDesk) -> None:
    """unload_mic removes mic.monitor and the default source falls back to speakers.monitor."""
    assert "mic.monitor" in fresh_desk.pactl("list", "short", "sources")
    fresh_desk.unload_mic()
    sources = [
        line.split("\t")[1] for line in fresh_desk.pactl("list", "short", "sources").splitlines()
    ]
    assert "mic.monitor" not in sources
    assert fresh_desk.pactl("get-default-source").strip() == "speakers.monitor"
