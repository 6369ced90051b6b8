"""Quiet, correct exits when the reader of stdout stops reading (`banks --json | head -1`).

Python raises `BrokenPipeError` on the first write after the reader closed the pipe, and
again when the interpreter flushes stdout at exit, so the command ends in a traceback
with exit code 1, which is what `replay --check` uses for a real failure. Inside
`pipe_safe_stdout()` writes to a closed pipe become no-ops: the command finishes and
returns its own exit code (`replay --check` still says 1 when a fixture failed), and
nothing is printed about the pipe.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from typing import Any, TextIO


class _PipeSafeStream:
    """A text stream that turns `BrokenPipeError` into silence."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self.broken = False

    def write(self, text: str) -> int:
        if not self.broken:
            try:
                return self._stream.write(text)
            except BrokenPipeError:
                self._silence()
        return len(text)

    def flush(self) -> None:
        if not self.broken:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._silence()

    def _silence(self) -> None:
        """Point the file descriptor at /dev/null, so the interpreter's last flush of the
        real stream (still holding unsent text) succeeds instead of raising at exit."""
        self.broken = True
        with contextlib.suppress(OSError, ValueError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self._stream.fileno())
            os.close(devnull)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextlib.contextmanager
def pipe_safe_stdout() -> Iterator[None]:
    """Run the body with a `sys.stdout` that ignores a reader that went away.

    Wire it around the command dispatch in `cli.main`:
    `with pipe_safe_stdout(): return commands.run(args, config)`.
    """
    original = sys.stdout
    safe = _PipeSafeStream(original)
    sys.stdout = safe  # type: ignore[assignment]
    try:
        yield
        safe.flush()
    finally:
        sys.stdout = original
