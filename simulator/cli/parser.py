"""The argument parser, and the one place that turns parsed arguments into a `SimulatorConfig`.

Every default comes from the option dataclasses in `config.py` (written there once): an
option a subcommand does not have keeps the dataclass default, read through `_options`.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import Any

from simulator import __version__
from simulator.config import (
    BUNDLED_MODEL,
    AudioConfig,
    LimitsConfig,
    SessionConfig,
    SimulatorConfig,
    StreamingConfig,
    TurnTakingConfig,
    VadConfig,
    WhisperConfig,
)

EXIT_OK, EXIT_CHECK_FAILED, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 130
_SESSION, _AUDIO, _VAD = SessionConfig(), AudioConfig(), VadConfig()
_LIMITS, _WHISPER, _TURN = LimitsConfig(), WhisperConfig(), TurnTakingConfig()
_SCRIPTS = ("simplified", "traditional")
_VOICES = ("auto", "kokoro", "espeak", "none")


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_ERROR, f"{self.prog}: error: {message}\n")


_EXIT_CODE_LINES = {
    EXIT_OK: "done",
    EXIT_CHECK_FAILED: "replay --check: a score fell outside its fixture's expected band",
    EXIT_ERROR: "a bad file, bank, device or option (one line on stderr names it)",
    EXIT_INTERRUPTED: "interrupted with Ctrl-C",
}
_SAVED = " (every finished answer is saved)"


def _epilog(examples: list[str], *, check: bool = False, records: bool = False) -> str:
    """The end of a help page: examples, then the exit codes the command can return."""
    codes = [EXIT_OK, *([EXIT_CHECK_FAILED] if check else []), EXIT_ERROR, EXIT_INTERRUPTED]
    lines = ["examples:", *(f"  interview-sim {example}" for example in examples), "",
             "exit codes:"]
    lines += [f"  {code:<4} {_EXIT_CODE_LINES[code]}"
              + (_SAVED if records and code == EXIT_INTERRUPTED else "") for code in codes]
    return "\n".join(lines)


def _record_options(p: argparse.ArgumentParser, what: str) -> None:
    p.add_argument("--script", choices=_SCRIPTS, default=_SESSION.script,
                   help=f"characters for Mandarin {what} (default {_SESSION.script})")
    _sessions_dir_option(p, "where session folders and the history are written")


def _sessions_dir_option(p: argparse.ArgumentParser, what: str) -> None:
    # No argparse default: left out, it keeps SessionConfig's (the per-user data folder),
    # and the commands can tell a chosen folder from the default (the first-run notice).
    p.add_argument("--sessions-dir", type=Path, default=None, metavar="DIR",
                   help=f"{what} (default: the per-user data folder, or "
                        "$INTERVIEW_SIM_HOME/sessions)")


def _session_options(p: argparse.ArgumentParser, *, bank_default: str) -> None:
    p.add_argument("--bank", default=bank_default,
                   help="bank id (see `banks`) or path to a bank .toml")
    p.add_argument("--question", action="append", dest="questions", metavar="ID", default=[],
                   help="ask this question (repeatable)")
    _record_options(p, "prompts and feedback")


def _whisper_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", default=_WHISPER.model,
                   help=f"Whisper model: '{BUNDLED_MODEL}' (bundled, offline), a CTranslate2 "
                        "folder written as a path ('./small'), or a faster-whisper name such "
                        "as 'small' (downloads, needs internet)")
    p.add_argument("--beam-size", type=int, default=_WHISPER.beam_size,
                   help="how many candidate transcripts Whisper keeps while decoding, 1-10 "
                        f"(default {_WHISPER.beam_size}; lower is faster, higher more accurate)")
    p.add_argument("--threads", type=int, default=_WHISPER.cpu_threads,
                   help="CPU threads for Whisper (0: all)")


def _answer_options(p: argparse.ArgumentParser, *, live: bool) -> None:
    """How an answer ends; `live` adds the options only a microphone uses."""
    p.add_argument("--silence-s", type=float, default=_VAD.stop_s,
                   help=f"silence that always ends an answer, the upper bound (default "
                        f"{_VAD.stop_s:g} s: longer than a thinking pause)")
    if live:
        p.add_argument("--sentence-end-silence-s", type=float, default=_VAD.sentence_end_stop_s,
                       help=f"shorter silence that ends an answer the end-of-turn model judges "
                            f"finished, unless the words heard so far announce more (default "
                            f"{_VAD.sentence_end_stop_s:g} s; live microphone; set it to "
                            "--silence-s to turn it off)")
        p.add_argument("--no-turn-model", dest="turn_model", action="store_false",
                       default=_TURN.model,
                       help="end answers on silence, an end phrase or Enter only (live "
                            "microphone)")
    p.add_argument("--max-answer-s", type=float, default=_LIMITS.max_answer_s,
                   help="longest answer recorded; a longer one is cut there (default "
                        f"{_LIMITS.max_answer_s:g} s, at most 3600)")
    p.add_argument("--thinking-time-s", "--no-speech-timeout-s", dest="no_speech_timeout_s",
                   type=float, default=_LIMITS.no_speech_timeout_s,
                   help="how long to wait for an answer to start; then one second chance, "
                        "then the question is skipped (default "
                        f"{_LIMITS.no_speech_timeout_s:g} s)")
    if live:
        p.add_argument("--batch-transcription", action="store_true",
                       help="transcribe each answer after it ends instead of while it is "
                            "spoken (live microphone)")


def _voice_options(p: argparse.ArgumentParser, default_voice: str) -> None:
    p.add_argument("--voice", choices=_VOICES, default=default_voice,
                   help="auto: Kokoro for Mandarin if installed, else eSpeak NG; none: print "
                        f"(default {default_voice})")
    p.add_argument("--no-voice", dest="voice", action="store_const", const="none",
                   help="print instead of speaking")
    p.add_argument("--output-device", help="speaker name or index (see `devices`)")


def _open_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--open", action="store_true",
                   help="open the session's report (written at the end) in the browser")


def _input_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--input-device", help="microphone name or index (see `devices`)")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"expected a date like 2026-05-31, got {text!r}") from e


def _history_options(p: argparse.ArgumentParser) -> None:
    _sessions_dir_option(p, "the sessions folder whose history to show")
    form = p.add_mutually_exclusive_group()
    form.add_argument("--json", action="store_true", help="print one JSON document")
    form.add_argument("--csv", action="store_true", help="print one CSV row per answer")
    p.add_argument("--bank", dest="filter_bank", metavar="BANK",
                   help="only this bank's questions")
    p.add_argument("--section", dest="filter_section", metavar="SECTION",
                   help="only this section's questions")
    p.add_argument("--since", type=_date, metavar="YYYY-MM-DD",
                   help="only sessions started on or after this date")
    p.add_argument("--top", type=int, default=10,
                   help="how many most-missed key points to list (default 10)")
    sub = p.add_subparsers(dest="history_command", parser_class=_Parser, metavar="import",
                           help="import: add existing session folders to the history")
    imp = sub.add_parser("import", help="add existing session folders to the history",
                         description="Add existing session folders to the history.",
                         epilog=_epilog(["history import sessions/",
                                         "history import sessions/20260101-120000-ab12 --json"]))
    imp.add_argument("folder", type=Path, help="a session folder, or a folder of them")
    imp.add_argument("--json", action="store_true", help="print what was done as JSON")


def _report_options(p: argparse.ArgumentParser) -> None:
    which = p.add_mutually_exclusive_group()
    which.add_argument("session", nargs="?", type=Path,
                       help="a session folder (or its session.json/call.json); default --last")
    which.add_argument("--last", action="store_true", help="the most recent session")
    which.add_argument("--all", action="store_true", help="every session in the folder")
    _sessions_dir_option(p, "the sessions folder (for --last, --all and the progress charts)")
    p.add_argument("--open", action="store_true", help="open the report in the browser")
    p.add_argument("--no-history", action="store_true", help="leave out the progress charts")


def _json_option(p: argparse.ArgumentParser, what: str) -> None:
    p.add_argument("--json", action="store_true", help=f"print {what} as one JSON document")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for `interview-sim`."""
    parser = _Parser(prog="interview-sim",
                     description="Rehearse customer-service interviews out loud, offline.",
                     epilog=_epilog(["practice --bank cs-zh --count 2", "banks",
                                     "COMMAND --help"], check=True, records=True))
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}",
                        help="print the version and exit")
    parser.add_argument("--debug", action="store_true", help="show tracebacks and debug logs")
    parser.add_argument("-v", "--verbose", action="store_true", help="show progress logs")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser,
                                metavar="COMMAND", help="what to do (COMMAND --help for more)")
    p = sub.add_parser("practice", help="a spoken session at the desk",
                       description="Ask questions aloud, listen, score and give feedback.",
                       epilog=_epilog(["practice --bank cs-zh --count 2",
                                       "practice --bank cs-en --question 2 --no-voice",
                                       "practice --resume sessions/20260101-120000-ab12"],
                                      records=True))
    _session_options(p, bank_default=_SESSION.bank)
    p.add_argument("--section", help="only questions from this section")
    p.add_argument("--count", type=int, default=_SESSION.count,
                   help=f"how many questions (default {_SESSION.count})")
    p.add_argument("--seed", type=int, help="pick questions at random with this seed "
                   "(without --seed, --question or --in-order a fresh seed is drawn)")
    p.add_argument("--in-order", action="store_true", help="ask the questions in bank order")
    p.add_argument("--no-follow-ups", dest="follow_ups", action="store_false",
                   default=_SESSION.follow_ups,
                   help="do not ask the follow-up question about a missed key point")
    _input_option(p)
    p.add_argument("--resume", type=Path, metavar="DIR",
                   help="continue an interrupted session folder where it stopped")
    _open_option(p)
    _voice_options(p, _AUDIO.voice)
    _whisper_options(p)
    _answer_options(p, live=True)

    p = sub.add_parser("replay", help="run recorded answers through the same loop (headless)",
                       description="Replay recorded answers through the practice loop.",
                       epilog=_epilog(["replay audio_fixtures/manifest.json --check --jobs 2",
                                       "replay answer.wav --bank cs-en --question 2 --save"],
                                      check=True, records=True))
    p.add_argument("path", type=Path, help="manifest.json, a folder, or an audio file")
    _session_options(p, bank_default="")  # no bank: a manifest names each recording's bank
    p.add_argument("--only", action="append", metavar="FIXTURE_ID", help="replay only these ids")
    p.add_argument("--save", action="store_true", help="also write a session folder")
    p.add_argument("--check", action="store_true",
                   help="exit 1 if a result falls outside the manifest's expected band")
    _json_option(p, "the session record")
    p.add_argument("--junit", type=Path, metavar="FILE",
                   help="also write JUnit XML, one test case per fixture (for CI systems)")
    p.add_argument("--jobs", type=int, default=1,
                   help="transcribe in this many worker processes (each loads the model)")
    _voice_options(p, "none")  # headless by default
    _whisper_options(p)
    _answer_options(p, live=False)

    p = sub.add_parser("call", help="a role-play call with a simulated customer",
                       description="A role-play call: the customer reacts to what you say.",
                       epilog=_epilog(["call --scenario zh-order-not-shipped --phone-line",
                                       "call --scenario en-long-wait --replay a.wav b.wav c.wav"],
                                      records=True))
    p.add_argument("--scenario", required=True,
                   help="scenario id (prompts/scenarios/*.toml) or path to a scenario .toml")
    p.add_argument("--phone-line", action="store_true",
                   help="the customer sounds like a phone line (300-3400 Hz, 8 kHz)")
    p.add_argument("--replay", type=Path, nargs="+", metavar="FILE", default=[],
                   help="play these recordings as your answers, in order, instead of the mic")
    _input_option(p)
    _record_options(p, "lines and the scorecard")
    _json_option(p, "the call record")
    _open_option(p)
    _voice_options(p, _AUDIO.voice)
    _whisper_options(p)
    _answer_options(p, live=True)

    p = sub.add_parser("transcribe", help="transcribe audio files with the local model",
                       description="Print what the local Whisper model hears in audio files.",
                       epilog=_epilog(["transcribe answer.wav",
                                       "transcribe a.wav b.flac --lang zh --json"]))
    p.add_argument("files", type=Path, nargs="+", metavar="FILE",
                   help="audio files (WAV, FLAC, OGG...); a bad one is reported, the rest "
                        "are still transcribed")
    p.add_argument("--lang", choices=("zh", "en"), help="language (default: detect)")
    _json_option(p, "the transcripts")
    _whisper_options(p)

    p = sub.add_parser("score", help="score one answer, given as text or audio",
                       description="Score one answer to one question, as the practice loop "
                                   "would.",
                       epilog=_epilog(['score --bank cs-en --question 2 --text "Sorry, it '
                                       'ships today"',
                                       "score --bank cs-zh --question 12 --audio answer.wav "
                                       "--json"]))
    p.add_argument("--bank", required=True, help="bank id (see `banks`) or path to a bank .toml")
    p.add_argument("--question", required=True, metavar="ID", help="the question answered")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--text", help="the answer as text")
    group.add_argument("--audio", type=Path, metavar="FILE",
                       help="the answer as an audio file (transcribed first)")
    _json_option(p, "the score")
    _whisper_options(p)

    p = sub.add_parser("questions", help="list a bank's questions: ids, points, sections",
                       description="List a bank's questions with their ids, key points and "
                                   "sections.",
                       epilog=_epilog(["questions --bank cs-zh",
                                       "questions --bank cs-en --section scenarios --json"]))
    p.add_argument("--bank", default=_SESSION.bank, help="bank id (see `banks`) or path")
    p.add_argument("--section", help="only questions from this section")
    _json_option(p, "the questions")
    _record_options(p, "prompts")

    p = sub.add_parser("banks", help="list question banks",
                       description="List the shipped question banks, with counts per section.",
                       epilog=_epilog(["banks", "banks --json"]))
    _json_option(p, "the list")

    p = sub.add_parser("devices", help="list microphones and speakers",
                       description="List the microphones and speakers PortAudio can see.",
                       epilog=_epilog(["devices", "devices --json"]))
    _json_option(p, "the list")

    p = sub.add_parser("history", help="progress over time, from the history of sessions",
                       description="Progress over time, from the history of sessions.",
                       epilog=_epilog(["history", "history --bank cs-zh --since 2026-01-01",
                                       "history --csv > answers.csv"]))
    _history_options(p)

    p = sub.add_parser("report", help="write a session's self-contained HTML report",
                       description="Write a session's self-contained HTML report.",
                       epilog=_epilog(["report --last --open",
                                       "report sessions/20260101-120000-ab12"]))
    _report_options(p)

    p = sub.add_parser("import", help="turn an interview document into a bank",
                       description="Turn an interview document (UTF-8 or UTF-16 text) into a "
                                   "question bank.",
                       epilog=_epilog(["import interview.txt -o my-bank.toml",
                                       "import interview.txt -o banks/x.toml --id x --json"]))
    p.add_argument("document", type=Path,
                   help="the document: plain text (.txt), UTF-8 or UTF-16; not .docx or PDF")
    p.add_argument("-o", "--output", type=Path, required=True, help="bank .toml to write")
    p.add_argument("--id", dest="bank_id", help="bank id (default: output file name)")
    _json_option(p, "what was imported")
    return parser


def _options(args: argparse.Namespace, **fields: str) -> dict[str, Any]:
    """Dataclass field -> value for the options this subcommand has (by argparse `dest`);
    the others are left out, so they keep the dataclass default."""
    given = vars(args)
    return {name: given[dest] for name, dest in fields.items() if dest in given}


def config_from_args(args: argparse.Namespace) -> SimulatorConfig:
    """Build the configuration from parsed arguments (the only place that does).

    Raises:
        ConfigError: an option value is out of range (names the option).
    """
    session = _options(args, bank="bank", question_ids="questions", section="section",
                       count="count", seed="seed", sessions_dir="sessions_dir",
                       script="script", resume_dir="resume", in_order="in_order",
                       follow_ups="follow_ups")
    if session.get("sessions_dir") is None:
        session.pop("sessions_dir", None)
    if "question_ids" in session:
        session["question_ids"] = tuple(session["question_ids"])
    whisper = _options(args, model="model", beam_size="beam_size", cpu_threads="threads")
    if "model" in whisper:
        whisper["allow_download"] = whisper["model"] != BUNDLED_MODEL
    streaming = _options(args, enabled="batch_transcription")
    if "enabled" in streaming:
        streaming["enabled"] = not streaming["enabled"]
    return SimulatorConfig(
        session=SessionConfig(**session),
        audio=AudioConfig(**_options(args, input_device="input_device",
                                     output_device="output_device", voice="voice")),
        vad=VadConfig(**_options(args, stop_s="silence_s",
                                 sentence_end_stop_s="sentence_end_silence_s")),
        limits=LimitsConfig(**_options(args, max_answer_s="max_answer_s",
                                       no_speech_timeout_s="no_speech_timeout_s")),
        turn_taking=TurnTakingConfig(**_options(args, model="turn_model")),
        streaming=StreamingConfig(**streaming),
        whisper=WhisperConfig(**whisper),
    )
