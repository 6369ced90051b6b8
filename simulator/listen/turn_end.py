"""When a speaker's turn is over before the full silence: the one home of that rule.

The endpointer ends an answer after `stop_s` of silence, the upper bound. Inside it,
`TurnTaking` ("judge early, decide late", issue 13) ends it sooner:

* at once when the streamed text up to a pause ends with an end phrase ("我说完了",
  "that's all");
* after `sentence_end_stop_s` (2.0 s) when the end-of-turn model, hearing the pause 0.2, 0.3
  and 0.5 s in, is sure every time (the lowest probability >= 0.97) and the streamed text,
  if it is known by then, ends a sentence (`ends_sentence`: a full stop, and no word that
  announces more, "然后", "因为", "and", "because", at the end). Known text that does not end
  a sentence holds the turn to the bound.

Why so late: a pause after a finished sentence sounds exactly like the end of the answer
(the model cannot tell them apart), so any end before about 1.6 s cuts people off between
sentences; the model does tell a mid-thought pause from an end in the first half second.
The recorder asks `turn_ended` after every block and it answers at once: the model runs on
its own worker (`ModelWorker`), the text on the streaming transcriber's, and a pause whose
verdicts are not ready is asked about again with the next block, so recording never
stalls. `SentenceEndPolicy` is the text-only rule that came before (kept for comparison in
`scripts/bench_endpointing.py`).
"""

from __future__ import annotations

import logging
import re
import time
import unicodedata
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for
from typing import Protocol

from simulator.audio.pcm import SAMPLE_RATE_HZ, Block
from simulator.config import TurnTakingConfig, VadConfig
from simulator.errors import SimulatorError
from simulator.listen.endpoint import Endpointer
from simulator.listen.recorder import AudioBuffer, EndReason, TurnEndPolicy
from simulator.ports import TurnModel
from simulator.text.normalise import to_simplified

_LOGGER = logging.getLogger(__name__)
WINDOW_SAMPLES = 8 * SAMPLE_RATE_HZ
"""The end-of-turn model hears the last 8 s; nothing older is handed to it."""

_SENTENCE_END = "。！？.!?…"
# Words after which a speaker is about to say more: conjunctions, list openers, fillers.
_CONTINUES_ZH = ("然后", "还有", "就是", "因为", "所以", "但是", "可是", "而且", "并且", "或者",
                 "比如", "例如", "如果", "那么", "首先", "其次", "另外", "第一", "第二", "第三",
                 "嗯", "呃", "啊", "那个", "这个", "的话", "和", "跟", "以及", "包括", "是")
_CONTINUES_EN = frozenset(("and", "but", "so", "because", "or", "then", "also", "like", "um",
                           "uh", "er", "the", "a", "an", "to", "of", "with", "if", "that",
                           "firstly", "secondly", "is", "are", "i", "we"))
_TRAILING_PUNCTUATION_RE = re.compile(r"[\s。！？.!?…，,、；;：:\"'”’」』)）]+$")


def ends_sentence(text: str, language: str) -> bool:
    """Whether `text` (the last thing heard) sounds like the end of what the speaker meant.

    True when it ends with sentence-final punctuation and its last word does not announce
    more (a conjunction, a list opener or a filler). Whisper writes the full stop from the
    intonation it heard, so it is the acoustic half of the judgement; the word list is
    the lexical half.
    """
    stripped = (to_simplified(text) if language == "zh" else text).rstrip()
    if not stripped or stripped[-1] not in _SENTENCE_END:
        return False
    body = _TRAILING_PUNCTUATION_RE.sub("", stripped)
    if not body:
        return False
    if language == "zh":
        return not body.endswith(_CONTINUES_ZH)
    last_word = re.split(r"[^\w']+", body.lower())[-1]
    return last_word not in _CONTINUES_EN


class PauseText(Protocol):
    """What was heard up to a pause (the streaming transcriber)."""

    def text_at_pause(self, speech_end: int, wait: bool = False) -> str | None:
        """The text up to the pause at `speech_end`; None: not known yet; "": never."""
        ...


_END_PUNCTUATION_RE = re.compile(r"[\s。！？.!?…，,、；;：:\"'”’」』)）~～-]+$")


def _fold(text: str) -> str:
    folded = unicodedata.normalize("NFKC", to_simplified(text)).lower()
    return _END_PUNCTUATION_RE.sub("", folded.replace("’", "'").replace("‘", "'"))


def says_end_phrase(text: str, phrases: tuple[str, ...]) -> bool:
    """Whether `text` ends with one of `phrases` (script, case, width and the punctuation
    after it do not matter)."""
    folded = _fold(text)
    return bool(folded) and any(folded.endswith(_fold(p)) for p in phrases if _fold(p))


class FinishedProbability(Protocol):
    """An end-of-turn model (`smart_turn.SmartTurnModel`, or a fake)."""

    def finished_probability(self, audio: Block) -> float:
        """Probability (0..1) that the speaker has finished, from the audio up to now."""
        ...


class ModelWorker:
    """The end-of-turn model on one worker thread, shared by the answers of a session.

    The model is loaded by the worker's first task, so loading overlaps the question being
    spoken; each probe runs there too, never on the recorder's thread. A model that fails
    to load is reported once and every later probe fails fast: answers then end on the
    silence bound.
    """

    def __init__(self, load: Callable[[], FinishedProbability]) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="turn-model")
        self._load = load
        self._model: FinishedProbability | None = None
        self._failure: SimulatorError | None = None
        self.calls = 0
        self.compute_s = 0.0
        """Seconds spent in the model (probes only, not the load)."""
        self._executor.submit(self._ready)

    def _ready(self) -> FinishedProbability:
        if self._failure is not None:
            raise self._failure
        if self._model is None:
            try:
                self._model = self._load()
            except SimulatorError as e:
                _LOGGER.warning("end-of-turn model unavailable (%s); answers end on silence", e)
                self._failure = e
                raise
        return self._model

    def warm_up(self) -> None:
        """Wait until the model is loaded (or failed to load)."""
        self._executor.submit(lambda: None).result()

    def submit(self, audio: Block) -> Future[float]:
        """Judge `audio` (the speech so far) on the worker."""
        return self._executor.submit(self._judge, audio)

    def _judge(self, audio: Block) -> float:
        model = self._ready()
        started = time.perf_counter()
        probability = model.finished_probability(audio)
        self.calls += 1
        self.compute_s += time.perf_counter() - started
        return probability

    def close(self) -> None:
        """Stop the worker (pending probes are dropped)."""
        self._executor.shutdown(wait=False, cancel_futures=True)


class TurnTaking:
    """The turn-end policy of a live answer: end phrase, end-of-turn model and text."""

    def __init__(self, *, heard: PauseText | None, model: TurnModel | None, language: str,
                 release_s: float, config: TurnTakingConfig, wait: bool = False) -> None:
        """Args:
            heard: the streaming transcriber of this answer (None: no text is known).
            model: the end-of-turn model's worker (None: no early end but the end phrase).
            language: "zh" or "en" (which words announce more).
            release_s: the silence after which a pause judged finished ends the answer.
            config: probe times, threshold, end phrases.
            wait: wait for the model's verdicts instead of asking again with the next
                block (replayed audio arrives faster than the worker judges; benchmarks).
        """
        self._heard = heard
        self._model = model
        self._language = language
        self._release = int(release_s * SAMPLE_RATE_HZ)
        self._probe_at = [int(p * SAMPLE_RATE_HZ) for p in config.probe_s]
        self._threshold = config.finished_probability
        self._phrases = config.end_phrases
        self._wait = wait
        self._pause: int | None = None
        """The pause being judged (its speech end sample)."""
        self._probes: list[Future[float]] = []
        self._decided = False
        self._text_seen = False
        self.verdicts: dict[int, tuple[float | None, str | None]] = {}
        """Per judged pause (speech end sample): the lowest probe and the text known then."""

    def turn_ended(self, audio: AudioBuffer, endpointer: Endpointer) -> EndReason | None:
        """Why the turn is over at the current pause, or None to keep listening."""
        speech_end = endpointer.speech_end_sample
        if speech_end is None:
            return None
        if speech_end != self._pause:
            self._pause, self._probes = speech_end, []
            self._decided = self._text_seen = False
        silence = endpointer.num_samples - speech_end
        if silence <= 0:
            return None
        if self._heard is not None and not self._text_seen:
            text = self._heard.text_at_pause(speech_end)
            if text is not None:
                self._text_seen = True
                if says_end_phrase(text, self._phrases):
                    return EndReason.END_PHRASE
        if self._model is None:
            return None
        while len(self._probes) < len(self._probe_at) and silence >= self._probe_at[
                len(self._probes)]:
            end = speech_end + self._probe_at[len(self._probes)]
            self._probes.append(self._model.submit(audio.slice(max(0, end - WINDOW_SAMPLES),
                                                               end)))
        if self._decided or silence < self._release or len(self._probes) < len(
                self._probe_at):
            return None
        if self._wait:
            wait_for(self._probes)
        elif not all(probe.done() for probe in self._probes):
            return None  # the worker is behind: ask again with the next block
        self._decided = True
        return self._decide(speech_end)

    def _decide(self, speech_end: int) -> EndReason | None:
        try:
            lowest = min(probe.result() for probe in self._probes)
        except (SimulatorError, RuntimeError) as e:  # no model, or the worker was closed
            _LOGGER.debug("no end-of-turn verdict: %s", e)
            return None
        text = self._heard.text_at_pause(speech_end) if self._heard is not None else None
        self.verdicts[speech_end] = (lowest, text)
        if lowest < self._threshold:
            return None
        if text and not ends_sentence(text, self._language):
            return None  # the words say more is coming, whatever the voice says
        return EndReason.SENTENCE_END


class SentenceEndPolicy:
    """Ends the turn after `stop_s` of silence when the speech up to the pause ends a
    sentence; each pause is judged once."""

    def __init__(self, heard: PauseText, language: str, stop_s: float, *,
                 wait: bool = False) -> None:
        """Args:
            heard: the streaming transcriber of this answer.
            language: "zh" or "en" (which words announce more).
            stop_s: the shorter silence (seconds) that ends a finished sentence.
            wait: block until the pause's text is ready instead of asking again later
                (replayed audio arrives faster than a worker transcribes; benchmarks).
        """
        self._heard = heard
        self._language = language
        self._stop_samples = int(stop_s * SAMPLE_RATE_HZ)
        self._wait = wait
        self._judged: int | None = None
        """The pause (speech end sample) already judged: not asked about again."""

    def turn_ended(self, audio: AudioBuffer, endpointer: Endpointer) -> EndReason | None:
        """SENTENCE_END when the current pause is long enough and follows a finished
        sentence; None otherwise."""
        speech_end = endpointer.speech_end_sample
        if (speech_end is None or speech_end == self._judged
                or endpointer.num_samples - speech_end < self._stop_samples):
            return None
        text = self._heard.text_at_pause(speech_end, wait=self._wait)
        if text is None:
            return None  # not ready: ask again with the next block
        self._judged = speech_end
        return EndReason.SENTENCE_END if ends_sentence(text, self._language) else None


def sentence_end_policy(heard: PauseText | None, vad: VadConfig, language: str, *,
                        wait: bool = False) -> TurnEndPolicy | None:
    """The sentence-end policy for an answer, or None when it cannot apply: no streaming
    transcription, or `sentence_end_stop_s` not shorter than `stop_s`."""
    if heard is None or vad.sentence_end_stop_s >= vad.stop_s:
        return None
    return SentenceEndPolicy(heard, language, vad.sentence_end_stop_s, wait=wait)


def turn_taking_policy(heard: PauseText | None, model: TurnModel | None, vad: VadConfig,
                       config: TurnTakingConfig, language: str, *,
                       wait: bool = False) -> TurnEndPolicy | None:
    """The turn-end policy of a live answer, or None when nothing can end it before the
    silence bound (no text and no model, or `sentence_end_stop_s` not below `stop_s` and no
    text for end phrases)."""
    if vad.sentence_end_stop_s >= vad.stop_s:
        model = None
    if heard is None and model is None:
        return None
    return TurnTaking(heard=heard, model=model, language=language,
                      release_s=vad.sentence_end_stop_s, config=config, wait=wait)
