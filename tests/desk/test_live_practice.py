"""`interview-sim practice` for real on the virtual desk: speaker, microphone, Whisper, disk.

The tool runs as a child process using the system's default devices (the desk's null
sinks). The test waits for each question to be spoken, plays a recorded answer into the
microphone, and checks the answer was endpointed, transcribed, scored and saved, and that
feedback was played through the speaker.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile

from simulator.app import LISTENING_LINE

from .pulse import VirtualDesk
from .tool_output import pump_lines, strong_answer_file, wait_for_line

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.desk, pytest.mark.slow]








def _rms(path: Path) -> float:
    data, _ = soundfile.read(path, dtype="float32")
    return float(np.sqrt(np.mean(np.square(data)))) if len(data) else 0.0


@pytest.mark.timeout(400)
def test_practice_session_on_the_virtual_desk(desk: VirtualDesk, tmp_path: Path) -> None:
    """Two questions asked aloud, answered into the mic, scored, with feedback played."""
    answers = [strong_answer_file("cs-en", "2"), strong_answer_file("cs-en", "3")]
    env = desk.child_env()
    command = [sys.executable, "-m", "simulator", "practice", "--bank", "cs-en",
               "--question", "2", "--question", "3", "--voice", "espeak",
               "--sessions-dir", str(tmp_path / "sessions"), "--threads", "2"]
    tool = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True)
    seen: list[str] = []
    feedback_rms = []
    try:
        lines = pump_lines(tool.stdout)
        wait_for_line(lines, LISTENING_LINE, 180, seen)  # first question spoken, mic open
        for index, answer in enumerate(answers):
            desk.play_into_mic(answer).wait(timeout=120)
            speakers = desk.start_recording_speakers(tmp_path / f"feedback-{index}.wav")
            wait_for_line(lines, "You scored", 120, seen)  # feedback is printed as spoken
            # The next question's listening line (or the summary) ends this feedback.
            next_marker = LISTENING_LINE if index < len(answers) - 1 else "That's the end"
            wait_for_line(lines, next_marker, 120, seen)
            feedback_rms.append(_rms(desk.stop_recording_speakers(speakers)))
        assert tool.wait(timeout=120) == 0, "\n".join(seen)
    finally:
        if tool.poll() is None:
            tool.kill()
    assert all(rms > 0.01 for rms in feedback_rms), feedback_rms
    # The sessions folder also holds the history database next to the session folder.
    (folder,) = [p for p in (tmp_path / "sessions").iterdir() if p.is_dir()]
    document = json.loads((folder / "session.json").read_text(encoding="utf-8"))
    assert document["status"] == "complete", document
    assert [t["question"]["id"] for t in document["turns"]] == ["2", "3"]
    for turn in document["turns"]:
        assert turn["answer"]["end_reason"] in ("silence", "sentence_end"), turn["answer"]
        assert (folder / turn["answer"]["wav"]).is_file()
        assert len(turn["transcript"]["normalised"].split()) >= 10, turn["transcript"]
        assert turn["score"]["points"] > 0, turn["score"]
        assert turn["timings"]["question_first_sound_s"] is not None
