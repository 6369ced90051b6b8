"""The whole loop with fakes: what is said, in what order, what is scored and saved."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from simulator.bank.loader import resolve_bank
from simulator.config import LimitsConfig, ScoringConfig, VadConfig
from simulator.feedback import load_templates
from simulator.listen.answer import ListenSettings
from simulator.listen.recorder import EndReason
from simulator.ports import LoopParts
from simulator.practice.session import PracticeSettings, run_session
from simulator.records.documents import PRACTICE_RECORD
from simulator.records.store import SessionStore
from tests.fakes import ListSource, RecordingSpeaker, ScriptedTranscriber, real_judge, silence, tone

SETTINGS = PracticeSettings(
    listen=ListenSettings(vad=VadConfig(), limits=LimitsConfig(no_speech_timeout_s=5)),
    scoring=ScoringConfig(), templates=load_templates())
STRONG_12 = "非常抱歉给您添麻烦了，我马上查一下系统记录和库存，今天下午就给您发货，再送您一张优惠券，之后我会跟进到您收到货。"  # noqa: E501


def _questions():  # type: ignore[no-untyped-def]
    bank = resolve_bank("cs-zh")
    return [bank.question("12"), bank.question("16")]


def _strong_points() -> float:
    """What the judge gives STRONG_12 (every point made; the graded sample answers of the
    question may keep it a little under full marks)."""
    points = real_judge().score(STRONG_12, _questions()[0]).points
    assert points >= 3.5
    return points


def test_loop_speaks_question_then_feedback_then_summary(tmp_path: Path) -> None:
    """Questions, feedback and the summary are spoken in order, in the question's language."""
    speaker = RecordingSpeaker()
    source = ListSource([np.concatenate([silence(0.5), tone(2)]), silence(1)])
    transcriber = ScriptedTranscriber([STRONG_12])
    result = run_session(_questions(), LoopParts(judge=real_judge(), speaker=speaker, source=source,
                                                 transcriber=transcriber), SETTINGS)
    said = [text for text, _ in speaker.said]
    assert said[0] == _questions()[0].prompt
    assert said[1].startswith(f"这道题得分{_strong_points():g}分")
    assert said[2] == _questions()[1].prompt
    assert "没有听清" in said[3]  # silence: nothing heard, not scored
    assert said[4].startswith("练习结束")
    assert all(language == "zh" for _, language in speaker.said)
    assert [t.score.points for t in result.turns] == [_strong_points(), 0.0]
    # Silence never reaches the recogniser; the device was released after each answer.
    assert len(transcriber.calls) == 1
    assert source.opened == source.closed == 2


def test_loop_writes_session_record_as_it_goes(tmp_path: Path) -> None:
    """Each answer's WAV and session.json exist after the session, with scores and timings."""
    store = SessionStore.create(tmp_path / "sessions", PRACTICE_RECORD, {"mode": "test"})
    source = ListSource([np.concatenate([silence(0.5), tone(2)]),
                         np.concatenate([silence(0.5), tone(1)])])
    parts = LoopParts(judge=real_judge(), speaker=RecordingSpeaker(), source=source,
                      transcriber=ScriptedTranscriber([STRONG_12, "我会拒绝，因为要保护客户隐私。"]),  # noqa: E501
                      sink=store)
    result = run_session(_questions(), parts, SETTINGS)
    store.finish("complete", summary=result.summary.text)
    document = json.loads((store.folder / "session.json").read_text(encoding="utf-8"))
    assert document["status"] == "complete"
    assert document["totals"]["answered"] == 2
    first = document["turns"][0]
    assert first["question"]["id"] == "12"
    assert first["score"]["points"] == _strong_points()
    assert first["answer"]["end_reason"] == EndReason.SILENCE.value
    assert (store.folder / first["answer"]["wav"]).is_file()
    assert first["timings"]["feedback_latency_s"] >= 0
    evidence = first["score"]["key_points"][0]["evidence"]
    assert evidence and evidence[0]["heard"] in STRONG_12
    assert (store.folder.stat().st_mode & 0o777) == 0o700


def test_session_json_valid_after_each_turn(tmp_path: Path) -> None:
    """A crash after the first turn still leaves a valid session.json with that turn."""
    store = SessionStore.create(tmp_path, PRACTICE_RECORD, {})

    class ExplodingTranscriber(ScriptedTranscriber):
        def transcribe(self, audio, language):  # type: ignore[no-untyped-def]
            if self.calls:
                raise RuntimeError("simulated crash")
            return super().transcribe(audio, language)

    parts = LoopParts(judge=real_judge(), speaker=RecordingSpeaker(),
                      source=ListSource([np.concatenate([silence(0.5), tone(2)])] * 2),
                      transcriber=ExplodingTranscriber([STRONG_12]), sink=store)
    try:
        run_session(_questions(), parts, SETTINGS)
    except RuntimeError:
        pass
    document = json.loads((store.folder / "session.json").read_text(encoding="utf-8"))
    assert document["status"] == "running"
    assert len(document["turns"]) == 1
    # The second answer's audio was saved before transcription failed.
    assert len(list(store.folder.glob("answer-*.wav"))) == 2


def test_resume_continues_where_the_session_stopped(tmp_path: Path) -> None:
    """A reopened session asks only the unanswered questions and keeps earlier turns."""
    from simulator.practice.plan import remaining_questions

    q12, q16 = _questions()
    store = SessionStore.create(tmp_path, PRACTICE_RECORD,
                                 {"bank": "cs-zh", "planned_questions": ["12", "16"]})
    first = LoopParts(judge=real_judge(), speaker=RecordingSpeaker(), sink=store,
                      source=ListSource([np.concatenate([silence(0.5), tone(2)])]),
                      transcriber=ScriptedTranscriber([STRONG_12]))
    run_session([q12], first, SETTINGS)
    store.abort()  # as after Ctrl-C between answers

    reopened = SessionStore.reopen(store.folder, PRACTICE_RECORD)
    bank, remaining = remaining_questions(reopened)
    assert bank.id == "cs-zh" and [q.id for q in remaining] == ["16"]
    second = LoopParts(judge=real_judge(), speaker=RecordingSpeaker(), sink=reopened,
                       source=ListSource([np.concatenate([silence(0.5), tone(2)])]),
                       transcriber=ScriptedTranscriber(["我会拒绝，这是客户隐私。"]))
    result = run_session(remaining, second, SETTINGS, first_index=2)
    reopened.finish("complete", summary=result.summary.text)
    document = json.loads((store.folder / "session.json").read_text(encoding="utf-8"))
    assert [t["index"] for t in document["turns"]] == [1, 2]
    assert [t["question"]["id"] for t in document["turns"]] == ["12", "16"]
    assert document["status"] == "complete"
    assert len(list(store.folder.glob("answer-*.wav"))) == 2


def test_resume_rejects_a_folder_without_a_record(tmp_path: Path) -> None:
    """Resuming a folder with no session.json is a one-line StorageError naming the file."""
    import pytest

    from simulator.errors import StorageError

    with pytest.raises(StorageError, match="session.json"):
        SessionStore.reopen(tmp_path, PRACTICE_RECORD)


def test_device_lost_answer_is_saved_before_the_error(tmp_path: Path) -> None:
    """When the mic dies mid-answer, that answer is transcribed and saved, then the error
    ends the session."""
    import pytest

    from simulator.errors import AudioDeviceError

    class DyingSource(ListSource):
        def _stream(self, audio):  # type: ignore[no-untyped-def]
            from simulator.audio.pcm import blocks as to_blocks

            yield from to_blocks(audio)
            raise AudioDeviceError("microphone 'usb' stopped while recording")

    store = SessionStore.create(tmp_path, PRACTICE_RECORD, {})
    parts = LoopParts(judge=real_judge(), speaker=RecordingSpeaker(), sink=store,
                      source=DyingSource([np.concatenate([silence(0.5), tone(3)])] * 2),
                      transcriber=ScriptedTranscriber([STRONG_12]))
    with pytest.raises(AudioDeviceError, match="usb"):
        run_session(_questions(), parts, SETTINGS)
    document = json.loads((store.folder / "session.json").read_text(encoding="utf-8"))
    assert len(document["turns"]) == 1
    assert document["turns"][0]["answer"]["end_reason"] == "device_lost"
    assert (store.folder / document["turns"][0]["answer"]["wav"]).is_file()
