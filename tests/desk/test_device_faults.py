"""Microphone faults during a live `practice` session on the virtual desk.

(a) `--input-device` naming no device: exit 2 and one line naming it, nothing recorded.
(b) The microphone stalls mid-answer (the `mic` sink suspended): after `device_timeout_s`
    (5 s) without a block the tool reports the microphone, exits 2, and marks the record
    interrupted. Whether the answer recorded so far is kept is checked separately.
(c) The microphone is unloaded mid-answer: PulseAudio moves the open recording to the next
    source (and the player's stream to the next sink), so the answer goes on. No crash; the
    session completes or ends with a one-line error.

The tool runs as a child process as in test_turn_taking_desk.py. Scenarios (b) and (c) break
their desk, so each runs once on a desk of its own (the same thing the `fresh_desk` fixture
does, at module scope so that several checks can read one run).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import soundfile

from simulator.app import LISTENING_LINE

from .conftest import _require_desk
from .pulse import VirtualDesk
from .tool_output import drain, pump_lines, strong_answer_file, wait_for_line

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.desk, pytest.mark.slow]
FAULT_AFTER_S = 6.0
"""Seconds into the played answer when the fault is injected."""
DEVICE_TIMEOUT_S = 5.0
"""AudioConfig.device_timeout_s: how long the tool waits for a block before giving up."""


def _practice_command(sessions: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "simulator", "practice", "--bank", "cs-en", "--question", "2",
            "--voice", "espeak", "--sessions-dir", str(sessions), "--threads", "2", *extra]


@dataclass
class FaultRun:
    """What one faulted practice session left behind."""

    returncode: int
    stdout: list[str]
    stderr: str
    sessions: Path
    fault_at_s: float
    """Monotonic time when the fault was injected."""
    exited_at_s: float

    @property
    def error_lines(self) -> list[str]:
        """Our own error lines on stderr (ALSA's library chatter is not ours)."""
        return [line for line in self.stderr.splitlines() if line.startswith("interview-sim:")]

    def folder(self) -> Path:
        folders = [p for p in self.sessions.iterdir() if p.is_dir()]
        assert len(folders) == 1, folders
        return folders[0]

    def record(self) -> dict:
        return json.loads((self.folder() / "session.json").read_text(encoding="utf-8"))


def _run_with_fault(tmp: Path, fault: Callable[[VirtualDesk], None]) -> FaultRun:
    """Start practice, wait for the microphone, play an answer, inject `fault` mid-answer."""
    _require_desk()
    sessions = tmp / "sessions"
    stderr_path = tmp / "stderr.txt"
    with VirtualDesk() as desk, stderr_path.open("w") as stderr:
        tool = subprocess.Popen(_practice_command(sessions), env=desk.child_env(), cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=stderr, stdin=subprocess.DEVNULL,
                                text=True)
        seen: list[str] = []
        try:
            lines = pump_lines(tool.stdout)
            wait_for_line(lines, LISTENING_LINE, 180, seen)
            desk.play_into_mic(strong_answer_file("cs-en", "2"))
            time.sleep(FAULT_AFTER_S)
            fault(desk)
            fault_at = time.monotonic()
            returncode = tool.wait(timeout=240)
            exited_at = time.monotonic()
            drain(lines, seen, 5)
        finally:
            if tool.poll() is None:
                tool.kill()
                tool.wait(timeout=10)
    return FaultRun(returncode=returncode, stdout=seen, stderr=stderr_path.read_text(),
                    sessions=sessions, fault_at_s=fault_at, exited_at_s=exited_at)


# --- (a) a device that does not exist ---------------------------------------------------------


@pytest.mark.timeout(120)
@pytest.mark.parametrize("device", ["no-such-mic", "999"])
def test_unknown_input_device_is_one_line_exit_2(fresh_desk: VirtualDesk, tmp_path: Path,
                                                 device: str) -> None:
    """`--input-device no-such-mic`: exit 2, one line naming the device, no session folder."""
    sessions = tmp_path / "sessions"
    done = subprocess.run(_practice_command(sessions, "--input-device", device),
                          env=fresh_desk.child_env(), cwd=ROOT, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=100)
    assert done.returncode == 2, done.stdout + done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("interview-sim:")]
    assert len(errors) == 1 and "Traceback" not in done.stderr, done.stderr
    assert f"input device {device!r}" in errors[0], errors[0]
    assert not sessions.exists()


# --- (b) the microphone stalls mid-answer -----------------------------------------------------


@pytest.fixture(scope="module")
def stalled_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultRun]:
    """One practice session whose microphone freezes 6 s into the answer."""
    yield _run_with_fault(tmp_path_factory.mktemp("stall"), lambda desk: desk.suspend_mic())


@pytest.mark.timeout(400)
def test_stalled_mic_is_reported_by_name_with_exit_2(stalled_run: FaultRun) -> None:
    """A microphone that stops delivering: exit 2, one line naming it, soon after the timeout."""
    assert stalled_run.returncode == 2, stalled_run.stderr
    assert "Traceback" not in stalled_run.stderr, stalled_run.stderr
    assert len(stalled_run.error_lines) == 1, stalled_run.stderr
    line = stalled_run.error_lines[0]
    assert "microphone" in line and f"no audio for {DEVICE_TIMEOUT_S:g} s" in line, line
    assert stalled_run.exited_at_s - stalled_run.fault_at_s < DEVICE_TIMEOUT_S + 15


@pytest.mark.timeout(400)
def test_stalled_mic_leaves_a_valid_interrupted_record(stalled_run: FaultRun) -> None:
    """The session folder holds a valid session.json marked interrupted."""
    record = stalled_run.record()
    assert record["status"] == "interrupted", record


@pytest.mark.timeout(400)
def test_stalled_mic_keeps_the_answer_recorded_so_far(stalled_run: FaultRun) -> None:
    """The answer spoken before the microphone stalled is saved as a WAV in the session."""
    wavs = list(stalled_run.folder().glob("answer-*.wav"))
    assert wavs, f"no answer WAV in {stalled_run.folder()}"
    assert soundfile.info(wavs[0]).duration >= FAULT_AFTER_S - 2


# --- (c) the microphone is unloaded mid-answer ------------------------------------------------


@pytest.fixture(scope="module")
def unplugged_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultRun]:
    """One practice session whose microphone is removed 6 s into the answer."""
    yield _run_with_fault(tmp_path_factory.mktemp("unplug"), lambda desk: desk.unload_mic())


@pytest.mark.timeout(500)
def test_unplugged_mic_does_not_crash(unplugged_run: FaultRun) -> None:
    """No traceback; either a complete session or exactly one error line with exit 2."""
    assert "Traceback" not in unplugged_run.stderr, unplugged_run.stderr
    assert unplugged_run.returncode in (0, 2), unplugged_run.stderr
    if unplugged_run.returncode == 2:
        assert len(unplugged_run.error_lines) == 1, unplugged_run.stderr
        assert unplugged_run.record()["status"] == "interrupted"
    else:
        assert unplugged_run.error_lines == [], unplugged_run.stderr


@pytest.mark.timeout(500)
def test_unplugged_mic_answer_goes_on_and_is_saved(unplugged_run: FaultRun) -> None:
    """What PulseAudio does today: the stream moves, the answer completes and is saved."""
    assert unplugged_run.returncode == 0, unplugged_run.stderr
    record = unplugged_run.record()
    assert record["status"] == "complete"
    (turn,) = record["turns"]
    assert (unplugged_run.folder() / turn["answer"]["wav"]).is_file()
    assert turn["answer"]["duration_s"] > FAULT_AFTER_S
