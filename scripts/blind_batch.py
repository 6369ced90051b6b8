"""Make a blind batch of the judge's evaluation set (tests/data/judge_eval), step by step.

Writers see only the questions and the kind of answer to write, never a cue, key point,
example or score; graders see the question, its key-point labels and the answer, never the
kind, the judge or each other. Each step writes the files for the next people to read:

    scripts/blind_batch.py tasks DIR --letter u --split test --answers 128 [--seed 1]
        [--writers 4] [--english-weight 1] [--fewest N] [--question BANK:ID]...
        [--persona TEXT]...
        -> DIR/writerK.json (the questions and kinds), DIR/brief_writerK.md (what writer K
           reads; it answers in DIR/answersK.json), DIR/plan.json (banks, kinds; not for them)
    scripts/blind_batch.py grading DIR
        -> DIR/grading/answers.json (no kinds) and DIR/grading/brief_graderG.md (G = 1, 2;
           grader G answers in DIR/grading/gradesG.json)
    scripts/blind_batch.py merge DIR --split anchor|dev|test
        -> DIR/rows.jsonl, every grade checked, ready to append to answers.jsonl
    scripts/blind_batch.py score DIR
        -> the shipped judge's figures on DIR/rows.jsonl: read a batch before anything is
           changed because of it, and before it joins the samples (prompts/anchors.toml;
           a batch among them is compared with itself)

A file that is missing, not JSON, or has an answer or grade that does not fit (an id not
asked for, a credit per key point missing or not 0/0.5/1, a score off the 0.5 steps or
above the marks) is named in one line, exit 2. The briefs are
tests/data/judge_eval/briefs/*.md; docs/judge.md says how the set was built.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import judge_eval as je  # noqa: E402

from simulator.data import read_json  # noqa: E402
from simulator.errors import SimulatorError  # noqa: E402
from simulator.speech.non_answer import LANGUAGE_NAMES  # noqa: E402

BRIEFS = je.EVAL_SET.parent / "briefs"
GRADERS = 2
MIX = {"own_words": 24, "partial": 16, "off_topic": 16, "bad_practice": 16,
       "complete_plain": 14, "rambling": 10, "vague": 10, "list_bare": 7, "list_connected": 7}
"""The kinds of a batch of 120 (other sizes keep the shares)."""
KIND_BRIEF = {
    "own_words": "A complete, strong answer told in your own everyday words, the way a real "
    "candidate talks: concrete, what you would actually do and say, no textbook phrasing.",
    "complete_plain": "A complete, good answer in ordinary, plain interview wording.",
    "partial": "An answer that covers only one or two of the ideas a good answer needs, and "
    "leaves the rest out (not wrong, just incomplete).",
    "vague": "An answer made of general platitudes (attitude, positivity, 'do my best') "
    "without saying concretely what you would do.",
    "off_topic": "A fluent answer that drifts away from the question to something else (it "
    "may start near the topic, then talk about another subject).",
    "bad_practice": "A fluent, confident answer that recommends something a customer-service "
    "examiner would penalise (e.g. breaking privacy, skipping verification, blaming or arguing "
    "with the customer, making promises you cannot keep, ignoring the complaint), said as if "
    "it were sensible.",
    "rambling": "A spoken-style answer with fillers, hesitations and restarts (嗯、那个、就是 / "
    "um, like, you know), but with decent content underneath.",
    "list_bare": "Just a bare list of the actions or terms you think the answer needs, "
    "separated by commas, no sentences (like a candidate reciting key words).",
    "list_connected": "A list of key terms/actions joined only by 首先/然后/最后 or "
    "first/then/finally, without real sentences saying who does what and how.",
}


class BatchError(SimulatorError):
    """A file or value of the batch that does not fit; the message names it."""


def read_batch_file(path: Path, what: str) -> Any:
    return read_json(path, what, BatchError)


def write_json(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def brief(name: str, **fields: str) -> str:
    text = (BRIEFS / f"{name}.md").read_text(encoding="utf-8")
    for key, value in fields.items():
        text = text.replace(f"@{key.upper()}@", value)
    return text


def kinds_of(count: int, rng: random.Random, mix: dict[str, int] | None = None) -> list[str]:
    """`count` kinds in `mix`'s shares (MIX's by default; largest remainders), shuffled."""
    mix = mix or MIX
    total = sum(mix.values())
    exact = {kind: share * count / total for kind, share in mix.items()}
    counts = {kind: int(value) for kind, value in exact.items()}
    for kind in sorted(exact, key=lambda k: counts[k] - exact[k])[:count - sum(counts.values())]:
        counts[kind] += 1
    kinds = [kind for kind, n in counts.items() for _ in range(n)]
    rng.shuffle(kinds)
    return kinds


def fewest_samples(answers: list[je.EvalAnswer], keys: list[tuple[str, str]],
                   count: int) -> list[tuple[str, str]]:
    """The `count` questions of `keys` with the fewest graded samples (answers outside the
    test split), ties in the order of `keys`: where another batch adds the most."""
    samples = {key: 0 for key in keys}
    for answer in answers:
        key = (answer.bank, answer.question)
        if key in samples and answer.split != "test":
            samples[key] += 1
    return sorted(sorted(keys, key=lambda key: samples[key])[:count])


def parse_mix(text: str) -> dict[str, int]:
    """`own_words:24,list_bare:14` -> shares by kind (each a kind of KIND_BRIEF)."""
    mix: dict[str, int] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        kind, _, share = part.partition(":")
        if kind not in KIND_BRIEF or not share.isdigit() or int(share) < 1:
            raise BatchError(f"--mix {part}: expected KIND:SHARE, a kind of "
                             f"{', '.join(KIND_BRIEF)} and a whole share of at least 1")
        mix[kind] = int(share)
    if not mix:
        raise BatchError("--mix: no kind given")
    return mix


def tasks(out: Path, letter: str, split: str, count: int, seed: int, writers: int,
          english_weight: int, personas: list[str], fewest: int | None = None,
          mix: dict[str, int] | None = None, only: list[str] | None = None) -> None:
    if (out / "plan.json").exists():
        raise BatchError(f"{out}: already holds a batch (plan.json); use a new folder")
    answers = je.load_answers()
    if any(je.batch_of(a.id) == letter for a in answers):
        raise BatchError(f"--letter {letter}: already a batch of {je.EVAL_SET}")
    banks = je.load_banks()
    keys = sorted({(a.bank, a.question) for a in answers if a.split == split and a.bank in banks})
    if not keys:
        raise BatchError(f"--split {split}: no questions of that split in {je.EVAL_SET}")
    if only:
        asked = {tuple(key.split(":", 1)) for key in only}
        unknown = sorted(":".join(k) for k in asked - set(keys))
        if unknown:
            raise BatchError(f"--question {unknown[0]}: not a question of the {split} split "
                             f"(BANK:ID, as in cs-en:6)")
        keys = sorted(asked)
    if fewest is not None:
        keys = fewest_samples(answers, keys, fewest)
    questions = [banks[bank].question(qid) for bank, qid in keys]
    pool = [q for q in questions for _ in range(english_weight if q.language == "en" else 1)]
    rng = random.Random(seed)
    drawn = [pool[i % len(pool)] for i in range(count)]
    rng.shuffle(drawn)
    plan = [{"id": f"{q.bank}-{q.id}-{letter}{n}", "bank": q.bank, "question": q.id,
             "language": q.language, "kind": kind}
            for n, (q, kind) in enumerate(zip(drawn, kinds_of(count, rng, mix), strict=True))]
    prompts = {item["id"]: q.prompt for item, q in zip(plan, drawn, strict=True)}
    write_json(out / "plan.json", plan)
    for k in range(writers):
        mine = plan[k::writers]
        write_json(out / f"writer{k + 1}.json", [
            {"id": p["id"], "language": LANGUAGE_NAMES[p["language"]],
             "question": prompts[p["id"]], "kind": KIND_BRIEF[p["kind"]]} for p in mine])
        (out / f"brief_writer{k + 1}.md").write_text(brief(
            "writer", persona=personas[k % len(personas)] if personas else "a job candidate",
            task_file=str(out / f"writer{k + 1}.json"),
            out_file=str(out / f"answers{k + 1}.json")), encoding="utf-8")
    print(f"{out}: {count} tasks for {writers} writers over {len(questions)} questions")


def written(out: Path, plan: list[dict]) -> dict[str, str]:
    """Every planned answer, from the writers' files."""
    asked = {p["id"] for p in plan}
    found: dict[str, str] = {}
    for path in sorted(out.glob("answers*.json")):
        for row in read_batch_file(path, "writer's answers"):
            if not isinstance(row, dict) or row.get("id") not in asked:
                raise BatchError(f"{path}: {row.get('id') if isinstance(row, dict) else row!r}: "
                                 "not an id of this batch")
            if not isinstance(row.get("answer"), str) or not row["answer"].strip():
                raise BatchError(f"{path}: {row['id']}: no answer")
            found[row["id"]] = row["answer"].strip()
    missing = sorted(asked - set(found))
    if missing:
        raise BatchError(f"{out}: no answer for {len(missing)} tasks ({', '.join(missing[:3])})")
    return found


def grading(out: Path) -> None:
    plan = read_batch_file(out / "plan.json", "batch plan")
    texts = written(out, plan)
    banks = je.load_banks()
    items = []
    for p in plan:
        q = banks[p["bank"]].question(p["question"])
        items.append({"id": p["id"], "language": p["language"], "question": q.prompt,
                      "max_points": q.points,
                      "key_points": [{"label": kp.label, "weight": kp.weight}
                                     for kp in q.key_points],
                      "answer": texts[p["id"]]})
    write_json(out / "grading" / "answers.json", items)
    for g in range(1, GRADERS + 1):
        (out / "grading" / f"brief_grader{g}.md").write_text(brief(
            "grader", in_file=str(out / "grading" / "answers.json"),
            out_file=str(out / "grading" / f"grades{g}.json")), encoding="utf-8")
    print(f"{out / 'grading'}: {len(items)} answers for {GRADERS} graders")


def checked_grade(path: Path, row: Any, item: dict) -> dict:
    """One grader's grade of one answer, as the evaluation set stores it."""
    where = f"{path}: {item['id']}"
    points = len(item["key_points"])
    credits = row.get("credits")
    if (not isinstance(credits, list) or len(credits) != points
            or any(c not in (0, 0.5, 1) for c in credits)):
        raise BatchError(f"{where}: credits must be {points} values of 0, 0.5 or 1")
    score = row.get("score")
    if (not isinstance(score, (int, float)) or not 0 <= score <= item["max_points"]
            or (2 * score) % 1):
        raise BatchError(f"{where}: score must be 0 to {item['max_points']:g} in steps of 0.5")
    if not isinstance(row.get("breach", ""), str) or not isinstance(
            row.get("list_like", False), bool):
        raise BatchError(f"{where}: breach must be text and list_like true or false")
    return {"score": score, "credits": credits, "breach": row.get("breach", ""),
            "list_like": row.get("list_like", False)}


def merge(out: Path, split: str) -> None:
    plan = {p["id"]: p for p in read_batch_file(out / "plan.json", "batch plan")}
    items = read_batch_file(out / "grading" / "answers.json", "graders' answers")
    grades = []
    for g in range(1, GRADERS + 1):
        path = out / "grading" / f"grades{g}.json"
        rows = read_batch_file(path, "grades")
        by_id = {r.get("id"): r for r in rows if isinstance(r, dict)}
        if set(by_id) != {item["id"] for item in items} or len(rows) != len(items):
            raise BatchError(f"{path}: must grade each of the {len(items)} answers once")
        grades.append({item["id"]: checked_grade(path, by_id[item["id"]], item)
                       for item in items})
    with (out / "rows.jsonl").open("w", encoding="utf-8") as handle:
        for item in items:
            p = plan[item["id"]]
            handle.write(json.dumps({
                "id": item["id"], "bank": p["bank"], "question": p["question"],
                "language": p["language"], "kind": p["kind"], "split": split,
                "answer": item["answer"], "graders": [g[item["id"]] for g in grades]},
                ensure_ascii=False) + "\n")
    first, second = ([je.level(g[i["id"]]["score"], i["max_points"]) for i in items]
                     for g in grades)
    print(f"{out / 'rows.jsonl'}: {len(items)} answers; graders agree at QWK "
          f"{je.qwk(first, second):.3f}")


def score(out: Path) -> None:
    from eval_scoring import report

    from simulator.scoring.build import build_judge

    banks = je.load_banks()
    answers = je.usable(je.load_answers(out / "rows.jsonl"), banks)
    # A batch already among the graded samples is read against the other batches' only.
    judge_for = je.judge_per_batch(build_judge())
    report(f"{out.name}, the shipped judge",
           je.figures(answers, banks,
                      lambda a: judge_for(a).score(a.answer, je.question_of(a, banks)).points))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    steps = parser.add_subparsers(dest="step", required=True)
    make = steps.add_parser("tasks", help="the writers' tasks and briefs")
    make.add_argument("dir", type=Path)
    make.add_argument("--letter", required=True, help="the batch's id letter (unused so far)")
    make.add_argument("--split", required=True, choices=("dev", "test"),
                      help="whose questions to write answers to")
    make.add_argument("--answers", type=int, required=True)
    make.add_argument("--seed", type=int, default=1)
    make.add_argument("--writers", type=int, default=4)
    make.add_argument("--english-weight", type=int, default=1,
                      help="each English question drawn this many times as often")
    make.add_argument("--fewest", type=int, metavar="N",
                      help="only the N questions of the split with the fewest graded samples")
    make.add_argument("--question", action="append", default=[], metavar="BANK:ID",
                      help="only these questions of the split (repeat it)")
    make.add_argument("--persona", action="append", default=[], help="one per writer")
    make.add_argument("--mix", metavar="KIND:SHARE,...",
                      help="the kinds and their shares (default: the evaluation set's mix)")
    steps.add_parser("grading", help="the graders' file and briefs").add_argument(
        "dir", type=Path)
    join = steps.add_parser("merge", help="check the grades and write rows.jsonl")
    join.add_argument("dir", type=Path)
    join.add_argument("--split", required=True, choices=("anchor", "dev", "test"))
    steps.add_parser("score", help="the shipped judge's figures on rows.jsonl").add_argument(
        "dir", type=Path)
    args = parser.parse_args(argv)
    try:
        if args.step == "tasks":
            sizes = [args.answers, args.writers, args.english_weight]
            sizes += [] if args.fewest is None else [args.fewest]
            if not (args.letter.isascii() and args.letter.isalpha()) or min(sizes) < 1:
                raise BatchError("--letter must be ASCII letters; --answers, --writers, "
                                 "--english-weight and --fewest at least 1")
            tasks(args.dir, args.letter, args.split, args.answers, args.seed, args.writers,
                  args.english_weight, args.persona, args.fewest,
                  parse_mix(args.mix) if args.mix is not None else None, args.question)
        elif args.step == "grading":
            grading(args.dir)
        elif args.step == "merge":
            merge(args.dir, args.split)
        else:
            score(args.dir)
    except BatchError as error:
        print(f"blind_batch: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
