"""Soak test: many answers through the real loop in one process, watching memory and
invented text.

Cycles the shipped fixtures of `audio_fixtures/manifest.json` (in manifest order) through
`session.run_session` with `WavReplaySource`, the real `FasterWhisperTranscriber` (bundled
model, `cpu_threads=2` by default) and a silent speaker, `--answers` times in total, in one
process. It reports the resident memory after 10 answers and at the end (current RSS from
/proc/self/status VmRSS, and the peak from getrusage ru_maxrss), so a leak shows up as growth
between the two; and it counts non-empty transcripts on the fixtures expected to be empty
(silence, room tone, pink and brown noise): each one is text the model invented. The bar is
zero. The loop's endpointer usually keeps silence and noise from Whisper altogether, so the
empty fixtures are also transcribed directly (whole file, bypassing the endpointer) once per
cycle: `invented_direct` counts what Whisper itself invents on them.

The last line is machine-greppable:
`rss_mb_at_10=<MB> rss_mb_at_<N>=<MB> invented_transcripts=<count> invented_direct=<count>
peak_rss_mb=<MB> ...` (one line).

With `--kokoro` every Mandarin prompt and feedback is also synthesised with the Kokoro voice
(not played), so the figures include the Mandarin voice's model and buffers.

Usage: .venv/bin/python scripts/soak_replay.py [--answers 200] [--threads 2] [--kokoro]
       [--exclude ID]...
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

EARLY_MARK = 10
"""Answers after which the first memory reading is taken (the model is warm by then)."""


class SilentSpeaker:
    """A `Speaker` that says nothing (the soak measures the loop, not the voice)."""

    def say(self, text: str, language: str) -> float | None:
        return None


class RenderingSpeaker:
    """A `Speaker` that synthesises every Mandarin line with the Kokoro voice and drops the
    sound (`--kokoro`): the memory of a session with the Mandarin voice loaded."""

    def __init__(self, threads: int) -> None:
        from simulator.speech.kokoro_voice import KokoroVoice

        self._voice = KokoroVoice(num_threads=threads)

    def say(self, text: str, language: str) -> float | None:
        if language == "zh":
            for _ in self._voice.render(text):
                pass
        return None


def current_rss_mb() -> float:
    """Resident set size now, in MB (VmRSS from /proc/self/status)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mb() -> float:
    """Peak resident set size so far, in MB (ru_maxrss is in kB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class SoakSink:
    """A `TurnSink` that counts answers, reads memory at the marks, and spots invented text."""

    def __init__(self, expected_by_file: dict[Path, str], ids_by_file: dict[Path, str],
                 total: int, transcriber: object) -> None:
        self._expected = expected_by_file
        self._transcriber = transcriber
        self.direct_checks = 0
        self.invented_direct: list[tuple[str, str]] = []
        self._ids = ids_by_file
        self._total = total
        self.answers = 0
        self.empty_fixture_answers = 0
        self.invented: list[tuple[str, str]] = []
        self.readings: dict[int, tuple[float, float]] = {}
        self._started = time.perf_counter()

    folder = None
    """Nothing is written to disk."""

    def save_answer(self, index: int, recording: object, label: str = "") -> None:
        return None

    def record_turn(self, turn: object) -> None:
        self.answers += 1
        answer = turn.answer  # type: ignore[attr-defined]
        source = answer.source_file
        fixture_id = self._ids.get(source, str(source))
        text = answer.transcript.text
        if self._expected.get(source) == "empty":
            self.empty_fixture_answers += 1
            if text.strip():
                self.invented.append((fixture_id, text))
            self._transcribe_directly(source, fixture_id, turn.question.language)  # type: ignore[attr-defined]
        if self.answers in (EARLY_MARK, self._total):
            self.readings[self.answers] = (current_rss_mb(), peak_rss_mb())
        elapsed = time.perf_counter() - self._started
        print(f"{self.answers:>4} {fixture_id:<22} audio {answer.recording.duration_s:6.1f} s  "
              f"transcribe {answer.transcribe_s:5.2f} s  rss {current_rss_mb():6.0f} MB  "
              f"t+{elapsed:5.0f} s  {text[:40]!r}", file=sys.stderr, flush=True)

    def _transcribe_directly(self, source: Path, fixture_id: str, language: str) -> None:
        """Whisper on the whole file, no endpointer: does the model itself invent text?"""
        from simulator.audio.pcm import read_audio

        transcript = self._transcriber.transcribe(read_audio(source), language)  # type: ignore[attr-defined]
        self.direct_checks += 1
        if transcript.text.strip():
            self.invented_direct.append((fixture_id, transcript.text))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--answers", type=int, default=200, help="answers in total (default 200)")
    parser.add_argument("--threads", type=int, default=2, help="Whisper CPU threads (default 2)")
    parser.add_argument("--kokoro", action="store_true",
                        help="render every Mandarin prompt and feedback with the Kokoro voice")
    parser.add_argument("--exclude", action="append", default=[], metavar="FIXTURE_ID",
                        help="leave this fixture out of the cycle (repeatable)")
    args = parser.parse_args(argv)
    if args.answers < 1:
        parser.error("--answers must be at least 1")

    from simulator.app import practice_settings
    from simulator.audio.replay import WavReplaySource
    from simulator.bank.loader import resolve_bank
    from simulator.config import SimulatorConfig, WhisperConfig
    from simulator.ports import LoopParts
    from simulator.practice.fixtures import plan_replay
    from simulator.practice.session import run_session
    from simulator.speech.whisper_stt import FasterWhisperTranscriber

    items = [item for item in plan_replay(ROOT / "audio_fixtures" / "manifest.json",
                                          resolve_bank, default_bank=None, question_id=None)
             if item.id not in set(args.exclude)]
    if not items:
        parser.error("every fixture is excluded")
    cycle = [items[i % len(items)] for i in range(args.answers)]
    config = SimulatorConfig(whisper=WhisperConfig(cpu_threads=args.threads))
    transcriber = FasterWhisperTranscriber(config.whisper)
    started = time.perf_counter()
    transcriber.load()
    print(f"model loaded in {time.perf_counter() - started:.1f} s; rss {current_rss_mb():.0f} MB; "
          f"{len(items)} fixtures cycled to {args.answers} answers", file=sys.stderr)
    sink = SoakSink({i.file: i.expected for i in items}, {i.file: i.id for i in items},
                    args.answers, transcriber)
    from simulator.app import Parts

    judge = Parts(config, print).judge(preload=False)
    speaker = RenderingSpeaker(args.threads) if args.kokoro else SilentSpeaker()
    parts = LoopParts(speaker=speaker, source=WavReplaySource([i.file for i in cycle]),
                      transcriber=transcriber, judge=judge, sink=sink)
    run_session([i.question for i in cycle], parts, practice_settings(config, live=False))

    early = sink.readings.get(EARLY_MARK)
    final = sink.readings[args.answers]
    for mark, (now_mb, peak_mb) in sorted(sink.readings.items()):
        print(f"after {mark} answers: current RSS {now_mb:.0f} MB, peak RSS {peak_mb:.0f} MB")
    print(f"{sink.empty_fixture_answers} answers on silence/noise fixtures, "
          f"{len(sink.invented)} with invented text")
    for fixture_id, text in sink.invented:
        print(f"  invented on {fixture_id}: {text!r}")
    print(f"{sink.direct_checks} direct transcriptions of silence/noise fixtures (no endpointer), "
          f"{len(sink.invented_direct)} with invented text")
    for fixture_id, text in sink.invented_direct:
        print(f"  invented directly on {fixture_id}: {text!r}")
    print(f"total {time.perf_counter() - started:.0f} s")
    early_mb = f"{early[0]:.0f}" if early else "na"
    print(f"rss_mb_at_{EARLY_MARK}={early_mb} rss_mb_at_{args.answers}={final[0]:.0f} "
          f"invented_transcripts={len(sink.invented)} invented_direct={len(sink.invented_direct)} "
          f"peak_rss_mb={final[1]:.0f} "
          f"answers={sink.answers} empty_fixture_answers={sink.empty_fixture_answers}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
