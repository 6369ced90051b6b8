"""Composition for `interview-sim call`: the scenario, two voices, the microphone, the record.

The narrator is the practice speaker (`app.build_speaker`); the customer gets a voice of
its own (another Kokoro speaker for Mandarin, another eSpeak NG accent for English),
optionally through a telephone line (`--phone-line`). Answers come from the microphone or,
with `--replay FILE...`, from recordings played in order as the trainee's side; there is
no shipped demo for calls, so without a microphone and without `--replay` the command
stops with a one-line error. The record (`call.json` and one WAV per answer) is written as
the call happens.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulator.app import (
    LISTENING_LINE,
    Echo,
    build_speaker,
    build_transcriber,
    microphone_problem,
    settings_for,
    start_enter_listener,
)
from simulator.audio.pcm import Block, write_wav
from simulator.call import (
    SCHEMA,
    AnswersExhausted,
    CallParts,
    CallResult,
    CallSettings,
    CallTurn,
    Outcome,
    call_json,
    call_turn_json,
    run_call,
    scenario_json,
)
from simulator.call_scenario import resolve_scenario
from simulator.config import AudioConfig, SimulatorConfig
from simulator.errors import AudioDeviceError, AudioFileError, StorageError, TtsError
from simulator.ports import AudioSource, Speaker, Voice
from simulator.recorder import Recording
from simulator.report import SessionStore, write_json_atomic
from simulator.scoring.scorecard import load_scorecard
from simulator.session import StopSignal
from simulator.speech.speaker import ConsoleSpeaker, TraditionalScriptSpeaker, VoiceSpeaker
from simulator.speech.transcript import Transcript

_LOGGER = logging.getLogger(__name__)

CUSTOMER_KOKORO_VOICE = "jm_kumo"
"""The customer's Kokoro voice (the narrator's default is "jf_nezumi")."""
CUSTOMER_ESPEAK_VOICES = {"en": "en-gb-x-rp", "zh": "cmn+f3"}
"""The customer's eSpeak NG voices (the narrator's are "en-us" and "cmn")."""
CUSTOMER_LABELS = {"zh": "客户", "en": "Customer"}
"""Printed before the customer's lines."""


@dataclass(frozen=True)
class CallOutcome:
    """What a finished `call` run produced."""

    result: CallResult
    folder: Path | None
    notes: tuple[str, ...] = ()
    """Things the user should know (fallbacks taken)."""


class CallStore(SessionStore):
    """A session folder for a call: each answer's WAV when it ends, `call.json` after every
    turn (temp file + rename), so a crash leaves a valid record of every finished answer.

    Folder creation is `SessionStore`'s (private, named by time); only the document differs.
    """

    def __init__(self, folder: Path, meta: Mapping[str, Any],
                 turns: list[dict[str, Any]] | None = None) -> None:
        self._final: dict[str, Any] = {}
        super().__init__(folder, meta, turns)

    def save_call_answer(self, index: int, recording: Recording) -> Path | None:
        """Write the answer WAV now (before transcription), so it survives anything later."""
        if len(recording.audio) == 0:
            return None
        path = self.folder / f"answer-{index:02d}.wav"
        try:
            write_wav(path, recording.audio)
        except AudioFileError as e:
            raise StorageError(f"{path}: cannot save the answer ({e})") from e
        return path

    def record_call_turn(self, turn: CallTurn) -> None:
        """Add a finished turn and rewrite call.json."""
        self._turns.append(call_turn_json(turn, relative_to=self.folder))
        self._write("running")

    def finish_call(self, result: CallResult) -> Path:
        """Write the whole call with its scorecard; returns the JSON path."""
        self._final = call_json(result, relative_to=self.folder)
        return self._write("interrupted" if result.outcome is Outcome.INTERRUPTED else "complete")

    def _write(self, status: str) -> Path:
        path = self.folder / "call.json"
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        write_json_atomic(path, {"schema": SCHEMA, **self._meta, "status": status,
                                 "updated_at": now, "turns": self._turns, **self._final})
        return path


class ReplayAnswers:
    """An `AudioSource` that plays recordings as the trainee's answers, in order, and ends
    the call (`AnswersExhausted`) when they run out."""

    def __init__(self, files: Sequence[Path]) -> None:
        from simulator.audio.replay import WavReplaySource

        missing = [path for path in files if not Path(path).is_file()]
        if missing:
            raise AudioFileError(f"{missing[0]}: no such audio file (--replay)")
        self._inner = WavReplaySource(files)
        self._left = len(files)

    @property
    def current_file(self) -> Path | None:
        """The file the last `open_answer()` replayed."""
        return self._inner.current_file

    def open_answer(self) -> Iterator[Block]:
        """The next recording's blocks, then trailing silence.

        Raises:
            AnswersExhausted: every recording has been played.
        """
        if self._left == 0:
            raise AnswersExhausted("the --replay recordings ran out before the call ended")
        self._left -= 1
        return self._inner.open_answer()


def customer_voice(config: AudioConfig, language: str) -> Voice:
    """The customer's voice: Kokoro "jm_kumo" for Mandarin when installed, else eSpeak NG.

    Raises:
        TtsError: `--voice kokoro` without the voice extra installed.
    """
    from simulator.speech.espeak_voice import Pyttsx3Voice

    if language == "zh" and config.voice in ("auto", "kokoro"):
        from simulator.speech.kokoro_voice import KokoroVoice, kokoro_available

        if kokoro_available():
            return KokoroVoice(CUSTOMER_KOKORO_VOICE)
        if config.voice == "kokoro":
            raise TtsError("the Kokoro voice is not installed: pip install -e '.[voice]' "
                           "and pip install --no-deps misaki==0.9.4")
    return Pyttsx3Voice(language=language, voice_name=CUSTOMER_ESPEAK_VOICES[language])


def build_customer_speaker(config: AudioConfig, language: str, *, phone_line: bool,
                           script: str, echo: Echo, notes: list[str]) -> Speaker:
    """The customer's speaker: its own voice on the output device, or the console."""
    label = CUSTOMER_LABELS[language]

    def customer_echo(text: str) -> None:
        echo(f"{label}: {text}")

    speaker: Any = ConsoleSpeaker(customer_echo)
    if config.voice != "none":
        from simulator.audio.devices import resolve_device
        from simulator.audio.player import SoundDevicePlayer

        try:
            resolve_device(config.output_device, "output")
            voice = customer_voice(config, language)
            if phone_line:
                from simulator.audio.phone_line import PhoneLineVoice

                voice = PhoneLineVoice(voice)
            speaker = VoiceSpeaker({language: voice}, SoundDevicePlayer(config.output_device),
                                   echo=customer_echo)
        except AudioDeviceError as e:
            if config.output_device is not None:
                raise
            note = f"no speaker ({e}); printing instead of speaking"
            if note not in notes:
                notes.append(note)
    return TraditionalScriptSpeaker(speaker) if script == "traditional" else speaker


def run_call_session(config: SimulatorConfig, scenario_name: str, phone_line: bool,
                     echo: Echo, meta: dict[str, Any], *, replay: Sequence[Path] = (),
                     on_heard: Callable[[Transcript], None] | None = None) -> CallOutcome:
    """A role-play call: the customer speaks, the trainee answers, the scorecard is spoken.

    Args:
        config: the whole configuration (devices, voice, Whisper, endpointing, record folder).
        scenario_name: a shipped scenario id or a .toml path.
        phone_line: pass the customer's voice through a 300-3400 Hz, 8 kHz telephone line.
        echo: prints progress and what is said.
        meta: tool version, model... for the record.
        replay: recordings to play as the trainee's answers, in order (instead of the mic).
        on_heard: called with each transcript.

    Raises:
        SimulatorError: bad scenario, no microphone (and no --replay), device, model or
            output folder (one line each).
    """
    from simulator.audio.mic import SoundDeviceSource

    scenario = resolve_scenario(scenario_name)
    scorecard = load_scorecard()
    stop = StopSignal()
    source: AudioSource
    if replay:
        source = ReplayAnswers(replay)
    else:
        problem = microphone_problem(config.audio)
        if problem is not None and config.audio.input_device is not None:
            raise AudioDeviceError(problem)
        if problem is not None:
            raise AudioDeviceError(f"no microphone ({problem}); use --replay FILE... to play "
                                   "recorded answers as the trainee's side of the call")
        source = SoundDeviceSource(config.audio.input_device, config.audio.device_timeout_s)
        start_enter_listener(stop)
    notes: list[str] = []
    narrator = build_speaker(config.audio, {scenario.language}, script=config.session.script,
                             echo=echo, notes=notes)
    customer = build_customer_speaker(config.audio, scenario.language, phone_line=phone_line,
                                      script=config.session.script, echo=echo, notes=notes)
    for note in notes:
        echo(f"note: {note}")
    echo(f"{scenario.title}: {scenario.persona}")
    loop = settings_for(config, live=not replay)
    settings = CallSettings(vad=loop.vad, limits=loop.limits, scorecard=scorecard,
                            streaming=loop.streaming, delivery=loop.delivery,
                            delivery_templates=loop.delivery_templates)
    created = CallStore.create(config.session.sessions_dir,
                               {**meta, "mode": "call", "phone_line": phone_line,
                                "replayed": [str(p) for p in replay],
                                "scenario": scenario_json(scenario)})
    assert isinstance(created, CallStore)  # SessionStore.create builds the class it is called on
    store = created
    parts = CallParts(customer=customer, narrator=narrator, source=source,
                      transcriber=build_transcriber(config.whisper), sink=store, stop=stop,
                      on_heard=on_heard, on_listening=lambda: echo(LISTENING_LINE))
    try:
        result = run_call(scenario, parts, settings)
    except BaseException:
        store.abort()
        raise
    store.finish_call(result)
    return CallOutcome(result, store.folder, tuple(notes))
