"""sounddevice at the edge: the only module that imports it (PortAudio may be missing).

Also lists devices for `interview-sim devices` and resolves `--input-device` values.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from types import ModuleType

from simulator.errors import AudioDeviceError


@functools.lru_cache(maxsize=1)
def import_sounddevice() -> ModuleType:
    """Import sounddevice, turning a missing PortAudio library into a clear error.

    Raises:
        AudioDeviceError: PortAudio or sounddevice is not installed.
    """
    try:
        import sounddevice
    except OSError as e:  # sounddevice raises OSError at import without libportaudio
        raise AudioDeviceError(
            "the PortAudio library is missing, so no microphone or speaker can be used: "
            "run scripts/install_system_deps.sh (Debian: apt-get install libportaudio2), "
            "or use --no-voice with replay") from e
    except ImportError as e:
        raise AudioDeviceError("sounddevice is not installed: pip install sounddevice") from e
    return sounddevice


@dataclass(frozen=True)
class DeviceInfo:
    """One audio device as PortAudio reports it."""

    index: int
    name: str
    host_api: str
    max_input_channels: int
    max_output_channels: int
    default_sample_rate_hz: float
    is_default_input: bool
    is_default_output: bool


def list_devices() -> list[DeviceInfo]:
    """All devices PortAudio can see.

    Raises:
        AudioDeviceError: PortAudio is missing or fails to enumerate devices.
    """
    sd = import_sounddevice()
    try:
        devices = sd.query_devices()
        apis = sd.query_hostapis()
        default_in, default_out = sd.default.device
    except sd.PortAudioError as e:
        raise AudioDeviceError(f"cannot list audio devices: {e}") from e
    return [
        DeviceInfo(index=i, name=d["name"], host_api=apis[d["hostapi"]]["name"],
                   max_input_channels=d["max_input_channels"],
                   max_output_channels=d["max_output_channels"],
                   default_sample_rate_hz=d["default_samplerate"],
                   is_default_input=i == default_in, is_default_output=i == default_out)
        for i, d in enumerate(devices)
    ]


def resolve_device(spec: str | None, kind: str) -> int | str | None:
    """Check a `--input-device`/`--output-device` value and return what sounddevice takes.

    Args:
        spec: None (system default), a device index, or part of a device name.
        kind: "input" or "output".

    Raises:
        AudioDeviceError: no such device, or it has no channels of that kind (names it).
    """
    sd = import_sounddevice()
    key: int | str | None = int(spec) if spec is not None and spec.isdigit() else spec
    try:
        info = sd.query_devices(key, kind)
    except (ValueError, sd.PortAudioError) as e:
        what = "default " + kind if spec is None else f"{kind} device {spec!r}"
        raise AudioDeviceError(
            f"no usable {what}: {e}; see `interview-sim devices` for the list") from e
    channels = info[f"max_{kind}_channels"]
    if channels < 1:
        raise AudioDeviceError(f"{kind} device {info['name']!r} has no {kind} channels")
    return key
