"""Fit the answer model (`simulator/scoring/overall.py`) on the dev split and write it.

Every dev answer is measured and scored by the shipped judge with the model off, against
other batches' graded samples only (`judge_eval.judge_per_batch`), and its readings
(`Judge.readings`) are paired with the graders' mean grade. Before anything is written the
fit is cross-validated by batch (each batch's answers scored by trees fitted on the other
batches: a batch is one set of writers), through the same code the judge runs
(`overall.reread`), and both lines are printed: the judge without the model and with it.
The test split is never read.

Needs scikit-learn (`pip install -e .[fit]`); the judge itself reads the written trees with
numpy only.

    .venv/bin/python scripts/fit_answer_model.py            # cross-validate, fit, write
    .venv/bin/python scripts/fit_answer_model.py --dry-run  # cross-validate only
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import judge_eval as je
import numpy as np

from simulator.scoring.build import build_judge
from simulator.scoring.overall import (
    DEFAULT_ANSWER_MODEL_PATH,
    READINGS,
    AnswerModel,
    Trees,
    reread,
)
from simulator.scoring.result import Score

RAISING = ("score", "coverage_credit", "coverage_own", "belief_own", "belief_supported",
           "samples_grade", "samples_error", "relevant_share", "relevance_mean",
           "relevance_top3", "extent")
"""Readings that may only raise the grade the model gives. Unconstrained, more of the
answer about the question read as lower (on dev, a list or a vague answer is all on the
topic), so small talk added to a weak answer raised it (`scripts/eval_scoring.py`'s
gaming check)."""
LOWERING = ("off_topic", "vague", "bad_practice", "breach_heard", "listing", "critical_missed",
            "small_talk_share")
"""Readings that may only lower it."""
STRETCH = 1.15
"""Chosen on the dev split by cross-validation (docs/judge.md, the twenty-fourth session)."""
FLOOR, CLEAN_BELOW = 1.0, 0.1
"""A clean answer (off-topic, vague and bad-practice beliefs all under 0.1) keeps all of its
point-built score (`AnswerModel.floor`): the model may raise it, not lower it. Chosen on the
same cross-validation (floors 0.6-1.0 tried; 0.75-0.85 read QWK 0.001-0.004 higher) because
the blind writers' short answers were mostly partial ones, and with a lower floor a concise
answer that makes every point ("I'm so sorry about the delay. Let me check the order and
the stock right now, it will ship today before 5 pm, I'll add a coupon and call you back
tomorrow") fell from 3.1 to 2.6 of 4."""
TREES = dict(max_iter=200, learning_rate=0.05, max_leaf_nodes=15, min_samples_leaf=80)
FOLDS = 10


def measure() -> tuple[list[je.EvalAnswer], list[Score], np.ndarray, np.ndarray, list[str]]:
    """The dev answers that have graded samples, their scores without the model, their
    readings (rows in `READINGS` order), the graders' grades and each answer's batch."""
    banks = je.load_banks()
    judge = build_judge().with_answer_model(None)
    judge.warm_up()
    judge_for = je.judge_per_batch(judge)
    answers, scores, rows, grades = [], [], [], []
    for answer in je.usable(je.load_answers(split="dev"), banks):
        question = je.question_of(answer, banks)
        mine = judge_for(answer)
        features = mine.measure(answer.answer, question)
        if features.anchor is None:
            continue
        score = mine.decide(features, question)
        readings = mine.readings(features, question, score)
        answers.append(answer)
        scores.append(score)
        rows.append([readings[name] for name in READINGS])
        grades.append(answer.human / question.points)
    return answers, scores, np.array(rows), np.array(grades), [je.batch_of(a.id) for a in answers]


def fit(rows: np.ndarray, grades: np.ndarray, stretch: float = STRETCH) -> AnswerModel:
    """Monotone boosted trees on the readings (scikit-learn), as the judge reads them."""
    from sklearn.ensemble import HistGradientBoostingRegressor

    signs = [1 if name in RAISING else -1 if name in LOWERING else 0 for name in READINGS]
    model = HistGradientBoostingRegressor(monotonic_cst=signs, random_state=0, **TREES)
    model.fit(rows, grades)
    exported = _exported(model, stretch)
    theirs = model.predict(rows)
    if max(abs(exported.trees.predict(r) - p) for r, p in zip(rows, theirs, strict=True)) > 1e-6:
        raise SystemExit("the exported trees do not reproduce scikit-learn's predictions")
    return exported


def _exported(model, stretch: float) -> AnswerModel:  # type: ignore[no-untyped-def]
    columns: dict[str, list] = {k: [] for k in ("feature", "threshold", "left", "right", "value")}
    roots = []
    for (predictor,) in model._predictors:
        nodes, offset = predictor.nodes, len(columns["feature"])
        roots.append(offset)
        for node in nodes:
            leaf = bool(node["is_leaf"])
            columns["feature"].append(-1 if leaf else int(node["feature_idx"]))
            columns["threshold"].append(0.0 if leaf else float(node["num_threshold"]))
            columns["left"].append(-1 if leaf else int(node["left"]) + offset)
            columns["right"].append(-1 if leaf else int(node["right"]) + offset)
            columns["value"].append(float(node["value"]) if leaf else 0.0)
    trees = Trees(float(np.ravel(model._baseline_prediction)[0]), tuple(roots),
                  *(np.array(columns[k], t) for k, t in (
                      ("feature", np.int64), ("threshold", np.float64), ("left", np.int64),
                      ("right", np.int64), ("value", np.float64))))
    return AnswerModel(READINGS, trees, stretch, FLOOR, CLEAN_BELOW)


def cross_validated(answers: Sequence[je.EvalAnswer], scores: Sequence[Score], rows: np.ndarray,
                    grades: np.ndarray, batches: Sequence[str]) -> list[float]:
    """Each answer's points from trees fitted without its batch (folds of whole batches)."""
    names = sorted(set(batches))
    fold_of = {b: k % FOLDS for k, b in enumerate(names)}
    points = [0.0] * len(answers)
    for fold in range(FOLDS):
        held = np.array([fold_of[b] == fold for b in batches])
        model = fit(rows[~held], grades[~held])
        for i in np.flatnonzero(held):
            readings = dict(zip(READINGS, rows[i], strict=True))
            points[i] = reread(scores[i], readings, model).points
    return points


def render(model: AnswerModel, note: str) -> str:
    """The model as TOML (`overall.load_answer_model`)."""
    trees = model.trees

    def numbers(values: Sequence[float] | np.ndarray, integer: bool = False) -> str:
        return "[" + ", ".join(str(int(v)) if integer else f"{float(v):.7g}"
                               for v in values) + "]"

    ends = [*trees.roots[1:], len(trees.feature)]
    lines = ["# What graders gave answers read like one (simulator/scoring/overall.py).",
             "# Written by scripts/fit_answer_model.py from the dev split of the blind",
             "# evaluation set (tests/data/judge_eval); the test split was never read.",
             "# Do not edit by hand: refit instead.", f'fitted_on = "{note}"',
             f"features = [{', '.join(repr(f).replace(chr(39), chr(34)) for f in model.features)}]",
             f"stretch = {model.stretch:g}", f"floor = {model.floor:g}",
             f"clean_below = {model.clean_below:g}", f"baseline = {trees.baseline:.7g}"]
    for start, end in zip(trees.roots, ends, strict=True):
        local = [v - start if v >= 0 else -1 for v in trees.left[start:end]]
        right = [v - start if v >= 0 else -1 for v in trees.right[start:end]]
        lines += ["", "[[tree]]", f"feature = {numbers(trees.feature[start:end], True)}",
                  f"threshold = {numbers(trees.threshold[start:end])}",
                  f"left = {numbers(local, True)}", f"right = {numbers(right, True)}",
                  f"value = {numbers(trees.value[start:end])}"]
    return "\n".join(lines) + "\n"


def _report(name: str, figures: je.Figures) -> None:
    print(f"{name}: {figures.line()}")
    print("    " + " ".join(f"{kind}={mine:.3f}({theirs:.2f})" for kind, (theirs, mine, _)
                            in figures.kind_means.items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_ANSWER_MODEL_PATH)
    parser.add_argument("--dry-run", action="store_true", help="cross-validate, write nothing")
    args = parser.parse_args(argv)
    try:
        import sklearn  # noqa: F401
    except ImportError:
        print("scripts/fit_answer_model.py: needs scikit-learn (pip install -e .[fit])",
              file=sys.stderr)
        return 2
    answers, scores, rows, grades, batches = measure()
    banks = je.load_banks()
    without = {a.id: s.points for a, s in zip(answers, scores, strict=True)}
    print(f"dev, {len(answers)} answers, {len(set(batches))} batches")
    _report("without the model", je.figures(answers, banks, lambda a: without[a.id]))
    folded = dict(zip((a.id for a in answers), cross_validated(answers, scores, rows, grades,
                                                              batches), strict=True))
    _report("with it, batch CV", je.figures(answers, banks, lambda a: folded[a.id]))
    if args.dry_run:
        return 0
    model = fit(rows, grades)
    note = (f"dev split, {len(answers)} answers in {len(set(batches))} batches, each read "
            "against other batches' samples")
    args.out.write_text(render(model, note), encoding="utf-8")
    print(f"{args.out}: {len(model.trees.roots)} trees")
    return 0


if __name__ == "__main__":
    sys.exit(main())
