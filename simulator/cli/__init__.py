"""The command line: parse arguments (`parser`), run a command (`commands`), map errors to
exit codes; what is printed goes through `output`.

Exit codes: 0 done; 1 `replay --check` found results outside their expected band;
2 a user-facing error (bad file, bank, device, option), printed as one line;
130 interrupted with Ctrl-C (everything recorded so far is saved).

This module imports only the standard library at import time, so a Ctrl-C in the first
tenths of a second already lands in `main`'s handler rather than in an import.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import types
    from collections.abc import Sequence
    from typing import NoReturn

    from simulator.app import PartsFactory

__all__ = ["main", "run"]

_EXIT_ERROR, _EXIT_INTERRUPTED = 2, 130  # the values of parser.EXIT_ERROR/EXIT_INTERRUPTED
_REDELIVER_S = 0.05


class _InterruptWatch:
    """Remembers that Ctrl-C came in, so an error it caused still exits 130.

    A SIGINT that lands inside a native module's initialisation does not always surface as
    KeyboardInterrupt: pybind11 turns any error during a module's init into ImportError, so
    a Ctrl-C while onnxruntime loads reached the user as "Whisper failed ...: Applying the
    VAD filter requires the onnxruntime package" and exit 2 (seen once in 20 runs of
    tests/robustness/test_interrupt.py on CI).
    """

    def __init__(self) -> None:
        self.seen = False

    def __enter__(self) -> _InterruptWatch:
        import signal
        import threading

        self._previous = None
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._on_sigint)
        return self

    def _on_sigint(self, signum: int, frame: types.FrameType | None) -> None:
        self.seen = True
        if frame is not None and frame.f_code.co_filename.startswith("<frozen importlib"):
            # Raised inside the import machinery itself (a module lock's callback), the
            # exception is "ignored" half-way and leaves the lock held: the next import of
            # that module, on any thread, waits forever. Deliver it again a moment later.
            import signal
            import threading

            timer = threading.Timer(_REDELIVER_S, os.kill, (os.getpid(), signal.SIGINT))
            timer.daemon = True
            timer.start()
            return
        raise KeyboardInterrupt

    def __exit__(self, *exc: object) -> None:
        if self._previous is not None:
            import signal

            signal.signal(signal.SIGINT, self._previous)


def main(argv: Sequence[str] | None = None, *, parts: PartsFactory | None = None) -> int:
    """Run one command and return its exit code (tests call this in-process).

    Args:
        argv: the arguments (default: the command line).
        parts: the parts factory (`app.PartsFactory`); None builds the real parts. Tests
            pass one with fakes.
    """
    with _InterruptWatch() as interrupt:
        return _main(argv, parts, interrupt)


def _main(argv: Sequence[str] | None, parts: PartsFactory | None,
          interrupt: _InterruptWatch) -> int:
    debug = False
    try:
        import logging
        import traceback

        from simulator.cli.parser import build_parser, config_from_args
        from simulator.errors import SimulatorError

        args = build_parser().parse_args(argv)
        debug = args.debug
        logging.basicConfig(
            level=logging.DEBUG if debug else logging.INFO if args.verbose else logging.WARNING,
            format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
        from simulator.cli import commands
        from simulator.exports.pipes import pipe_safe_stdout

        try:
            # A reader that stops early (`banks --json | head -1`) is not an error: the exit
            # code stays the command's own, never 1 from a BrokenPipeError traceback.
            with pipe_safe_stdout():
                return commands.run(args, config_from_args(args), parts)
        except SimulatorError as e:
            if debug:
                traceback.print_exc()
            if interrupt.seen:  # the error is the interrupt's doing: say so, exit 130
                raise KeyboardInterrupt from e
            print(f"interview-sim: error: {e}", file=sys.stderr)
            return _EXIT_ERROR
    except KeyboardInterrupt:
        print("\ninterview-sim: interrupted; finished answers are saved", file=sys.stderr)
        return _EXIT_INTERRUPTED


def run() -> NoReturn:
    """The program's entry point (`interview-sim`, `python -m simulator`).

    When the run ends while a background thread is still inside native code (the Whisper
    model loading on "whisper-load" when Ctrl-C comes in the first seconds of `practice`),
    letting the interpreter finalise under it crashed 3 times in 8 (SIGSEGV, or
    "terminate called without an active exception"). Everything worth keeping is on disk by
    the time `main` returns (each answer and the record are written atomically as they
    happen), so in that case the process flushes its output and leaves at once.
    """
    try:
        code = main()
    except KeyboardInterrupt:  # a second Ctrl-C while the first was being reported
        code = _EXIT_INTERRUPTED
    import threading

    busy = [t for t in threading.enumerate() if t.daemon and t.is_alive()]
    if code == _EXIT_INTERRUPTED or busy:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(code)
    sys.exit(code)
