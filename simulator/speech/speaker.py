"""Speakers: how the session's words reach the user (a voice on a speaker, or the console).

`VoiceSpeaker` renders text with the voice for its language and plays it, synthesising
the next sentence on a worker thread while the current one plays, so long prompts start
sounding quickly. `ConsoleSpeaker` prints instead (`--no-voice`, replay). `say()` returns
how long it took from the call to the first sound, for the latency record.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator, Mapping

from simulator.audio.pcm import Sound
from simulator.errors import TtsError
from simulator.ports import Player, Voice
from simulator.text.normalise import to_traditional

_LOGGER = logging.getLogger(__name__)
_END = object()


class ConsoleSpeaker:
    """A `Speaker` that prints what it would say."""

    def __init__(self, echo: Callable[[str], None] = print) -> None:
        self._echo = echo

    def say(self, text: str, language: str) -> float | None:
        """Print `text`; nothing is played, so there is no first-sound time."""
        self._echo(text)
        return None


class VoiceSpeaker:
    """A `Speaker` that synthesises with a per-language voice and plays through a player."""

    def __init__(self, voices: Mapping[str, Voice], player: Player,
                 echo: Callable[[str], None] | None = print,
                 clock: Callable[[], float] = time.perf_counter) -> None:
        self._voices = voices
        self._player = player
        self._echo = echo
        self._clock = clock

    def say(self, text: str, language: str) -> float | None:
        """Speak `text` and return once it has been played.

        Returns:
            Seconds from this call until the first sentence started playing.

        Raises:
            TtsError: no voice for the language, or synthesis failed.
            AudioDeviceError: playback failed.
        """
        voice = self._voices.get(language)
        if voice is None:
            raise TtsError(f"no voice for language {language!r}")
        if self._echo is not None:
            self._echo(text)
        started = self._clock()
        first_sound_s: float | None = None
        for sound in _prefetch(voice.render(text)):
            if first_sound_s is None:
                first_sound_s = self._clock() - started
            self._player.play(sound)
        return first_sound_s


class TraditionalScriptSpeaker:
    """Wraps a speaker so Mandarin text is shown (and spoken) in traditional characters."""

    def __init__(self, inner: object) -> None:
        self._inner = inner

    def say(self, text: str, language: str) -> float | None:
        """Convert Mandarin text to traditional characters, then pass it on."""
        converted = to_traditional(text) if language == "zh" else text
        return self._inner.say(converted, language)  # type: ignore[attr-defined, no-any-return]


def _prefetch(sounds: Iterator[Sound], depth: int = 2) -> Iterator[Sound]:
    """Run the synthesis generator on a worker thread, `depth` sentences ahead of playback."""
    buffer: queue.Queue[object] = queue.Queue(maxsize=depth)
    failure: list[BaseException] = []
    stop = threading.Event()

    def _produce() -> None:
        try:
            for sound in sounds:
                while not stop.is_set():
                    try:
                        buffer.put(sound, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
        except BaseException as e:  # re-raised on the consumer's thread below
            failure.append(e)
        finally:
            while not stop.is_set():
                try:
                    buffer.put(_END, timeout=0.1)
                    break
                except queue.Full:
                    continue

    worker = threading.Thread(target=_produce, name="tts-prefetch", daemon=True)
    worker.start()
    try:
        while True:
            item = buffer.get()
            if item is _END:
                break
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        if failure:
            raise failure[0]
