"""Turn-taking: the end-of-turn model (scripted), the streamed text and end phrases decide
when an answer ends inside the silence bound; nothing here waits on a real model."""

from __future__ import annotations

import threading
from concurrent.futures import Future

import numpy as np
import pytest

from simulator.audio.pcm import SAMPLE_RATE_HZ, blocks
from simulator.config import LimitsConfig, TurnTakingConfig, VadConfig
from simulator.errors import ModelError
from simulator.listen.recorder import EndReason, record_answer
from simulator.listen.turn_end import ModelWorker, says_end_phrase, turn_taking_policy
from tests.fakes import silence, tone

VAD = VadConfig()  # 4.5 s bound, 2.0 s early end
LIMITS = LimitsConfig(max_answer_s=60, no_speech_timeout_s=5)
CONFIG = TurnTakingConfig()


class ScriptedModel:
    """Returns the next scripted probability for each probe; notes what it heard."""

    def __init__(self, probabilities: list[float]) -> None:
        self.probabilities = list(probabilities)
        self.heard: list[int] = []

    def finished_probability(self, audio: np.ndarray) -> float:
        self.heard.append(len(audio))
        return self.probabilities.pop(0) if self.probabilities else 0.0


class PauseTexts:
    """The streamed text at each pause: a fixed answer, known at once (or never)."""

    def __init__(self, text: str | None) -> None:
        self.text = text

    def text_at_pause(self, speech_end: int, wait: bool = False) -> str | None:
        return self.text


def _answer_with_pause(pause_s: float) -> np.ndarray:
    return np.concatenate([silence(0.5), tone(2), silence(pause_s), tone(2), silence(6)])


def _record(audio: np.ndarray, model: ScriptedModel | None, text: str | None = None,
            language: str = "en"):  # type: ignore[no-untyped-def]
    worker = ModelWorker(lambda: model) if model is not None else None  # type: ignore[arg-type,return-value]
    heard = PauseTexts(text) if text is not None else None
    policy = turn_taking_policy(heard, worker, VAD, CONFIG, language, wait=True)
    try:
        return record_answer(blocks(audio), VAD, LIMITS, turn_end=policy)
    finally:
        if worker is not None:
            worker.close()


def test_thinking_pause_judged_unfinished_is_held_to_the_end() -> None:
    """A 3 s pause the model calls unfinished does not end the answer: the second half is
    heard, and the answer ends on the 4.5 s bound after it."""
    model = ScriptedModel([0.2, 0.4, 0.3, 0.99, 0.99, 0.99])
    rec = _record(np.concatenate([silence(0.5), tone(2), silence(3), tone(2), silence(6)]),
                  model)
    assert rec.speech_end_s == pytest.approx(0.5 + 7.0, abs=0.06)
    assert rec.end_reason is EndReason.SENTENCE_END  # the true end, judged finished
    assert rec.trailing_silence_s == pytest.approx(VAD.sentence_end_stop_s, abs=0.04)


def test_the_lowest_of_three_probes_decides() -> None:
    """One probe below the threshold holds the turn: the model's jitter is not trusted."""
    rec = _record(_answer_with_pause(6), ScriptedModel([0.99, 0.9, 0.99]))
    assert rec.end_reason is EndReason.SILENCE
    assert rec.trailing_silence_s == pytest.approx(VAD.stop_s, abs=0.04)


def test_sure_model_ends_at_two_seconds_not_before() -> None:
    """A pause the model is sure of ends the answer at 2.0 s of silence, never earlier."""
    model = ScriptedModel([0.99, 0.98, 0.99])
    rec = _record(np.concatenate([silence(0.5), tone(2), silence(6)]), model)
    assert rec.end_reason is EndReason.SENTENCE_END
    assert rec.trailing_silence_s == pytest.approx(2.0, abs=0.04)


def test_probes_hear_the_pause_at_0_2_0_3_and_0_5_s() -> None:
    """Each probe gets the speech up to 0.2, 0.3 and 0.5 s into the pause (at most 8 s)."""
    model = ScriptedModel([0.1, 0.1, 0.1])
    _record(np.concatenate([silence(0.5), tone(9), silence(6)]), model)
    assert model.heard == [8 * SAMPLE_RATE_HZ] * 3
    short = ScriptedModel([0.1, 0.1, 0.1])
    rec = _record(np.concatenate([silence(0.5), tone(2), silence(6)]), short)
    end = rec.speech_end_s + rec.stream_offset_samples / SAMPLE_RATE_HZ  # type: ignore[operator]
    assert [n / SAMPLE_RATE_HZ for n in short.heard] == pytest.approx(
        [end + 0.2, end + 0.3, end + 0.5], abs=0.001)


@pytest.mark.parametrize(("text", "language"), [
    ("I would apologise first, and", "en"),
    ("I would apologise because", "en"),
    ("我会先向客户道歉，然后", "zh"),
    ("先道歉，因为", "zh"),
    ("先道歉，还有就是", "zh"),
])
def test_unfinished_text_holds_the_turn_whatever_the_voice_says(text: str,
                                                                language: str) -> None:
    """Known text ending in a conjunction holds the turn even when the model is sure."""
    rec = _record(_answer_with_pause(6), ScriptedModel([0.99] * 3), text, language)
    assert rec.end_reason is EndReason.SILENCE


def test_finished_text_and_sure_model_end_early() -> None:
    """Text ending a sentence agrees with the model: the answer ends at 2.0 s."""
    rec = _record(_answer_with_pause(6), ScriptedModel([0.99] * 3), "I'd apologise first.")
    assert rec.end_reason is EndReason.SENTENCE_END


@pytest.mark.parametrize("text", ["我觉得先道歉，我说完了。", "就这些", "我講完了。",
                                  "I'd call them back. That's all.", "and I'm done",
                                  "That’s it!"])
def test_end_phrase_ends_the_answer_at_once(text: str) -> None:
    """A spoken end phrase at a pause ends the answer without waiting (no model needed)."""
    rec = _record(_answer_with_pause(6), None, text)
    assert rec.end_reason is EndReason.END_PHRASE
    assert rec.trailing_silence_s < 0.2


def test_end_phrase_matching() -> None:
    """Only a phrase at the end counts; script, case and punctuation do not matter."""
    phrases = CONFIG.end_phrases
    assert says_end_phrase("我说完了", phrases)
    assert says_end_phrase("THAT'S ALL.", phrases)
    assert not says_end_phrase("That's all I know about refunds, and", phrases)
    assert not says_end_phrase("", phrases)


def test_no_model_means_the_silence_bound() -> None:
    """Without the model (not prepared, or it failed to load) only the bound ends it."""
    rec = _record(_answer_with_pause(6), None, "I'd apologise first.")
    assert rec.end_reason is EndReason.SILENCE
    assert rec.trailing_silence_s == pytest.approx(VAD.stop_s, abs=0.04)

    def broken():  # type: ignore[no-untyped-def]
        raise ModelError("no such file")

    worker = ModelWorker(broken)
    policy = turn_taking_policy(None, worker, VAD, CONFIG, "en", wait=True)
    rec = record_answer(blocks(_answer_with_pause(6)), VAD, LIMITS, turn_end=policy)
    worker.close()
    assert rec.end_reason is EndReason.SILENCE


def test_a_slow_model_never_stalls_the_recorder() -> None:
    """While the worker is busy the recorder keeps taking blocks; with no verdict by the
    bound the answer ends on silence."""
    gate = threading.Event()

    class SlowModel(ScriptedModel):
        def finished_probability(self, audio: np.ndarray) -> float:
            gate.wait(10)
            return 0.99

    worker = ModelWorker(lambda: SlowModel([]))
    policy = turn_taking_policy(None, worker, VAD, CONFIG, "en")  # live: never waits
    rec = record_answer(blocks(_answer_with_pause(6)), VAD, LIMITS, turn_end=policy)
    gate.set()
    worker.close()
    assert rec.end_reason is EndReason.SILENCE


def test_early_end_off_when_release_not_below_bound() -> None:
    """sentence_end_stop_s at the bound turns the model off; end phrases still work."""
    vad = VadConfig(stop_s=2.0, sentence_end_stop_s=2.0)
    fake = Future()  # type: ignore[var-annotated]
    assert turn_taking_policy(None, fake, vad, CONFIG, "en") is None  # type: ignore[arg-type]
    assert turn_taking_policy(PauseTexts("x"), fake, vad, CONFIG, "en") is not None  # type: ignore[arg-type]
