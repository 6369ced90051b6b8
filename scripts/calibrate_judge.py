"""Fit the judge's numbers on the development split and write `prompts/judge.toml`.

Only dev answers are read (`judge_eval.load_answers(split="dev")`); the test split is never
seen here. Steps:

1. measure every dev answer with the real encoder (`Judge.measure`);
2. fit the key-point models: logistic regressions from the evidence features to the
   graders' mean credit for that point (soft labels, L2), one on the evidence alone and
   one that also reads how much the answer says about the question and how concretely
   (a point's belief is the higher of the two; the reading alone, its credit thresholds
   and the gates are fitted first, as if it were the only one, then the reading in
   context's thresholds and the gates again);
3. fit the three gates the same way: off the topic and vague (the writer's intended kind),
   and bad practice (either grader named a breach);
4. choose the credit thresholds and the gate thresholds on a small grid by quadratic
   weighted kappa against the graders' mean score;
5. estimate how that generalises with a grouped 5-fold cross-validation (by question: a
   question's answers are never in both halves) of steps 2-4, and print both figures.

Usage: .venv/bin/python scripts/calibrate_judge.py [--write] [--folds 5]
       [--only off_topic|breach|vague]
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import judge_eval as je  # noqa: E402

from simulator.scoring.build import build_judge  # noqa: E402
from simulator.scoring.calibration import (  # noqa: E402
    DEFAULT_CALIBRATION_PATH,
    Calibration,
    Logistic,
    load_calibration,
)
from simulator.scoring.judge import AnswerFeatures, Judge  # noqa: E402

POINT_FEATURES = (
    "cue",
    "meaning",
    "label",
    "second",
    "cue_meaning",
    "answer_meaning",
    "answer_relevance",
    "vote",
    "lexical",
    "sparse",
)
CONTEXT_FEATURES = (*POINT_FEATURES, "answer_extent", "answer_concrete")
"""The key point read in context (`Calibration.key_point_in_context`)."""
OFF_TOPIC_FEATURES = (
    "relevance_window",
    "relevant_share",
    "relevance_mean",
    "relevance_top3",
    "coverage",
    "best_point",
    "speaker",
    "commentary",
)
OFF_TOPIC_SIGNS = (-1, -1, -1, -1, -1, -1, -1, 1)
BREACH_FEATURES = (
    "breach_mean",
    "breach_top3",
    "breach_max",
    "breach_cue",
    "breach_share",
    "breach_gap",
    "relevant_share",
    "careless",
)
BREACH_SIGNS = (1, 1, 1, 1, 1, 1, -1, 1)
VAGUE_FEATURES = ("platitude", "platitude_meaning", "concrete", "coverage", "best_point")
VAGUE_SIGNS = (1, 1, -1, -1, -1)
GRID = {
    "full_credit": (0.45, 0.5, 0.55, 0.6),
    "half_credit": (0.25, 0.3, 0.35),
    # A gate less than 0.3 sure does not act: a spoken partial answer, cut up by Whisper's
    # pause commas, read 0.34 off the topic (audio_fixtures zh-1-partial).
    "off_topic_threshold": (0.3, 0.4, 0.5, 1.1),
    "off_topic_full": (0.7, 1.0),
    "breach_threshold": (0.3, 0.4, 0.5, 0.6, 1.1),
    "breach_full": (0.5, 0.7, 1.0),
    "vague_threshold": (0.5, 0.6, 0.7, 1.1),
}
GATE_GRID = {k: v for k, v in GRID.items() if k.endswith(("_threshold", "_full"))}
FIRST_GRID = {k: v for k, v in GRID.items() if not k.endswith("_full")}
"""The first pass keeps a gate's scale at 1 - belief; the last one fits it."""
CONTEXT_GRID = {
    "context_full_credit": (0.45, 0.5, 0.55, 0.6, 0.65),
    "context_half_credit": (0.3, 0.35, 0.4, 0.45),
}
Measured = list[tuple[je.EvalAnswer, AnswerFeatures]]


def fit_logistic(
    names: tuple[str, ...],
    rows: list[dict[str, float]],
    targets: list[float],
    signs: tuple[int, ...],
    l2: float = 0.01,
    steps: int = 3000,
    rate: float = 0.5,
) -> Logistic:
    """Logistic regression on standardised features, by projected gradient descent (soft
    targets). Each weight keeps the sign given for its feature (+1: more of it means more
    likely; -1: less likely): the evidence can only push the way it means, so the fit
    cannot lean on accidents of the development set (a negative weight on a point's own
    cue, say) that would misjudge answers unlike those in it."""
    x = np.array([[row[n] for n in names] for row in rows], float)
    y = np.array(targets, float)
    mean, scale = x.mean(0), x.std(0)
    scale[scale < 1e-6] = 1.0
    z = np.hstack([np.ones((len(x), 1)), (x - mean) / scale])
    w = np.zeros(z.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-z @ w))
        w -= rate * (z.T @ (p - y) / len(y) + l2 * np.r_[0.0, w[1:]])
        w[1:] = np.where(np.array(signs) * w[1:] < 0, 0.0, w[1:])
    return Logistic(
        names,
        tuple(map(float, mean)),
        tuple(map(float, scale)),
        tuple(map(float, w[1:])),
        float(w[0]),
    )


def gate_rows(
    judge: Judge, measured: Measured, calibration: Calibration, banks: dict
) -> list[dict[str, float]]:
    rows = []
    for answer, features in measured:
        beliefs = [calibration.point_belief(v) for v in features.point_features]
        weights = [kp.weight for kp in je.question_of(answer, banks).key_points]
        rows.append(
            {
                **features.gate_features,
                "coverage": float(np.dot(beliefs, weights) / sum(weights)),
                "best_point": max(beliefs, default=0.0),
            }
        )
    return rows


def fit(judge: Judge, measured: Measured, banks: dict, base: Calibration) -> Calibration:
    """Steps 2-4 on these answers."""
    point_rows, point_targets = [], []
    for answer, features in measured:
        for index, values in enumerate(features.point_features):
            credit = answer.point_credit(index)
            if credit is not None:
                point_rows.append(values)
                point_targets.append(credit)
    alone = fit_logistic(
        POINT_FEATURES, point_rows, point_targets, signs=(1,) * len(POINT_FEATURES)
    )
    in_context = fit_logistic(
        CONTEXT_FEATURES, point_rows, point_targets, signs=(1,) * len(CONTEXT_FEATURES)
    )
    # First the evidence alone, as the judge read points before the context was added: its
    # credit thresholds are chosen with it alone, so a point earns at least what it did.
    first = _gates_and_grid(
        judge, measured, banks, replace(base, key_point=alone, key_point_in_context=None),
        FIRST_GRID,
    )
    # Then the reading in context, which can only add credit: its thresholds, then the gates
    # again (they read the points' beliefs).
    second = _best_on_grid(
        judge, measured, banks, replace(first, key_point_in_context=in_context), CONTEXT_GRID
    )
    return _gates_and_grid(judge, measured, banks, second, GATE_GRID)


def _gates_and_grid(
    judge: Judge, measured: Measured, banks: dict, calibration: Calibration, grid: dict
) -> Calibration:
    """Fit the gates on `calibration`'s beliefs, then choose the thresholds of `grid`."""
    rows = gate_rows(judge, measured, calibration, banks)
    gates = {name: _fit_gate(name, rows, measured) for name in GATES}
    return _best_on_grid(judge, measured, banks, replace(calibration, **gates), grid)


GATES = {
    "off_topic": (
        OFF_TOPIC_FEATURES,
        OFF_TOPIC_SIGNS,
        lambda a: float(a.kind == "off_topic"),
    ),
    "breach": (BREACH_FEATURES, BREACH_SIGNS, lambda a: float(a.breach)),
    "vague": (VAGUE_FEATURES, VAGUE_SIGNS, lambda a: float(a.kind == "vague")),
}
"""Each gate: its features, their signs, and its target on an answer (the writer meant it
off the topic; either grader named a breach; the writer meant it vague)."""


def _fit_gate(name: str, rows: list[dict[str, float]], measured: Measured) -> Logistic:
    names, signs, target = GATES[name]
    return fit_logistic(names, rows, [target(a) for a, _ in measured], signs=signs, l2=0.05)


def gate_fitter(name: str):  # type: ignore[no-untyped-def]
    """A fitter for one gate and its threshold only, keeping `base`'s other models."""

    def fit_one(judge: Judge, measured: Measured, banks: dict, base: Calibration) -> Calibration:
        rows = gate_rows(judge, measured, base, banks)
        fitted = replace(base, **{name: _fit_gate(name, rows, measured)})
        grid = {k: v for k, v in GATE_GRID.items() if k.startswith(f"{name}_")}
        return _best_on_grid(judge, measured, banks, fitted, grid)

    return fit_one


def _best_on_grid(
    judge: Judge, measured: Measured, banks: dict, fitted: Calibration, grid: dict
) -> Calibration:
    best: tuple[float, Calibration] | None = None
    for values in itertools.product(*grid.values()):
        candidate = replace(fitted, **dict(zip(grid, values, strict=True)))
        if (candidate.half_credit >= candidate.full_credit
                or candidate.context_half_credit >= candidate.context_full_credit):
            continue
        kappa = kappa_of(judge, measured, banks, candidate)
        if best is None or kappa > best[0]:
            best = (kappa, candidate)
    assert best is not None
    return best[1]


def kappa_of(judge: Judge, measured: Measured, banks: dict, calibration: Calibration) -> float:
    points = {
        a.id: judge.decide(f, je.question_of(a, banks), calibration).points for a, f in measured
    }
    return je.figures([a for a, _ in measured], banks, lambda a: points[a.id]).qwk


def cross_validate(
    judge: Judge, measured: Measured, banks: dict, base: Calibration, folds: int, fitter=None
) -> dict[str, float]:
    questions = sorted({(a.bank, a.question) for a, _ in measured})
    order = np.random.default_rng(0).permutation(len(questions))
    fold_of = {questions[i]: k % folds for k, i in enumerate(order)}
    points: dict[str, float] = {}
    for k in range(folds):
        train = [(a, f) for a, f in measured if fold_of[(a.bank, a.question)] != k]
        held = [(a, f) for a, f in measured if fold_of[(a.bank, a.question)] == k]
        calibration = (fitter or fit)(judge, train, banks, base)
        for a, f in held:
            points[a.id] = judge.decide(f, je.question_of(a, banks), calibration).points
    return points


def refit_note(fitted_on: str, gate: str, data: str) -> str:
    """The record of what the numbers were fitted on after one gate is refit on `data`: the
    other models keep the answers they were fitted on, and an earlier refit of the same gate
    is replaced rather than repeated."""
    kept = [part for part in fitted_on.split("; ") if not part.startswith(f"{gate} gate refit")]
    return "; ".join([*kept, f"{gate} gate refit on the {data}"])


def write(calibration: Calibration, path: Path, note: str) -> None:
    def logistic(name: str, model: Logistic, extra: dict[str, float]) -> list[str]:
        lines = [f"[{name}]", f"features = {list(model.features)!r}".replace("'", '"')]
        for key in ("mean", "scale", "weights"):
            lines.append(f"{key} = [{', '.join(f'{v:.6g}' for v in getattr(model, key))}]")
        lines.append(f"bias = {model.bias:.6g}")
        lines += [f"{k} = {v:.6g}" for k, v in extra.items()]
        return lines + [""]

    c = calibration
    text = "\n".join(
        [
            "# The judge's fitted numbers (simulator/scoring/calibration.py). Written by",
            "# scripts/calibrate_judge.py --write from the development split of the blind",
            "# evaluation set (tests/data/judge_eval); the test split was never read. Do not edit",
            "# by hand: refit instead.",
            f"fitted_on = {json.dumps(note, ensure_ascii=False)}",  # a TOML basic string
            "",
            *logistic(
                "key_point",
                c.key_point,
                {"full_credit": c.full_credit, "half_credit": c.half_credit},
            ),
            *(
                logistic(
                    "key_point_in_context",
                    c.key_point_in_context,
                    {"full_credit": c.context_full_credit, "half_credit": c.context_half_credit},
                )
                if c.key_point_in_context
                else []
            ),
            *logistic("off_topic", c.off_topic,
                      {"threshold": c.off_topic_threshold, "full": c.off_topic_full}),
            *logistic(
                "breach",
                c.breach,
                {"threshold": c.breach_threshold, "full": c.breach_full,
                 "cue_support": c.breach_cue_support},
            ),
            *(logistic("vague", c.vague, {"threshold": c.vague_threshold}) if c.vague else []),
            "[gates]",
            f"minor_breach_cap = {c.minor_breach_cap:g}",
            f"list_cap = {c.list_cap:g}",
            f"list_min_bare_share = {c.list_min_bare_share:g}",
            f"list_max_spoken_clauses = {c.list_max_spoken_clauses}",
            f"list_max_spoken_share = {c.list_max_spoken_share:g}",
            f"relevant_similarity = {c.relevant_similarity:g}",
            "",
        ]
    )
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"rewrite {DEFAULT_CALIBRATION_PATH}")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument(
        "--only",
        choices=("all", "off_topic", "breach", "vague"),
        default="all",
        help="refit every model, or only one gate (keeping the others)",
    )
    args = parser.parse_args(argv)
    fitter = fit if args.only == "all" else gate_fitter(args.only)
    banks = je.load_banks()
    answers = je.usable(je.load_answers(split="dev"), banks)
    base = load_calibration()
    judge = build_judge()
    judge_for = je.judge_per_batch(judge)
    measured = [(a, judge_for(a).measure(a.answer, je.question_of(a, banks))) for a in answers]
    calibration = fitter(judge, measured, banks, base)
    in_sample = {
        a.id: judge.decide(f, je.question_of(a, banks), calibration).points for a, f in measured
    }
    print("dev, fitted and scored on all of dev (optimistic):")
    print("  " + je.figures(answers, banks, lambda a: in_sample[a.id]).line())
    cv = cross_validate(judge, measured, banks, base, args.folds, fitter)
    print(f"dev, {args.folds}-fold cross-validation grouped by question (honest):")
    print("  " + je.figures(answers, banks, lambda a: cv[a.id]).line())
    print(
        f"thresholds: full {calibration.full_credit} half {calibration.half_credit} "
        f"in context full {calibration.context_full_credit} "
        f"half {calibration.context_half_credit} "
        f"off_topic {calibration.off_topic_threshold} (nothing left at "
        f"{calibration.off_topic_full}) breach {calibration.breach_threshold} (nothing left "
        f"at {calibration.breach_full}) "
        f"vague {calibration.vague_threshold}"
    )
    if args.write:
        questions = len({(a.bank, a.question) for a in answers})
        note = f"dev split, {len(answers)} answers to {questions} questions"
        if args.only != "all":
            note = refit_note(base.fitted_on, args.only, note)
        write(calibration, DEFAULT_CALIBRATION_PATH, note)
        load_calibration()  # the file reads back
        print(f"wrote {DEFAULT_CALIBRATION_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
