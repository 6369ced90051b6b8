"""Role-play calls: scenarios, branching on the transcript, the loop, the record, the line."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import tomlkit

from simulator.audio.pcm import SAMPLE_RATE_HZ, Block, Sound
from simulator.audio.phone_line import PHONE_RATE_HZ, PhoneLineVoice
from simulator.call.branches import choose_branch, heard_time
from simulator.call.loop import CallSettings, Outcome, run_call
from simulator.call.scenario import (
    Ending,
    load_scenario,
    parse_scenario,
    resolve_scenario,
    scenario_paths,
)
from simulator.call.scorecard.checklist import load_scorecard
from simulator.call.scorecard.speech import render_scorecard
from simulator.config import DeliveryConfig, LimitsConfig, VadConfig
from simulator.errors import AnswersExhausted, DataFileError
from simulator.listen.answer import ListenSettings
from simulator.ports import LoopParts
from simulator.records.documents import CALL_RECORD, call_json, call_outcome_json
from simulator.records.store import SessionStore
from simulator.speech.transcript import Transcript
from simulator.text.normalise import normalise
from tests.fakes import ListSource, RecordingSpeaker, ScriptedTranscriber, real_judge, silence, tone

SCORECARD = load_scorecard()
SETTINGS = CallSettings(listen=ListenSettings(vad=VadConfig(),
                                              limits=LimitsConfig(no_speech_timeout_s=5),
                                              delivery=DeliveryConfig()),
                        scorecard=SCORECARD)
ORDER_ZH = resolve_scenario("zh-order-not-shipped")

APOLOGY_AND_TIME = ("您好，这里是优选商城客服，我是小王。非常抱歉给您添麻烦了，您的订单因为系统故障"
                    "没有及时发出，我马上为您加急处理，今天下午五点前一定发货。")
CLOSING = "请问还有其他问题吗？感谢您的来电，祝您生活愉快，再见。"
NO_APOLOGY = ["系统出问题也不是我能决定的，您再等等吧。", "我们会尽快处理的，您耐心等一下。"]

MINIMAL: dict[str, Any] = {
    "scenario": {"id": "t", "title": "Test", "language": "en", "persona": "A caller.",
                 "opening": "Hello?", "out_of_turns": "Bye.", "max_turns": 3},
    "steps": [
        {"id": "start", "mood": "annoyed",
         "branches": [{"heard_any": ["sorry"], "goto": "done"}, {"goto": "gone"}]},
        {"id": "done", "mood": "calm", "end": "satisfied", "lines": ["Thanks."]},
        {"id": "gone", "mood": "angry", "end": "hung_up", "lines": ["Bye!"]},
    ],
}


def _answers(count: int) -> list[Block]:
    return [np.concatenate([silence(0.4), tone(1.5)]) for _ in range(count)]


def _parts(texts: list[str], **kwargs: Any) -> tuple[LoopParts, RecordingSpeaker,
                                                     RecordingSpeaker]:
    """The loop's parts (the narrator is their speaker), the customer, the narrator."""
    customer, narrator = RecordingSpeaker(), RecordingSpeaker()
    parts = LoopParts(judge=real_judge(), speaker=narrator, source=ListSource(_answers(len(texts))),
                      transcriber=ScriptedTranscriber(list(texts)), **kwargs)
    return parts, customer, narrator


# --- scenarios ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", scenario_paths(), ids=lambda p: p.stem)
def test_every_shipped_scenario_loads(path: Path) -> None:
    """Each shipped scenario is valid, named after its file, and can end both ways."""
    scenario = load_scenario(path)
    assert scenario.id == path.stem
    assert scenario.language in ("zh", "en") and scenario.id.startswith(scenario.language)
    ends = {step.end for step in scenario.steps.values()}
    assert {Ending.SATISFIED, Ending.HUNG_UP} <= ends
    SCORECARD.checklist(scenario.language)


def test_shipped_scenarios_cover_the_situations_in_both_languages() -> None:
    """Five Mandarin and at least three English scenarios are shipped."""
    ids = [path.stem for path in scenario_paths()]
    situations = ("order-not-shipped", "other-customer-info", "fee-change", "long-wait",
                  "media-threat")
    assert all(f"zh-{name}" in ids for name in situations)
    assert sum(f"en-{name}" in ids for name in situations) >= 3


def test_unknown_scenario_lists_the_shipped_ids() -> None:
    """An unknown scenario name is a DataFileError that names the ones that exist."""
    with pytest.raises(DataFileError, match="zh-long-wait"):
        resolve_scenario("no-such-call")


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def _change(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = data
        for key in parents:
            target = target[int(key)] if key.isdigit() else target[key]
        if value is _DELETE:
            del target[int(last) if last.isdigit() else last]
        else:
            target[int(last) if last.isdigit() else last] = value
    return _change


_DELETE = object()


@pytest.mark.parametrize(("change", "where", "field"), [
    (_set("scenario", _DELETE), "", "[scenario]"),
    (_set("scenario.title", _DELETE), "[scenario]", "'title'"),
    (_set("scenario.language", "fr"), "[scenario]", "'language'"),
    (_set("scenario.max_turns", 0), "[scenario]", "'max_turns'"),
    (_set("scenario.start", "nowhere"), "[scenario]", "'start'"),
    (_set("scenario.voice", "x"), "[scenario]", "'voice'"),
    (_set("steps", []), "", "'steps'"),
    (_set("steps.1.id", "start"), "step start", "duplicate"),
    (_set("steps.0.mood", ""), "step start", "'mood'"),
    (_set("steps.1.lines", _DELETE), "step done", "'lines'"),
    (_set("steps.1.lines", ["ok", 3]), "step done", "'lines'"),
    (_set("steps.1.end", "happy"), "step done", "'end'"),
    (_set("steps.1.branches", [{"goto": "gone"}]), "step done", "'branches'"),
    (_set("steps.0", {"id": "start", "mood": "x", "end": "hung_up", "lines": ["x"]}),
     "step start", "'end'"),
    (_set("steps.0.branches.0.goto", "nowhere"), "step start, branch 1", "'goto'"),
    (_set("steps.0.branches.1", {"heard_any": ["x"], "goto": "gone"}), "step start",
     "'branches'"),
    (_set("steps.0.branches.0", {"goto": "gone"}), "step start, branch 1", "last"),
    (_set("steps.0.branches.0.heard_any", []), "step start, branch 1", "'heard_any'"),
    (_set("steps.0.branches.0.heard_time", "yes"), "step start, branch 1", "'heard_time'"),
    (_set("steps.0.branches.0.missing_any", ["sorry"]), "step start, branch 1",
     "'missing_any'"),
    (_set("steps.0.branches.0.goto", "start"), "step start", "'lines'"),
    (_set("steps.0.branches.1.goto", "done"), "step gone", "no branch leads there"),
])
def test_invalid_scenario_names_file_and_field(tmp_path: Path,
                                               change: Callable[[dict[str, Any]], None],
                                               where: str, field: str) -> None:
    """Each kind of mistake is a DataFileError naming the file, the step/branch and the field."""
    data = copy.deepcopy(MINIMAL)
    change(data)
    path = tmp_path / "broken.toml"
    path.write_text(tomlkit.dumps(data), encoding="utf-8")
    with pytest.raises(DataFileError) as caught:
        load_scenario(path)
    message = str(caught.value)
    assert message.startswith(str(path)) and where in message and field in message


def test_toml_syntax_error_names_the_file(tmp_path: Path) -> None:
    """A file that is not TOML is reported with its path."""
    path = tmp_path / "bad.toml"
    path.write_text("[scenario\nid = 1", encoding="utf-8")
    with pytest.raises(DataFileError, match="bad.toml: TOML syntax error"):
        load_scenario(path)


def test_minimal_scenario_is_valid() -> None:
    """The base of the invalid-file table is itself valid (the table tests one change each)."""
    scenario = parse_scenario(MINIMAL, "t.toml")
    assert scenario.start == "start" and scenario.start_step.lines == ()


# --- branching ---------------------------------------------------------------------------


@pytest.mark.parametrize(("language", "text", "expected"), [
    ("zh", "今天下午五点前给您发货", "今天"),
    ("zh", "两个工作日内退回到您的账户", "2个工作日"),
    ("zh", "二十四小时内给您答复", "24小时"),
    ("zh", "十分钟后给您回电", "十分钟"),
    ("zh", "周五之前一定处理好", "周5"),
    ("zh", "我们会尽快处理", None),
    ("zh", "这几天就给您发", None),
    ("en", "I'll ship it today by 5 pm.", "today"),
    ("en", "You'll hear from us within 24 hours.", "24 hours"),
    ("en", "I'll call you back at 3:30 p.m.", "3 30 p m"),
    ("en", "It takes two business days.", "2 business days"),
    ("en", "We'll sort it as soon as possible.", None),
    ("en", "It should arrive in a few days.", None),
])
def test_heard_time_finds_concrete_times_only(language: str, text: str,
                                              expected: str | None) -> None:
    """Days, clock times and amounts of time count as a time; vague promises do not."""
    assert heard_time(normalise(text), language) == expected


def _transcript(text: str, language: str = "zh") -> Transcript:
    return Transcript(text=text, normalised=normalise(text), language=language)


@pytest.mark.parametrize(("text", "goto", "reason"), [
    (APOLOGY_AND_TIME, "satisfied", "heard a time ('今天')"),
    ("实在对不起，我们正在加急处理。", "wants_time", "heard '对不起'"),
    ("我们明天上午给您发出。", "wants_apology", "heard a time ('明天')"),
    (NO_APOLOGY[0], "angry", "default"),
    ("", "angry", "default"),
], ids=["apology-and-time", "apology", "time", "neither", "silence"])
def test_choose_branch_reads_the_answer(text: str, goto: str, reason: str) -> None:
    """The first branch whose conditions hold is taken, with what was heard as the reason."""
    choice = choose_branch(ORDER_ZH.start_step, _transcript(text), "zh",
                           fuzzy_threshold=85)
    assert choice.branch.goto == goto
    assert any(r.startswith(reason) for r in choice.reasons)


def test_heard_none_and_silent_conditions() -> None:
    """`heard_none` holds only without any of its cues; `silent` only for an empty answer."""
    angry = ORDER_ZH.steps["angry"]
    kept_rude = choose_branch(angry, _transcript(NO_APOLOGY[1]), "zh", fuzzy_threshold=85)
    assert kept_rude.branch.goto == "hung_up" and kept_rude.reasons[0].startswith("heard none")
    sorry = choose_branch(angry, _transcript("不好意思，我帮您查一下。"), "zh",
                          fuzzy_threshold=85)
    assert sorry.branch.goto == "wants_time"
    long_wait = resolve_scenario("zh-long-wait")
    silent = choose_branch(long_wait.start_step, _transcript(""), "zh", fuzzy_threshold=85)
    assert silent.branch.goto == "no_answer" and silent.reasons == ("said nothing",)


# --- the call loop -------------------------------------------------------------------------


def test_no_apology_makes_the_customer_angrier_until_they_hang_up() -> None:
    """Without an apology the customer goes to the angry step, says its line, then hangs up."""
    parts, customer, narrator = _parts(NO_APOLOGY)
    result = run_call(ORDER_ZH, customer, parts, SETTINGS)
    assert [t.branch.branch.goto for t in result.turns if t.branch] == ["angry", "hung_up"]
    assert result.turns[0].branch is not None
    assert result.turns[0].branch.branch.label == "既没道歉也没给时间"
    said = [text for text, _ in customer.said]
    assert said == [ORDER_ZH.opening, ORDER_ZH.steps["angry"].lines[0],
                    ORDER_ZH.steps["hung_up"].lines[0]]
    assert result.outcome is Outcome.HUNG_UP and result.end_step == "hung_up"
    assert result.final_line == ORDER_ZH.steps["hung_up"].lines[0]


def test_apology_and_time_calm_the_customer_and_the_trainee_closes() -> None:
    """An apology with a concrete time satisfies the customer; the closing answer is kept."""
    parts, customer, narrator = _parts([APOLOGY_AND_TIME, CLOSING])
    result = run_call(ORDER_ZH, customer, parts, SETTINGS)
    first = result.turns[0]
    assert first.branch is not None and first.branch.branch.goto == "satisfied"
    assert customer.said[1][0] == ORDER_ZH.steps["satisfied"].lines[0]
    assert result.outcome is Outcome.SATISFIED and len(result.turns) == 2
    assert result.turns[1].branch is None and result.turns[1].answer.transcript.text == CLOSING
    assert result.final_line == ""
    assert result.scorecard.score >= 50
    assert all(t.answer.delivery is not None for t in result.turns)


def test_scorecard_is_spoken_by_the_narrator_not_the_customer() -> None:
    """The briefing and the scorecard go through the narrator; the customer never says them."""
    parts, customer, narrator = _parts([APOLOGY_AND_TIME, CLOSING])
    result = run_call(ORDER_ZH, customer, parts, SETTINGS)
    assert narrator.said[0] == (ORDER_ZH.briefing, "zh")
    spoken, language = narrator.said[-1]
    assert language == "zh" and spoken == result.summary
    assert spoken.startswith(render_scorecard(result.scorecard, "zh"))
    assert all(text != spoken for text, _ in customer.said)


def test_revisited_step_says_its_next_line_and_turns_run_out() -> None:
    """A step entered twice says its second line; max_turns ends with the out-of-turns line."""
    vague = ["非常抱歉。", "我们在处理。", "不好意思，我们在处理。", "真的抱歉，正在处理。",
             "抱歉，我们在查。"]
    parts, customer, _ = _parts(vague)
    result = run_call(ORDER_ZH, customer, parts, SETTINGS)
    said = [text for text, _ in customer.said]
    assert said[1:3] == [ORDER_ZH.steps["wants_time"].lines[0], ORDER_ZH.steps["angry"].lines[0]]
    assert ORDER_ZH.steps["wants_time"].lines[1] in said
    assert result.outcome is Outcome.OUT_OF_TURNS and said[-1] == ORDER_ZH.out_of_turns
    assert len(result.turns) == ORDER_ZH.max_turns


def test_running_out_of_replayed_answers_ends_the_call_and_still_scores() -> None:
    """A source with no answer left ends the call; the answers given are scored and spoken."""

    class OneAnswer(ListSource):
        def open_answer(self) -> Iterator[Block]:
            if self.opened:
                raise AnswersExhausted("no more recordings")
            return super().open_answer()

    customer, narrator = RecordingSpeaker(), RecordingSpeaker()
    parts = LoopParts(judge=real_judge(), speaker=narrator, source=OneAnswer(_answers(1)),
                      transcriber=ScriptedTranscriber([NO_APOLOGY[0]]))
    result = run_call(ORDER_ZH, customer, parts, SETTINGS)
    assert result.outcome is Outcome.ANSWERS_ENDED and len(result.turns) == 1
    assert narrator.said[-1][0] == result.summary


def test_call_json_has_turns_branches_and_scorecard() -> None:
    """The record holds each customer line, transcript, branch with reasons, delivery, card."""
    parts, customer, _ = _parts([APOLOGY_AND_TIME, CLOSING])
    document = call_json(run_call(ORDER_ZH, customer, parts, SETTINGS))
    json.dumps(document, ensure_ascii=False)  # plain JSON types only
    assert document["scenario"]["id"] == "zh-order-not-shipped"
    assert document["outcome"] == "satisfied"
    first, closing = document["turns"]
    assert first["customer_line"] == ORDER_ZH.opening and first["step"] == "opening"
    assert first["transcript"]["text"] == APOLOGY_AND_TIME
    assert first["branch"]["goto"] == "satisfied" and first["branch"]["reasons"]
    assert first["delivery"] is not None
    assert closing["branch"] is None
    assert document["scorecard"]["score"] == document["scorecard"]["score"] >= 0
    assert document["scorecard"]["items"] and document["summary"]


def test_call_store_writes_call_json_as_the_call_happens(tmp_path: Path) -> None:
    """Each answer's WAV and call.json (turns, then the scorecard) are in a private folder:
    a call holds a session folder of the one store, with the call record."""
    store = SessionStore.create(tmp_path / "sessions", CALL_RECORD, {"mode": "call"})
    parts, customer, _ = _parts(NO_APOLOGY, sink=store)
    result = run_call(ORDER_ZH, customer, parts, SETTINGS)
    running = json.loads((store.folder / "call.json").read_text(encoding="utf-8"))
    assert running["status"] == "running" and len(running["turns"]) == 2
    store.finish("complete", **call_outcome_json(result))
    document = json.loads((store.folder / "call.json").read_text(encoding="utf-8"))
    assert document["status"] == "complete" and document["mode"] == "call"
    assert document["scorecard"]["score"] == result.scorecard.score
    assert (store.folder / document["turns"][0]["answer"]["wav"]).is_file()
    assert not (store.folder / "session.json").exists()
    assert (store.folder.stat().st_mode & 0o777) == 0o700


# --- the phone line --------------------------------------------------------------------------


class _ToneVoice:
    """A voice that 'says' a pure tone at a chosen rate."""

    def __init__(self, frequency_hz: float, sample_rate_hz: int) -> None:
        self._frequency_hz = frequency_hz
        self._rate = sample_rate_hz

    def render(self, text: str) -> Iterator[Sound]:
        t = np.arange(self._rate) / self._rate
        samples = (0.5 * np.sin(2 * np.pi * self._frequency_hz * t)).astype(np.float32)
        yield Sound(samples=samples, sample_rate_hz=self._rate)


def _rms(samples: np.ndarray) -> float:
    middle = samples[len(samples) // 4: -len(samples) // 4]  # away from the edges
    return float(np.sqrt(np.mean(np.square(middle, dtype=np.float64))))


@pytest.mark.parametrize("rate_hz", [SAMPLE_RATE_HZ, 22_050, 24_000])
@pytest.mark.parametrize(("frequency_hz", "kept"), [(100, False), (1_000, True), (5_000, False)])
def test_phone_line_keeps_the_telephone_band_only(rate_hz: int, frequency_hz: float,
                                                  kept: bool) -> None:
    """100 Hz and 5 kHz are removed, 1 kHz passes; the result is 8 kHz audio."""
    (sound,) = list(PhoneLineVoice(_ToneVoice(frequency_hz, rate_hz)).render("hello"))
    assert sound.sample_rate_hz == PHONE_RATE_HZ
    assert sound.duration_s == pytest.approx(1.0, abs=0.01)
    ratio = _rms(sound.samples) / (0.5 / np.sqrt(2))
    if kept:
        assert 0.9 < ratio < 1.1
    else:
        assert ratio < 0.01
