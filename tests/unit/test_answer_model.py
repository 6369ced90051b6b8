"""The answer read as a whole (`scoring/overall.py`): the trees, the stretch, the caps it
never lifts, the shipped file (monotone where it promises to be) and its loader's one-line
errors; and the real judge, which applies it only where graded samples exist."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest

from simulator.bank.loader import resolve_bank
from simulator.scoring.judge import Judge
from simulator.scoring.overall import (
    READINGS,
    AnswerModel,
    load_answer_model,
    reread,
)
from simulator.scoring.result import BreachResult, Evidence, KeyPointResult, Score
from tests.fakes import broken_file_message

TINY = """
features = ["score", "off_topic"]
stretch = 1.0
floor = 0
clean_below = 0
baseline = 0.5

[[tree]]
feature = [0, -1, 1, -1, -1]
threshold = [0.5, 0, 0.3, 0, 0]
left = [1, -1, 3, -1, -1]
right = [2, -1, 4, -1, -1]
value = [0, -0.3, 0, 0.4, -0.1]

[[tree]]
feature = [-1]
threshold = [0]
left = [-1]
right = [-1]
value = [0.05]
"""


def _tiny(tmp_path: Path, body: str = TINY) -> AnswerModel:
    path = tmp_path / "answer_model.toml"
    path.write_text(body, encoding="utf-8")
    return load_answer_model(path)


def _score(points: float, *, breach: bool = False, listed: bool = False) -> Score:
    said = Evidence("退款", "我马上给您全额退款", 100.0, "exact")
    heard = (BreachResult("promises a refund it cannot give", "serious", said),) if breach else ()
    point = KeyPointResult(label="道歉", weight=1.0, mode="all", credit=points / 4,
                           evidence=(), critical=False)
    return Score(points, 4.0, (point,), heard, listed, reasons=("coverage",))


def test_each_tree_sends_an_answer_to_one_leaf_and_the_leaves_add_up(tmp_path: Path) -> None:
    """A value at or below the threshold goes left; the baseline and one leaf per tree add."""
    trees = _tiny(tmp_path).trees
    assert trees.predict([0.2, 0.9]) == pytest.approx(0.5 - 0.3 + 0.05)
    assert trees.predict([0.5, 0.9]) == pytest.approx(0.25)  # at the threshold: left
    assert trees.predict([0.9, 0.1]) == pytest.approx(0.5 + 0.4 + 0.05)
    assert trees.predict([0.9, 0.3]) == pytest.approx(0.95)
    assert trees.predict([0.9, 0.8]) == pytest.approx(0.45)


def test_the_stretch_moves_a_grade_away_from_the_middle_within_0_and_1(tmp_path: Path) -> None:
    model = _tiny(tmp_path)
    readings = {"score": 0.9, "off_topic": 0.1}
    assert model.fraction(readings) == pytest.approx(0.95)
    wider = dataclasses.replace(model, stretch=1.5)
    assert wider.fraction(readings) == pytest.approx(1.0)  # 1.175, clipped
    assert wider.fraction({"score": 0.9, "off_topic": 0.8}) == pytest.approx(0.425)
    assert model.fraction({"score": 0.9}) is None
    assert model.fraction({"score": math.nan, "off_topic": 0.1}) is None


def test_a_capped_answer_is_never_raised_and_a_missing_reading_changes_nothing(
        tmp_path: Path) -> None:
    """Only an answer no breach, list or missed critical point capped may go up; any answer
    may go down; the reason says what the model read and what it gave."""
    model = _tiny(tmp_path)
    high = {"score": 0.9, "off_topic": 0.1, "critical_missed": 0.0}  # 0.95 of 4: 3.8
    raised = reread(_score(2.0), high, model)
    assert raised.points == 3.8 and "read as a whole" in raised.reasons[-1]
    assert "2 -> 3.8/4" in raised.reasons[-1]
    assert reread(_score(0.0, breach=True), high, model).points == 0.0
    assert reread(_score(1.0, listed=True), high, model).points == 1.0
    assert reread(_score(1.0), {**high, "critical_missed": 1.0}, model).points == 1.0
    low = {"score": 0.2, "off_topic": 0.1, "critical_missed": 0.0}  # 0.25 of 4: 1.0
    assert reread(_score(2.0, breach=True), low, model).points == 1.0
    assert reread(_score(2.0), {"score": 0.2}, model) == _score(2.0)


@pytest.mark.parametrize(("body", "complaint"), [
    (TINY.replace('"off_topic"]', '"shoe_size"]'), "unknown feature(s) shoe_size"),
    (TINY.replace("stretch = 1.0", "stretch = 0"), "stretch in (0, 3]"),
    (TINY.replace("stretch = 1.0\n", ""), "field missing or invalid"),
    (TINY.replace("left = [1, -1, 3", "left = [0, -1, 3"), "node 0 splits"),
    (TINY.replace("feature = [0, -1, 1", "feature = [7, -1, 1"), "node 0 splits"),
    (TINY.replace("value = [0.05]", "value = [0.05, 1]"), "of one length"),
    (TINY.replace("value = [0.05]", "value = [nan]"), "leaf 0 has no finite value"),
    ("features = []\nstretch = 1.0\nbaseline = 0.5\n", "field missing or invalid"),
    ("stretch = ", "TOML syntax error"),
])
def test_a_broken_file_is_named_in_one_line(tmp_path: Path, body: str, complaint: str) -> None:
    assert complaint in broken_file_message(tmp_path, "answer_model.toml", body,
                                            load_answer_model)


def _typical() -> dict[str, float]:
    """Readings of a middling answer (values typical of the dev split)."""
    readings = dict.fromkeys(READINGS, 0.0)
    readings.update(score=0.5, coverage_credit=0.5, coverage_own=0.4, belief_own=0.4,
                    belief_supported=0.45, belief_max=0.7, belief_min=0.2, samples_grade=0.5,
                    samples_alike=0.7, off_topic=0.1, vague=0.05, bad_practice=0.05,
                    extent=2.3, concrete=0.2, relevant_share=0.6, relevance_mean=0.45,
                    relevance_top3=0.6, on_topic_clauses=6.0, log_on_topic_letters=4.3,
                    relevance_mean_kept=0.47, relevant_share_kept=0.65)
    return readings


def test_the_shipped_model_rises_with_the_points_and_falls_with_the_gates() -> None:
    """Monotone where `scripts/fit_answer_model.py` promises: a higher score, coverage or
    samples' grade never lowers the grade; a surer off-topic, vague or bad-practice belief
    never raises it."""
    model = load_answer_model()
    assert set(model.features) == set(READINGS)
    base = _typical()
    grid = np.linspace(0.0, 1.0, 11)
    for name in ("score", "coverage_credit", "belief_supported", "samples_grade"):
        grades = [model.fraction({**base, name: v}) for v in grid]
        assert all(b >= a - 1e-9 for a, b in zip(grades, grades[1:], strict=False)), name
    for name in ("off_topic", "vague", "bad_practice"):
        grades = [model.fraction({**base, name: v}) for v in grid]
        assert all(b <= a + 1e-9 for a, b in zip(grades, grades[1:], strict=False)), name
    strong = {**base, "score": 0.9, "coverage_credit": 0.9, "coverage_own": 0.9,
              "belief_own": 0.7, "belief_supported": 0.7, "belief_max": 0.9, "belief_min": 0.5,
              "samples_grade": 0.9, "samples_alike": 0.8, "off_topic": 0.02}
    weak = {**base, "score": 0.1, "coverage_credit": 0.1, "coverage_own": 0.1,
            "belief_own": 0.15, "belief_supported": 0.15, "belief_max": 0.3, "belief_min": 0.05,
            "samples_grade": 0.1, "off_topic": 0.8}
    assert model.fraction(strong) > 0.75 > 0.25 > model.fraction(weak)


def test_a_clean_answer_keeps_its_floor_and_one_a_gate_doubts_does_not(
        tmp_path: Path) -> None:
    """`floor`: a clean answer (every gate's belief under `clean_below`) keeps that share of
    its points; one the off-topic gate has doubts about goes where the model says; a score
    the model leaves as it was gets no reason."""
    model = dataclasses.replace(_tiny(tmp_path), floor=1.0, clean_below=0.1)
    low = {"score": 0.2, "off_topic": 0.05, "vague": 0.0, "bad_practice": 0.0}
    assert reread(_score(2.0), low, model) == _score(2.0)
    assert reread(_score(2.0), {**low, "off_topic": 0.2}, model).points == 1.0
    half = dataclasses.replace(model, floor=0.5)
    assert reread(_score(3.0), low, half).points == 1.5
    assert reread(_score(1.0), low, half) == _score(1.0)


def test_the_judge_reads_an_answer_as_a_whole_only_where_samples_exist(judge: Judge) -> None:
    """With the shipped samples the model has the last word; a bank of one's own, or a
    question edited so no sample fits it, is scored point by point."""
    question = resolve_bank("cs-en").question("17")  # a time you worked with another team
    text = ("At the water company a café owner rang because his bill had tripled. The meter "
            "readings looked fine to me, so I sat with the billing analyst and we went through "
            "his last six readings together; one had been typed with an extra zero. I rang him "
            "that afternoon to say the corrected bill would reach him by Friday, and it did. "
            "Afterwards we asked IT to flag any reading ten times the usual, so it hasn't "
            "happened since.")
    alone_judge = judge.with_answer_model(None)
    features = judge.measure(text, question)
    built = alone_judge.decide(features, question)
    readings = judge.readings(features, question, built)
    assert set(readings) == set(READINGS) and all(math.isfinite(v) for v in readings.values())
    assert judge.answer_model is not None
    whole = judge.score(text, question)
    assert whole == reread(built, readings, judge.answer_model)
    # A story told in words of its own: its points each read as borderline, the whole more.
    assert whole.points > built.points and "read as a whole" in whole.reasons[-1]
    edited = dataclasses.replace(question, prompt=question.prompt + " (edited)")
    assert judge.score(text, edited) == alone_judge.score(text, edited)
    assert not any("read as a whole" in r for r in judge.score(text, edited).reasons)


def test_refitting_without_scikit_learn_says_so_in_one_line() -> None:
    """The judge needs numpy only; the fit script names what it lacks and exits 2."""
    import importlib.util
    import subprocess
    import sys

    if importlib.util.find_spec("sklearn") is not None:
        pytest.skip("scikit-learn is installed here: the script would fit")
    script = Path(__file__).resolve().parents[2] / "scripts" / "fit_answer_model.py"
    done = subprocess.run([sys.executable, str(script), "--dry-run"], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip().count("\n") == 0 and "scikit-learn" in done.stderr
