"""Evaluate the judge on the blind evaluation set, beside a plain rapidfuzz baseline.

For each split (dev: what `scripts/calibrate_judge.py` fitted on; test: frozen before any
tuning, never fitted on) and for each scorer, it prints the quadratic weighted kappa with the
graders' mean score (score/max in five levels; overall, Mandarin, English), the share of
keyword lists at half marks or more, and the mean score/max of every kind of answer beside
the graders'. Two scorers run in the same process on the same answers:

- **judge**: `simulator.scoring.judge.Judge` with the shipped calibration, breach library,
  sentence encoder and graded sample answers (what `practice`, `replay` and `score` use). A
  dev answer is compared only with the samples of other writers' batches
  (`judge_eval.judge_per_batch`); test answers are never samples. `--no-samples`: the judge
  alone, as on a question nobody has graded answers to (a user's own bank);
- **baseline**: plain rapidfuzz: a key point counts when `partial_ratio(cue, answer) >= 80`
  for any cue (raw text, no normalisation), the score is the weighted share of key points.

Gaming check (dev and test): every answer of a low kind (off-topic, vague, bad practice,
list) padded with small talk that has nothing to do with customer service (`PADDING`) should
not score higher than it did; the count and the mean change are printed.

With `--audio`, the spoken versions of test answers in `audio_fixtures/judge/manifest.json`
are transcribed by the bundled Whisper model and judged; their QWK is printed beside the QWK
of the same answers' text. `--audio-dir DIR` reads another folder made by
`scripts/make_judge_audio.py --out DIR` instead (more test answers than the 24 shipped, or
dev answers; a dev answer is judged against other batches' samples, as in the dev figures).

The last line is for grep, from the TEST split:
`qwk=… qwk_zh=… qwk_en=… lists_at_half=N/M own_words_mean=… bad_practice_mean=… off_topic_mean=…`

Usage: .venv/bin/python scripts/eval_scoring.py [--split dev|test|both] [--audio]
       [--audio-dir DIR] [--json] [--no-samples]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import judge_eval as je  # noqa: E402

from simulator.bank.model import Question  # noqa: E402
from simulator.scoring.build import build_judge  # noqa: E402
from simulator.scoring.judge import Judge  # noqa: E402

AUDIO_DIR = je.ROOT / "audio_fixtures" / "judge"
LOW_KINDS = ("off_topic", "vague", "bad_practice", "list_bare", "list_connected")
PADDING = {
    "zh": "我周末一般去爬山，山上空气特别好。最近我在学做蛋糕，第一次烤得有点焦。"
    "我家楼下新开了一家面馆，牛肉面很好吃。我还喜欢看历史纪录片，尤其是讲古代建筑的。",
    "en": "At weekends I usually go hiking, and the air up there is lovely. Lately I've been "
    "learning to bake, and my first cake came out a bit burnt. A new noodle place opened "
    "near my flat and the beef noodles are great. I also like history documentaries, "
    "especially the ones about old buildings.",
}


def baseline_points(text: str, question: Question) -> float:
    """Plain rapidfuzz partial_ratio >= 80 on any cue, weighted share of key points."""
    from rapidfuzz import fuzz

    points = question.key_points
    made = sum(
        kp.weight
        for kp in points
        if max((fuzz.partial_ratio(cue, text) for cue in kp.cues), default=0) >= 80
    )
    return round(question.points * made / sum(kp.weight for kp in points), 1)


def gaming(answers: list[je.EvalAnswer], banks: dict,
           judge_for: Callable[[je.EvalAnswer], Judge]) -> tuple[int, int, float]:
    """(padded answers that gained, padded answers, mean change of score/max)."""
    gained = total = 0
    gains = []
    for answer in answers:
        if answer.kind not in LOW_KINDS:
            continue
        joiner = "，" if answer.language == "zh" else " "
        question = je.question_of(answer, banks)
        judge = judge_for(answer)
        before = judge.score(answer.answer, question).fraction
        after = judge.score(
            joiner.join([answer.answer, PADDING[answer.language]]), question
        ).fraction
        total += 1
        gained += after > before + 1e-9
        gains.append(after - before)
    return gained, total, (sum(gains) / len(gains) if gains else 0.0)


def report(title: str, figures: je.Figures) -> None:
    print(f"{title}: n={figures.n}")
    print("  " + figures.line())
    for kind, (human, mine, n) in figures.kind_means.items():
        print(f"    {kind:15s} graders {human:.2f}  scorer {mine:.2f}  (n={n})")


def audio_figures(judge: Judge, banks: dict, folder: Path) -> dict[str, float | str]:
    from simulator.audio.pcm import read_audio
    from simulator.config import WhisperConfig
    from simulator.speech.whisper_stt import FasterWhisperTranscriber

    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    by_id = {a.id: a for a in je.load_answers()}
    judge_for = je.judge_per_batch(judge)
    transcriber = FasterWhisperTranscriber(WhisperConfig())
    answers, heard = [], {}
    for entry in manifest["answers"]:
        answer = by_id[entry["id"]]
        if answer.bank not in banks:
            continue
        audio = read_audio(folder / entry["file"])
        heard[answer.id] = transcriber.transcribe(audio, answer.language).text
        answers.append(answer)
    text = je.figures(
        answers, banks, lambda a: judge_for(a).score(a.answer, je.question_of(a, banks)).points
    )
    audio = je.figures(
        answers, banks, lambda a: judge_for(a).score(heard[a.id], je.question_of(a, banks)).points
    )
    splits = "/".join(sorted({a.split for a in answers}))
    print(
        f"audio ({splits} split, {len(answers)} spoken answers in {folder}): "
        f"qwk text {text.qwk:.3f} (zh {text.qwk_zh:.3f}, en {text.qwk_en:.3f}), "
        f"qwk audio {audio.qwk:.3f} (zh {audio.qwk_zh:.3f}, en {audio.qwk_en:.3f}), "
        f"difference {audio.qwk - text.qwk:+.3f}"
    )
    return {"n": len(answers), "split": splits, "qwk_text": text.qwk, "qwk_audio": audio.qwk,
            "qwk_text_zh": text.qwk_zh, "qwk_audio_zh": audio.qwk_zh,
            "qwk_text_en": text.qwk_en, "qwk_audio_en": audio.qwk_en}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("dev", "test", "both"), default="both")
    parser.add_argument("--audio", action="store_true", help="also judge the spoken answers")
    parser.add_argument("--audio-dir", type=Path, default=AUDIO_DIR,
                        help=f"spoken answers with their manifest.json (default {AUDIO_DIR})")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--no-samples", action="store_true",
                        help="the judge alone, without the graded sample answers")
    args = parser.parse_args(argv)
    if args.audio and not (args.audio_dir / "manifest.json").is_file():
        print(f"eval_scoring: {args.audio_dir / 'manifest.json'} not found (spoken answers "
              "are made by scripts/make_judge_audio.py --out DIR)", file=sys.stderr)
        return 2
    banks = je.load_banks()
    judge = build_judge()
    if args.no_samples:
        judge = judge.with_anchors(None)
    judge.warm_up()
    splits = ("dev", "test") if args.split == "both" else (args.split,)
    results: dict[str, dict] = {}
    last = None
    for split in splits:
        answers = je.usable(je.load_answers(split=split), banks)
        started = time.perf_counter()
        judge_for = je.judge_per_batch(judge)
        ours = {a.id: judge_for(a).score(a.answer, je.question_of(a, banks)).points
                for a in answers}
        per_answer_ms = 1000 * (time.perf_counter() - started) / max(1, len(answers))
        base = {a.id: baseline_points(a.answer, je.question_of(a, banks)) for a in answers}
        judge_figures = je.figures(answers, banks, lambda a, ours=ours: ours[a.id])
        base_figures = je.figures(answers, banks, lambda a, base=base: base[a.id])
        gained, padded, mean_gain = gaming(answers, banks, judge_for)
        if not args.json:
            report(f"{split} split, judge ({per_answer_ms:.0f} ms per answer)", judge_figures)
            report(f"{split} split, baseline (plain rapidfuzz)", base_figures)
            print(
                f"  gaming ({split}): {gained}/{padded} low answers gained when padded with "
                f"unrelated talk (mean change {mean_gain:+.3f} of the maximum)"
            )
        results[split] = {
            "judge": judge_figures.__dict__,
            "baseline": base_figures.__dict__,
            "ms_per_answer": per_answer_ms,
            "gaming": {"gained": gained, "padded": padded, "mean": mean_gain},
        }
        last = judge_figures
    if args.audio:
        results["audio"] = audio_figures(judge, banks, args.audio_dir)
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2, default=list))
    if last is not None:
        print(last.line(), file=sys.stderr if args.json else sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
