"""Benchmark: throughput of `interview-sim replay` on the fixture library, per `--jobs`.

Runs the real command (`python -m simulator replay audio_fixtures/manifest.json --json
--no-voice --jobs N`) once per N, in the same run, and prints for each: wall seconds,
seconds of answer audio replayed, throughput as multiples of real time (audio seconds per
wall second), and the ratio to `--jobs 1` measured in this run. It also checks that every
N gives the same transcripts and scores (parallel replay must not change results).

Wall time includes starting Python and loading the model in every worker: that is what a
tester waits for.

Usage: .venv/bin/python scripts/bench_replay.py [--jobs 1,2] [--only ID ...]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_replay(jobs: int, only: list[str]) -> tuple[float, dict]:
    """Run the replay command once; return (wall seconds, its JSON document)."""
    command = [sys.executable, "-m", "simulator", "replay",
               str(ROOT / "audio_fixtures" / "manifest.json"), "--json", "--no-voice",
               "--jobs", str(jobs)]
    for fixture_id in only:
        command += ["--only", fixture_id]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    wall_s = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"bench_replay: replay --jobs {jobs} exited {done.returncode}: "
                 f"{done.stderr.strip().splitlines()[-1:] or ''}")
    return wall_s, json.loads(done.stdout)


def answer_seconds(document: dict) -> float:
    """Seconds of recorded answer audio in a replay document."""
    return sum(turn["answer"]["duration_s"] for turn in document["turns"])


def results_of(document: dict) -> list[tuple[str, float]]:
    """(transcript, points) per turn, for comparing runs."""
    return [(turn["transcript"]["text"], turn["score"]["points"]) for turn in document["turns"]]


def main() -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", default="1,2", help="comma-separated --jobs values")
    parser.add_argument("--only", action="append", default=[], metavar="ID",
                        help="replay only these fixture ids (repeatable; default: all)")
    args = parser.parse_args()
    jobs_values = [int(x) for x in args.jobs.split(",")]
    print(f"# {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}", flush=True)
    rows = []
    baseline: list[tuple[str, float]] | None = None
    for jobs in jobs_values:
        wall_s, document = run_replay(jobs, args.only)
        audio_s = answer_seconds(document)
        same = baseline is None or results_of(document) == baseline
        baseline = baseline if baseline is not None else results_of(document)
        rows.append((jobs, wall_s, audio_s, len(document["turns"]), same))
        print(f"# --jobs {jobs}: {wall_s:.1f} s wall for {audio_s:.0f} s of audio", flush=True)
    first_rate = rows[0][2] / rows[0][1]
    print(f"{'jobs':>4} {'answers':>7} {'audio s':>8} {'wall s':>7} {'x real time':>11} "
          f"{'vs first':>8} {'same results':>12}")
    for jobs, wall_s, audio_s, count, same in rows:
        rate = audio_s / wall_s
        print(f"{jobs:>4} {count:>7} {audio_s:>8.1f} {wall_s:>7.1f} {rate:>11.1f} "
              f"{rate / first_rate:>8.2f} {'yes' if same else 'NO':>12}")
    print(" ".join(f"jobs{jobs}_x_realtime={audio_s / wall_s:.1f}"
                   for jobs, wall_s, audio_s, _c, _s in rows))
    return 0 if all(same for *_rest, same in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
