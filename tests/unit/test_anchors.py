"""Graded sample answers (`scoring/anchors.py`): the estimate from the closest samples, the
move of the score under the caps, the shipped file (never a test-split answer, in step with
the evaluation set) and its loader's one-line errors."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from simulator.bank.loader import resolve_bank
from simulator.errors import DataFileError
from simulator.scoring.anchors import (
    DEFAULT_ANCHORS_PATH,
    Anchor,
    AnchorEstimate,
    AnchorLibrary,
    AnchorSettings,
    Reading,
    answer_grade,
    load_anchors,
    point_values,
    question_key,
    toward_anchors,
    with_point_support,
)
from simulator.scoring.calibration import Logistic
from simulator.scoring.judge import Judge

ROOT = Path(__file__).resolve().parents[2]
EVAL_SET = ROOT / "tests" / "data" / "judge_eval" / "answers.jsonl"
QUESTION = resolve_bank("cs-zh").question("12")
SETTINGS = AnchorSettings(grade_weight=0.5, error_weight=0.5, neighbours=2, temperature=0.05,
                          min_anchors=3)


@pytest.fixture
def judge(judge: Judge) -> Judge:
    """The real judge without the answer model, so the samples' own move is what is read
    (the model that reads the answer as a whole last: `test_answer_model.py`)."""
    return judge.with_answer_model(None)


class WordEncoder:
    """A stand-in encoder: a text's vector is its counts of a few marker words, normalised,
    so "good" answers sit close to good samples and "bad" ones to bad samples."""

    WORDS = ("good", "bad", "list")

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        rows = np.array([[t.count(w) + 1e-3 for w in self.WORDS] for t in texts], np.float32)
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def _library(samples: Sequence[tuple[str, float]], settings: AnchorSettings = SETTINGS,
             question=QUESTION) -> AnchorLibrary:  # type: ignore[no-untyped-def]
    return AnchorLibrary(settings, {question_key(question): [
        Anchor(text, fraction, f"cs-zh-12-t{i}") for i, (text, fraction) in enumerate(samples)]})


def _read(text: str, judge: bool = True) -> Reading:
    """A sample read whole both ways; the judge's own score for it is 0.5 for all."""
    return Reading(text, text, 0.5)


def _answer(text: str, on_topic: str | None = None) -> Reading:
    return Reading(text, text if on_topic is None else on_topic)


SAMPLES = [("good good", 1.0), ("good", 0.875), ("bad bad", 0.0), ("bad", 0.125),
           ("list list", 0.25)]


def test_the_estimate_is_the_grade_of_the_closest_samples_and_the_judges_error() -> None:
    """Good answers sit near samples graded about 0.94 that the judge gave 0.5: their
    error is about +0.44; bad ones near samples graded about 0.06: about -0.44."""
    library = _library(SAMPLES)
    good = library.estimate(_answer("good good good"), QUESTION, WordEncoder(), _read)
    bad = library.estimate(_answer("bad bad bad"), QUESTION, WordEncoder(), _read)
    assert good is not None and bad is not None
    assert good.fraction > 0.85 and bad.fraction < 0.15
    assert good.error == pytest.approx(good.fraction - 0.5)
    assert bad.error == pytest.approx(bad.fraction - 0.5)
    assert good.samples == len(SAMPLES) and good.similarity > 0.99


def test_the_lower_of_the_two_readings_counts() -> None:
    """Small talk around a weak answer moves its whole reading toward chatty samples graded
    well, never its on-topic part: the grade is the lower of the two."""
    library = _library(SAMPLES)
    padded = library.estimate(_answer("good good good", "bad bad"), QUESTION, WordEncoder(),
                              _read)
    assert padded is not None and padded.fraction < 0.15


def test_no_estimate_without_enough_samples_a_clause_on_topic_an_encoder_or_a_weight() -> None:
    assert _library(SAMPLES[:2]).estimate(_answer("good"), QUESTION, WordEncoder(), _read) is None
    assert _library(SAMPLES).estimate(_answer("good", ""), QUESTION, WordEncoder(), _read) is None
    off = _library(SAMPLES, dataclasses.replace(SETTINGS, grade_weight=0.0, error_weight=0.0))
    assert off.estimate(_answer("good"), QUESTION, WordEncoder(), _read) is None

    class NoMeaning:
        def encode(self, texts: Sequence[str]) -> np.ndarray:
            return np.zeros((len(texts), 1), np.float32)

    assert _library(SAMPLES).estimate(_answer("good"), QUESTION, NoMeaning(), _read) is None


def test_an_edited_question_gets_no_samples() -> None:
    """Samples are filed under the prompt and the key-point labels: a user who rewords the
    question or its points has a different question, graded by the judge alone."""
    library = _library(SAMPLES)
    reworded = dataclasses.replace(QUESTION, prompt=QUESTION.prompt + "？")
    relabelled = dataclasses.replace(QUESTION, key_points=(
        dataclasses.replace(QUESTION.key_points[0], label="另一个要点"),
        *QUESTION.key_points[1:]))
    assert library.samples(QUESTION)
    assert not library.samples(reworded) and not library.samples(relabelled)
    assert question_key(QUESTION) == question_key(dataclasses.replace(QUESTION, points=9.0))


def test_leaving_out_samples_keeps_the_rest_and_reads_each_sample_once() -> None:
    library = _library(SAMPLES)
    fewer = library.without(lambda a: a.source.endswith("t0"))
    assert len(library) == len(SAMPLES) and len(fewer) == len(SAMPLES) - 1
    assert fewer.settings == library.settings
    assert library.with_settings(grade_weight=0.1).settings.grade_weight == 0.1
    read: list[str] = []

    def counting(text: str, judge: bool) -> Reading:
        read.append(text)
        return _read(text, judge)

    library.estimate(_answer("good"), QUESTION, WordEncoder(), counting)
    fewer.estimate(_answer("bad"), QUESTION, WordEncoder(), counting)
    assert sorted(read) == sorted(text for text, _ in SAMPLES)


def test_the_judges_error_counts_only_on_samples_alike() -> None:
    assert SETTINGS.error_share(0.4) == 0.0
    assert SETTINGS.error_share(0.6) == pytest.approx(SETTINGS.error_weight / 2)
    assert SETTINGS.error_share(0.9) == SETTINGS.error_weight


def test_the_move_never_passes_a_cap() -> None:
    estimate = _library(SAMPLES).estimate(_answer("good good"), QUESTION, WordEncoder(), _read)
    assert estimate is not None
    moved, why = toward_anchors(1.0, 4.0, 4.0, estimate, SETTINGS)
    # Half way from 1.0 toward about 3.8, plus half of about +1.8.
    assert 3.2 < moved < 3.4 and "of the way there" in why and "closest cosine 1.00" in why
    capped, _ = toward_anchors(1.0, 1.2, 4.0, estimate, SETTINGS)
    assert capped == 1.2


ANSWERS_12 = [
    "真不好意思让您久等了，我马上查一下您的订单卡在哪里，今天下午五点前给您发出去，运费我们来出。",
    "先跟客户道个歉，然后去系统里看物流，跟仓库确认好时间，再打电话告诉他具体哪天到。",
    "我会先安抚他，说明延迟的原因，给一个确定的发货时间，发出去以后再跟进一下有没有收到。",
    "这个问题我觉得主要是要态度好，让客户满意就行。",
    "道歉，核实，补偿，跟进。",
]


def test_the_judge_moves_toward_the_samples_but_not_past_its_caps(judge: Judge) -> None:
    """The real judge with samples of one grade: an answer moves toward them, saying so; a
    list stays under the list cap, and an answer with a breach heard is never raised."""

    def judged(text: str, grade: float):  # type: ignore[no-untyped-def]
        library = _library([(t, grade) for t in ANSWERS_12])
        return (judge.with_anchors(None).score(text, QUESTION),
                judge.with_anchors(library).score(text, QUESTION))

    text = "我先跟客户说声抱歉，再去后台查一下他的单子，今天之内给他一个准确的发货时间。"
    before, after = judged(text, 1.0)
    assert after.points > before.points and "graded sample answers" in after.reasons[-1]
    before, after = judged(text, 0.0)
    assert after.points < before.points
    _, listed = judged("道歉，安抚，核实，补偿，跟进，记录。", 1.0)
    assert listed.list_like and listed.fraction <= judge.calibration.list_cap + 1e-9
    before, after = judged("没货也没关系，我就跟他说已经发出去了，让他再等等，他也查不到。", 1.0)
    assert before.breaches and after.points <= before.points


def test_a_breach_heard_in_an_answer_like_well_graded_samples_is_lifted(judge: Judge) -> None:
    """A bad practice heard caps the answer; when the samples most like it were graded well
    it may be a false alarm, and up to `breach_lift_cap` of the marks may stand (from
    `breach_lift_from` part of the way, from `breach_lift_full` all of it), still named as
    bad practice. Samples graded low leave the cap as it was."""
    lifting = dataclasses.replace(SETTINGS, breach_lift_from=0.6, breach_lift_full=0.8,
                                  breach_lift_cap=0.4)
    assert [lifting.breach_lift(f) for f in (0.0, 0.6, 0.7, 0.8, 1.0)] == pytest.approx(
        [0.0, 0.0, 0.5, 1.0, 1.0])
    text = "没货也没关系，我就跟他说已经发出去了，让他再等等，他也查不到。"

    def judged(grade: float, settings: AnchorSettings = lifting):  # type: ignore[no-untyped-def]
        library = _library([(t, grade) for t in ANSWERS_12], settings)
        return judge.with_anchors(library).score(text, QUESTION)

    never = judged(1.0, SETTINGS)
    assert never.breaches and never.points == 0.0
    low, high = judged(0.0), judged(1.0)
    assert low.breaches and low.points == 0.0
    assert 0.0 < high.points <= 0.4 * QUESTION.points and high.breaches
    assert "may be a false alarm" in high.reasons[-1] and "up to 40% may stand" in (
        high.reasons[-1])
    partly = judged(0.72)
    assert partly.breaches and 0.0 < partly.points < high.points


def test_the_shipped_judges_scores_are_used_only_by_the_same_judge() -> None:
    """The samples carry the shipped judge's own scores; a judge with other settings is not
    trusted with them and scores the samples itself."""
    from simulator.config import ScoringConfig
    from simulator.scoring.build import build_judge

    assert build_judge().anchors.trusted
    assert not build_judge(ScoringConfig(critical_cap=0.4)).anchors.trusted
    library = _library(SAMPLES)
    library._by_question = {k: tuple(dataclasses.replace(a, judged=0.9) for a in v)  # noqa: SLF001
                            for k, v in library._by_question.items()}  # noqa: SLF001
    asked: list[bool] = []

    def reader(text: str, judge: bool) -> Reading:
        asked.append(judge)
        return _read(text, judge)

    library.trusted = True
    trusted = library.estimate(_answer("good"), QUESTION, WordEncoder(), reader)
    assert trusted is not None and not any(asked)
    assert trusted.error == pytest.approx(trusted.fraction - 0.9)


def test_the_shipped_samples_hold_no_test_answer() -> None:
    """Every sample is an answer of the dev or anchor split, with its graders' grade; none
    is from the test split, which stays unseen."""
    rows = {json.loads(line)["id"]: json.loads(line)
            for line in EVAL_SET.read_text(encoding="utf-8").splitlines()}
    library = load_anchors()
    sources = [a for samples in library._by_question.values() for a in samples]  # noqa: SLF001
    assert len(sources) >= 1000
    assert all(rows[a.source]["split"] in ("dev", "anchor") for a in sources)
    assert all(rows[a.source]["answer"] == a.text for a in sources)
    assert {a.source for a in sources} == {i for i, r in rows.items()
                                          if r["split"] in ("dev", "anchor")}


def test_the_shipped_samples_are_built_from_the_evaluation_set() -> None:
    """`prompts/anchors.toml` is exactly what `scripts/build_anchors.py` writes now: every
    text, grade and setting, and the judge's own score for one sample in twenty (recomputing
    all takes 73 s; a code change that moves scores moves many, and one in twenty is 246 of
    them, in 22 s against 32 s for one in ten: the suite stays inside its bound)."""
    if not (ROOT.parent / "shared" / "seeds").is_dir():
        pytest.skip("../shared/seeds is not beside the checkout")
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_anchors.py"),
                           "--check", "--check-every", "20"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


_SETTINGS = ("grade_weight = 0.2\nerror_weight = 0.5\nneighbours = 3\ntemperature = 0.05\n"
             "min_anchors = 3\nalike_from = 0.5\nalike_full = 0.7\n")


@pytest.mark.parametrize("text, complaint", [
    ("grade_weight = 0.3\n", "field missing or invalid"),
    (_SETTINGS.replace("0.2", "2.0") + "question = []\n",
     "needs grade_weight, error_weight, point_weight and breach_lift_cap in [0, 1]"),
    (_SETTINGS + "point_weight = 1.5\nquestion = []\n", "point_weight and breach_lift_cap"),
    (_SETTINGS + "breach_lift_cap = 1.5\nquestion = []\n", "breach_lift_cap in [0, 1]"),
    (_SETTINGS + "breach_lift_from = 0.8\nbreach_lift_full = 0.6\nquestion = []\n",
     "breach_lift_from < breach_lift_full"),
    (_SETTINGS + '[[question]]\nkey = "k"\n[[question.answer]]\nsource = "s"\n'
     'fraction = 1\ncredits = [1, 2]\ntext = "t"\n', "fraction and credits must be in [0, 1]"),
    (_SETTINGS + 'question = []\n[point_support]\nfeatures = ["belief_logit"]\nmean = [0]\n'
     'scale = [0]\nweights = [1]\nbias = 0\n', "field missing or invalid"),
    (_SETTINGS + 'question = []\n[point_support]\nfeatures = ["belief"]\nmean = [0]\n'
     'scale = [1]\nweights = [1]\nbias = 0\n', "[point_support] features among belief_logit"),
    (_SETTINGS + '[[question]]\nkey = "k"\n[[question.answer]]\nsource = "s"\n'
     'fraction = 1.5\ntext = "t"\n', "fraction and credits must be in [0, 1]"),
    ("grade_weight = ", "anchors.toml"),
])
def test_a_broken_file_is_named_in_one_line(tmp_path: Path, text: str, complaint: str) -> None:
    path = tmp_path / "anchors.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataFileError) as caught:
        load_anchors(path)
    assert str(path) in str(caught.value) and complaint in str(caught.value)
    assert "\n" not in str(caught.value)


def test_the_shipped_file_loads() -> None:
    library = load_anchors(DEFAULT_ANCHORS_PATH)
    assert 0 < library.settings.grade_weight < 1 and 0 < library.settings.error_weight < 1
    assert 0 < library.settings.point_weight <= 1 and library.settings.point_model is not None
    samples = [a for v in library._by_question.values() for a in v]  # noqa: SLF001
    assert all(a.credits for a in samples)
    assert len(library.samples(QUESTION)) >= library.settings.min_anchors


def _credited(samples: Sequence[tuple[str, tuple[float, ...]]],
              settings: AnchorSettings) -> AnchorLibrary:
    return AnchorLibrary(settings, {question_key(QUESTION): [
        Anchor(text, sum(c) / len(c), f"cs-zh-12-c{i}", credits=c)
        for i, (text, c) in enumerate(samples)]})


def _read_clauses(text: str, judge: bool = True) -> Reading:
    """A sample read with its comma-separated clauses encoded."""
    return Reading(text, text, 0.5, WordEncoder().encode(text.split(",")))


N_POINTS = len(QUESTION.key_points)
MADE_FIRST = (1.0,) + (0.0,) * (N_POINTS - 1)
MADE_NONE = (0.0,) * N_POINTS
CREDITED = [("good,list", MADE_FIRST), ("list,good", MADE_FIRST), ("good,bad", MADE_FIRST),
            ("bad,list", MADE_NONE), ("list,list", MADE_NONE), ("bad", MADE_NONE)]
POINTS_ON = dataclasses.replace(SETTINGS, point_weight=1.0, point_neighbours=3)


def test_the_point_support_is_how_often_the_closest_clauses_samples_made_the_point() -> None:
    """A clause like those of the samples that made the first point ("good") finds them; a
    clause every sample says ("list") finds samples of both kinds; the question's average
    credit for each point comes with it."""
    library = _credited(CREDITED, POINTS_ON)
    clauses = WordEncoder().encode(["good", "good"])
    support = library.point_support(clauses, QUESTION, WordEncoder(), _read_clauses)
    assert support is not None and len(support) == N_POINTS
    assert support[0] == (pytest.approx(1.0), pytest.approx(0.5))
    assert all(best == 0.0 for best, _ in support[1:])
    mixed = library.point_support(WordEncoder().encode(["list", "list"]), QUESTION,
                                  WordEncoder(), _read_clauses)
    assert mixed is not None and 0.0 < mixed[0][0] < 1.0
    bad = library.point_support(WordEncoder().encode(["bad", "bad"]), QUESTION,
                                WordEncoder(), _read_clauses)
    assert bad is not None and bad[0][0] < 0.5


def test_no_point_support_when_off_too_few_credited_samples_or_no_clause() -> None:
    clauses = WordEncoder().encode(["good"])
    off = _credited(CREDITED, SETTINGS)
    assert off.point_support(clauses, QUESTION, WordEncoder(), _read_clauses) is None
    wrong_length = [(text, c[:-1]) for text, c in CREDITED]
    assert _credited(wrong_length, POINTS_ON).point_support(
        clauses, QUESTION, WordEncoder(), _read_clauses) is None
    few = _credited(CREDITED[:2], POINTS_ON)
    assert few.point_support(clauses, QUESTION, WordEncoder(), _read_clauses) is None
    empty = np.zeros((0, 3), np.float32)
    assert _credited(CREDITED, POINTS_ON).point_support(
        empty, QUESTION, WordEncoder(), _read_clauses) is None


MODEL = Logistic(("belief_logit", "samples_best", "samples_average"), (0.0, 0.5, 0.5),
                 (1.0, 0.25, 0.25), (1.0, 2.0, -0.5), 0.0)


def test_the_point_model_moves_a_belief_with_the_support_and_only_when_on() -> None:
    settings = dataclasses.replace(POINTS_ON, point_weight=0.5, point_model=MODEL)
    low, high = with_point_support([0.3, 0.3], [(0.1, 0.5), (0.95, 0.5)], settings, 0.5)
    assert low < 0.3 < high
    assert with_point_support([0.3], [(0.95, 0.5)], POINTS_ON, 0.5) == [0.3]  # no model
    assert point_values(0.5, (0.7, 0.4), 0.9) == {"belief_logit": 0.0, "samples_best": 0.7,
                                                  "samples_average": 0.4, "answer_grade": 0.9}
    assert np.isfinite(point_values(1.0, (0.0, 0.0), 0.0)["belief_logit"])


def test_a_borderline_point_of_an_answer_like_strong_samples_is_believed_more() -> None:
    """Graders credit the points of a strong answer in words of its own that the evidence
    alone reads as borderline: the same point's belief rises with what the samples most like
    the whole answer earned, and without an estimate the samples' average credit stands in."""
    graded = Logistic((*MODEL.features, "answer_grade"), (*MODEL.mean, 0.5), (*MODEL.scale, 0.25),
                      (*MODEL.weights, 1.5), 0.0)
    settings = dataclasses.replace(POINTS_ON, point_weight=0.5, point_model=graded)
    weak, strong = (with_point_support([0.4], [(0.5, 0.5)], settings, g)[0] for g in (0.2, 0.9))
    assert weak < 0.4 < strong
    estimate = AnchorEstimate(fraction=0.9, error=0.0, similarity=0.8, samples=20)
    assert answer_grade(estimate, [(0.5, 0.2)]) == 0.9
    assert answer_grade(None, [(0.5, 0.2), (0.5, 0.6)]) == pytest.approx(0.4)
    assert answer_grade(None, None) == 0.0


def test_the_judge_credits_a_point_other_writers_made_in_these_words(judge: Judge) -> None:
    """The real judge: with samples that made every point in the words of `ANSWERS_12`, an
    answer in those words earns more points than alone and says why; with samples that made
    none, it earns fewer."""
    text = ANSWERS_12[2]

    def scored(credit: float):  # type: ignore[no-untyped-def]
        settings = dataclasses.replace(SETTINGS, grade_weight=0.0, error_weight=0.0,
                                       point_weight=1.0, point_model=MODEL)
        library = _credited([(t, (credit,) * N_POINTS) for t in ANSWERS_12 * 2], settings)
        return judge.with_anchors(library).score(text, QUESTION)

    alone = judge.with_anchors(None).score(text, QUESTION)
    made, missed = scored(1.0), scored(0.0)
    assert made.points > alone.points > missed.points
    assert any("graded sample answers whose clauses" in r for r in made.reasons)



def test_small_talk_around_an_answer_leaves_the_point_support_as_it_was(judge: Judge) -> None:
    """Only the clauses about the question are compared with the samples' clauses: talk
    about the weekend added around an answer finds samples of every grade, and more clauses
    read would mean more chances of one landing near a sample that made a point."""
    settings = dataclasses.replace(SETTINGS, point_weight=1.0, point_model=MODEL)
    library = _credited([(t, (1.0,) * N_POINTS) for t in ANSWERS_12 * 2], settings)
    weighted = judge.with_anchors(library)
    text = ANSWERS_12[1]
    padded = "我周末喜欢去爬山，天气好的时候还会带上相机。" + text + "我家的猫特别喜欢晒太阳。"
    plain = weighted.measure(text, QUESTION).point_samples
    assert plain is not None and plain == weighted.measure(padded, QUESTION).point_samples
    small_talk = "我周末喜欢去爬山，天气好的时候还会带上相机。"
    assert weighted.measure(small_talk, QUESTION).point_samples is None
