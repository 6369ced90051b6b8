"""The blind evaluation set of the judge, and the figures computed on it.

`tests/data/judge_eval/answers.jsonl` holds spoken-style answers to the questions of cs-zh,
cs-en and the banks imported from seed documents 000 and 003 (`../shared/seeds/`), written
by helpers who saw only the questions (never the cues, key points or examples) in a fixed
mix of kinds, and graded by two other helpers each, independently, from the question and its
key-point labels (0.5-point steps, per key point credits, breach and list flags). A third
of the questions (and all their answers) form the test split, frozen before any tuning;
`scripts/calibrate_judge.py` fits on the dev split only. The `anchor` split holds answers
to the test questions written later by other writers, only as graded samples for the judge
to compare with (`scripts/build_anchors.py`); nothing is fitted or chosen on them. See
docs/judge.md.

Used by `scripts/eval_scoring.py`, `scripts/calibrate_judge.py` and the tests.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a plain script from a source checkout
    sys.path.insert(0, str(ROOT))

from simulator.bank.importer import import_document  # noqa: E402
from simulator.bank.loader import resolve_bank  # noqa: E402
from simulator.bank.model import Bank, Question  # noqa: E402
from simulator.scoring.judge import Judge  # noqa: E402

EVAL_SET = ROOT / "tests" / "data" / "judge_eval" / "answers.jsonl"
SEEDS = ROOT.parent / "shared" / "seeds"
SEED_DOCUMENTS = {"seed000": "000_1e2ed2bcea4e66bd.txt", "seed003": "003_57e0a3ce9bfbd22b.txt"}
"""The imported banks of the set: seed 000 (答案要点 lists) and seed 003 (model answers)."""
KINDS = (
    "own_words",
    "complete_plain",
    "rambling",
    "partial",
    "vague",
    "list_bare",
    "list_connected",
    "off_topic",
    "bad_practice",
)
LIST_KINDS = ("list_bare", "list_connected")


@dataclass(frozen=True)
class EvalAnswer:
    """One answer of the set with its two grades."""

    id: str
    bank: str
    question: str
    language: str
    kind: str
    split: str
    answer: str
    scores: tuple[float, float]
    credits: tuple[tuple[float, ...], tuple[float, ...]]
    breach: bool
    """Either grader named a breach."""

    @property
    def human(self) -> float:
        """The graders' mean score."""
        return (self.scores[0] + self.scores[1]) / 2

    def point_credit(self, index: int) -> float | None:
        """The graders' mean credit for key point `index` (None if a grader gave none)."""
        a, b = self.credits
        return (a[index] + b[index]) / 2 if index < len(a) and index < len(b) else None


def load_answers(path: Path = EVAL_SET, split: str | None = None) -> list[EvalAnswer]:
    """The answers (of one split, or all)."""
    answers = []
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if split is not None and row["split"] != split:
            continue
        a, b = row["graders"]
        answers.append(
            EvalAnswer(
                id=row["id"],
                bank=row["bank"],
                question=row["question"],
                language=row["language"],
                kind=row["kind"],
                split=row["split"],
                answer=row["answer"],
                scores=(float(a["score"]), float(b["score"])),
                credits=(tuple(a["credits"]), tuple(b["credits"])),
                breach=bool(a["breach"]) or bool(b["breach"]),
            )
        )
    return answers


def load_banks(seeds: Path = SEEDS) -> dict[str, Bank]:
    """cs-zh, cs-en and, when `../shared/seeds` is beside the checkout, the banks `import`
    makes from seed documents 000 and 003 (imported now, exactly as a user would)."""
    banks = {"cs-zh": resolve_bank("cs-zh"), "cs-en": resolve_bank("cs-en")}
    for bank_id, name in SEED_DOCUMENTS.items():
        document = seeds / name
        if document.is_file():
            banks[bank_id] = import_document(
                document.read_text(encoding="utf-8"), bank_id=bank_id
            ).bank
        else:
            print(
                f"note: {document} not found; answers to the bank imported from it are skipped",
                file=sys.stderr,
            )
    return banks


def usable(answers: Iterable[EvalAnswer], banks: dict[str, Bank]) -> list[EvalAnswer]:
    """The answers whose bank is available."""
    return [a for a in answers if a.bank in banks]


def question_of(answer: EvalAnswer, banks: dict[str, Bank]) -> Question:
    question = banks[answer.bank].question(answer.question)
    if question is None:
        raise KeyError(f"{answer.id}: question {answer.question} not in bank {answer.bank}")
    return question


def batch_of(answer_id: str) -> str:
    """The writers' batch an answer came from: the letters of its last id part
    (`cs-zh-12-j3` -> `j`; each batch was written by its own writers)."""
    match = re.match(r"[A-Za-z_]+", answer_id.rsplit("-", 1)[-1])
    return match.group(0) if match else answer_id


def judge_per_batch(judge: Judge) -> Callable[[EvalAnswer], Judge]:
    """For each answer, the judge whose graded samples (`prompts/anchors.toml`, the dev
    split) leave out the answer's own batch: an answer of the set is never compared with
    itself or with its writers' other answers, as a new candidate's never is."""
    judges: dict[str, Judge] = {}

    def judge_for(answer: EvalAnswer) -> Judge:
        batch = batch_of(answer.id)
        if batch not in judges:
            judges[batch] = judge.with_anchors(
                judge.anchors.without(lambda a, b=batch: batch_of(a.source) == b)
                if judge.anchors is not None else None)
        return judges[batch]

    return judge_for


def level(points: float, max_points: float) -> int:
    """Score/max in five levels (0-4), as QWK is computed."""
    return int(round(4 * points / max_points)) if max_points else 0


def qwk(a: Sequence[int], b: Sequence[int], levels: int = 5) -> float:
    """Quadratic weighted kappa between two ratings on 0..levels-1."""
    observed = np.zeros((levels, levels))
    for i, j in zip(a, b, strict=True):
        observed[i, j] += 1
    if not observed.sum():
        return float("nan")
    expected = np.outer(observed.sum(1), observed.sum(0)) / observed.sum()
    weights = np.array([[(i - j) ** 2 for j in range(levels)] for i in range(levels)])
    denominator = (weights * expected).sum()
    return float(1 - (weights * observed).sum() / denominator) if denominator else 1.0


@dataclass(frozen=True)
class Figures:
    """What one scorer achieved on a set of answers."""

    n: int
    qwk: float
    qwk_zh: float
    qwk_en: float
    lists_at_half: tuple[int, int]
    kind_means: dict[str, tuple[float, float, int]]
    """kind -> (graders' mean score/max, scorer's mean score/max, count)."""

    def mean(self, kind: str) -> float:
        return self.kind_means.get(kind, (float("nan"), float("nan"), 0))[1]

    def line(self) -> str:
        """The one summary line."""
        return (
            f"qwk={self.qwk:.3f} qwk_zh={self.qwk_zh:.3f} qwk_en={self.qwk_en:.3f} "
            f"lists_at_half={self.lists_at_half[0]}/{self.lists_at_half[1]} "
            f"own_words_mean={self.mean('own_words'):.2f} "
            f"bad_practice_mean={self.mean('bad_practice'):.2f} "
            f"off_topic_mean={self.mean('off_topic'):.2f}"
        )


def figures(
    answers: Sequence[EvalAnswer], banks: dict[str, Bank], points: Callable[[EvalAnswer], float]
) -> Figures:
    """QWK (overall and per language), lists at half marks and per-kind means."""
    human: dict[str, list[int]] = {"all": [], "zh": [], "en": []}
    scored: dict[str, list[int]] = {"all": [], "zh": [], "en": []}
    kinds: dict[str, list[tuple[float, float]]] = {}
    for answer in answers:
        max_points = question_of(answer, banks).points
        mine = points(answer)
        for key in ("all", answer.language):
            human[key].append(level(answer.human, max_points))
            scored[key].append(level(mine, max_points))
        kinds.setdefault(answer.kind, []).append((answer.human / max_points, mine / max_points))
    lists = [s for kind in LIST_KINDS for _, s in kinds.get(kind, [])]
    return Figures(
        n=len(answers),
        qwk=qwk(human["all"], scored["all"]),
        qwk_zh=qwk(human["zh"], scored["zh"]),
        qwk_en=qwk(human["en"], scored["en"]),
        lists_at_half=(sum(s >= 0.5 for s in lists), len(lists)),
        kind_means={
            kind: (
                float(np.mean([h for h, _ in kinds[kind]])),
                float(np.mean([s for _, s in kinds[kind]])),
                len(kinds[kind]),
            )
            for kind in KINDS
            if kind in kinds
        },
    )
