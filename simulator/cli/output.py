"""What the commands print: progress and results for people, or one JSON document.

With `--json`, stdout carries exactly one JSON document and progress text goes to stderr.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

from simulator.speech.transcript import Transcript

Echo = Callable[[str], None]


def print_json(document: Any) -> None:
    """Print one JSON document to stdout."""
    json.dump(document, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def echo_for(json_mode: bool) -> Echo:
    """Where progress lines go: stdout, or stderr when stdout carries JSON."""
    stream = sys.stderr if json_mode else sys.stdout
    return lambda text: print(text, file=stream, flush=True)


def heard_echo(echo: Echo) -> Callable[[Transcript], None]:
    """Print what was heard of each answer."""
    return lambda t: echo(f"  heard: {t.text or '(nothing)'}")
