"""The microphone: a sounddevice input stream wrapped as a generator of 30 ms blocks.

The PortAudio callback only copies each block into a queue (no I/O, no logging there; it
runs on PortAudio's thread). The stream lives inside the generator's `with`, so the device
is opened when an answer starts and released when the consumer closes the generator:
nothing is recorded while the tool itself is speaking.
"""

from __future__ import annotations

import logging
import queue
from collections.abc import Iterator
from typing import Any

import numpy as np

from simulator.audio.devices import import_sounddevice, resolve_device
from simulator.audio.pcm import BLOCK_SAMPLES, SAMPLE_RATE_HZ, Block
from simulator.errors import AudioDeviceError

_LOGGER = logging.getLogger(__name__)


class SoundDeviceSource:
    """An `AudioSource` reading the microphone at 16 kHz mono float32."""

    def __init__(self, device: str | None = None, device_timeout_s: float = 5.0) -> None:
        self._device_spec = device
        self._timeout_s = device_timeout_s
        self.overflow_count = 0
        """Blocks PortAudio reported as overflowed (audio lost because we fell behind)."""

    def open_answer(self) -> Iterator[Block]:
        """Open the microphone and yield blocks until the caller closes the generator.

        Raises:
            AudioDeviceError: the device is missing, refuses 16 kHz mono, or stops delivering.
        """
        sd = import_sounddevice()
        device = resolve_device(self._device_spec, "input")
        name = "default microphone" if device is None else f"microphone {device!r}"
        blocks: queue.Queue[Block] = queue.Queue()

        def _callback(indata: Any, frames: int, time_info: Any, status: Any) -> None:
            if status:
                self.overflow_count += 1
            blocks.put(indata[:, 0].copy())

        try:
            stream = sd.InputStream(samplerate=SAMPLE_RATE_HZ, channels=1, dtype="float32",
                                    blocksize=BLOCK_SAMPLES, device=device, callback=_callback)
        except (sd.PortAudioError, ValueError) as e:
            raise AudioDeviceError(
                f"{name} cannot record 16000 Hz mono ({e}); choose another with "
                "--input-device (see `interview-sim devices`)") from e
        stream.start()
        try:
            while True:
                try:
                    block = blocks.get(timeout=self._timeout_s)
                except queue.Empty:
                    raise AudioDeviceError(
                        f"{name} delivered no audio for {self._timeout_s:g} s "
                        "(unplugged or in use?)") from None
                yield block.astype(np.float32, copy=False)
        finally:
            # abort(), not stop(): stop() waits for pending buffers, and blocks for as long
            # as a stalled device delivers nothing.
            stream.abort()
            stream.close()
