"""Benchmark: how soon feedback starts after the candidate stops speaking.

Replays Mandarin answers of about 15, 60 and 180 seconds in real time (a paced source)
through the real session loop with the real Whisper model and a fake speaker that notes
when it is asked to speak. Each (length, mode) pair runs in its own process, so model
load time and peak memory are measured cleanly. Modes: `batch` (transcribe the whole
answer after it ends) and `streaming` (transcribe stretches while the answer goes on).

Printed per length and mode: median and p95 of
  - end of speech -> first feedback sound (what the user feels, including the wait),
  - the trailing-silence wait that ends the answer (endpointing, reported separately),
  - end of answer (endpoint) -> first feedback sound (processing only),
plus transcription real-time factor, peak RSS, and the time from launch to the first
question being spoken, how each answer ended (`silence` after `stop_s`, `sentence_end`
after the shorter wait that follows a finished sentence) and how far the streamed
transcript is from the whole-answer one (CER). The last line is
`turnaround_median_s=<streaming, 60 s> batch_median_s=<batch, 60 s> ratio=<batch/streaming>`,
both measured from the end of speech (the last speech block) to the first feedback sound:
what the candidate feels, the trailing-silence wait included.

The answers are built from whole fixture answers joined by `--gap-s` of silence (default
0.5 s, a pause between sentences). The fixture voices pause up to 0.9 s inside their own
answers; where such a pause follows a finished sentence the streaming answer may end
there (`sentence_end`), which the table shows as a shorter answer: how often that happens
to real speakers is measured by `scripts/bench_endpointing.py`.

Usage: .venv/bin/python scripts/bench_turnaround.py [--runs 3] [--lengths 15,60,180] [--gap-s 0.5]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from simulator.config import StreamingConfig  # noqa: E402

GAP_S = 0.5
SOURCES = ["zh-1-strong", "zh-12-strong", "zh-16-strong", "zh-22-strong"]


def build_answer(length_s: int, folder: Path, gap_s: float = GAP_S) -> Path:
    """A Mandarin answer of about `length_s` seconds from the shipped fixtures."""
    from simulator.audio.pcm import SAMPLE_RATE_HZ, read_audio, write_wav

    fixtures = ROOT / "audio_fixtures"
    if length_s >= 150 and (fixtures / "zh-1-three-minutes.wav").is_file():
        audio = read_audio(fixtures / "zh-1-three-minutes.wav")
    else:
        pieces = [_trim(read_audio(fixtures / f"{name}.wav")) for name in SOURCES]
        out: list[np.ndarray] = [np.zeros(int(0.5 * SAMPLE_RATE_HZ), np.float32)]
        total = 0.0
        i = 0
        while total < length_s:
            piece = pieces[i % len(pieces)]
            remaining = int((length_s - total) * SAMPLE_RATE_HZ)
            piece = piece[:remaining] if remaining < len(piece) else piece
            out += [piece, np.zeros(int(gap_s * SAMPLE_RATE_HZ), np.float32)]
            total += len(piece) / SAMPLE_RATE_HZ + gap_s
            i += 1
        audio = np.concatenate(out)
    path = folder / f"answer-{length_s}s.wav"
    write_wav(path, audio)
    return path


def _trim(audio: np.ndarray) -> np.ndarray:
    loud = np.flatnonzero(np.abs(audio) > 0.01)
    return audio[loud[0] : loud[-1] + 1] if len(loud) else audio


class TimingSpeaker:
    """Notes when each text is to be spoken; the first sound is immediate."""

    def __init__(self) -> None:
        self.calls: list[tuple[float, str]] = []

    def say(self, text: str, language: str) -> float | None:
        self.calls.append((time.perf_counter(), text))
        return 0.0


def worker(answer: Path, mode: str, runs: int, pause_s: float) -> dict[str, object]:
    """Run `runs` turns in this process and return the raw timings."""
    from simulator.audio.pcm import SAMPLE_RATE_HZ
    from simulator.audio.replay import WavReplaySource
    from simulator.bank.loader import resolve_bank
    from simulator.config import (
        DeliveryConfig,
        LimitsConfig,
        ScoringConfig,
        VadConfig,
        WhisperConfig,
    )
    from simulator.delivery.tips import load_delivery_templates
    from simulator.feedback import load_templates
    from simulator.listen.answer import ListenSettings
    from simulator.ports import LoopParts
    from simulator.practice.session import PracticeSettings, run_turn
    from simulator.scoring import matching
    from simulator.speech.whisper_stt import FasterWhisperTranscriber

    started = time.perf_counter()
    transcriber = FasterWhisperTranscriber(WhisperConfig(cpu_threads=2))
    from simulator.app import Parts
    from simulator.config import SimulatorConfig

    judge = Parts(SimulatorConfig(), print).judge(preload=False)
    judge.warm_up()  # type: ignore[attr-defined]
    transcriber.warm_up()  # as the app does while the first question is spoken
    matching.warm_up()
    load_s = time.perf_counter() - started
    listen = ListenSettings(vad=VadConfig(), limits=LimitsConfig(max_answer_s=600),
                            streaming=(StreamingConfig(pause_s=pause_s)
                                       if mode == "streaming" else None),
                            delivery=DeliveryConfig())
    settings = PracticeSettings(listen=listen, scoring=ScoringConfig(),
                                templates=load_templates(),
                                delivery_templates=load_delivery_templates())
    question = resolve_bank("cs-zh").question("12")
    turn_model = _turn_model() if mode == "streaming" else None
    rows = []
    for _ in range(runs):
        source = WavReplaySource([answer], paced=True)
        speaker = TimingSpeaker()
        parts = LoopParts(speaker=speaker, source=source, transcriber=transcriber, judge=judge,
                          turn_model=turn_model)
        turn_started = time.perf_counter()
        turn = run_turn(1, question, parts, settings)
        # The paced source releases sample k at (its start + k / rate); its start is just
        # after the question was "spoken" (immediately, with this speaker).
        stream_start = speaker.calls[0][0]
        rec = turn.answer.recording
        speech_end_wall = stream_start + (rec.speech_end_sample or 0) / SAMPLE_RATE_HZ
        endpoint_wall = speech_end_wall + rec.trailing_silence_s
        feedback_wall = speaker.calls[1][0]
        rows.append({
            "speech_to_feedback_s": feedback_wall - speech_end_wall,
            "trailing_wait_s": rec.trailing_silence_s,
            "endpoint_to_feedback_s": feedback_wall - endpoint_wall,
            "transcribe_compute_rtf": turn.answer.transcribe_s / rec.duration_s,
            "answer_s": rec.duration_s,
            "end_reason": rec.end_reason.value,
            "turn_wall_s": time.perf_counter() - turn_started,
            "text": turn.answer.transcript.text,
        })
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"mode": mode, "load_s": load_s, "peak_rss_mb": peak_kib / 1024, "runs": rows}


def _turn_model():  # type: ignore[no-untyped-def]
    """The end-of-turn model as a live session runs it (None when setup has not prepared it)."""
    from simulator.listen.smart_turn import SmartTurnModel
    from simulator.listen.smart_turn_model import cached_model
    from simulator.listen.turn_end import ModelWorker
    from simulator.speech.whisper_model import default_cache_dir

    path = cached_model(default_cache_dir())
    if path is None:
        print("bench: the end-of-turn model is not prepared; answers end on silence",
              file=sys.stderr)
        return None
    worker = ModelWorker(lambda: SmartTurnModel(path))
    worker.warm_up()
    return worker


def launch_to_first_question_s() -> float:
    """Seconds from starting `interview-sim practice` to its first question being printed."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.Popen(
            [sys.executable, "-m", "simulator", "practice", "--voice", "none", "--count", "1",
             "--sessions-dir", tmp, "--input-device", "no-such-device-for-bench"],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        assert proc.stdout is not None
        # The first line printed, or EOF: with the bad device the run stops at its one-line
        # error (on stderr) once the options, the bank and the devices have been checked.
        proc.stdout.readline()
        elapsed = time.perf_counter() - started
        proc.kill()
        proc.wait()
    return elapsed


def _pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def main() -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--lengths", default="15,60,180")
    parser.add_argument("--gap-s", type=float, default=GAP_S,
                        help="silence between the fixture answers an answer is built from")
    parser.add_argument("--modes", default="batch,streaming",
                        help="which of batch,streaming to run (the last line needs both)")
    parser.add_argument("--pause-s", type=float, default=StreamingConfig().pause_s,
                        help="streaming: pause that closes a piece (StreamingConfig.pause_s)")
    parser.add_argument("--worker", nargs=3, metavar=("ANSWER", "MODE", "RUNS"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(Path(args.worker[0]), args.worker[1], int(args.worker[2]),
                                args.pause_s), ensure_ascii=False))
        return 0
    modes = args.modes.split(",")
    lengths = [int(x) for x in args.lengths.split(",")]
    results: dict[tuple[int, str], dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for length in lengths:
            answer = build_answer(length, Path(tmp), args.gap_s)
            runs = args.runs if length < 150 else max(1, args.runs - 1)
            for mode in modes:
                done = subprocess.run([sys.executable, __file__, "--worker", str(answer), mode,
                                       str(runs), "--pause-s", str(args.pause_s)],
                                      capture_output=True, text=True, check=True)
                results[(length, mode)] = json.loads(done.stdout.strip().splitlines()[-1])
                rows = results[(length, mode)]["runs"]
                print(f"# {length}s {mode}: endpoint->feedback "
                      f"{[round(r['endpoint_to_feedback_s'], 2) for r in rows]}", flush=True)
    from simulator.text.error_rate import error_rate

    print(f"{'length':>7} {'mode':<10} {'speech->fb med':>14} {'p95':>6} {'wait':>5} "
          f"{'endpoint->fb med':>16} {'p95':>6} {'rtf':>5} {'peak MB':>8} {'load s':>6} "
          f"{'answer s':>8} {'ended by':<14} {'CER vs batch':>12}")
    for (length, mode), res in results.items():
        rows = res["runs"]
        s2f = [r["speech_to_feedback_s"] for r in rows]
        e2f = [r["endpoint_to_feedback_s"] for r in rows]
        wait = statistics.median(r["trailing_wait_s"] for r in rows)
        rtf = statistics.median(r["transcribe_compute_rtf"] for r in rows)
        answer_s = statistics.median(r["answer_s"] for r in rows)
        reasons = ",".join(sorted({str(r["end_reason"]) for r in rows}))
        batch = results.get((length, "batch"))
        cer = (max(error_rate(str(batch["runs"][0]["text"]), str(r["text"]), "zh") for r in rows)
               if batch else float("nan"))
        print(f"{length:>6}s {mode:<10} {statistics.median(s2f):>14.2f} {_pct(s2f, 95):>6.2f} "
              f"{wait:>5.2f} {statistics.median(e2f):>16.2f} {_pct(e2f, 95):>6.2f} {rtf:>5.3f} "
              f"{res['peak_rss_mb']:>8.0f} {res['load_s']:>6.2f} {answer_s:>8.1f} "
              f"{reasons:<14} {cer:>12.3f}")
    print(f"launch to first question printed: {launch_to_first_question_s():.2f} s")
    if modes != ["batch", "streaming"]:
        return 0
    key = 60 if 60 in lengths else lengths[0]
    streaming = statistics.median(r["speech_to_feedback_s"]
                                  for r in results[(key, "streaming")]["runs"])
    batch = statistics.median(r["speech_to_feedback_s"] for r in results[(key, "batch")]["runs"])
    print(f"turnaround_median_s={streaming:.2f} batch_median_s={batch:.2f} "
          f"ratio={batch / streaming if streaming > 0 else float('inf'):.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
