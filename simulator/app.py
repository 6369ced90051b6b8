"""The composition root: the one place that chooses real or fake parts and wires them.

`run_practice`, `run_replay` and `run_call` take their adapters from one parts factory
(`build_parts`, the real microphone, voices, speakers and Whisper; tests pass another) and
wire them into the practice loop or the call loop. `practice` falls back to replaying a
shipped recording where no microphone exists; `replay` wires recorded files; `call` adds
the customer's own voice (`build_voice(..., role="customer")`). Heavy adapters are imported
inside the methods that build them, so importing `simulator` stays cheap.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulator.bank.model import Question
from simulator.call.loop import CallResult, CallSettings, Outcome, run_call
from simulator.call.scenario import resolve_scenario
from simulator.call.scorecard.checklist import load_scorecard
from simulator.config import SimulatorConfig
from simulator.delivery.tips import load_delivery_templates
from simulator.errors import AudioDeviceError, AudioFileError, SimulatorError
from simulator.ports import (
    AudioSource,
    LoopParts,
    Scorer,
    Speaker,
    StopSignal,
    Transcriber,
)
from simulator.practice.fixtures import ReplayItem, plan_replay
from simulator.practice.options import restore_options, session_options, with_question_order
from simulator.practice.plan import demo_plan, planned_questions, remaining_questions
from simulator.practice.session import SessionResult, run_session
from simulator.practice.settings import listen_settings, practice_settings
from simulator.records.documents import (
    CALL_RECORD,
    PRACTICE_RECORD,
    call_outcome_json,
    scenario_json,
)
from simulator.records.store import SessionStore
from simulator.screen.keys import KeyReader, start_enter_listener
from simulator.screen.lines import Lines
from simulator.screen.wiring import screen_parts
from simulator.speech.transcript import Transcript
from simulator.speech.voices import CUSTOMER_LABELS, Role, build_voice

if TYPE_CHECKING:
    from simulator.listen.turn_end import ModelWorker
    from simulator.screen.console import Screen

_LOGGER = logging.getLogger(__name__)
Echo = Callable[[str], None]
_ENGLISH_LINES = {"LISTENING_LINE": "listening", "ENTER_LINE": "hint"}
"""`LISTENING_LINE`: what a session prints when the microphone opens; `ENTER_LINE`: printed
once, when a live microphone first listens (Enter does nothing in replay). English; the
screen says both in the session's language. Read from prompts/screen.toml when first used,
not at import."""


def __getattr__(name: str) -> str:
    if name in _ENGLISH_LINES:
        return Lines("en")(_ENGLISH_LINES[name])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True)
class SessionOutcome:
    """What a finished `practice` or `replay` run produced."""

    result: SessionResult
    folder: Path | None
    items: tuple[ReplayItem, ...] = ()
    """For replay: the recordings played, in turn order."""
    notes: tuple[str, ...] = ()
    """Things the user should know (fallbacks taken)."""


@dataclass(frozen=True)
class CallOutcome:
    """What a finished `call` run produced."""

    result: CallResult
    folder: Path | None
    notes: tuple[str, ...] = ()
    """Things the user should know (fallbacks taken)."""


class Parts:
    """The real adapters, built from the configuration when asked for: the default parts
    factory. Tests pass `run_*` another factory (a subclass with fakes), never patch this."""

    def __init__(self, config: SimulatorConfig, echo: Echo) -> None:
        self._config = config
        self._echo = echo

    def transcriber(self, *, preload: bool = True) -> Transcriber:
        """The Whisper transcriber; with `preload`, the model loads and warms up on a
        background thread while the first question is spoken (a load error resurfaces at
        first use), and so do the scorer's word and pinyin tables."""
        from simulator.speech.whisper_stt import FasterWhisperTranscriber

        transcriber = FasterWhisperTranscriber(self._config.whisper)
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

    def judge(self, questions: Sequence[Question] = (), *, preload: bool = True) -> Scorer:
        """The judge (cues and meaning, `scoring.judge`); with `preload`, the sentence
        encoder loads and these questions' example sentences are encoded on a background
        thread while the first question is spoken."""
        from simulator.scoring.build import build_judge

        judge = build_judge(self._config.scoring)
        if preload:
            def _load() -> None:
                try:
                    judge.warm_up(questions)
                except SimulatorError as e:  # reported again, on the main thread, at first use
                    _LOGGER.debug("background judge load failed: %s", e)

            threading.Thread(target=_load, name="judge-load", daemon=True).start()
        return judge

    def speaker(self, languages: Collection[str], *, notes: list[str],
                role: Role = "interviewer", phone_line: bool = False) -> Speaker:
        """A voice on the output device, or the console when there is none (a note says so).

        Args:
            languages: the languages it will speak.
            notes: things the user should know; a fallback taken is added once.
            role: the interviewer (the tool's voice) or the customer of a call.
            phone_line: pass the voice through a 300-3400 Hz, 8 kHz telephone line.
        """
        from simulator.speech.speaker import (
            ConsoleSpeaker,
            TraditionalScriptSpeaker,
            VoiceSpeaker,
        )

        audio = self._config.audio
        echo = self._echo
        if role == "customer":
            echo = _labelled(self._echo, "/".join(CUSTOMER_LABELS[language]
                                                  for language in sorted(languages)))
        speaker: Any = ConsoleSpeaker(echo)
        if audio.voice != "none":
            from simulator.audio.devices import resolve_device
            from simulator.audio.phone_line import PhoneLineVoice
            from simulator.audio.player import SoundDevicePlayer

            try:
                resolve_device(audio.output_device, "output")
                voices = {language: build_voice(audio, language, role)
                          for language in sorted(languages)}
                if phone_line:
                    voices = {language: PhoneLineVoice(voice) for language, voice in voices.items()}
                speaker = VoiceSpeaker(voices, SoundDevicePlayer(audio.output_device), echo=echo)
            except AudioDeviceError as e:
                if audio.output_device is not None:
                    raise
                note = f"no speaker ({e}); printing instead of speaking"
                if note not in notes:
                    notes.append(note)
        if self._config.session.script == "traditional":
            return TraditionalScriptSpeaker(speaker)
        return speaker  # type: ignore[no-any-return]

    def microphone_problem(self) -> str | None:
        """Why the microphone cannot be used, or None when it can."""
        from simulator.audio.devices import resolve_device

        try:
            resolve_device(self._config.audio.input_device, "input")
        except AudioDeviceError as e:
            return str(e)
        return None

    def microphone(self) -> AudioSource:
        """The microphone as an audio source."""
        from simulator.audio.mic import SoundDeviceSource

        return SoundDeviceSource(self._config.audio.input_device,
                                 self._config.audio.device_timeout_s)

    def turn_model(self, notes: list[str], language: str) -> ModelWorker | None:
        """The end-of-turn model on its worker, loading in the background; None (with a
        note) when it is turned off or setup has not prepared it."""
        from simulator.listen.smart_turn import SmartTurnModel
        from simulator.listen.smart_turn_model import PREPARE_HINT, cached_model
        from simulator.listen.turn_end import ModelWorker
        from simulator.speech.whisper_model import default_cache_dir

        taking = self._config.turn_taking
        if not taking.model:
            return None
        path = cached_model(self._config.whisper.cache_dir or default_cache_dir())
        if path is None:
            notes.append(Lines(language, self._config.session.script)(
                "no_turn_model", reason=PREPARE_HINT, silence=f"{self._config.vad.stop_s:g}"))
            return None
        return ModelWorker(lambda: SmartTurnModel(path, taking.model_threads))

    def recordings(self, files: Sequence[Path]) -> AudioSource:
        """Recorded answers as an audio source, one file per answer, in order."""
        from simulator.audio.replay import WavReplaySource

        return WavReplaySource(files)


def _listening(echo: Echo, *, live: bool) -> Callable[[], None]:
    """Announce each answer; a live microphone session first says how to end one early."""
    told = [not live]

    def _announce() -> None:
        if not told[0]:
            told[0] = True
            echo(Lines("en")("hint"))
        echo(Lines("en")("listening"))
    return _announce


def _labelled(echo: Echo, label: str) -> Echo:
    def _echo(text: str) -> None:
        echo(f"{label}: {text}")

    return _echo


PartsFactory = Callable[[SimulatorConfig, Echo], Parts]
"""Builds the parts of a run from the configuration and the console echo."""


def build_parts(config: SimulatorConfig, echo: Echo) -> Parts:
    """The default parts factory: the real devices, voices and Whisper."""
    return Parts(config, echo)


def run_practice(config: SimulatorConfig, *, echo: Echo, meta: dict[str, Any],
                 on_heard: Callable[[Transcript], None] | None = None,
                 parts: PartsFactory = build_parts, screen: Screen | None = None) -> SessionOutcome:
    """A live session: microphone, voice, Whisper; or the shipped-recording demo without a mic.

    With a `screen`, listening shows a level meter and countdown, transcribing and scoring a
    spinner, what was heard its fillers, and (keys from a terminal) r/m/Enter after each
    feedback; a resumed session takes back the options it was started with.

    Raises:
        SimulatorError: bad bank/question, device, model or output folder (one line each).
    """
    resumed = (SessionStore.reopen(config.session.resume_dir, PRACTICE_RECORD)
               if config.session.resume_dir is not None else None)
    if resumed is not None:
        config = restore_options(config, resumed.meta.get("options"))
    else:
        config = with_question_order(config)
    built = parts(config, echo)
    bank, questions = (remaining_questions(resumed) if resumed is not None
                       else planned_questions(config.session))
    notes: list[str] = []
    stop = StopSignal()
    problem = built.microphone_problem()
    keys = None
    if problem is None:
        source = built.microphone()
        if screen is not None and sys.stdin is not None and sys.stdin.isatty():
            keys = KeyReader(stop)
        else:
            start_enter_listener(stop)
    elif config.audio.input_device is not None:
        raise AudioDeviceError(problem)
    else:
        questions, files = demo_plan(bank, questions)
        if not files:
            raise AudioDeviceError(f"{problem}; and no shipped recording answers bank {bank.id}")
        notes.append(Lines(bank.language, config.session.script)("no_microphone",
                                                                  problem=problem))
        source = built.recordings(files)
    turn_model = built.turn_model(notes, bank.language) if problem is None else None
    for note in notes:
        echo(f"note: {note}")
    store = resumed or SessionStore.create(
        config.session.sessions_dir, PRACTICE_RECORD,
        {**meta, "mode": "practice", "bank": bank.id, "options": session_options(config),
         "bank_file": str(Path(bank.source).resolve()),  # a bank given as a path has no id
         "planned_questions": [q.id for q in questions]})
    loop = LoopParts(speaker=built.speaker({q.language for q in questions}, notes=notes),
                     source=source, transcriber=built.transcriber(),
                     judge=built.judge(questions), sink=store, stop=stop, on_heard=on_heard,
                     on_listening=_listening(echo, live=problem is None), turn_model=turn_model)
    if screen is not None:
        loop = screen_parts(loop, screen, bank.language, config, keys, live=problem is None)
    try:
        with keys.running() if keys is not None else contextlib.nullcontext():
            result = run_session(questions, loop, practice_settings(config, live=problem is None),
                                 first_index=len(store.turns) + 1)
    except BaseException:
        store.abort()
        raise
    finally:
        if turn_model is not None:
            turn_model.close()
    _finish(store, result)
    return SessionOutcome(result, store.folder, notes=tuple(notes))


def run_replay(config: SimulatorConfig, path: Path, *, echo: Echo, meta: dict[str, Any],
               question_id: str | None, only: set[str] | None, save: bool,
               on_heard: Callable[[Transcript], None] | None = None, jobs: int = 1,
               parts: PartsFactory = build_parts) -> SessionOutcome:
    """Replay recorded answers through the same loop, printing instead of speaking.

    Raises:
        SimulatorError: unreadable manifest, audio or bank (names the file).
    """
    from simulator.bank.loader import resolve_bank

    items = plan_replay(path, resolve_bank, default_bank=config.session.bank or None,
                        question_id=question_id, only=only)
    settings = practice_settings(config, live=False)
    store = (SessionStore.create(config.session.sessions_dir, PRACTICE_RECORD,
                                 {**meta, "mode": "replay", "replayed": str(path)})
             if save else None)
    built = parts(config, echo)
    notes: list[str] = []
    try:
        if jobs > 1:  # each turn is recorded as its worker finishes
            from simulator.practice.parallel import replay_in_processes

            result = SessionResult(tuple(replay_in_processes(
                items, config, settings, jobs, parts=parts, sink=store)))
        else:
            loop = LoopParts(
                speaker=built.speaker({i.question.language for i in items}, notes=notes),
                source=built.recordings([i.file for i in items]),
                transcriber=built.transcriber(), judge=built.judge([i.question for i in items]),
                sink=store, on_heard=on_heard)
            result = run_session([i.question for i in items], loop, settings)
    except BaseException:
        if store is not None:
            store.abort()
        raise
    if store is not None:
        _finish(store, result)
    return SessionOutcome(result, store.folder if store else None, tuple(items), tuple(notes))


def _finish(store: SessionStore[Any], result: SessionResult) -> None:
    store.finish("interrupted" if result.interrupted else "complete",
                 summary=result.summary.text)


def run_call_session(config: SimulatorConfig, scenario_name: str, *, phone_line: bool,
                     echo: Echo, meta: dict[str, Any], replay: Sequence[Path] = (),
                     on_heard: Callable[[Transcript], None] | None = None,
                     parts: PartsFactory = build_parts) -> CallOutcome:
    """A role-play call: the customer speaks, the trainee answers, the scorecard is spoken.

    Answers come from the microphone or, with `replay`, from recordings played in order as
    the trainee's side; there is no shipped demo for calls, so without a microphone and
    without `replay` this stops with a one-line error.

    Args:
        config: the whole configuration (devices, voice, Whisper, endpointing, record folder).
        scenario_name: a shipped scenario id or a .toml path.
        phone_line: pass the customer's voice through a 300-3400 Hz, 8 kHz telephone line.
        echo: prints progress and what is said.
        meta: tool version, model... for the record.
        replay: recordings to play as the trainee's answers, in order (instead of the mic).
        on_heard: called with each transcript.
        parts: the parts factory.

    Raises:
        SimulatorError: bad scenario, no microphone (and no --replay), device, model or
            output folder (one line each).
    """
    built = parts(config, echo)
    scenario = resolve_scenario(scenario_name)
    settings = CallSettings(listen=listen_settings(config, live=not replay),
                            scorecard=load_scorecard(), scoring=config.scoring,
                            delivery_templates=load_delivery_templates())
    stop = StopSignal()
    if replay:
        missing = [path for path in replay if not Path(path).is_file()]
        if missing:
            raise AudioFileError(f"{missing[0]}: no such audio file (--replay)")
        source = built.recordings(replay)
    else:
        problem = built.microphone_problem()
        if problem is not None and config.audio.input_device is not None:
            raise AudioDeviceError(problem)
        if problem is not None:
            raise AudioDeviceError(f"no microphone ({problem}); use --replay FILE... to play "
                                   "recorded answers as the trainee's side of the call")
        source = built.microphone()
        start_enter_listener(stop)
    notes: list[str] = []
    narrator = built.speaker({scenario.language}, notes=notes)
    turn_model = built.turn_model(notes, scenario.language) if not replay else None
    customer = built.speaker({scenario.language}, notes=notes, role="customer",
                             phone_line=phone_line)
    for note in notes:
        echo(f"note: {note}")
    echo(f"{scenario.title}: {scenario.persona}")
    store = SessionStore.create(config.session.sessions_dir, CALL_RECORD,
                                {**meta, "mode": "call", "phone_line": phone_line,
                                 "replayed": [str(p) for p in replay],
                                 "scenario": scenario_json(scenario)})
    loop = LoopParts(speaker=narrator, source=source, transcriber=built.transcriber(),
                     judge=built.judge(), sink=store, stop=stop, on_heard=on_heard,
                     on_listening=_listening(echo, live=not replay), turn_model=turn_model)
    try:
        result = run_call(scenario, customer, loop, settings)
    except BaseException:
        store.abort()
        raise
    finally:
        if turn_model is not None:
            turn_model.close()
    store.finish("interrupted" if result.outcome is Outcome.INTERRUPTED else "complete",
                 **call_outcome_json(result))
    return CallOutcome(result, store.folder, tuple(notes))
