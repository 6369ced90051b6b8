"""Write `prompts/anchors.toml`: the graded sample answers the judge compares answers with.

    python scripts/build_anchors.py            # rewrite the file from the evaluation set
    python scripts/build_anchors.py --check    # exit 1 if the file is not what it would write
    python scripts/build_anchors.py --check --check-every 10   # the judge's scores of 1 in 10
    python scripts/build_anchors.py --sweep    # leave-one-batch-out QWK on dev for some weights
    python scripts/build_anchors.py --sweep 0.2:0.5 0.2:0.5:0.75   # grade:error[:point] weight
    python scripts/build_anchors.py --fit-points   # refit the key-point model on the samples

The samples are the answers of the blind evaluation set (`tests/data/judge_eval`) that are
not in its test split: the dev split, and the `anchor` split (answers to the test split's
questions written later by other writers, for this file only; no model is fitted on them).
Each keeps its graders' mean score as a share of the marks, and the shipped judge's own
score for it (alone, without samples), with the fingerprint of that judge's data files and
settings (about 45 ms a sample: a minute and a half). Questions are filed under
`simulator.scoring.anchors.question_key`, so the banks must be loadable (`../shared/seeds`
beside the checkout for the imported ones).

The settings (grade_weight, error_weight, neighbours, temperature, min_anchors, alike_from,
alike_full, point_weight, point_neighbours, breach_lift_from, breach_lift_full,
breach_lift_cap) are kept from the file as it is unless a flag gives a new value (chosen
with `--sweep`, or for the breach lift on dev batches V and xa: docs/judge.md, the
fourteenth session), and so is the key-point model
(`[point_support]`: a key point's belief from the judge's own and the samples' clauses, a
logistic fitted with `--fit-points` on the dev split, each answer read against other
batches' samples only, to the graders' credit for the point).
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from collections import defaultdict
from pathlib import Path

import judge_eval as je
from calibrate_judge import fit_logistic

from simulator.config import ScoringConfig
from simulator.scoring.anchors import (
    DEFAULT_ANCHORS_PATH,
    POINT_VALUES,
    answer_grade,
    point_values,
    question_key,
)
from simulator.scoring.build import build_judge, judge_fingerprint
from simulator.scoring.calibration import Logistic, read_logistic

SPLITS = ("dev", "anchor")
FIRST_SETTINGS = {"grade_weight": 0.2, "error_weight": 0.5, "neighbours": 3,
                  "temperature": 0.05, "min_anchors": 12, "alike_from": 0.5, "alike_full": 0.7,
                  "point_weight": 0.0, "point_neighbours": 5, "breach_lift_from": 0.6,
                  "breach_lift_full": 0.8, "breach_lift_cap": 0.4}
"""Written when there is no file yet."""
HEADER = """# Graded sample answers, by question (simulator/scoring/anchors.py). Written by
# scripts/build_anchors.py from the dev and anchor splits of the blind evaluation set
# (tests/data/judge_eval): answers by helpers who saw only the questions, graded by two
# others. The test split is never written here. Do not edit by hand: rebuild instead.
"""


def _string(text: str) -> str:
    """A TOML basic string (JSON's escapes, and DEL, which TOML does not allow raw)."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def render(args: argparse.Namespace, stored: dict[str, float] | None = None) -> str:
    """The file's text; with `stored`, the judge's scores are recomputed only for every
    `args.check_every`-th sample and taken from `stored` for the others."""
    banks = je.load_banks()
    judge = build_judge().with_anchors(None)
    judge.warm_up()
    by_key: dict[str, list[je.EvalAnswer]] = defaultdict(list)
    names: dict[str, tuple[str, str]] = {}
    for split in SPLITS:
        for answer in je.usable(je.load_answers(split=split), banks):
            key = question_key(je.question_of(answer, banks))
            by_key[key].append(answer)
            names[key] = (answer.bank, answer.question)
    counted = 0
    lines = [HEADER] + [f"{name} = {getattr(args, name):g}" for name in FIRST_SETTINGS] + [
        f"judge_fingerprint = {_string(judge_fingerprint(ScoringConfig()))}", ""]
    if args.point_model is not None:
        lines += _model_lines(args.point_model)
    for key in sorted(by_key, key=lambda k: (names[k][0], int(names[k][1]), k)):
        bank, question = names[key]
        lines += ["[[question]]", f"key = {_string(key)}",
                  f"bank = {_string(bank)}", f"question = {_string(question)}", ""]
        question_ = je.question_of(by_key[key][0], banks)
        for answer in sorted(by_key[key], key=lambda a: a.id):
            fraction = round(min(1.0, max(0.0, answer.human / question_.points)), 4)
            counted += 1
            if stored is not None and answer.id in stored and counted % args.check_every:
                judged = stored[answer.id]
            else:
                judged = round(judge.read_sample(answer.answer, question_).judged, 4)
            credits = [answer.point_credit(i) for i in range(len(question_.key_points))]
            lines += ["[[question.answer]]", f"source = {_string(answer.id)}",
                      f"fraction = {fraction:g}", f"judged = {judged:g}"]
            if all(c is not None for c in credits):
                lines.append(f"credits = [{', '.join(f'{c:g}' for c in credits)}]")
            lines += [f"text = {_string(answer.answer)}", ""]
    text = "\n".join(lines)
    tomllib.loads(text)  # what is written must read back
    return text


def _model_lines(model: Logistic) -> list[str]:
    def numbers(values: tuple[float, ...]) -> str:
        return "[" + ", ".join(f"{v:.6g}" for v in values) + "]"
    return ["[point_support]", f"features = [{', '.join(_string(f) for f in model.features)}]",
            f"mean = {numbers(model.mean)}", f"scale = {numbers(model.scale)}",
            f"weights = {numbers(model.weights)}", f"bias = {model.bias:.6g}", ""]


POINT_SIGNS = (1, 1, -1, 1)
"""More belief and more support from the closest samples' clauses mean more likely made; a
point the question's samples usually make says less when the answer's clauses are like them;
the better the samples most like the whole answer were graded, the more likely."""


def fit_points() -> Logistic:
    """The key-point model, fitted on the dev split (other batches' samples for each answer)."""
    banks = je.load_banks()
    judge = build_judge()
    judge.warm_up()
    if judge.anchors is None:
        raise SystemExit("no graded samples: run scripts/build_anchors.py first")
    judge = judge.with_anchors(judge.anchors.with_settings(point_weight=1.0, point_model=None))
    judge_for = je.judge_per_batch(judge)
    rows, targets = [], []
    for answer in je.usable(je.load_answers(split="dev"), banks):
        features = judge_for(answer).measure(answer.answer, je.question_of(answer, banks))
        grade = answer_grade(features.anchor, features.point_samples)
        for k, (values, support) in enumerate(zip(features.point_features,
                                                  features.point_samples or (), strict=False)):
            credit = answer.point_credit(k)
            if credit is not None:
                rows.append(point_values(judge.calibration.point_belief(values), support,
                                         grade))
                targets.append(credit)
    if not rows:
        raise SystemExit("the samples have no key-point credits: run scripts/build_anchors.py")
    print(f"key-point model fitted on {len(rows)} key points of the dev split")
    return fit_logistic(POINT_VALUES, rows, targets, POINT_SIGNS)


def sweep(weights: list[tuple[float, float, float]]) -> None:
    """QWK on the dev split, each answer compared only with other batches' samples."""
    banks = je.load_banks()
    judge = build_judge()
    judge.warm_up()
    if judge.anchors is None:
        raise SystemExit("no graded samples: run scripts/build_anchors.py first")
    # Measured once with the point support on; each setting then only decides.
    judge = judge.with_anchors(judge.anchors.with_settings(point_weight=1.0))
    answers = je.usable(je.load_answers(split="dev"), banks)
    judge_for = je.judge_per_batch(judge)
    measured = [(a, judge_for(a).measure(a.answer, je.question_of(a, banks))) for a in answers]
    for grade, error, point in weights:
        weighted = judge.with_anchors(judge.anchors.with_settings(
            grade_weight=grade, error_weight=error, point_weight=point))
        points = {a.id: weighted.decide(f, je.question_of(a, banks)).points for a, f in measured}
        figures = je.figures(answers, banks, lambda a, p=points: p[a.id])
        print(f"grade_weight {grade:.2f} error_weight {error:.2f} point_weight {point:.2f}: "
              f"{figures.line()}")


def _weights(text: str) -> tuple[float, float, float]:
    grade, error, point = (text.split(":") + ["0", "0"])[:3]
    return float(grade), float(error or 0.0), float(point or 0.0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grade-weight", type=float)
    parser.add_argument("--error-weight", type=float)
    parser.add_argument("--neighbours", type=int)
    parser.add_argument("--temperature", type=float)
    parser.add_argument("--min-anchors", type=int)
    parser.add_argument("--alike-from", type=float)
    parser.add_argument("--alike-full", type=float)
    parser.add_argument("--point-weight", type=float)
    parser.add_argument("--point-neighbours", type=int)
    parser.add_argument("--breach-lift-from", type=float)
    parser.add_argument("--breach-lift-full", type=float)
    parser.add_argument("--breach-lift-cap", type=float)
    parser.add_argument("--out", type=Path, default=DEFAULT_ANCHORS_PATH)
    parser.add_argument("--fit-points", action="store_true",
                        help="refit the key-point model on the dev split and write the file")
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--check-every", type=int, default=1, metavar="N",
                        help="with --check, recompute the judge's score of every N-th sample")
    parser.add_argument("--sweep", type=_weights, nargs="*", metavar="GRADE:ERROR[:POINT]")
    args = parser.parse_args(argv)
    if args.sweep is not None:
        sweep(args.sweep or [(0.0, 0.0, 0.0), (0.2, 0.5, 0.0), (0.0, 0.0, 0.4),
                             (0.2, 0.5, 0.4), (0.1, 0.25, 0.4), (0.2, 0.5, 0.3)])
        return 0
    kept = (tomllib.loads(args.out.read_text(encoding="utf-8")) if args.out.is_file()
            else FIRST_SETTINGS)
    for name in FIRST_SETTINGS:
        if getattr(args, name) is None:
            setattr(args, name, kept.get(name, FIRST_SETTINGS[name]))
    args.point_model = (fit_points() if args.fit_points else
                        read_logistic(kept["point_support"]) if "point_support" in kept else None)
    stored = None
    if args.check and args.out.is_file():
        stored = {a["source"]: float(a.get("judged", -1.0)) for q in kept.get("question", [])
                  for a in q.get("answer", [])}
    text = render(args, stored)
    if args.check:
        same = args.out.is_file() and args.out.read_text(encoding="utf-8") == text
        state = "up to date" if same else "out of date: run scripts/build_anchors.py"
        print(f"{args.out}: {state}")
        return 0 if same else 1
    args.out.write_text(text, encoding="utf-8")
    print(f"{args.out}: {sum(1 for line in text.splitlines() if line == '[[question]]')} "
          f"questions, {text.count('[[question.answer]]')} answers")
    return 0


if __name__ == "__main__":
    sys.exit(main())
