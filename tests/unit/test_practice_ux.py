"""A practice session that feels like an interview: retries, follow-ups, the second chance,
the screen in a pipe and in a pseudo-terminal, the questions listing, resume options."""

from __future__ import annotations

import io
import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from simulator.bank.loader import resolve_bank
from simulator.cli import main
from simulator.config import LimitsConfig, ScoringConfig, SimulatorConfig, VadConfig
from simulator.feedback import load_templates
from simulator.listen.answer import ListenSettings
from simulator.ports import LoopParts
from simulator.practice.options import restore_options, session_options
from simulator.practice.session import PracticeSettings, run_session
from simulator.records.documents import PRACTICE_RECORD
from simulator.records.store import SessionStore
from simulator.screen.console import Screen
from simulator.speech.transcript import Transcript, Word
from simulator.text.normalise import to_simplified
from tests.fakes import ListSource, RecordingSpeaker, ScriptedTranscriber, real_judge, silence, tone

ROOT = Path(__file__).resolve().parents[2]
LISTEN = ListenSettings(vad=VadConfig(), limits=LimitsConfig(no_speech_timeout_s=2))
WEAK_12 = "我会查一下订单。"
CALM_FIRST = "我会先安抚客户的情绪，听他把话说完。"
STRONG_12 = "非常抱歉给您添麻烦了，我马上查一下系统记录和库存，今天下午就给您发货，再送您一张优惠券，之后我会跟进到您收到货。"  # noqa: E501


def _settings(**kwargs: bool) -> PracticeSettings:
    return PracticeSettings(listen=LISTEN, scoring=ScoringConfig(), templates=load_templates(),
                            **kwargs)


def _speech() -> np.ndarray:
    return np.concatenate([silence(0.5), tone(2)])


def test_retry_keeps_both_takes_and_the_summary_counts_the_best(tmp_path: Path) -> None:
    """r after the feedback asks again; both takes are saved (no WAV overwritten) and the
    record says which take was best and by how much."""
    question = resolve_bank("cs-zh").question("12")
    store = SessionStore.create(tmp_path, PRACTICE_RECORD, {})
    choices = iter(["model", "retry", "next"])
    speaker = RecordingSpeaker()
    parts = LoopParts(judge=real_judge(), speaker=speaker,
                      source=ListSource([_speech(), _speech()]),
                      transcriber=ScriptedTranscriber([WEAK_12, STRONG_12]), sink=store,
                      choose=lambda language: next(choices))
    result = run_session([question], parts, _settings())
    store.finish("complete")
    assert [t.take for t in result.turns] == [1, 2]
    assert result.turns[1].score.points > result.turns[0].score.points
    said = [text for text, _ in speaker.said]
    assert any(text.startswith("参考答案") or "没有参考答案" in text for text in said)
    assert said.count(question.prompt) == 1 and any("第2次作答" in t for t in said)
    document = json.loads((store.folder / "session.json").read_text(encoding="utf-8"))
    wavs = [t["answer"]["wav"] for t in document["turns"]]
    assert len(set(wavs)) == 2 and all((store.folder / w).is_file() for w in wavs)
    best = document["best_takes"][0]
    assert best["best_take"] == 2 and best["improvement"] > 0
    assert "4分" in result.summary.text  # the best take, not the sum of both
    # The folder is shown once by the command, never read out by the voice.
    assert not any(store.folder.name in text for text in said)


def test_follow_up_is_asked_and_judged_for_its_point_only(tmp_path: Path) -> None:
    """A missed point with a probe is asked about; the answer is judged for that point
    alone, its credit said and recorded apart from the answer's score."""
    question = resolve_bank("cs-zh").question("20")  # its heaviest point has a probe
    probe_point = next(kp for kp in question.key_points if kp.label == "立即上报")
    example = probe_point.examples[0]
    store = SessionStore.create(tmp_path, PRACTICE_RECORD, {})
    speaker = RecordingSpeaker()
    parts = LoopParts(judge=real_judge(), speaker=speaker,
                      source=ListSource([_speech(), _speech()]),
                      transcriber=ScriptedTranscriber([CALM_FIRST, example]), sink=store)
    result = run_session([question], parts, _settings(follow_ups=True))
    follow_up = result.turns[0].follow_up
    assert follow_up is not None and follow_up.probe == probe_point.probe
    assert follow_up.point.covered
    said = [text for text, _ in speaker.said]
    assert follow_up.probe in said
    assert len(follow_up.score.key_points) == 1
    record = json.loads((store.folder / "session.json").read_text(encoding="utf-8"))
    recorded = record["turns"][0]["follow_up"]
    assert recorded["probe"] == follow_up.probe and recorded["answer"]["text"] == example
    assert recorded["credit"] == follow_up.point.credit
    assert any("追问" in text for text in said)


def test_second_chance_then_skip_leaves_the_summary(tmp_path: Path) -> None:
    """Silence through the thinking time: "take your time" once, then the question is
    skipped and its points are not in the summary."""
    bank = resolve_bank("cs-zh")
    questions = [bank.question("12"), bank.question("16")]
    speaker = RecordingSpeaker()
    source = ListSource([silence(3), silence(3), _speech()])
    parts = LoopParts(judge=real_judge(), speaker=speaker, source=source,
                      transcriber=ScriptedTranscriber(["我会拒绝，因为要保护客户隐私。"]))
    result = run_session(questions, parts, _settings(second_chance=True))
    said = [text for text, _ in speaker.said]
    assert said[1] == "不着急，请开始回答。"
    assert result.turns[0].skipped and not result.turns[1].skipped
    max_16 = questions[1].points
    assert f"满分{max_16:g}分" in result.summary.text and "1道题" in result.summary.text


def _transcript(text: str) -> Transcript:
    words = tuple(Word(w, i * 0.5, i * 0.5 + 0.4) for i, w in enumerate(text.split()))
    return Transcript(text=text, normalised=text, language="en", words=words)


def test_screen_in_a_pipe_is_plain_lines() -> None:
    """Stdout not a terminal: no escape codes, no redraws; fillers listed after the text."""
    out = io.StringIO()
    screen = Screen(stream=out)
    view = screen.listening("en", 30)
    view.close()
    with screen.busy("en", "transcribing"):
        pass
    screen.heard(_transcript("um I would uh apologise first"), "en")
    text = out.getvalue()
    assert "\x1b" not in text and "\r" not in text
    assert text.splitlines() == [
        Screen(stream=io.StringIO()).lines("en")("listening"), "Transcribing…",
        "  heard: um I would uh apologise first (fillers: um, uh)"]


def test_screen_lines_follow_the_script() -> None:
    """Mandarin lines and the heard text in traditional with --script traditional;
    simplified text never shows 接著."""
    out = io.StringIO()
    screen = Screen("traditional", stream=out)
    screen.heard(Transcript(text="接着我会道歉", normalised="", language="zh"), "zh")
    assert out.getvalue().startswith("  聽到：接著我會道歉")
    assert to_simplified("接著我會馬上處理") == "接着我会马上处理"
    assert to_simplified("這很顯著") == "这很显著"


@pytest.mark.timeout(300)
def test_screen_in_a_pseudo_terminal_draws_a_live_meter(tmp_path: Path) -> None:
    """On a terminal the listening view is redrawn in place (escape codes) and the heard
    filler is highlighted; the same code in a pipe printed plain lines above."""
    script = (
        "import sys, numpy as np\n"
        "from simulator.screen.console import Screen\n"
        "from simulator.listen.recorder import AudioBuffer\n"
        "from simulator.listen.endpoint import Endpointer\n"
        "from simulator.config import VadConfig\n"
        "from simulator.speech.transcript import Transcript\n"
        "import time\n"
        "s = Screen()\n"
        "v = s.listening('en', 30)\n"
        "b = AudioBuffer(); e = Endpointer(VadConfig())\n"
        "for _ in range(20):\n"
        "    blk = (np.sin(np.arange(480) / 3) * 0.3).astype(np.float32)\n"
        "    b.append(blk); e.process(blk); v.feed(b, e); time.sleep(0.02)\n"
        "time.sleep(0.4); v.close()\n"
        "s.heard(Transcript(text='um yes', normalised='', language='en'), 'en')\n"
        "print('DONE', s.live)\n")
    leader, follower = pty.openpty()
    process = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdin=follower,
                               stdout=follower, stderr=follower,
                               env={**os.environ, "TERM": "xterm-256color", "COLUMNS": "100"})
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    process.wait(timeout=120)
    os.close(leader)
    output = b"".join(chunks).decode(errors="replace")
    assert "DONE True" in output, output
    assert "\x1b[" in output  # drawn and redrawn in place
    assert "Start when you are ready" in output or "Listening" in output
    assert "█" in output


def test_questions_command_lists_ids_points_and_prompts(capsys: pytest.CaptureFixture[str]) -> None:
    """`questions --json` lists every question of the bank with points and sections."""
    assert main(["questions", "--bank", "cs-en", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    bank = resolve_bank("cs-en")
    assert [q["id"] for q in document["questions"]] == [q.id for q in bank.questions]
    assert all(q["prompt"] and q["points"] > 0 for q in document["questions"])
    section = bank.sections[0].id
    assert main(["questions", "--bank", "cs-en", "--section", section]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines and all(section in line for line in lines)


def test_resume_restores_the_recorded_options() -> None:
    """Script, voice, silence, thinking time and follow-ups come back on --resume."""
    from dataclasses import replace

    started = SimulatorConfig()
    started = replace(started, session=replace(started.session, script="traditional",
                                               follow_ups=False),
                      vad=VadConfig(stop_s=6.0), limits=LimitsConfig(no_speech_timeout_s=45))
    recorded = json.loads(json.dumps(session_options(started)))
    restored = restore_options(SimulatorConfig(), recorded)
    assert restored.session.script == "traditional" and not restored.session.follow_ups
    assert restored.vad.stop_s == 6.0 and restored.limits.no_speech_timeout_s == 45
    assert restore_options(SimulatorConfig(), None) == SimulatorConfig()
