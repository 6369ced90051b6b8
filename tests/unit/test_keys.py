"""Keys from the terminal (`simulator/screen/keys.py`), on a pseudo-terminal and a pipe."""

from __future__ import annotations

import os
import pty
import threading
import time

import pytest

from simulator.ports import StopSignal
from simulator.screen.keys import KeyReader


def _choose_with(reader: KeyReader, offer) -> list[str]:  # type: ignore[no-untyped-def]
    chosen: list[str] = []
    thread = threading.Thread(target=lambda: chosen.append(reader.choose(offer)), daemon=True)
    thread.start()
    thread.join(timeout=5)
    return chosen


@pytest.mark.parametrize("device", ["terminal", "pipe"])
def test_a_key_pressed_the_moment_the_choices_appear_counts(device: str) -> None:
    """The desk test typed r as soon as "[r] answer again" was printed and, on a loaded CI
    machine, the key reached the queue before the queue was emptied of earlier keys: it was
    thrown away and the session waited for ever. Earlier keys are discarded before the
    choices are shown; a key pressed once they are shown always counts."""
    write_end, read_end = pty.openpty() if device == "terminal" else os.pipe()[::-1]
    stop = StopSignal()
    reader = KeyReader(stop, fd=read_end)
    with reader.running():
        os.write(write_end, b"\n")  # the Enter that ended the answer: never a choice
        deadline = time.monotonic() + 5
        while reader._keys.empty() and time.monotonic() < deadline:
            time.sleep(0.01)

        def offer() -> None:  # the choices appear; the key is in the queue at once
            os.write(write_end, b"r")
            while reader._keys.empty() and time.monotonic() < deadline:
                time.sleep(0.01)

        assert _choose_with(reader, offer) == ["retry"]
        assert stop()  # the Enter did end the answer
    os.close(write_end)
    os.close(read_end)
