"""Keys from the terminal: Enter ends an answer; after the feedback r, m or Enter chooses.

One daemon thread reads standard input a character at a time (the terminal in cbreak
mode, so a key counts without Enter; Ctrl-C still interrupts) and restores the terminal's
settings when the session ends, however it ends. Enter while listening sets the stop signal;
every key also goes to a queue that `choose` reads, emptied first so a key pressed earlier
(the Enter that ended the answer) never counts as a choice. Only used when standard input is
a terminal: in a pipe or a replay there is nothing to choose.
"""

from __future__ import annotations

import contextlib
import os
import queue
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

from simulator.ports import StopSignal

ENTER_KEYS = ("\n", "\r")
CHOICES = {"r": "retry", "m": "model", "\n": "next", "\r": "next"}


class KeyReader:
    """Keys typed in the terminal, for one session."""

    def __init__(self, stop: StopSignal, fd: int | None = None) -> None:
        self._stop = stop
        self._fd = sys.stdin.fileno() if fd is None else fd
        self._keys: queue.Queue[str] = queue.Queue()
        self._saved: Any = None

    @contextlib.contextmanager
    def running(self) -> Iterator[KeyReader]:
        """Read keys while the block runs; the terminal is restored after it."""
        try:
            import termios
            import tty
        except ImportError:  # no terminal control on this platform: lines
            self._saved = None
        else:
            try:
                self._saved = termios.tcgetattr(self._fd)
                tty.setcbreak(self._fd)
            except (termios.error, OSError, ValueError):  # not a terminal after all: lines
                self._saved = None
        threading.Thread(target=self._read, name="keys", daemon=True).start()
        try:
            yield self
        finally:
            if self._saved is not None:
                import termios

                with contextlib.suppress(OSError, ValueError):
                    termios.tcsetattr(self._fd, termios.TCSADRAIN, self._saved)

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self._fd, 1)
            except OSError:
                return
            if not data:
                return
            key = data.decode(errors="replace").lower()
            if key in ENTER_KEYS:
                self._stop.set()
            self._keys.put(key)

    def choose(self, offer: Callable[[], None] = lambda: None) -> str:
        """Offer the choices (`offer` shows them) and wait for r (answer again), m (model
        answer) or Enter (next); other keys are ignored. Returns "retry", "model" or
        "next". Keys pressed before are discarded first, then the choices are shown, so a
        key pressed the moment they appear always counts."""
        while True:
            try:
                self._keys.get_nowait()
            except queue.Empty:
                break
        offer()
        while True:
            choice = CHOICES.get(self._keys.get())
            if choice is not None:
                return choice


def start_enter_listener(stop: StopSignal) -> None:
    """Let Enter end the current answer early (a daemon thread reading stdin lines)."""
    if not sys.stdin or not sys.stdin.isatty():
        return

    def _listen() -> None:
        for _line in sys.stdin:
            stop.set()

    threading.Thread(target=_listen, name="enter-listener", daemon=True).start()
