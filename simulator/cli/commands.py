"""What each `interview-sim` command does, given parsed arguments, the configuration and
the parts factory (the composition root's, or a test's). One function per command; what they
print goes through `output.py`. Heavy modules are imported inside the commands that use them.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulator import __version__
from simulator.cli.output import Echo, echo_for, heard_echo, print_json
from simulator.cli.parser import EXIT_CHECK_FAILED, EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK
from simulator.config import SimulatorConfig
from simulator.errors import AudioFileError, ConfigError, StorageError
from simulator.feedback import format_points

if TYPE_CHECKING:
    from simulator.app import PartsFactory

Command = Callable[[argparse.Namespace, SimulatorConfig, "PartsFactory"], int]


def run(args: argparse.Namespace, config: SimulatorConfig,
        parts: PartsFactory | None = None) -> int:
    """Run the command named in `args`; returns the exit code.

    Args:
        args: the parsed command line.
        config: built from `args` by `parser.config_from_args`.
        parts: the parts factory; None uses the real parts (`app.build_parts`).
    """
    from simulator import app

    handlers: dict[str, Command] = {
        "practice": practice, "replay": replay, "transcribe": transcribe, "score": score,
        "banks": banks, "devices": devices, "import": import_document, "call": call,
        "history": history, "report": report, "questions": questions,
    }
    return handlers[args.command](args, config, parts or app.build_parts)


def _meta(config: SimulatorConfig) -> dict[str, Any]:
    return {"tool_version": __version__, "model": config.whisper.model,
            "silence_s": config.vad.stop_s,
            "sentence_end_silence_s": config.vad.sentence_end_stop_s,
            "script": config.session.script}


def _write_report(args: argparse.Namespace, folder: Path | None, echo: Echo) -> None:
    """The end of `practice` and `call`: the session's HTML report, its path printed."""
    if folder is None:
        return
    from simulator.report.cli import report_after_session

    path = report_after_session(folder, open_it=args.open)
    if path is not None:
        echo(f"Report: {path}")


def _first_run(args: argparse.Namespace, config: SimulatorConfig, echo: Echo) -> None:
    """Before the first session goes into the default folder, say where that is (once: the
    folder exists afterwards). A folder the user chose needs no announcement."""
    if args.sessions_dir is None:
        from simulator.history.home import first_run_notice

        notice = first_run_notice(config.session.sessions_dir)
        if notice:
            echo(notice)


def practice(args: argparse.Namespace, config: SimulatorConfig, parts: PartsFactory) -> int:
    """`practice`: a spoken session (or the shipped-recording demo without a microphone),
    shown on the screen in the session's language and script."""
    from simulator import app
    from simulator.audio.quiet import quiet_audio_libraries
    from simulator.screen.console import Screen

    quiet_audio_libraries()
    screen = Screen(config.session.script)
    if config.session.resume_dir is None:
        _first_run(args, config, screen.echo)
    outcome = app.run_practice(config, echo=screen.echo, meta=_meta(config), parts=parts,
                               screen=screen)
    turns = outcome.result.turns
    language = turns[0].question.language if turns else "en"
    screen.echo(screen.lines(language)("saved", path=outcome.folder))
    _write_report(args, outcome.folder, screen.echo)
    return EXIT_INTERRUPTED if outcome.result.interrupted else EXIT_OK


def questions(args: argparse.Namespace, config: SimulatorConfig, parts: PartsFactory) -> int:
    """`questions`: a bank's questions with their ids, points, sections and prompts."""
    from simulator.bank.loader import resolve_bank
    from simulator.bank.select import select_questions
    from simulator.screen.lines import in_script

    bank = resolve_bank(args.bank)
    chosen = select_questions(bank, section=args.section)
    titles = {s.id: s.title for s in bank.sections}
    listing = [{"id": q.id, "points": q.points, "section": q.section,
                "section_title": titles.get(q.section, ""), "prompt": q.prompt,
                "key_points": len(q.key_points), "has_model_answer": bool(q.model_answer)}
               for q in chosen]
    if args.json:
        print_json({"bank": bank.id, "language": bank.language, "questions": listing})
        return EXIT_OK
    script = config.session.script
    for entry in listing:
        prompt = in_script(" ".join(str(entry["prompt"]).split()), bank.language, script)
        print(f"{entry['id']:>5}  {format_points(float(entry['points'])):>3} pts  "
              f"{entry['section']:<10} {prompt}")
    return EXIT_OK


def replay(args: argparse.Namespace, config: SimulatorConfig, parts: PartsFactory) -> int:
    """`replay`: recorded answers through the same loop; `--check` compares expected bands."""
    from simulator import app
    from simulator.records.documents import session_json, turn_json

    echo = echo_for(args.json)
    most = max(2, os.cpu_count() or 1)  # each worker loads a model: more only costs memory
    if not 1 <= args.jobs <= most:
        raise ConfigError(f"--jobs must be at least 1 and at most {most} (the CPU cores "
                          f"here), got {args.jobs}")
    if args.junit is not None and not args.junit.parent.is_dir():
        raise ConfigError(f"{args.junit}: its folder does not exist (--junit)")
    if args.save:
        _first_run(args, config, echo)
    outcome = app.run_replay(config, args.path, echo=echo, meta=_meta(config),
                             question_id=(args.questions or [None])[0],
                             only=set(args.only) if args.only else None, save=args.save,
                             on_heard=heard_echo(echo), jobs=args.jobs, parts=parts)

    failures = []
    results = []
    for item, turn in zip(outcome.items, outcome.result.turns, strict=False):
        record = turn_json(turn)
        band = item.band
        in_band = None if band is None else band[0] <= turn.score.fraction <= band[1]
        record["fixture"] = {"id": item.id, "expected": item.expected or None,
                             "in_expected_band": in_band}
        results.append(record)
        if in_band is False:
            failures.append(f"{item.id}: scored {turn.score.fraction:.2f}, expected "
                            f"{item.expected} {band}")
        if not args.json:
            print(f"{item.id:<28} q{turn.question.id:<4} "
                  f"{format_points(turn.score.points):>4}/{format_points(turn.score.max_points):<3}"
                  f" {turn.answer.transcript.text[:60]}")
    document = session_json(results, {"tool_version": __version__, "mode": "replay",
                                      "replayed": str(args.path),
                                      "script": config.session.script},
                            "complete" if not outcome.result.interrupted else "interrupted")
    document["session_folder"] = str(outcome.folder) if outcome.folder else None
    document["check_failures"] = failures
    if args.junit is not None:
        _write_junit(args.junit, document)
    if args.json:
        print_json(document)
    else:
        print(f"{len(results)} answers, {format_points(outcome.result.total_points)}"
              f"/{format_points(outcome.result.max_points)} points")
        if outcome.folder:
            print(f"Session saved in {outcome.folder}")
    for failure in failures:
        print(f"check: {failure}", file=sys.stderr)
    return EXIT_CHECK_FAILED if args.check and failures else EXIT_OK


def _write_junit(path: Path, document: dict[str, Any]) -> None:
    from simulator.exports.junit import write_junit

    try:
        write_junit(path, document)
    except OSError as e:
        raise StorageError(f"{path}: cannot write the JUnit file ({e.strerror or e})") from e


def call(args: argparse.Namespace, config: SimulatorConfig, parts: PartsFactory) -> int:
    """`call --scenario NAME`: a role-play call; the phone-manner scorecard is spoken and saved."""
    from simulator.app import run_call_session
    from simulator.audio.quiet import quiet_audio_libraries
    from simulator.call.loop import Outcome
    from simulator.records.documents import call_json

    quiet_audio_libraries()
    echo = echo_for(args.json)
    _first_run(args, config, echo)
    outcome = run_call_session(config, args.scenario, phone_line=args.phone_line, echo=echo,
                               meta=_meta(config), replay=args.replay or (),
                               on_heard=heard_echo(echo), parts=parts)
    if args.json:
        document = call_json(outcome.result, relative_to=outcome.folder)
        document["session_folder"] = str(outcome.folder) if outcome.folder else None
        print_json(document)
    else:
        echo(f"Call saved in {outcome.folder} ({outcome.result.outcome.value}, "
             f"{outcome.result.scorecard.score}/100)")
    _write_report(args, outcome.folder, echo)
    return EXIT_INTERRUPTED if outcome.result.outcome is Outcome.INTERRUPTED else EXIT_OK


def transcribe(args: argparse.Namespace, config: SimulatorConfig, parts: PartsFactory) -> int:
    """`transcribe FILE...`: print what the local model hears in each file; a file that
    cannot be read is one error line (and an `error` entry with `--json`), then exit 2."""
    from simulator.audio.pcm import read_audio
    from simulator.records.documents import transcript_json

    transcriber = parts(config, print).transcriber(preload=False)
    documents = []
    for path in args.files:
        try:  # a bad file is reported and skipped: the others' transcripts are still wanted
            audio = read_audio(path)
        except AudioFileError as e:
            print(f"interview-sim: error: {e}", file=sys.stderr)
            documents.append({"file": str(path), "error": str(e)})
            continue
        transcript = transcriber.transcribe(audio, args.lang)
        documents.append({"file": str(path), **transcript_json(transcript)})
        if not args.json:
            print(f"{path}: {transcript.text}")
    if args.json:
        print_json({"files": documents})
    return EXIT_ERROR if any("error" in d for d in documents) else EXIT_OK


def score(args: argparse.Namespace, config: SimulatorConfig, parts: PartsFactory) -> int:
    """`score`: score one answer (text, or audio through the transcriber)."""
    from simulator.bank.loader import resolve_bank
    from simulator.bank.select import select_questions
    from simulator.feedback import load_templates, render_feedback
    from simulator.records.documents import score_json, transcript_json

    bank = resolve_bank(args.bank)
    question = select_questions(bank, question_ids=[args.question])[0]
    transcript_doc = None
    if args.audio is not None:
        from simulator.audio.pcm import read_audio

        transcript = parts(config, print).transcriber(preload=False).transcribe(
            read_audio(args.audio), question.language)
        text = transcript.text
        transcript_doc = transcript_json(transcript)
    else:
        text = args.text
    result = parts(config, print).judge(preload=False).score(text, question)
    feedback = render_feedback(result, question.language, load_templates(),
                               heard_nothing=not any(ch.isalnum() for ch in text))
    if args.json:
        print_json({"bank": bank.id, "question": question.id, "answer": text,
                    "transcript": transcript_doc, "score": score_json(result),
                    "feedback": feedback.text})
    else:
        print(f"{format_points(result.points)}/{format_points(result.max_points)}")
        for kp in result.key_points:
            mark = "+" if kp.covered else "-"
            heard = " / ".join(f"«{e.heard}»" for e in kp.evidence[:2])
            print(f"  {mark} {kp.label}" + (f"  {heard}" if heard else ""))
        for breach in result.breaches:
            print(f"  ! {breach.label}  «{breach.evidence.heard}»")
        for reason in result.reasons[1:]:
            print(f"  note: {reason}")
        print(feedback.text)
    return EXIT_OK


def banks(args: argparse.Namespace, config: SimulatorConfig, parts: PartsFactory) -> int:
    """`banks`: the shipped banks with question counts per section."""
    from simulator.bank.loader import load_bank, shipped_bank_paths

    listing = []
    for path in shipped_bank_paths():
        bank = load_bank(path)
        titles = {s.id: s.title for s in bank.sections}
        listing.append({"id": bank.id, "title": bank.title, "language": bank.language,
                        "questions": len(bank.questions), "file": str(path),
                        "sections": [{"id": sid, "title": titles[sid], "questions": n}
                                     for sid, n in bank.section_counts().items()]})
    if args.json:
        print_json({"banks": listing})
        return EXIT_OK
    for entry in listing:
        print(f"{entry['id']}  ({entry['language']}, {entry['questions']} questions)  "
              f"{entry['title']}")
        for section in entry["sections"]:
            print(f"    {section['id']:<12} {section['questions']:>3}  {section['title']}")
    return EXIT_OK


def devices(args: argparse.Namespace, config: SimulatorConfig, parts: PartsFactory) -> int:
    """`devices`: microphones and speakers PortAudio can see."""
    from dataclasses import asdict

    from simulator.audio.devices import list_devices

    found = list_devices()
    if args.json:
        print_json({"devices": [asdict(d) for d in found]})
        return EXIT_OK
    if not found:
        print("no audio devices found")
    for d in found:
        marks = ("*in " if d.is_default_input else "") + ("*out" if d.is_default_output else "")
        print(f"{d.index:>3}  in:{d.max_input_channels:<2} out:{d.max_output_channels:<2} "
              f"{d.default_sample_rate_hz:>7.0f} Hz  {d.name} ({d.host_api}) {marks}")
    return EXIT_OK


def import_document(args: argparse.Namespace, config: SimulatorConfig, parts: PartsFactory) -> int:
    """`import DOC -o BANK`: convert an interview document into a bank file."""
    from simulator.bank import importer

    text = importer.read_document(Path(args.document))
    if Path(args.output).exists() and Path(args.output).samefile(args.document):
        raise ConfigError(f"{args.output}: that is the document itself; write the bank to "
                          "another file")
    bank_id = args.bank_id or Path(args.output).stem
    result = importer.import_document(text, bank_id=bank_id, source=str(args.document))
    importer.write_bank_toml(result.data, Path(args.output))
    if args.json:
        from simulator.exports.import_json import import_report_json

        print_json(import_report_json(result, Path(args.output)))
    else:
        print(importer.format_report(result))
        print(f"wrote {args.output}")
    return EXIT_OK


def history(args: argparse.Namespace, config: SimulatorConfig, parts: PartsFactory) -> int:
    """`history [--json | --csv]`, `history import DIR`: progress across sessions."""
    from simulator.history.cli import run

    return run(args, config.session.sessions_dir)


def report(args: argparse.Namespace, config: SimulatorConfig, parts: PartsFactory) -> int:
    """`report [SESSION | --last | --all] [--open]`: write self-contained HTML reports."""
    from simulator.report.cli import run

    return run(args, config.session.sessions_dir)
