"""The exception hierarchy, named for what failed. Every error a user can cause is a
`SimulatorError`.

The CLI turns any `SimulatorError` into a one-line message and exit code 2; anything
else is a bug and keeps its traceback.
"""

from __future__ import annotations


class SimulatorError(Exception):
    """Base class for errors with a message meant for the user."""


class ConfigError(SimulatorError):
    """An option or a combination of options is invalid."""


class DataFileError(SimulatorError):
    """A data file (feedback or delivery templates, scorecard, scenario, question bank) is
    unreadable or invalid; the message names the file, the entry and the field."""


class BankError(DataFileError):
    """A question bank (or a document imported into one) is unreadable or invalid. Kept apart
    from other data files because `--bank` is what a user names and gets wrong most."""


class StorageError(SimulatorError):
    """The session record cannot be written (or, to resume it, read) on disk; the message
    names the folder or file."""


class AudioFileError(SimulatorError):
    """An audio file cannot be read or written (message names the file)."""


class AnswersExhausted(AudioFileError):
    """The recorded answers being replayed ran out: a call ends there and the answers given
    so far are scored."""


class AudioDeviceError(SimulatorError):
    """A microphone or speaker cannot be opened or stopped working (message names it)."""


class TtsError(SimulatorError):
    """Speech synthesis failed or no voice is available."""


class TranscriptionError(SimulatorError):
    """The speech recogniser could not be loaded or failed."""


class ModelError(TranscriptionError):
    """The Whisper model files are missing, incomplete or corrupt."""
