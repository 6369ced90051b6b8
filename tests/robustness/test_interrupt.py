"""Ctrl-C in the first seconds of `practice`, while the model is still loading (issue 15).

3 of 8 such interrupts ended in a segfault (exit 139) or "terminate called without an
active exception" (134): the interpreter finalised while the "whisper-load" thread was
inside CTranslate2, and an interrupt during the command's imports printed a traceback. The
real tool runs as a child process (no microphone here, so `practice` replays the shipped
demo recording) and gets SIGINT at delays spread over the model load and the first answer,
twice over (two at a time); every run must exit 130 with the one-line notice and no
traceback. The delays count from the command's first line ("Press Enter ..."), not from the
spawn: on a loaded machine the interpreter's own start-up (before any program code runs,
where Python's default handling applies) can take longer than a fixed delay.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow

DELAYS_S = (0.0, 0.1, 0.3, 0.6, 1.0, 1.5, 2.0, 3.0, 4.0, 5.5)
"""After the command's first line: the model loading on its thread, then the first answer."""


def _interrupt_after(delay_s: float, tmp_path: Path) -> tuple[int, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-m", "simulator", "practice", "--bank", "cs-zh", "--no-voice",
         "--sessions-dir", str(tmp_path / "sessions")],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=env, cwd=tmp_path)
    assert child.stdout is not None
    first = child.stdout.readline()  # the command has started (printed with flush=True)
    time.sleep(delay_s)
    child.send_signal(signal.SIGINT)
    try:
        out, err = child.communicate(timeout=120)
        out = first + out
    except subprocess.TimeoutExpired:
        child.kill()
        out, err = child.communicate()
        return -999, "hung after SIGINT\n" + err
    return child.returncode, out + err


@pytest.mark.timeout(900)
def test_ctrl_c_while_the_model_loads_always_exits_130(tmp_path: Path) -> None:
    """SIGINT at ten delays: always exit 130, a notice, no crash or traceback."""

    def run(delay_s: float) -> tuple[float, int, str]:
        folder = tmp_path / f"after-{delay_s}"
        folder.mkdir()
        return (delay_s, *_interrupt_after(delay_s, folder))

    problems = []
    # Two children at a time on two cores: the suite's time halves, and a loaded machine is
    # where these races show. (Each delay ran twice until 12-03; once keeps the suite under
    # fifteen minutes.)
    with ThreadPoolExecutor(max_workers=2) as pool:
        for delay_s, code, err in pool.map(run, DELAYS_S):
            # Either the command's handler says so, or the session loop caught it and
            # finished the record ("Session saved in ...").
            said = "interrupted" in err or "Session saved" in err or "练习记录保存在" in err
            clean = (code == 130 and said and "Traceback" not in err
                     and "terminate called" not in err and "Fatal Python error" not in err)
            if not clean:
                problems.append(f"{delay_s} s: exit {code}: {err[-600:]}")
    assert problems == [], "\n".join(problems)


class _InterruptedWhileLoading:
    """A transcriber whose native import is hit by Ctrl-C, the way pybind11 reports it:
    the KeyboardInterrupt raised inside a module's init comes back as ImportError, which
    faster-whisper turns into "Applying the VAD filter requires the onnxruntime package"."""

    def __init__(self) -> None:
        self.calls = 0

    def transcribe(self, audio: object, language: str | None, context: str = "") -> object:
        from simulator.errors import TranscriptionError

        self.calls += 1
        try:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(1.0)  # the handler runs here
        except KeyboardInterrupt:
            try:
                raise ImportError("initialization failed") from None
            except ImportError as e:
                raise TranscriptionError(
                    "Whisper failed on a 3.0 s answer: Applying the VAD filter requires "
                    "the onnxruntime package") from e
        raise AssertionError("SIGINT did not reach the handler")


@pytest.mark.timeout(120)
def test_an_error_caused_by_ctrl_c_still_exits_130(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """Seen once in 20 CI runs: Ctrl-C inside onnxruntime's import became exit 2 and an error
    about a missing package. Whatever error an interrupt causes, the exit is 130."""
    from tests.fakes import run_scripted

    transcriber = _InterruptedWhileLoading()
    before = signal.getsignal(signal.SIGINT)  # SIG_IGN when the suite runs in the background
    code = run_scripted(transcriber, [  # type: ignore[arg-type]
        "replay", str(ROOT / "audio_fixtures" / "en-1-strong.wav"), "--bank", "cs-en",
        "--question", "1", "--sessions-dir", str(tmp_path / "sessions")])
    err = capsys.readouterr().err
    assert transcriber.calls == 1
    assert code == 130, err
    assert "interrupted" in err and "onnxruntime" not in err
    assert signal.getsignal(signal.SIGINT) is before  # the command's handler is taken down
