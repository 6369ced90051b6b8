"""The speaker: plays a `Sound` on the default (or a chosen) output device via sounddevice."""

from __future__ import annotations

from simulator.audio.devices import import_sounddevice, resolve_device
from simulator.audio.pcm import Sound
from simulator.errors import AudioDeviceError


class SoundDevicePlayer:
    """A `Player` on the default (or a chosen) output device."""

    def __init__(self, device: str | None = None) -> None:
        self._device_spec = device
        self._device: int | str | None = None
        self._resolved = False

    def play(self, sound: Sound) -> None:
        """Play a sound to the end (blocking).

        Raises:
            AudioDeviceError: the output device cannot be opened or fails mid-playback.
        """
        sd = import_sounddevice()
        if not self._resolved:
            self._device = resolve_device(self._device_spec, "output")
            self._resolved = True
        try:
            sd.play(sound.samples, samplerate=sound.sample_rate_hz, device=self._device,
                    blocking=True)
        except (sd.PortAudioError, ValueError) as e:
            name = "default speaker" if self._device is None else f"speaker {self._device!r}"
            raise AudioDeviceError(f"{name} cannot play audio: {e}") from e
