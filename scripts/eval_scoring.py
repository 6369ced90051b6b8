"""Evaluate the key-point scorer on labelled answers, against a plain rapidfuzz baseline.

Tests check that the scorer does what it was written to do; this script measures how well it
ranks and grades answers it was never tuned on. The labelled set
(`tests/data/scoring_eval.toml`) holds spoken-style answers to questions of the shipped
banks, each labelled `strong` (makes every key point), `partial` (about half), `off_topic`
(fluent, about something else), `filler` (only hesitation) or `stuffed` (a bare list of cue
words).

Two scorers are measured in the same run:

- **ours**: `simulator.scoring.rubric.score_answer(normalise(text), question, ScoringConfig())`,
  i.e. normalisation, fuzzy and pinyin matching, match modes, forbidden phrases, critical
  caps and the keyword-stuffing factor.
- **baseline**: plain rapidfuzz with none of that. A key point counts as covered when
  `max(rapidfuzz.fuzz.partial_ratio(cue, text) for cue in cues) >= 80` on the raw answer
  text (no normalisation, no case folding, no pinyin, every mode treated as "any"); the
  fraction is the weighted share of covered key points. Forbidden (`mode = "none"`) points
  are ignored, and nothing is capped or scaled.

Figures, for each scorer:

- **ranking**: for each question, every pair of its answers whose labels should be ordered
  (strong > partial > off_topic, strong > filler, partial > filler, strong > stuffed) is
  correct when the higher label gets the higher fraction; a tie counts 0.5. The share is
  taken over all pairs of all questions.
- **in band**: the share of answers whose fraction lies in its label's band (`BANDS`).
- **label means**: the mean fraction per label.
- **worst misses**: the answers furthest outside their band, with the key points our scorer
  did not credit, so a developer can see where it fails.

With `--audio`, the committed fixtures in `audio_fixtures/manifest.json` that name a bank, a
question and an expected label (strong, partial or off_topic) are transcribed with the real
Whisper transcriber and scored the same way (ours on `Transcript.normalised`, the baseline on
`Transcript.text`). The same fixtures are also scored on their scripts, so the figures show
what transcription costs. Without a manifest the audio part says so and is skipped.

The last line printed is for grep:
`scorer_ranking=0.97 baseline_ranking=0.71 scorer_in_band=0.90 baseline_in_band=0.55`
(with `audio_*` figures appended when the audio set was evaluated). With `--json`, stdout is
one JSON document (the same figures under "summary") and that line goes to stderr.

Usage:
    python scripts/eval_scoring.py [--set PATH] [--json] [--audio [--manifest PATH]] [--worst N]
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a plain script from a source checkout
    sys.path.insert(0, str(ROOT))

from simulator.bank.loader import resolve_bank  # noqa: E402
from simulator.bank.model import Bank, MatchMode, Question  # noqa: E402
from simulator.config import ScoringConfig  # noqa: E402
from simulator.scoring.rubric import score_answer  # noqa: E402
from simulator.text.normalise import normalise  # noqa: E402

DEFAULT_SET = ROOT / "tests" / "data" / "scoring_eval.toml"
FIXTURE_MANIFEST = ROOT / "audio_fixtures" / "manifest.json"

LABELS = ("strong", "partial", "off_topic", "filler", "stuffed")
AUDIO_LABELS = ("strong", "partial", "off_topic")
ORDERED_PAIRS = (
    ("strong", "partial"),
    ("strong", "off_topic"),
    ("partial", "off_topic"),
    ("strong", "filler"),
    ("partial", "filler"),
    ("strong", "stuffed"),
)
"""(higher, lower): label pairs whose answers to one question should be ranked this way."""
BANDS: dict[str, tuple[float, float]] = {
    "strong": (0.7, 1.0),
    "partial": (0.2, 0.75),
    "off_topic": (0.0, 0.25),
    "filler": (0.0, 0.1),
    "stuffed": (0.0, 0.5),
}
"""Inclusive range of score fractions expected for each label."""
BASELINE_THRESHOLD = 80.0
"""partial_ratio (0-100) at which the baseline counts a cue as heard."""


@dataclass(frozen=True)
class EvalAnswer:
    """One labelled answer of the evaluation set."""

    id: str
    bank: str
    question: str
    label: str
    text: str


@dataclass(frozen=True)
class Scored:
    """One answer with the fraction a scorer gave it."""

    id: str
    bank: str
    question: str
    label: str
    fraction: float
    """Score as a share of the question's points (0-1)."""
    missed: tuple[str, ...] = field(default=())
    """Labels of the key points not credited (empty for the baseline)."""
    credited: tuple[str, ...] = field(default=())
    """Key points credited, with the cue and the words that matched (our scorer only)."""
    notes: tuple[str, ...] = field(default=())
    """Caps and penalties applied (our scorer only)."""


# --- Loading -------------------------------------------------------------------------------


def load_eval_set(path: Path) -> list[EvalAnswer]:
    """Read the labelled answers from a TOML file (`[[answers]]` tables).

    Raises:
        ValueError: an entry lacks a field or a field is not a string.
    """
    data = tomllib.loads(Path(path).read_text("utf-8"))
    answers: list[EvalAnswer] = []
    for index, item in enumerate(data.get("answers", [])):
        values = {}
        for key in ("id", "bank", "question", "label", "text"):
            value = item.get(key)
            if not isinstance(value, str):
                raise ValueError(f"{path}: answer {index + 1}: field {key!r} must be a string")
            values[key] = value
        answers.append(EvalAnswer(**values))
    return answers


def load_banks(answers: Iterable[EvalAnswer]) -> dict[str, Bank]:
    """Load every bank the answers name (by id, as `--bank` takes it)."""
    return {bank_id: resolve_bank(bank_id) for bank_id in sorted({a.bank for a in answers})}


def check_eval_set(answers: Sequence[EvalAnswer], banks: dict[str, Bank]) -> list[str]:
    """Return every problem with the set (empty when it is well-formed)."""
    problems: list[str] = []
    ids = [a.id for a in answers]
    problems += [f"duplicate id {i!r}" for i in sorted({i for i in ids if ids.count(i) > 1})]
    labels_by_question: dict[tuple[str, str], set[str]] = {}
    for answer in answers:
        if answer.label not in LABELS:
            problems.append(f"{answer.id}: label {answer.label!r} is not one of {LABELS}")
        bank = banks.get(answer.bank)
        if bank is None:
            problems.append(f"{answer.id}: unknown bank {answer.bank!r}")
        elif bank.question(answer.question) is None:
            problems.append(f"{answer.id}: bank {answer.bank} has no question {answer.question!r}")
        if not answer.text.strip():
            problems.append(f"{answer.id}: empty text")
        labels_by_question.setdefault((answer.bank, answer.question), set()).add(answer.label)
    for (bank_id, question_id), labels in sorted(labels_by_question.items()):
        lacking = [lab for lab in ("strong", "partial", "off_topic") if lab not in labels]
        if lacking:
            problems.append(f"{bank_id} question {question_id}: no {', '.join(lacking)} answer")
    return problems


# --- The two scorers -----------------------------------------------------------------------


def score_ours(text: str, question: Question, *, normalised: str | None = None,
               config: ScoringConfig | None = None
               ) -> tuple[float, tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Score with the project's scorer.

    Args:
        text: the answer as said (or as transcribed).
        question: the question with its key points.
        normalised: the normalised text when already at hand (`Transcript.normalised`).
        config: thresholds (default `ScoringConfig()`).

    Returns:
        (fraction, labels of the key points not credited, credited key points with their
        evidence as "label [cue~words method strength]", caps/penalties applied)
    """
    score = score_answer(normalise(text) if normalised is None else normalised, question,
                         config or ScoringConfig())
    missed = tuple(f"{k.label} (half)" if k.credit == 0.5 else k.label
                   for k in score.key_points if k.credit < 1.0)
    credited = tuple(
        f"{k.label} [" + ", ".join(f"{m.cue}~{m.span} {m.method} {m.strength:.0f}"
                                   for m in k.evidence) + "]"
        for k in score.key_points if k.credit > 0)
    notes = tuple(r for r in score.reasons if not r.startswith("coverage"))
    return score.fraction, missed, credited, notes


def score_baseline(text: str, question: Question) -> float:
    """Score with plain rapidfuzz partial_ratio on the raw text (see the module docstring)."""
    from rapidfuzz import fuzz

    earnable = [kp for kp in question.key_points if kp.mode is not MatchMode.NONE]
    total = sum(kp.weight for kp in earnable)
    covered = sum(kp.weight for kp in earnable
                  if max(fuzz.partial_ratio(cue, text) for cue in kp.cues) >= BASELINE_THRESHOLD)
    return covered / total if total else 0.0


def score_set(answers: Sequence[EvalAnswer], banks: dict[str, Bank],
              normalised: dict[str, str] | None = None) -> tuple[list[Scored], list[Scored]]:
    """Score every answer with both scorers.

    Args:
        answers: the labelled answers.
        banks: the banks they refer to.
        normalised: answer id -> normalised text, where it is known (transcripts); other
            answers are normalised here.

    Returns:
        (ours, baseline), in the order of `answers`.
    """
    ours: list[Scored] = []
    baseline: list[Scored] = []
    for answer in answers:
        question = banks[answer.bank].question(answer.question)
        assert question is not None, f"{answer.id}: no question {answer.question}"
        fraction, missed, credited, notes = score_ours(
            answer.text, question, normalised=(normalised or {}).get(answer.id))
        ours.append(Scored(answer.id, answer.bank, answer.question, answer.label, fraction,
                           missed, credited, notes))
        baseline.append(Scored(answer.id, answer.bank, answer.question, answer.label,
                               score_baseline(answer.text, question)))
    return ours, baseline


# --- Metrics -------------------------------------------------------------------------------


def ranking_pairs(scored: Sequence[Scored]) -> list[tuple[Scored, Scored, float]]:
    """Every ordered pair of answers to one question, with its credit (1, 0.5 or 0)."""
    by_question: dict[tuple[str, str], list[Scored]] = {}
    for item in scored:
        by_question.setdefault((item.bank, item.question), []).append(item)
    pairs: list[tuple[Scored, Scored, float]] = []
    for items in by_question.values():
        for higher, lower in ORDERED_PAIRS:
            for a in (i for i in items if i.label == higher):
                for b in (i for i in items if i.label == lower):
                    if a.fraction == b.fraction:
                        credit = 0.5
                    else:
                        credit = 1.0 if a.fraction > b.fraction else 0.0
                    pairs.append((a, b, credit))
    return pairs


def ranking_accuracy(scored: Sequence[Scored]) -> float:
    """Share of ordered answer pairs ranked correctly (ties count half); 0 with no pairs."""
    pairs = ranking_pairs(scored)
    return sum(credit for _, _, credit in pairs) / len(pairs) if pairs else 0.0


def ranking_by_pair_kind(scored: Sequence[Scored]) -> dict[str, float]:
    """Ranking accuracy for each kind of pair ("strong>partial", ...), for the kinds present."""
    credits: dict[str, list[float]] = {}
    for a, b, credit in ranking_pairs(scored):
        credits.setdefault(f"{a.label}>{b.label}", []).append(credit)
    return {kind: sum(values) / len(values) for kind, values in credits.items()}


def band_distance(item: Scored) -> float:
    """How far the fraction lies outside its label's band (0 inside)."""
    low, high = BANDS[item.label]
    return max(0.0, low - item.fraction, item.fraction - high)


def in_band_share(scored: Sequence[Scored]) -> float:
    """Share of answers whose fraction lies inside the band for their label."""
    if not scored:
        return 0.0
    # A rounding hair (points are rounded to 0.1) does not take an answer out of its band.
    return sum(1 for item in scored if band_distance(item) < 1e-9) / len(scored)


def label_means(scored: Sequence[Scored]) -> dict[str, float]:
    """Mean fraction per label, for the labels present."""
    means: dict[str, float] = {}
    for label in LABELS:
        values = [item.fraction for item in scored if item.label == label]
        if values:
            means[label] = sum(values) / len(values)
    return means


def worst_misses(scored: Sequence[Scored], count: int = 12) -> list[Scored]:
    """The answers furthest outside their band, worst first."""
    outside = [item for item in scored if band_distance(item) > 1e-9]
    return sorted(outside, key=lambda item: (-band_distance(item), item.id))[:count]


def summarise(scored: Sequence[Scored], worst: int = 12) -> dict[str, Any]:
    """All figures for one scorer on one set, as plain data."""
    pairs = ranking_pairs(scored)
    return {
        "answers": len(scored),
        "pairs": len(pairs),
        "ranking": ranking_accuracy(scored),
        "ranking_by_pair_kind": ranking_by_pair_kind(scored),
        "in_band": in_band_share(scored),
        "label_means": label_means(scored),
        "worst_misses": [
            {"id": item.id, "label": item.label, "fraction": round(item.fraction, 3),
             "band": list(BANDS[item.label]), "missed": list(item.missed),
             "credited": list(item.credited), "notes": list(item.notes)}
            for item in worst_misses(scored, worst)
        ],
        "misordered_pairs": [
            {"higher": a.id, "lower": b.id, "fractions": [round(a.fraction, 3),
                                                          round(b.fraction, 3)],
             "credit": credit}
            for a, b, credit in pairs if credit < 1.0
        ],
    }


def evaluate(answers: Sequence[EvalAnswer], banks: dict[str, Bank],
             normalised: dict[str, str] | None = None, worst: int = 12) -> dict[str, Any]:
    """Score a set with both scorers and summarise each."""
    ours, baseline = score_set(answers, banks, normalised)
    return {"scorer": summarise(ours, worst), "baseline": summarise(baseline, worst)}


# --- Audio ---------------------------------------------------------------------------------


def load_audio_set(manifest: Path) -> list[tuple[EvalAnswer, Path, str]]:
    """The labelled answer fixtures of the manifest: (answer, WAV path, language).

    The answer's `text` is the fixture's script; it is replaced by the transcript before
    scoring. Only entries with a bank, a question and an expected label in `AUDIO_LABELS`
    are taken.
    """
    data = json.loads(manifest.read_text("utf-8"))
    entries = data["fixtures"] if isinstance(data, dict) else data
    items: list[tuple[EvalAnswer, Path, str]] = []
    for entry in entries:
        if entry.get("expected") not in AUDIO_LABELS or not entry.get("bank") \
                or not entry.get("question"):
            continue
        answer = EvalAnswer(id=str(entry["id"]), bank=str(entry["bank"]),
                            question=str(entry["question"]), label=str(entry["expected"]),
                            text=str(entry.get("transcript", "")))
        items.append((answer, manifest.parent / str(entry["file"]), str(entry["language"])))
    return items


def transcribe_audio_set(items: Sequence[tuple[EvalAnswer, Path, str]],
                         log: Callable[[str], None]) -> tuple[list[EvalAnswer], dict[str, str]]:
    """Transcribe each fixture with the real transcriber.

    Returns:
        (answers whose text is the raw transcript, answer id -> normalised transcript)
    """
    from simulator.audio.pcm import read_audio
    from simulator.config import WhisperConfig
    from simulator.speech.whisper_stt import FasterWhisperTranscriber

    transcriber = FasterWhisperTranscriber(WhisperConfig(cpu_threads=2))
    answers: list[EvalAnswer] = []
    normalised: dict[str, str] = {}
    for answer, path, language in items:
        transcript = transcriber.transcribe(read_audio(path), language)
        log(f"  transcribed {answer.id}: {transcript.text[:70]!r}")
        answers.append(EvalAnswer(answer.id, answer.bank, answer.question, answer.label,
                                  transcript.text))
        normalised[answer.id] = transcript.normalised
    return answers, normalised


# --- Output --------------------------------------------------------------------------------


def _print_report(title: str, result: dict[str, Any]) -> None:
    ours, base = result["scorer"], result["baseline"]
    print(f"== {title}: {ours['answers']} answers, {ours['pairs']} ordered pairs ==")
    print(f"{'':22}{'ours':>8}{'baseline':>10}")
    print(f"{'pairwise ranking':22}{ours['ranking']:8.3f}{base['ranking']:10.3f}")
    for kind, value in ours["ranking_by_pair_kind"].items():
        print(f"{'  ' + kind:22}{value:8.3f}{base['ranking_by_pair_kind'][kind]:10.3f}")
    print(f"{'in band':22}{ours['in_band']:8.3f}{base['in_band']:10.3f}")
    for label in LABELS:
        if label in ours["label_means"]:
            low, high = BANDS[label]
            print(f"{'mean ' + label:22}{ours['label_means'][label]:8.3f}"
                  f"{base['label_means'][label]:10.3f}   band {low:g}-{high:g}")
    for name, figures in (("ours", ours), ("baseline", base)):
        print(f"-- worst misses, {name} --")
        if not figures["worst_misses"]:
            print("  (none: every answer is inside its band)")
        for miss in figures["worst_misses"]:
            print(f"  {miss['id']:22} {miss['label']:9} {miss['fraction']:.2f}")
            if miss["missed"] and miss["fraction"] < BANDS[miss["label"]][0]:
                print(f"      not credited: {'; '.join(miss['missed'])}")
            if miss["credited"] and miss["fraction"] > BANDS[miss["label"]][1]:
                print(f"      credited: {'; '.join(miss['credited'])}")
            for note in miss["notes"]:
                print(f"      {note}")
    print("-- pairs ranked wrongly or tied, ours --")
    if not ours["misordered_pairs"]:
        print("  (none)")
    for pair in ours["misordered_pairs"]:
        fr = " vs ".join(f"{f:.2f}" for f in pair["fractions"])
        print(f"  {pair['higher']} > {pair['lower']}  {fr}")
    print()


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation and print the figures (or one JSON document with `--json`)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, default=DEFAULT_SET, help="labelled answers (TOML)")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument("--audio", action="store_true",
                        help="also evaluate the audio fixtures through the real transcriber")
    parser.add_argument("--manifest", type=Path, default=FIXTURE_MANIFEST,
                        help="audio fixture manifest for --audio")
    parser.add_argument("--worst", type=int, default=12, help="how many worst misses to list")
    args = parser.parse_args(argv)

    def log(message: str) -> None:
        print(message, file=sys.stderr if args.json else sys.stdout)

    answers = load_eval_set(args.set)
    banks = load_banks(answers)
    problems = check_eval_set(answers, banks)
    if problems:
        for problem in problems:
            print(f"{args.set}: {problem}", file=sys.stderr)
        return 2
    document: dict[str, Any] = {"set": str(args.set), "text": evaluate(answers, banks,
                                                                       worst=args.worst)}
    if args.audio:
        if not args.manifest.is_file():
            document["audio"] = {"skipped": f"{args.manifest} does not exist yet"}
        else:
            items = load_audio_set(args.manifest)
            if not items:
                document["audio"] = {"skipped": "no labelled answer fixtures in the manifest"}
            else:
                log(f"transcribing {len(items)} audio fixtures (Whisper, 2 threads)...")
                audio_answers, normalised = transcribe_audio_set(items, log)
                audio_banks = load_banks(audio_answers)
                document["audio"] = evaluate(audio_answers, audio_banks, normalised, args.worst)
                document["audio"]["transcripts"] = {a.id: a.text for a in audio_answers}
                # The same answers scored on their scripts: what transcription costs.
                scripts = [answer for answer, _, _ in items if answer.text.strip()]
                document["audio_scripts"] = evaluate(scripts, audio_banks, worst=args.worst)

    text = document["text"]
    figures = {
        "scorer_ranking": text["scorer"]["ranking"],
        "baseline_ranking": text["baseline"]["ranking"],
        "scorer_in_band": text["scorer"]["in_band"],
        "baseline_in_band": text["baseline"]["in_band"],
    }
    audio = document.get("audio")
    if audio and "skipped" not in audio:
        figures.update({
            "audio_answers": audio["scorer"]["answers"],
            "audio_scorer_ranking": audio["scorer"]["ranking"],
            "audio_baseline_ranking": audio["baseline"]["ranking"],
            "audio_scorer_in_band": audio["scorer"]["in_band"],
            "audio_baseline_in_band": audio["baseline"]["in_band"],
        })
    document["summary"] = figures
    if args.json:
        print(json.dumps(document, ensure_ascii=False, indent=2))
    else:
        _print_report(f"text set {args.set.name}", text)
        if audio is not None:
            if "skipped" in audio:
                print(f"== audio set: skipped: {audio['skipped']} ==\n")
            else:
                _print_report(f"audio set (Whisper transcripts, {args.manifest})", audio)
                _print_report("audio set scored on the fixtures' scripts (no ASR)",
                              document["audio_scripts"])
    # With --json, stdout stays one parseable document; the grep line goes to stderr.
    print(" ".join(f"{key}={value}" if isinstance(value, int) else f"{key}={value:.2f}"
                   for key, value in figures.items()), file=sys.stderr if args.json else sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
