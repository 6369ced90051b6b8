"""The pyttsx3 voice: system voices on Windows/macOS, eSpeak NG 1.52 from a wheel on Linux.

`Pyttsx3Voice` renders text sentence by sentence into `Sound`s and works around three
defects of pyttsx3 2.99 with eSpeak NG on Linux. The distro's eSpeak NG 1.51 cannot speak
Mandarin, so the libespeak-ng 1.52 shipped by the `espeakng-loader` wheel is loaded before
pyttsx3 looks for a library. `save_to_file` + `runAndWait()` return before anything has
been synthesised, so every sentence waits for the engine's `finished-utterance` event
before its WAV is read back. And a sentence started while eSpeak is still busy (with the
end of the previous one, or with a property change) is cancelled by pyttsx3 itself, so
each sentence waits for eSpeak to go idle first. pyttsx3 and espeakng_loader are imported
only when the first sentence is rendered.
"""

from __future__ import annotations

import ctypes
import functools
import logging
import os
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol, TextIO

import numpy as np

from simulator.audio.pcm import Sound
from simulator.errors import TtsError
from simulator.speech.sentences import split_sentences

_LOGGER = logging.getLogger(__name__)

DEFAULT_VOICE_NAMES = {"en": "en-us", "zh": "cmn"}
"""eSpeak NG voice used for each language when no `voice_name` is given (Linux)."""

_BASE_TIMEOUT_S = 10.0
_TIMEOUT_PER_CHAR_S = 0.25  # eSpeak runs at ~0.003 real time; this only catches a dead engine
_IDLE_TIMEOUT_S = 5.0
_DRIVER_CHATTER = "Audio saved to "


class Pyttsx3Engine(Protocol):
    """The part of `pyttsx3.Engine` this voice uses (a fake implements it in tests)."""

    def connect(self, topic: str, cb: Any) -> Any:
        """Call `cb(**kwargs)` whenever the engine emits `topic`."""
        ...

    def setProperty(self, name: str, value: Any) -> None:  # noqa: N802 (pyttsx3's name)
        """Queue a property change (voice, rate, volume)."""
        ...

    def save_to_file(self, text: str, filename: str) -> None:
        """Queue the synthesis of `text` into a WAV file."""
        ...

    def runAndWait(self) -> None:  # noqa: N802 (pyttsx3's name)
        """Process the queued commands (may return before synthesis has finished)."""
        ...


@functools.cache
def load_bundled_espeak() -> bool:
    """Make pyttsx3 use the libespeak-ng 1.52 shipped in the espeakng-loader wheel (Linux).

    Runs once per process and must run before pyttsx3 loads its eSpeak driver: it points
    `ESPEAK_DATA_PATH` at the wheel's data and loads the wheel's library with
    `RTLD_GLOBAL`, so pyttsx3's own `dlopen("libespeak-ng.so.1")` gets that library instead
    of the distro's 1.51 (whose Mandarin reads the pinyin tone digits aloud). On Windows
    and macOS pyttsx3 uses the system voices and this does nothing.

    Returns:
        True if the bundled library was loaded; False on other platforms, when the wheel is
        not installed, or when pyttsx3's driver had already loaded another library.
    """
    if not sys.platform.startswith("linux"):
        return False
    if "pyttsx3.drivers._espeak" in sys.modules:
        _LOGGER.warning(
            "pyttsx3's eSpeak driver was loaded before the bundled eSpeak NG 1.52; "
            "using whatever libespeak-ng it found"
        )
        return False
    try:
        import espeakng_loader
    except ImportError:
        _LOGGER.warning(
            "espeakng-loader is not installed; pyttsx3 will use the system "
            "libespeak-ng (pip install espeakng-loader==0.2.4 for eSpeak NG 1.52)"
        )
        return False
    try:
        data_path = espeakng_loader.get_data_path()
        library_path = espeakng_loader.get_library_path()
        os.environ["ESPEAK_DATA_PATH"] = str(data_path)
        ctypes.CDLL(str(library_path), mode=ctypes.RTLD_GLOBAL)
    except OSError as e:
        raise TtsError(
            f"cannot load the eSpeak NG library from espeakng-loader ({e}); "
            "reinstall it: pip install --force-reinstall espeakng-loader==0.2.4"
        ) from e
    _LOGGER.debug("loaded bundled eSpeak NG from %s", library_path)
    return True


def _create_engine() -> Pyttsx3Engine:
    load_bundled_espeak()
    try:
        import pyttsx3
    except ImportError as e:
        raise TtsError("pyttsx3 is not installed: pip install -e .") from e
    try:
        return pyttsx3.init()  # type: ignore[no-any-return]
    except (RuntimeError, OSError, ImportError) as e:
        raise TtsError(
            f"cannot start the pyttsx3 speech engine ({e}); on Linux install the "
            "espeakng-loader wheel (pip install -e .) or the espeak-ng package"
        ) from e


class _DropDriverChatter:
    """A stdout wrapper that drops the line pyttsx3's eSpeak driver prints after each file.

    pyttsx3 2.99 `print()`s "Audio saved to <temp file>" from its synthesis callback; the
    CLI must not show that. Everything else is passed through to the real stream.
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._dropping = False

    def write(self, text: str) -> int:
        if text.startswith(_DRIVER_CHATTER):
            self._dropping = True
            return len(text)
        if self._dropping and text == "\n":  # print() writes the end separately
            self._dropping = False
            return len(text)
        self._dropping = False
        return self._stream.write(text)

    def flush(self) -> None:
        self._stream.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


class Pyttsx3Voice:
    """Speaks with pyttsx3: eSpeak NG on Linux, SAPI5 on Windows, NSSpeechSynthesizer on macOS.

    One engine is created lazily on the first `render` and kept (strongly referenced) for
    the life of the voice. The engine is not thread-safe and pyttsx3 hangs or raises "run
    loop already started" when `runAndWait` is re-entered (nateshmbhat/pyttsx3 #126, #262),
    so create and use a voice from one thread only (SAPI5 is also bound to the COM apartment
    of the thread that created it); calls are additionally serialised by a lock.

    Note that `pyttsx3.init()` returns the same engine to every caller in a process, so each
    sentence sets the voice and rate again before it is synthesised.
    """

    def __init__(
        self,
        language: str = "en",
        voice_name: str | None = None,
        rate_wpm: int | None = None,
        *,
        engine: Pyttsx3Engine | None = None,
        finish_timeout_s: float | None = None,
    ) -> None:
        """Configure the voice; nothing is loaded until the first `render`.

        Args:
            language: "zh" or "en".
            voice_name: An engine voice id; on Linux an eSpeak NG voice such as "en-us",
                "en-gb-x-rp" or "cmn". None uses `DEFAULT_VOICE_NAMES[language]` on Linux and
                the system default voice elsewhere.
            rate_wpm: Speaking rate in words per minute; None keeps the engine's default
                (200 for eSpeak NG).
            engine: An already created engine (tests pass a fake); None creates the
                pyttsx3 engine on first use.
            finish_timeout_s: How long to wait for each sentence's `finished-utterance`
                event; None scales with the sentence length (10 s + 0.25 s per character).

        Raises:
            TtsError: `language` is not "zh" or "en", or a number is out of range.
        """
        if language not in DEFAULT_VOICE_NAMES:
            raise TtsError(f"unknown voice language {language!r}: use 'zh' or 'en'")
        if rate_wpm is not None and not 50 <= rate_wpm <= 500:
            raise TtsError(f"rate_wpm must be between 50 and 500 words per minute, not {rate_wpm}")
        if finish_timeout_s is not None and finish_timeout_s <= 0:
            raise TtsError(f"finish_timeout_s must be positive, not {finish_timeout_s}")
        if voice_name is None and sys.platform.startswith("linux"):
            voice_name = DEFAULT_VOICE_NAMES[language]
        self.language = language
        self.voice_name = voice_name
        self.rate_wpm = rate_wpm
        self._finish_timeout_s = finish_timeout_s
        self._engine = engine
        self._connected = False
        self._lock = threading.Lock()
        self._finished = threading.Event()
        self._completed = True
        self._errors: list[BaseException] = []

    def render(self, text: str) -> Iterator[Sound]:
        """Yield one `Sound` per sentence of `text` (see `split_sentences`).

        Each sentence is synthesised completely before it is yielded, so the caller can
        play it while asking for the next one.

        Args:
            text: What to say; empty or punctuation-only text yields nothing.

        Yields:
            Mono float32 sounds at the engine's rate (22050 Hz for eSpeak NG).

        Raises:
            TtsError: the engine cannot start, rejects the voice, or does not finish a
                sentence in time.
        """
        for sentence in split_sentences(text):
            sound = self._render_sentence(sentence)
            if sound is not None:
                yield sound

    def _engine_ready(self) -> Pyttsx3Engine:
        if self._engine is None:
            self._engine = _create_engine()
        if not self._connected:
            self._engine.connect("finished-utterance", self._on_finished)
            self._engine.connect("error", self._on_error)
            self._connected = True
        return self._engine

    def _on_finished(self, name: str | None = None, completed: bool = True, **_: Any) -> None:
        # Called on eSpeak's synthesis thread, after the WAV file has been written.
        self._completed = completed
        self._finished.set()

    def _on_error(
        self, name: str | None = None, exception: BaseException | None = None, **_: Any
    ) -> None:
        self._errors.append(exception or RuntimeError("unknown pyttsx3 error"))

    def _timeout_s(self, sentence: str) -> float:
        if self._finish_timeout_s is not None:
            return self._finish_timeout_s
        return _BASE_TIMEOUT_S + _TIMEOUT_PER_CHAR_S * len(sentence)

    def _render_sentence(self, sentence: str) -> Sound | None:
        with self._lock:
            engine = self._engine_ready()
            fd, name = tempfile.mkstemp(prefix="interview-sim-tts-", suffix=".wav")
            os.close(fd)
            path = Path(name)
            try:
                for attempt in range(_CANCEL_RETRIES + 1):
                    try:
                        self._synthesise(engine, sentence, path)
                        break
                    except _SentenceCancelled:
                        # Under heavy CPU load eSpeak can still report itself busy when the
                        # idle wait gives up; the sentence is cancelled, and a retry works.
                        if attempt == _CANCEL_RETRIES:
                            raise TtsError(
                                "pyttsx3 cancelled the sentence before it was finished "
                                f"({_CANCEL_RETRIES + 1} tries); use a voice from one thread "
                                "only and do not call the engine's stop()") from None
                        _LOGGER.info("eSpeak cancelled a sentence; synthesising it again")
                return _read_wav(path)
            finally:
                path.unlink(missing_ok=True)

    def _synthesise(self, engine: Pyttsx3Engine, sentence: str, path: Path) -> None:
        self._finished.clear()
        self._completed = True
        self._errors.clear()
        if self.voice_name is not None:
            engine.setProperty("voice", self.voice_name)
        if self.rate_wpm is not None:
            engine.setProperty("rate", self.rate_wpm)
        engine.save_to_file(sentence, str(path))
        # pyttsx3's runAndWait() calls its driver's stop(), which cancels whatever eSpeak is
        # doing if espeak_IsPlaying() is true: the tail of the previous sentence (the
        # finished-utterance event fires inside eSpeak's callback) or the rate change just
        # queued above. The flag then also cancels the new sentence (finished-utterance with
        # completed=False: 79 of 120 back-to-back answers failed). Let eSpeak go idle first.
        if not _wait_for_espeak_idle(_IDLE_TIMEOUT_S):
            _LOGGER.warning(
                "eSpeak NG still busy after %.1f s; synthesising anyway", _IDLE_TIMEOUT_S
            )
        real_stdout = sys.stdout
        sys.stdout = _DropDriverChatter(real_stdout)  # type: ignore[assignment]
        try:
            try:
                engine.runAndWait()
            except RuntimeError as e:  # "run loop already started": used from two threads
                raise TtsError(
                    f"the pyttsx3 engine is busy ({e}); use a voice from one thread only"
                ) from e
            # runAndWait() returns before eSpeak has synthesised anything (pyttsx3 #149,
            # #219, #259): the file is complete only when finished-utterance fires.
            timeout_s = self._timeout_s(sentence)
            finished = self._finished.wait(timeout_s)
        finally:
            sys.stdout = real_stdout
        if self._errors:
            error = self._errors[0]
            raise TtsError(
                f"pyttsx3 failed with voice {self.voice_name!r} ({error}); pick another "
                "voice_name (eSpeak NG: 'en-us', 'en-gb-x-rp', 'cmn')"
            ) from error
        if not finished:
            raise TtsError(
                f"pyttsx3 did not finish a {len(sentence)}-character sentence within "
                f"{timeout_s:.1f} s; restart the program, or use the Kokoro voice "
                "(pip install -e '.[voice]')"
            )
        if not self._completed:
            raise _SentenceCancelled()


_CANCEL_RETRIES = 2
"""How often a sentence eSpeak cancelled is synthesised again before giving up."""


class _SentenceCancelled(Exception):
    """finished-utterance came with completed=False (retried by `_render_sentence`)."""


def _wait_for_espeak_idle(timeout_s: float) -> bool:
    """Wait until pyttsx3's eSpeak library reports no synthesis in progress.

    A no-op (True) unless pyttsx3's eSpeak driver is loaded (other platforms, fakes).
    pyttsx3 has no event for "idle", so this polls every 2 ms; in practice it returns
    within a few milliseconds.

    Returns:
        False if eSpeak was still busy after `timeout_s`.
    """
    espeak = sys.modules.get("pyttsx3.drivers._espeak")
    if espeak is None or getattr(espeak, "dll", None) is None:
        return True
    deadline = time.monotonic() + timeout_s
    while espeak.IsPlaying():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.002)
    return True


def _read_wav(path: Path) -> Sound | None:
    import soundfile  # brings libsndfile; only needed once audio exists

    try:
        data, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
    except (soundfile.LibsndfileError, RuntimeError, ValueError) as e:
        raise TtsError(
            f"pyttsx3 wrote an unreadable WAV file ({e}); reinstall pyttsx3 "
            "(pip install --force-reinstall pyttsx3==2.99)"
        ) from e
    if data.shape[0] == 0:
        _LOGGER.debug("pyttsx3 produced no samples for a sentence")
        return None
    samples = data.mean(axis=1, dtype=np.float32) if data.shape[1] > 1 else data[:, 0]
    return Sound(samples=np.ascontiguousarray(samples, dtype=np.float32), sample_rate_hz=int(rate))
