"""The exception hierarchy. Every error a user can cause is a `SimulatorError`.

The CLI turns any `SimulatorError` into a one-line message and exit code 2; anything
else is a bug and keeps its traceback.
"""

from __future__ import annotations


class SimulatorError(Exception):
    """Base class for errors with a message meant for the user."""


class ConfigError(SimulatorError):
    """An option or a combination of options is invalid."""


class BankError(SimulatorError):
    """A question bank or feedback template file is invalid (message names file and key)."""


class AudioFileError(SimulatorError):
    """An audio file cannot be read or written (message names the file)."""


class AudioDeviceError(SimulatorError):
    """A microphone or speaker cannot be opened or stopped working (message names it)."""


class TtsError(SimulatorError):
    """Speech synthesis failed or no voice is available."""


class TranscriptionError(SimulatorError):
    """The speech recogniser could not be loaded or failed."""


class ModelError(TranscriptionError):
    """The Whisper model files are missing, incomplete or corrupt."""
