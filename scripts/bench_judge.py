"""Benchmark: how long the judge takes per answer and how much memory it adds.

Measured in one run, on the dev answers of the evaluation set:
- the judge after warm-up (encoder loaded, each question's examples and graded samples
  encoded once, as on the background loading thread of a session), per answer: median and
  p95; then a second judge, built afresh, without the graded samples (`anchors.py`), for
  what they add;
- the plain rapidfuzz baseline of `eval_scoring.py` on the same answers (the baseline in the
  ratio);
- the time to load the encoder and prepare one question, and the resident memory added by
  the encoder and the judge's caches.

Usage: .venv/bin/python scripts/bench_judge.py [--answers 150]
The last line: `judge_median_ms=… judge_p95_ms=… baseline_median_ms=… ratio=… added_rss_mb=…`
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
import judge_eval as je  # noqa: E402
from eval_scoring import baseline_points  # noqa: E402

from simulator.scoring import matching  # noqa: E402
from simulator.scoring.build import build_judge  # noqa: E402


def _ms(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered) * 1000, ordered[int(0.95 * (len(ordered) - 1))] * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=150)
    args = parser.parse_args(argv)
    banks = je.load_banks()
    answers = je.usable(je.load_answers(split="dev"), banks)[: args.answers]
    process = psutil.Process()
    matching.warm_up()
    rss_before = process.memory_info().rss
    started = time.perf_counter()
    judge = build_judge()
    judge.warm_up()
    load_s = time.perf_counter() - started
    questions = {(a.bank, a.question): je.question_of(a, banks) for a in answers}
    imported = next((q for (bank, _), q in questions.items() if bank == "seed000"), None)
    lend_s = 0.0
    if imported is not None:  # the first imported question also loads the example library
        started = time.perf_counter()
        judge.warm_up([imported])
        lend_s = time.perf_counter() - started
    started = time.perf_counter()
    judge.warm_up(list(questions.values()))
    prepare_s = (time.perf_counter() - started) / len(questions)
    ours, base = [], []
    for answer in answers:
        question = questions[(answer.bank, answer.question)]
        t0 = time.perf_counter()
        judge.score(answer.answer, question)
        t1 = time.perf_counter()
        baseline_points(answer.answer, question)
        ours.append(t1 - t0)
        base.append(time.perf_counter() - t1)
    added_mb = (process.memory_info().rss - rss_before) / 2**20
    alone = build_judge().with_anchors(None)  # a fresh encoder cache, as the first had
    alone.warm_up(list(questions.values()))
    without = []
    for answer in answers:
        t0 = time.perf_counter()
        alone.score(answer.answer, questions[(answer.bank, answer.question)])
        without.append(time.perf_counter() - t0)
    judge_median, judge_p95 = _ms(ours)
    base_median, _ = _ms(base)
    alone_median, alone_p95 = _ms(without)
    print(f"answers: {len(answers)} (dev split), load average {psutil.getloadavg()[0]:.1f}")
    print(f"encoder load and warm-up {load_s:.2f} s; one question prepared in "
          f"{prepare_s * 1000:.0f} ms; the first imported question (with the example "
          f"library) in {lend_s * 1000:.0f} ms")
    print(f"without the graded samples: median {alone_median:.1f} ms, p95 {alone_p95:.1f} ms")
    print(f"judge_median_ms={judge_median:.1f} judge_p95_ms={judge_p95:.1f} "
          f"baseline_median_ms={base_median:.2f} ratio={judge_median / base_median:.0f} "
          f"added_rss_mb={added_mb:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
