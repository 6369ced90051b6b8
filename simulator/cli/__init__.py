"""The command line: parse arguments (`parser`), run a command (`commands`), map errors to
exit codes; what is printed goes through `output`.

Exit codes: 0 done; 1 `replay --check` found results outside their expected band;
2 a user-facing error (bad file, bank, device, option), printed as one line;
130 interrupted with Ctrl-C (everything recorded so far is saved).
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Sequence
from typing import TYPE_CHECKING

from simulator.cli.parser import EXIT_ERROR, EXIT_INTERRUPTED, build_parser, config_from_args
from simulator.errors import SimulatorError

if TYPE_CHECKING:
    from simulator.app import PartsFactory

__all__ = ["main"]


def main(argv: Sequence[str] | None = None, *, parts: PartsFactory | None = None) -> int:
    """Entry point of `interview-sim` and `python -m simulator`.

    Args:
        argv: the arguments (default: the command line).
        parts: the parts factory (`app.PartsFactory`); None builds the real parts. Tests
            pass one with fakes.
    """
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    from simulator.cli import commands
    from simulator.exports.pipes import pipe_safe_stdout

    try:
        # A reader that stops early (`banks --json | head -1`) is not an error: the exit
        # code stays the command's own, never 1 from a BrokenPipeError traceback.
        with pipe_safe_stdout():
            return commands.run(args, config_from_args(args), parts)
    except SimulatorError as e:
        if args.debug:
            traceback.print_exc()
        print(f"interview-sim: error: {e}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("\ninterview-sim: interrupted; finished answers are saved", file=sys.stderr)
        return EXIT_INTERRUPTED
