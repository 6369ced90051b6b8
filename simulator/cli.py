"""Command line: parse arguments into a `SimulatorConfig`, run a command, map errors to exits.

Exit codes: 0 done; 1 `replay --check` found results outside their expected band;
2 a user-facing error (bad file, bank, device, option), printed as one line;
130 interrupted with Ctrl-C (everything recorded so far is saved).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from simulator import __version__
from simulator.config import (
    AudioConfig,
    LimitsConfig,
    SessionConfig,
    SimulatorConfig,
    StreamingConfig,
    VadConfig,
    WhisperConfig,
)
from simulator.errors import SimulatorError

EXIT_OK, EXIT_CHECK_FAILED, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 130


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_ERROR, f"{self.prog}: error: {message}\n")


def _session_options(p: argparse.ArgumentParser, *, bank_default: str | None) -> None:
    p.add_argument("--bank", default=bank_default,
                   help="bank id (see `banks`) or path to a bank .toml")
    p.add_argument("--question", action="append", dest="questions", metavar="ID",
                   help="ask this question (repeatable)")
    p.add_argument("--script", choices=("simplified", "traditional"), default="simplified",
                   help="characters for Mandarin prompts and feedback")
    p.add_argument("--sessions-dir", type=Path, default=Path("sessions"),
                   help="where session folders are written (default: ./sessions)")


def _speech_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", default="base",
                   help="Whisper model: 'base' (bundled, offline), a CTranslate2 folder, or a "
                        "faster-whisper name such as 'small' (downloads, needs internet)")
    p.add_argument("--beam-size", type=int, default=5)
    p.add_argument("--threads", type=int, default=0, help="CPU threads for Whisper (0: all)")
    p.add_argument("--silence-s", type=float, default=1.5,
                   help="trailing silence that ends an answer (seconds)")
    p.add_argument("--sentence-end-silence-s", type=float, default=1.0,
                   help="shorter silence that ends an answer once what was heard ends a "
                        "sentence (live microphone; set it to --silence-s to turn it off)")
    p.add_argument("--max-answer-s", type=float, default=180.0)
    p.add_argument("--no-speech-timeout-s", type=float, default=12.0)
    p.add_argument("--batch-transcription", action="store_true",
                   help="transcribe each answer after it ends instead of while it is spoken")


def _voice_options(p: argparse.ArgumentParser, default_voice: str) -> None:
    p.add_argument("--voice", choices=("auto", "kokoro", "espeak", "none"), default=default_voice,
                   help="auto: Kokoro for Mandarin if installed, else eSpeak NG")
    p.add_argument("--no-voice", dest="voice", action="store_const", const="none",
                   help="print instead of speaking")
    p.add_argument("--output-device", help="speaker name or index (see `devices`)")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for `interview-sim`."""
    parser = _Parser(prog="interview-sim",
                     description="Rehearse customer-service interviews out loud, offline.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks and debug logs")
    parser.add_argument("-v", "--verbose", action="store_true", help="show progress logs")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("practice", help="a spoken session at the desk")
    _session_options(p, bank_default="cs-zh")
    p.add_argument("--section", help="only questions from this section")
    p.add_argument("--count", type=int, default=3, help="how many questions (default 3)")
    p.add_argument("--seed", type=int, help="pick questions at random with this seed")
    p.add_argument("--input-device", help="microphone name or index (see `devices`)")
    p.add_argument("--resume", type=Path, metavar="DIR",
                   help="continue an interrupted session folder where it stopped")
    _voice_options(p, "auto")
    _speech_options(p)

    p = sub.add_parser("replay", help="run recorded answers through the same loop (headless)")
    p.add_argument("path", type=Path, help="manifest.json, a folder, or an audio file")
    _session_options(p, bank_default=None)
    p.add_argument("--only", action="append", metavar="FIXTURE_ID", help="replay only these ids")
    p.add_argument("--save", action="store_true", help="also write a session folder")
    p.add_argument("--check", action="store_true",
                   help="exit 1 if a result falls outside the manifest's expected band")
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p.add_argument("--jobs", type=int, default=1,
                   help="transcribe in this many worker processes (each loads the model)")
    _voice_options(p, "none")
    _speech_options(p)

    p = sub.add_parser("call", help="a role-play call with a simulated customer")
    p.add_argument("--scenario", required=True,
                   help="scenario id (prompts/scenarios/*.toml) or path to a scenario .toml")
    p.add_argument("--phone-line", action="store_true",
                   help="the customer sounds like a phone line (300-3400 Hz, 8 kHz)")
    p.add_argument("--replay", type=Path, nargs="+", metavar="FILE",
                   help="play these recordings as your answers, in order, instead of the mic")
    p.add_argument("--input-device", help="microphone name or index (see `devices`)")
    p.add_argument("--script", choices=("simplified", "traditional"), default="simplified",
                   help="characters for Mandarin lines and the scorecard")
    p.add_argument("--sessions-dir", type=Path, default=Path("sessions"),
                   help="where call folders are written (default: ./sessions)")
    p.add_argument("--json", action="store_true", help="print the call record as one JSON document")
    _voice_options(p, "auto")
    _speech_options(p)

    p = sub.add_parser("transcribe", help="transcribe audio files with the local model")
    p.add_argument("files", type=Path, nargs="+")
    p.add_argument("--lang", choices=("zh", "en"), help="language (default: detect)")
    p.add_argument("--json", action="store_true")
    _speech_options(p)

    p = sub.add_parser("score", help="score one answer, given as text or audio")
    p.add_argument("--bank", required=True, help="bank id or path")
    p.add_argument("--question", required=True, metavar="ID")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--text")
    group.add_argument("--audio", type=Path)
    p.add_argument("--json", action="store_true")
    _speech_options(p)

    p = sub.add_parser("banks", help="list question banks")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("devices", help="list microphones and speakers")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("import", help="turn an interview document into a bank")
    p.add_argument("document", type=Path)
    p.add_argument("-o", "--output", type=Path, required=True, help="bank .toml to write")
    p.add_argument("--id", dest="bank_id", help="bank id (default: output file name)")
    p.add_argument("--json", action="store_true")
    return parser


def config_from_args(args: argparse.Namespace) -> SimulatorConfig:
    """Build the configuration from parsed arguments (the only place that does).

    Raises:
        ConfigError: an option value is out of range (names the option).
    """
    model = getattr(args, "model", "base")
    return SimulatorConfig(
        session=SessionConfig(
            bank=getattr(args, "bank", None) or "",
            question_ids=tuple(getattr(args, "questions", None) or ()),
            section=getattr(args, "section", None),
            count=3 if getattr(args, "count", None) is None else args.count,
            seed=getattr(args, "seed", None),
            sessions_dir=getattr(args, "sessions_dir", Path("sessions")),
            script=getattr(args, "script", "simplified"),
            resume_dir=getattr(args, "resume", None),
        ),
        audio=AudioConfig(input_device=getattr(args, "input_device", None),
                          output_device=getattr(args, "output_device", None),
                          voice=getattr(args, "voice", "none")),
        vad=VadConfig(stop_s=getattr(args, "silence_s", 1.5),
                      sentence_end_stop_s=getattr(args, "sentence_end_silence_s", 1.0)),
        limits=LimitsConfig(max_answer_s=getattr(args, "max_answer_s", 180.0),
                            no_speech_timeout_s=getattr(args, "no_speech_timeout_s", 12.0)),
        streaming=StreamingConfig(enabled=not getattr(args, "batch_transcription", False)),
        whisper=WhisperConfig(model=model, allow_download=model != "base",
                              beam_size=getattr(args, "beam_size", 5),
                              cpu_threads=getattr(args, "threads", 0)),
    )


def main(argv: Sequence[str] | None = None, *, parts: Any = None) -> int:
    """Entry point of `interview-sim` and `python -m simulator`.

    Args:
        argv: the arguments (default: the command line).
        parts: the parts factory (`app.PartsFactory`); None builds the real parts. Tests
            pass fakes here.
    """
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    from simulator import commands

    try:
        return commands.run(args, config_from_args(args), parts)
    except SimulatorError as e:
        if args.debug:
            traceback.print_exc()
        print(f"interview-sim: error: {e}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("\ninterview-sim: interrupted; finished answers are saved", file=sys.stderr)
        return EXIT_INTERRUPTED


def print_json(document: Any) -> None:
    """Print one JSON document to stdout."""
    json.dump(document, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
