"""Keep the C audio libraries' chatter off the screen, at its source.

ALSA's library prints its own messages straight to the process's stderr ("ALSA lib
pcm.c:8570:(snd_pcm_recover) underrun occurred", probing messages when PortAudio lists
devices) from C, between the session's lines. `snd_lib_error_set_handler` is ALSA's own
hook for that: with it, those messages go to this module's logger at debug level
(`--debug` shows them) instead of the terminal. Real failures still reach the user: the
PortAudio call that failed returns an error, which sounddevice raises and the adapters turn
into an `AudioDeviceError` naming the device.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
from typing import Any

_LOGGER = logging.getLogger(__name__)
_HANDLER: Any = None
"""The installed C callback (kept referenced: ALSA holds a raw pointer to it)."""
_ERROR_HANDLER = ctypes.CFUNCTYPE(None, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                                  ctypes.c_int, ctypes.c_char_p)


def _log(file: bytes | None, line: int, function: bytes | None, err: int,
         fmt: bytes | None) -> None:
    # Runs on whichever thread ALSA is on (PortAudio's, for an underrun): no I/O unless the
    # debug level is on.
    if _LOGGER.isEnabledFor(logging.DEBUG):
        _LOGGER.debug("ALSA %s:%d (%s) err %d: %s", (file or b"").decode(errors="replace"),
                      line, (function or b"").decode(errors="replace"), err,
                      (fmt or b"").decode(errors="replace"))


def quiet_audio_libraries() -> bool:
    """Route ALSA's messages to the log (once per process). Returns whether it could."""
    global _HANDLER
    if _HANDLER is not None:
        return True
    name = ctypes.util.find_library("asound")
    if name is None:
        return False
    try:
        library = ctypes.CDLL(name)
        handler = _ERROR_HANDLER(_log)
        library.snd_lib_error_set_handler(handler)
    except (OSError, AttributeError) as e:
        _LOGGER.debug("ALSA messages stay on stderr: %s", e)
        return False
    _HANDLER = handler
    return True
