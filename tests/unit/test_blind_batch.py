"""`scripts/blind_batch.py`: a blind batch of the evaluation set, from the writers' tasks to
the rows the set stores. Writers must never see what the judge is judged on, graders never
the kind of answer they grade, and a grade that does not fit is refused in one line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "blind_batch.py"
sys.path.insert(0, str(ROOT / "scripts"))
import judge_eval as je  # noqa: E402


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Tasks for 10 answers to dev questions by two writers, written and graded by stand-ins."""
    out = tmp_path_factory.mktemp("batch")
    made = run("tasks", str(out), "--letter", "qq", "--split", "dev", "--answers", "10",
               "--writers", "2", "--persona", "a hotel receptionist")
    assert made.returncode == 0, made.stderr
    for k in (1, 2):
        tasks = json.loads((out / f"writer{k}.json").read_text(encoding="utf-8"))
        (out / f"answers{k}.json").write_text(json.dumps(
            [{"id": t["id"], "answer": f"I would listen first and then help ({t['id']})."}
             for t in tasks]), encoding="utf-8")
    graded = run("grading", str(out))
    assert graded.returncode == 0, graded.stderr
    return out


def grades(batch: Path, score: float = 1.0, credit: float = 0.5) -> list[dict]:
    items = json.loads((batch / "grading" / "answers.json").read_text(encoding="utf-8"))
    return [{"id": i["id"], "credits": [credit] * len(i["key_points"]), "breach": "",
             "list_like": False, "score": min(score, i["max_points"])} for i in items]


def write_grades(batch: Path, first: list[dict], second: list[dict]) -> None:
    for g, rows in ((1, first), (2, second)):
        (batch / "grading" / f"grades{g}.json").write_text(json.dumps(rows), encoding="utf-8")


def test_writers_see_the_questions_and_kinds_never_the_key_points(batch: Path) -> None:
    banks = je.load_banks()
    plan = json.loads((batch / "plan.json").read_text(encoding="utf-8"))
    assert len(plan) == 10 and len({p["id"] for p in plan}) == 10
    assert all(p["id"].endswith(f"qq{n}") for n, p in enumerate(plan))
    shown = "".join((batch / f"{name}{k}.{ext}").read_text(encoding="utf-8")
                    for k in (1, 2) for name, ext in (("writer", "json"), ("brief_writer", "md")))
    for p in plan:
        question = banks[p["bank"]].question(p["question"])
        assert question.prompt in shown
        for point in question.key_points:
            assert point.label not in shown
            assert not any(example in shown for example in point.examples)
    assert "a hotel receptionist" in shown
    assert not any(marker in shown for marker in ("@PERSONA@", "@TASK_FILE@", "@OUT_FILE@"))


def test_graders_see_the_key_points_never_the_kind(batch: Path) -> None:
    text = (batch / "grading" / "answers.json").read_text(encoding="utf-8")
    items = json.loads(text)
    assert len(items) == 10 and all(i["key_points"] and i["answer"] for i in items)
    plan = json.loads((batch / "plan.json").read_text(encoding="utf-8"))
    assert not any(f'"{p["kind"]}"' in text for p in plan)
    assert all(set(i) == {"id", "language", "question", "max_points", "key_points", "answer"}
               for i in items)
    for g in (1, 2):
        brief = (batch / "grading" / f"brief_grader{g}.md").read_text(encoding="utf-8")
        assert f"grades{g}.json" in brief and "answers.json" in brief
        assert "@IN_FILE@" not in brief and "@OUT_FILE@" not in brief


def test_merged_rows_read_as_the_evaluation_set(batch: Path) -> None:
    write_grades(batch, grades(batch, 1.0, 0.5), grades(batch, 1.5, 1))
    merged = run("merge", str(batch), "--split", "dev")
    assert merged.returncode == 0, merged.stderr
    assert "graders agree at QWK" in merged.stdout
    answers = je.load_answers(batch / "rows.jsonl")
    assert len(answers) == 10 and {a.split for a in answers} == {"dev"}
    assert all(a.human == 1.25 for a in answers)
    assert {je.batch_of(a.id) for a in answers} == {"qq"}


@pytest.mark.parametrize(("change", "named"), [
    (lambda rows: rows[0].update(credits=[0.5]), "credits must be"),
    (lambda rows: rows[1].update(credits=[0.3] * 2), "credits must be"),
    (lambda rows: rows[2].update(score=0.25), "score must be"),
    (lambda rows: rows[3].update(score=99), "score must be"),
    (lambda rows: rows[4].update(list_like="yes"), "list_like"),
    (lambda rows: rows.pop(), "must grade each of the 10 answers once"),
])
def test_a_grade_that_does_not_fit_is_named_in_one_line(batch: Path, change, named) -> None:
    second = grades(batch)
    change(second)
    write_grades(batch, grades(batch), second)
    merged = run("merge", str(batch), "--split", "dev")
    assert merged.returncode == 2
    lines = merged.stderr.strip().splitlines()
    assert len(lines) == 1 and named in lines[0] and "grades2.json" in lines[0]


def test_a_used_letter_or_missing_answers_are_refused(batch: Path, tmp_path: Path) -> None:
    used = run("tasks", str(tmp_path / "b"), "--letter", "r", "--split", "dev", "--answers", "4")
    assert used.returncode == 2 and "--letter r: already a batch" in used.stderr
    assert not (tmp_path / "b").exists()
    again = run("tasks", str(batch), "--letter", "qq", "--split", "dev", "--answers", "4")
    assert again.returncode == 2 and "already holds a batch" in again.stderr
    assert len(json.loads((batch / "plan.json").read_text(encoding="utf-8"))) == 10
    odd = run("tasks", str(tmp_path / "c"), "--letter", "q1", "--split", "dev", "--answers", "4")
    assert odd.returncode == 2 and "--letter must be ASCII letters" in odd.stderr
    (batch / "answers2.json").rename(tmp_path / "kept.json")
    try:
        missing = run("grading", str(batch))
    finally:
        (tmp_path / "kept.json").rename(batch / "answers2.json")
    assert missing.returncode == 2
    assert len(missing.stderr.strip().splitlines()) == 1 and "no answer for 5 tasks" in (
        missing.stderr)
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "plan.json").write_text("{not json", encoding="utf-8")
    assert "plan.json: batch plan is not valid JSON" in run("grading", str(broken)).stderr


def test_fewest_draws_the_questions_with_the_fewest_samples(tmp_path: Path) -> None:
    """`--fewest N`: a batch adds to the questions the judge has the fewest graded answers
    for (answers outside the test split are its samples)."""
    made = run("tasks", str(tmp_path / "f"), "--letter", "qf", "--split", "dev", "--answers",
               "12", "--writers", "1", "--fewest", "3")
    assert made.returncode == 0, made.stderr
    drawn = {(p["bank"], p["question"])
             for p in json.loads((tmp_path / "f" / "plan.json").read_text(encoding="utf-8"))}
    answers = je.load_answers()
    counts: dict[tuple[str, str], int] = {}
    for a in answers:
        if a.split == "dev":
            counts[(a.bank, a.question)] = counts.get((a.bank, a.question), 0) + 1
    assert len(drawn) == 3
    assert max(counts[key] for key in drawn) <= min(
        n for key, n in counts.items() if key not in drawn)
    bad = run("tasks", str(tmp_path / "g"), "--letter", "qg", "--split", "dev", "--answers",
              "4", "--fewest", "0")
    assert bad.returncode == 2 and "--fewest at least 1" in bad.stderr


def test_question_draws_only_the_questions_named(tmp_path: Path) -> None:
    """`--question BANK:ID` (repeated): a batch for the questions a change is about (the
    story questions); a question outside the split is named in one line, exit 2."""
    made = run("tasks", str(tmp_path / "s"), "--letter", "qs", "--split", "dev", "--answers",
               "8", "--writers", "1", "--question", "cs-en:6", "--question", "cs-zh:3")
    assert made.returncode == 0, made.stderr
    drawn = {(p["bank"], p["question"])
             for p in json.loads((tmp_path / "s" / "plan.json").read_text(encoding="utf-8"))}
    assert drawn == {("cs-en", "6"), ("cs-zh", "3")}
    test_question = next(a for a in je.load_answers() if a.split == "test")
    bad = run("tasks", str(tmp_path / "t"), "--letter", "qt", "--split", "dev", "--answers",
              "4", "--question", f"{test_question.bank}:{test_question.question}")
    assert bad.returncode == 2 and "not a question of the dev split" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "t" / "plan.json").exists()


def test_mix_sets_the_kinds_and_a_bad_mix_is_one_line(tmp_path: Path) -> None:
    """`--mix KIND:SHARE,...`: a batch weighted toward the kinds the judge gets wrong; an
    unknown kind or share is named in one line, exit 2, and no folder is written."""
    made = run("tasks", str(tmp_path / "m"), "--letter", "qm", "--split", "dev", "--answers",
               "12", "--writers", "2", "--mix", "list_bare:1,own_words:2")
    assert made.returncode == 0, made.stderr
    kinds = [p["kind"] for p in
             json.loads((tmp_path / "m" / "plan.json").read_text(encoding="utf-8"))]
    assert sorted(kinds) == ["list_bare"] * 4 + ["own_words"] * 8
    for mix in ("lists:3", "own_words:0", "own_words:x", ","):
        bad = run("tasks", str(tmp_path / "n"), "--letter", "qn", "--split", "dev",
                  "--answers", "4", "--mix", mix)
        assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1, mix
        assert "--mix" in bad.stderr and not (tmp_path / "n").exists()
