"""The practice screen: a calm live view on a terminal, plain lines in a pipe.

On a terminal (rich): while listening, one redrawn line with a level meter, the elapsed time,
the pause so far, and before the answer starts a countdown to the second chance or the skip;
a spinner while transcribing and scoring; what was heard with its fillers highlighted. When
stdout is not a terminal, no escape codes and no redraws: the listening line once, one line
per stage, fillers listed after the text. The recorder's thread only stores numbers in
`_Meter.feed`; rich redraws on its own thread, so recording never waits for the screen.
"""

from __future__ import annotations

import contextlib
import math
import sys
from collections.abc import Iterator
from typing import IO, Any

import numpy as np

from simulator.audio.pcm import SAMPLE_RATE_HZ
from simulator.delivery.fillers import find_fillers
from simulator.listen.endpoint import Endpointer
from simulator.listen.recorder import AudioBuffer
from simulator.screen.lines import Lines, in_script
from simulator.speech.transcript import Transcript

_METER_CELLS = 20
_FLOOR_DBFS = -60.0


class _Meter:
    """The listening view: numbers stored by the recorder, drawn by rich's refresh thread."""

    def __init__(self, lines: Lines, thinking_s: float, live: Any) -> None:
        self._lines = lines
        self._thinking_s = thinking_s
        self._live = live
        self.level_dbfs = _FLOOR_DBFS
        self.elapsed_s = 0.0
        self.started = False
        self.pause_s = 0.0

    def feed(self, audio: AudioBuffer, endpointer: Endpointer) -> None:
        block = audio.slice(max(0, len(audio) - 480))
        rms = float(np.sqrt(np.mean(np.square(block, dtype=np.float64)))) if len(block) else 0.0
        self.level_dbfs = 20 * math.log10(rms) if rms > 1e-6 else _FLOOR_DBFS
        self.elapsed_s = endpointer.num_samples / SAMPLE_RATE_HZ
        self.started = endpointer.started
        self.pause_s = endpointer.trailing_silence_s

    def __rich__(self) -> Any:
        from rich.text import Text

        filled = round(_METER_CELLS * min(1.0, max(0.0, (self.level_dbfs - _FLOOR_DBFS)
                                                   / -_FLOOR_DBFS)))
        text = Text()
        text.append("● ", style="red" if self.started else "dim")
        if self.started:
            minutes, seconds = divmod(int(self.elapsed_s), 60)
            text.append(self._lines("speaking", elapsed=f"{minutes:02d}:{seconds:02d}"))
        else:
            left = max(0, math.ceil(self._thinking_s - self.elapsed_s))
            text.append(self._lines("waiting", left=left), style="bold" if left <= 5 else "")
        text.append("  ")
        text.append("█" * filled, style="green")
        text.append("·" * (_METER_CELLS - filled), style="dim")
        if self.started and self.pause_s >= 0.5:
            text.append("  " + self._lines("pause", pause=f"{self.pause_s:.1f}"), style="dim")
        return text

    def close(self) -> None:
        if self._live is not None:
            self._live.stop()


class _Printed:
    """The listening view in a pipe: nothing is redrawn."""

    def feed(self, audio: AudioBuffer, endpointer: Endpointer) -> None:
        return None

    def close(self) -> None:
        return None


class Screen:
    """Where a practice session shows itself; plain lines when `stream` is not a terminal."""

    def __init__(self, script: str = "simplified", stream: IO[str] | None = None,
                 live: bool | None = None) -> None:
        self._stream = stream or sys.stdout
        self.script = script
        self.live = self._stream.isatty() if live is None else live
        self._console: Any = None
        if self.live:
            from rich.console import Console

            self._console = Console(file=self._stream, highlight=False)

    def lines(self, language: str) -> Lines:
        """The lines of `language` in this session's script."""
        return Lines(language, self.script)

    def echo(self, text: str) -> None:
        """Print one line (above the live view, if one is showing)."""
        if self._console is not None:
            self._console.print(text, markup=False, highlight=False)
        else:
            print(text, file=self._stream, flush=True)

    def listening(self, language: str, thinking_s: float) -> _Meter | _Printed:
        """Show that the microphone is open; the returned view is fed every block."""
        lines = self.lines(language)
        if self._console is None:
            self.echo(lines("listening"))
            return _Printed()
        from rich.live import Live

        meter = _Meter(lines, thinking_s, None)
        live = Live(meter, console=self._console, refresh_per_second=8, transient=True)
        meter._live = live
        live.start()
        return meter

    @contextlib.contextmanager
    def busy(self, language: str, what: str) -> Iterator[None]:
        """A spinner while `what` ("transcribing", "scoring") runs; one line in a pipe."""
        text = self.lines(language)(what)
        if self._console is None:
            self.echo(text)
            yield
            return
        with self._console.status(text, spinner="dots"):
            yield

    def heard(self, transcript: Transcript, language: str) -> None:
        """What was heard, in the session's script, with its fillers marked."""
        lines = self.lines(language)
        shown = in_script(transcript.text, language, self.script) or "…"
        fillers, _ = find_fillers(transcript, language == "zh", 0.3)
        if self._console is None:
            names = ", ".join(dict.fromkeys(f.text for f in fillers))
            suffix = lines("fillers", items=names) if names else ""
            self.echo(f"{lines('heard')}{shown}{suffix}")
            return
        from rich.text import Text

        text = Text(lines("heard"))
        text.append(shown)
        for filler in fillers:  # highlight each filler's first occurrence after the last
            name = in_script(filler.text, language, self.script)
            start = shown.find(name, _last_end(text, len(lines("heard"))))
            if start >= 0:
                offset = len(lines("heard")) + start
                text.stylize("bold black on yellow", offset, offset + len(name))
        self._console.print(text)


def _last_end(text: Any, prefix: int) -> int:
    spans = [span.end for span in text.spans if span.style == "bold black on yellow"]
    return max(spans) - prefix if spans else 0
