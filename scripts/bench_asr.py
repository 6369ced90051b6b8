"""Measure recognition accuracy and speed of the real transcriber on real and fixture audio.

Runs `FasterWhisperTranscriber` (the bundled Whisper base model, int8, on the CPU) over

* the committed fixture library (`audio_fixtures/manifest.json`): error rates on entries with
  a transcript; for entries without one (silence, noise) whatever was output is listed,
  because the bar there is zero invented transcripts;
* seeded synthetic noise made here (digital and dithered silence, white, brown and hum
  noise), which must all come back empty;
* the real human recordings in `../shared/realspeech` (evaluation only: read at run time,
  never copied into the project; skipped with a message when absent).

For each set it prints clips, audio minutes, CER (Mandarin) or WER (English) as total edits
over total reference units (not a mean of per-clip rates), the same rate under the basic
normalisation the realspeech README baselines used (OpenCC t2s, lower case, punctuation
stripped), empty outputs, and the real-time factor (transcribe seconds / audio seconds).

Several `--variant`s (transcription settings) run in the same process over the same clips,
interleaved clip by clip so that background load affects them alike. The model is loaded
once; a variant changes only the keyword arguments the transcriber hands to faster-whisper.

    .venv/bin/python scripts/bench_asr.py                       # shipped settings, all sets
    .venv/bin/python scripts/bench_asr.py --sets zh_cs --limit 20 --variant plain --variant shipped
    .venv/bin/python scripts/bench_asr.py --list-variants

The last line is machine-greppable: `zh_cs_cer=0.071 en_phone_wer=0.231 ... rtf=0.12` (with
several variants each key is prefixed, `plain.zh_cs_cer=...`).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from simulator.audio.pcm import SAMPLE_RATE_HZ, Block, read_audio  # noqa: E402
from simulator.bank.model import Question  # noqa: E402
from simulator.config import ScoringConfig, WhisperConfig  # noqa: E402
from simulator.errors import SimulatorError  # noqa: E402
from simulator.speech.whisper_stt import FasterWhisperTranscriber  # noqa: E402
from simulator.text.error_rate import edit_distance, error_rate_units  # noqa: E402
from simulator.text.normalise import normalise, strip_punctuation, to_simplified  # noqa: E402

REALSPEECH = ROOT.parent / "shared" / "realspeech"
FIXTURES_MANIFEST = ROOT / "audio_fixtures" / "manifest.json"

REAL_SETS: dict[str, tuple[str, ...]] = {
    "zh_cs": ("zh/customer_service/",),
    "zh_read": ("zh/read/", "zh/long/"),
    "en_phone": ("en/customer_service_phone/",),
    "en_read": ("en/read/", "en/long/"),
}
"""Set name -> realspeech folders it is made of."""
FIXTURE_SETS = ("fixtures_zh", "fixtures_en")
NOISE_SET = "noise"
ALL_SETS = (*FIXTURE_SETS, NOISE_SET, *REAL_SETS)


@dataclass(frozen=True)
class Clip:
    """One recording to transcribe."""

    set_name: str
    clip_id: str
    language: str
    reference: str
    """Human transcript; empty for silence/noise (any output there is invented text)."""
    load: Callable[[], Block]
    question: Question | None = None
    """The bank question a fixture answers (for hotwords and the off-topic check)."""
    expected: str = ""
    """The fixture's expected score band ("strong", "off_topic", ...)."""


@dataclass(frozen=True)
class Variant:
    """A named set of transcription settings layered over the shipped ones."""

    name: str
    description: str
    overrides: Mapping[str, Any] = field(default_factory=dict)
    """faster-whisper `transcribe()` keyword arguments replacing the transcriber's own."""
    prompts: Mapping[str, str | None] | None = None
    """Initial prompt per language; None keeps the transcriber's (`INITIAL_PROMPTS`)."""
    hotwords: bool = False
    """Pass the question's key-point cues as `hotwords` (clips that answer a question only)."""
    max_tokens_per_s: float | None = None
    """Cap tokens decoded per 30 s window at this many per second of (at most 30 s of) audio."""


_NO_PROMPT: dict[str, str | None] = {"zh": None, "en": None}
_PLAIN = {"condition_on_previous_text": True}  # faster-whisper's own default
_OLD_PROMPTS = {  # the filler prompt the issue started from
    "zh": "嗯，那个，我觉得这个问题，首先要了解客户的需求。",
    "en": "Um, well, uh, I think the first thing is to understand what the customer needs.",
}
# The same prompts without the closing full stop (see docs/asr.md: "tail windows").
_ISSUE_PROMPTS = {  # INITIAL_PROMPTS when the accuracy issue was opened
    "zh": "以下是普通话的句子。嗯，那个，我觉得，首先要了解客户的需求。",
    "en": "Um, well, uh, I think the first thing is to understand what the customer needs.",
}
_OPEN_PROMPTS = {k: v.rstrip("。.") for k, v in _ISSUE_PROMPTS.items()}
_SENTENCE_PROMPTS = {  # punctuated simplified text without fillers
    "zh": "以下是普通话客服对话的内容，使用简体中文和标点符号。",
    "en": "The following is a customer service conversation, with punctuation.",
}

VARIANTS: dict[str, Variant] = {v.name: v for v in (
    Variant("shipped", "the transcriber exactly as shipped (simulator/speech/whisper_stt.py)"),
    Variant("plain", "no initial prompt, condition_on_previous_text on (faster-whisper's "
                     "defaults), beam 5, VAD, word timestamps", _PLAIN, _NO_PROMPT),
    Variant("plain-nocond", "plain with condition_on_previous_text off",
            {"condition_on_previous_text": False}, _NO_PROMPT),
    Variant("plain-beam1", "plain with greedy decoding (beam 1)",
            {**_PLAIN, "beam_size": 1}, _NO_PROMPT),
    Variant("plain-nofallback", "plain without temperature fallback (temperature 0 only)",
            {**_PLAIN, "temperature": 0.0}, _NO_PROMPT),
    Variant("plain-nots", "plain with without_timestamps=True",
            {**_PLAIN, "without_timestamps": True}, _NO_PROMPT),
    Variant("prompt", "INITIAL_PROMPTS as of the issue (simplified script, fillers), "
                      "condition_on_previous_text off", {"condition_on_previous_text": False},
            _ISSUE_PROMPTS),
    Variant("prompt-old", "the first filler prompt (no 以下是普通话的句子), condition off",
            {"condition_on_previous_text": False}, _OLD_PROMPTS),
    Variant("prompt-open", "INITIAL_PROMPTS without their closing full stop, condition off",
            {"condition_on_previous_text": False}, _OPEN_PROMPTS),
    Variant("prompt+hotwords", "prompt + the question's key-point cues as hotwords",
            {"condition_on_previous_text": False}, _ISSUE_PROMPTS, hotwords=True),
    Variant("plain+hotwords", "plain + the question's key-point cues as hotwords",
            _PLAIN, _NO_PROMPT, hotwords=True),
    Variant("prompt-capped", "INITIAL_PROMPTS, at most 12 tokens per second of audio per window",
            {"condition_on_previous_text": False}, _ISSUE_PROMPTS, max_tokens_per_s=12),
    Variant("sentence-prompt", "a punctuated simplified-script prompt without fillers",
            {"condition_on_previous_text": False}, _SENTENCE_PROMPTS),
)}


class OverridingModel:
    """A faster-whisper model stand-in that rewrites the transcriber's keyword arguments.

    The real `FasterWhisperTranscriber` (filters, joining, normalisation) runs unchanged;
    only what it asks faster-whisper for is replaced by the variant's settings.
    """

    def __init__(self, model: Any, variant: Variant) -> None:
        self._model = model
        self._variant = variant
        self.hotwords: str | None = None
        """Set per clip by the benchmark loop for hotword variants."""

    def transcribe(self, audio: Block, **kwargs: Any) -> Any:
        """Call the real model with the variant's settings."""
        kwargs.update(self._variant.overrides)
        if self._variant.prompts is not None:
            kwargs["initial_prompt"] = self._variant.prompts.get(kwargs.get("language") or "")
        if self._variant.hotwords and self.hotwords:
            kwargs["hotwords"] = self.hotwords
        if self._variant.max_tokens_per_s:
            window_s = min(30.0, len(audio) / SAMPLE_RATE_HZ)
            kwargs["max_new_tokens"] = min(220, int(16 + self._variant.max_tokens_per_s * window_s))
        return self._model.transcribe(audio, **kwargs)


def question_hotwords(question: Question) -> str:
    """The question's key-point cues (forbidden phrases excluded) as one hotword string."""
    cues: list[str] = []
    for kp in question.key_points:
        if kp.mode.value != "none":
            cues.extend(c for c in kp.cues if c not in cues)
    return ("，" if question.language == "zh" else ", ").join(cues)


# ---------------------------------------------------------------------------- clip sources

def realspeech_clips(folder: Path, sets: Iterable[str]) -> list[Clip]:
    """Clips of the chosen realspeech sets, sorted by file name within each set."""
    wanted = {name: REAL_SETS[name] for name in sets if name in REAL_SETS}
    if not wanted:
        return []
    clips: list[Clip] = []
    with open(folder / "manifest.tsv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            for name, prefixes in wanted.items():
                if row["file"].startswith(prefixes):
                    path = folder / row["file"]
                    # "zh-en" (Mandarin with English names in it) is transcribed and scored
                    # as Mandarin: Whisper takes one language code.
                    language = row["language"].split("-")[0]
                    clips.append(Clip(name, row["file"], language, row["reference"],
                                      load=lambda p=path: read_audio(p)))
    return sorted(clips, key=lambda c: (c.set_name, c.clip_id))


def fixture_clips(manifest: Path) -> list[Clip]:
    """Clips of the committed fixture library, with the questions they answer."""
    from simulator.bank.loader import resolve_bank
    from simulator.practice.fixtures import read_manifest

    banks: dict[str, Any] = {}
    clips = []
    for entry in read_manifest(manifest):
        question = None
        bank_id, qid = entry.get("bank"), entry.get("question")
        if bank_id and qid:
            if bank_id not in banks:
                banks[bank_id] = resolve_bank(str(bank_id))
            question = banks[bank_id].question(str(qid))
        language = str(entry.get("language") or (question.language if question else "zh"))
        path = manifest.parent / entry["file"]
        clips.append(Clip(f"fixtures_{language}", str(entry.get("id") or Path(entry["file"]).stem),
                          language, str(entry.get("transcript") or ""),
                          load=lambda p=path: read_audio(p), question=question,
                          expected=str(entry.get("expected") or "")))
    return sorted(clips, key=lambda c: (c.set_name, c.clip_id))


def noise_clips(seed: int = 20240601) -> list[Clip]:
    """Seeded non-speech audio, each in both languages: any transcript here is invented."""
    rng = np.random.default_rng(seed)
    n = 5 * SAMPLE_RATE_HZ
    t = np.arange(n) / SAMPLE_RATE_HZ
    brown = np.cumsum(rng.standard_normal(n))
    brown -= np.convolve(brown, np.ones(1601) / 1601, mode="same")  # remove the drift
    sounds = {
        "digital_silence": np.zeros(n),
        "dither_-70dBFS": rng.standard_normal(n) * 10 ** (-70 / 20),
        "white_-35dBFS": rng.standard_normal(n) * 10 ** (-35 / 20),
        "white_-20dBFS": rng.standard_normal(n) * 10 ** (-20 / 20),
        "brown_-30dBFS": brown / np.sqrt(np.mean(brown**2)) * 10 ** (-30 / 20),
        "hum_50Hz": sum(0.02 / k * np.sin(2 * np.pi * 50 * k * t) for k in (1, 2, 3, 5)),
    }
    clips = []
    for name, samples in sounds.items():
        audio = np.clip(samples, -1, 1).astype(np.float32)
        for language in ("zh", "en"):
            clips.append(Clip(NOISE_SET, f"{name}/{language}", language, "",
                              load=lambda a=audio: a))
    return clips


# ----------------------------------------------------------------------------- measuring

FILLERS = {"zh": ("嗯", "呃", "啊"), "en": ("uh", "um", "hmm")}
"""Hesitations counted for filler recall (delivery feedback needs them transcribed)."""


def filler_counts(text: str, language: str) -> dict[str, int]:
    """How often each filler occurs in the normalised text."""
    norm = normalise(text)
    units = list(norm.replace(" ", "")) if language == "zh" else norm.split()
    return {f: units.count(f) for f in FILLERS.get(language, ())}


def basic_units(text: str, language: str) -> list[str]:
    """Units under the README baselines' normalisation: t2s, lower case, punctuation out."""
    norm = strip_punctuation(to_simplified(text).lower())
    return [ch for ch in norm if not ch.isspace()] if language == "zh" else norm.split()


@dataclass
class Result:
    """One clip transcribed with one variant."""

    variant: str
    set_name: str
    clip_id: str
    language: str
    audio_s: float
    transcribe_s: float
    cpu_s: float
    """CPU seconds of this process (all threads) while transcribing."""
    reference: str
    hypothesis: str
    normalised: str
    edits: int
    ref_units: int
    basic_edits: int
    basic_ref_units: int
    rejected: list[str]
    fillers_ref: int = 0
    """Fillers in the reference."""
    fillers_found: int = 0
    """Of those, how many the transcript has too (per filler, the smaller count)."""
    score_fraction: float | None = None
    expected: str = ""

    @property
    def empty(self) -> bool:
        """Nothing came back."""
        return not self.normalised.strip()


def measure(transcriber: FasterWhisperTranscriber, variant: Variant, clip: Clip, audio: Block,
            proxy: OverridingModel) -> Result:
    """Transcribe one clip with one variant and compare it with the reference."""
    proxy.hotwords = question_hotwords(clip.question) if clip.question else None
    started, cpu_started = time.perf_counter(), time.process_time()
    transcript = transcriber.transcribe(audio, clip.language)
    elapsed, cpu_s = time.perf_counter() - started, time.process_time() - cpu_started
    ref = error_rate_units(clip.reference, clip.language)
    hyp = error_rate_units(transcript.text, clip.language)
    basic_ref = basic_units(clip.reference, clip.language)
    basic_hyp = basic_units(transcript.text, clip.language)
    ref_fillers = filler_counts(clip.reference, clip.language)
    hyp_fillers = filler_counts(transcript.text, clip.language)
    score = None
    if clip.question is not None:
        from simulator.scoring.rubric import score_answer

        score = score_answer(transcript.normalised, clip.question, ScoringConfig()).fraction
    return Result(variant.name, clip.set_name, clip.clip_id, clip.language,
                  len(audio) / SAMPLE_RATE_HZ, elapsed, cpu_s, clip.reference, transcript.text,
                  transcript.normalised,
                  edit_distance(ref, hyp) if ref else len(hyp), len(ref),
                  edit_distance(basic_ref, basic_hyp) if basic_ref else len(basic_hyp),
                  len(basic_ref), list(transcript.rejected), sum(ref_fillers.values()),
                  sum(min(n, hyp_fillers[f]) for f, n in ref_fillers.items()), score,
                  clip.expected)


@dataclass
class Summary:
    """Aggregates of one variant over one set."""

    clips: int = 0
    audio_s: float = 0.0
    transcribe_s: float = 0.0
    cpu_s: float = 0.0
    edits: int = 0
    ref_units: int = 0
    basic_edits: int = 0
    basic_ref_units: int = 0
    empty: int = 0
    """Clips with a reference that came back empty."""
    fillers_ref: int = 0
    fillers_found: int = 0
    silent_clips: int = 0
    """Clips without a reference (silence, noise)."""
    invented: list[str] = field(default_factory=list)
    """Texts output for clips without a reference."""

    def add(self, r: Result) -> None:
        """Fold one clip's result in."""
        self.clips += 1
        self.audio_s += r.audio_s
        self.transcribe_s += r.transcribe_s
        self.cpu_s += r.cpu_s
        if r.ref_units:
            self.edits += r.edits
            self.ref_units += r.ref_units
            self.basic_edits += r.basic_edits
            self.basic_ref_units += r.basic_ref_units
            self.empty += r.empty
            self.fillers_ref += r.fillers_ref
            self.fillers_found += r.fillers_found
        else:
            self.silent_clips += 1
            if not r.empty:
                self.invented.append(f"{r.clip_id}: {r.hypothesis}")

    @property
    def error_rate(self) -> float | None:
        """Total edits over total reference units (None without references)."""
        return self.edits / self.ref_units if self.ref_units else None

    @property
    def basic_error_rate(self) -> float | None:
        """The same under the basic normalisation."""
        return self.basic_edits / self.basic_ref_units if self.basic_ref_units else None

    @property
    def filler_recall(self) -> float | None:
        """Share of the references' fillers that were transcribed."""
        return self.fillers_found / self.fillers_ref if self.fillers_ref else None

    @property
    def rtf(self) -> float:
        """Transcribe seconds per audio second."""
        return self.transcribe_s / self.audio_s if self.audio_s else 0.0

    @property
    def cpu_rtf(self) -> float:
        """CPU seconds (all threads) per audio second: less sensitive to other processes."""
        return self.cpu_s / self.audio_s if self.audio_s else 0.0

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"clips": self.clips, "audio_min": round(self.audio_s / 60, 2),
                "error_rate": _round(self.error_rate),
                "basic_error_rate": _round(self.basic_error_rate), "empty": self.empty,
                "filler_recall": _round(self.filler_recall), "fillers_ref": self.fillers_ref,
                "silent_clips": self.silent_clips, "invented": self.invented,
                "rtf": round(self.rtf, 3), "cpu_rtf": round(self.cpu_rtf, 3)}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def summarise(results: list[Result]) -> dict[str, dict[str, Summary]]:
    """variant -> set (and "overall") -> Summary."""
    out: dict[str, dict[str, Summary]] = {}
    for r in results:
        per_set = out.setdefault(r.variant, {})
        per_set.setdefault(r.set_name, Summary()).add(r)
        per_set.setdefault("overall", Summary()).add(r)
    return out


def unit_name(set_name: str) -> str:
    """"cer" for Mandarin sets, "wer" for English ones, "" for noise."""
    if set_name == NOISE_SET or set_name == "overall":
        return ""
    return "cer" if set_name.startswith(("zh", "fixtures_zh")) else "wer"


def print_tables(summaries: dict[str, dict[str, Summary]], out: Any = sys.stdout) -> None:
    """One table per variant."""
    for variant, per_set in summaries.items():
        print(f"\n== {variant}: {VARIANTS[variant].description}", file=out)
        print(f"{'set':<13}{'clips':>6}{'min':>7}{'CER/WER':>10}{'basic':>8}{'empty':>7}"
              f"{'invented':>10}{'fillers':>9}{'RTF':>7}{'CPU/s':>7}", file=out)
        for name in [*[s for s in ALL_SETS if s in per_set], "overall"]:
            s = per_set[name]
            rate = "-" if s.error_rate is None else f"{unit_name(name)} {s.error_rate:.3f}"
            basic = "-" if s.basic_error_rate is None else f"{s.basic_error_rate:.3f}"
            invented = f"{len(s.invented)}/{s.silent_clips}" if s.silent_clips else "-"
            fillers = f"{s.fillers_found}/{s.fillers_ref}" if s.fillers_ref else "-"
            print(f"{name:<13}{s.clips:>6}{s.audio_s / 60:>7.1f}{rate:>10}{basic:>8}"
                  f"{s.empty:>7}{invented:>10}{fillers:>9}{s.rtf:>7.3f}{s.cpu_rtf:>7.3f}", file=out)
        for name, s in per_set.items():
            if name != "overall":
                for text in s.invented:
                    print(f"  INVENTED [{name}] {text}", file=out)


def print_off_topic(results: list[Result], out: Any = sys.stdout) -> None:
    """Mean score per expected band and variant, for fixtures that answer a question."""
    bands: dict[tuple[str, str], list[float]] = {}
    for r in results:
        if r.score_fraction is not None and r.expected:
            bands.setdefault((r.expected, r.variant), []).append(r.score_fraction)
    if not bands:
        return
    print("\n== fixture scores by expected band (mean fraction, max): hotwords must not lift "
          "off-topic answers", file=out)
    for (band, variant), values in sorted(bands.items()):
        print(f"{band:<12}{variant:<18}n={len(values):<4}mean={np.mean(values):.3f} "
              f"max={max(values):.3f}", file=out)


def print_worst(results: list[Result], count: int, out: Any = sys.stdout) -> None:
    """The clips with the most edits per set and variant, normalised (for error analysis)."""
    groups: dict[tuple[str, str], list[Result]] = {}
    for r in results:
        if r.ref_units:
            groups.setdefault((r.variant, r.set_name), []).append(r)
    for (variant, name), items in groups.items():
        print(f"\n== worst {count} of {name} ({variant})", file=out)
        for r in sorted(items, key=lambda r: -r.edits)[:count]:
            print(f"  {r.clip_id}  edits={r.edits}/{r.ref_units}\n    ref: "
                  f"{normalise(r.reference)}\n    hyp: {r.normalised}", file=out)


def greppable(summaries: dict[str, dict[str, Summary]]) -> str:
    """`zh_cs_cer=0.071 en_phone_wer=0.231 ... rtf=0.12`, keys prefixed when several variants."""
    parts = []
    several = len(summaries) > 1
    for variant, per_set in summaries.items():
        prefix = f"{variant}." if several else ""
        for name in ALL_SETS:
            s = per_set.get(name)
            if s is None:
                continue
            if s.error_rate is not None:
                parts.append(f"{prefix}{name}_{unit_name(name)}={s.error_rate:.3f}")
            if s.silent_clips:
                parts.append(f"{prefix}{name}_invented={len(s.invented)}")
        parts.append(f"{prefix}empty={per_set['overall'].empty}")
        parts.append(f"{prefix}rtf={per_set['overall'].rtf:.3f}")
    return " ".join(parts)


# ---------------------------------------------------------------------------------- main

def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", default=",".join(ALL_SETS),
                        help=f"comma-separated sets (default: all): {', '.join(ALL_SETS)}")
    parser.add_argument("--limit", type=int, default=0,
                        help="at most N clips per set, evenly spaced by sorted name (0: all)")
    parser.add_argument("--variant", action="append", dest="variants", metavar="NAME",
                        help="transcription settings to measure (repeatable; default: shipped)")
    parser.add_argument("--list-variants", action="store_true", help="list variants and exit")
    parser.add_argument("--threads", type=int, default=2,
                        help="CTranslate2 CPU threads (default 2)")
    parser.add_argument("--realspeech", type=Path, default=REALSPEECH,
                        help="folder of the evaluation recordings (default ../shared/realspeech)")
    parser.add_argument("--fixtures", type=Path, default=FIXTURES_MANIFEST,
                        help="fixture manifest (default audio_fixtures/manifest.json)")
    parser.add_argument("--json", type=Path, metavar="PATH",
                        help="also write summaries and per-clip results as JSON ('-': stdout)")
    parser.add_argument("--worst", type=int, default=0, metavar="N",
                        help="print the N clips with most edits per set (error analysis)")
    parser.add_argument("--cache-dir", type=Path, default=None,
                        help="model cache folder (default: the user cache)")
    args = parser.parse_args(argv)
    args.variants = args.variants or ["shipped"]
    unknown = [v for v in args.variants if v not in VARIANTS]
    sets = [s.strip() for s in args.sets.split(",") if s.strip()]
    bad_sets = [s for s in sets if s not in ALL_SETS]
    if unknown or bad_sets:
        parser.error(f"unknown variant(s) {unknown or ''} set(s) {bad_sets or ''}; variants: "
                     f"{', '.join(VARIANTS)}; sets: {', '.join(ALL_SETS)}")
    args.sets = sets
    return args


def collect_clips(args: argparse.Namespace) -> list[Clip]:
    """All clips of the chosen sets, skipping absent sources with a message."""
    clips: list[Clip] = []
    if any(s in FIXTURE_SETS for s in args.sets):
        if args.fixtures.is_file():
            clips += [c for c in fixture_clips(args.fixtures) if c.set_name in args.sets]
        else:
            print(f"bench: {args.fixtures} is absent: fixture sets skipped", file=sys.stderr)
    if NOISE_SET in args.sets:
        clips += noise_clips()
    if any(s in REAL_SETS for s in args.sets):
        if (args.realspeech / "manifest.tsv").is_file():
            clips += realspeech_clips(args.realspeech, args.sets)
        else:
            print(f"bench: {args.realspeech} is absent: real-speech sets skipped (they need "
                  "../shared/realspeech beside the repository)", file=sys.stderr)
    if args.limit:
        by_set: dict[str, list[Clip]] = {}
        for clip in clips:
            by_set.setdefault(clip.set_name, []).append(clip)
        clips = []
        for name, members in by_set.items():
            if name == NOISE_SET:  # made here, a second long: always all of it
                clips += members
                continue
            # Evenly spaced, so a small sample still covers every domain of a set.
            step = max(1.0, len(members) / args.limit)
            clips += [members[int(i * step)] for i in range(min(args.limit, len(members)))]
    return clips


def load_model(config: WhisperConfig) -> Any:
    """Load the real faster-whisper model once, as the transcriber would."""
    from simulator.speech.onnx_runtime import disable_telemetry
    from simulator.speech.whisper_model import locate_model

    disable_telemetry()  # before faster_whisper (its VAD loads onnxruntime)
    from faster_whisper import WhisperModel

    location = locate_model(config.model, cache_dir=config.cache_dir, allow_download=False)
    return WhisperModel(location.path_or_name, device=config.device,
                        compute_type=config.compute_type, cpu_threads=config.cpu_threads,
                        local_files_only=True)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; 0 on success, 2 on a user-facing error."""
    args = parse_args(argv)
    if args.list_variants:
        for v in VARIANTS.values():
            print(f"{v.name:<18}{v.description}")
        return 0
    clips = collect_clips(args)
    if not clips:
        print("bench: nothing to measure (no chosen set is available)", file=sys.stderr)
        return 0
    config = WhisperConfig(cpu_threads=args.threads, cache_dir=args.cache_dir)
    try:
        started = time.perf_counter()
        model = load_model(config)
        print(f"bench: model loaded in {time.perf_counter() - started:.1f} s; {len(clips)} clips "
              f"x {len(args.variants)} variant(s), cpu_threads={args.threads}, "
              f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}", file=sys.stderr)
        variants = [VARIANTS[name] for name in args.variants]
        runners = []
        for v in variants:
            proxy = OverridingModel(model, v)
            runners.append((v, proxy, FasterWhisperTranscriber(config, model=proxy)))
        # The first decode of a fresh model is slow (allocation, caches): keep it out of RTF.
        warm_up = next((c for c in clips if c.reference), clips[0])
        for variant, proxy, transcriber in runners:
            measure(transcriber, variant, warm_up, warm_up.load(), proxy)
        results: list[Result] = []
        failures: list[str] = []
        for i, clip in enumerate(clips, 1):
            audio = clip.load()
            for variant, proxy, transcriber in runners:
                if variant.hotwords and clip.question is None:
                    continue  # without a question a hotword variant equals its base
                try:
                    results.append(measure(transcriber, variant, clip, audio, proxy))
                except SimulatorError as e:  # one bad clip must not lose an hour's run
                    failures.append(f"{variant.name} {clip.clip_id}: {e}")
                    print(f"bench: FAILED {failures[-1]}", file=sys.stderr)
            if i % 25 == 0:
                print(f"bench: {i}/{len(clips)} clips", file=sys.stderr)
    except SimulatorError as e:
        print(f"bench: error: {e}", file=sys.stderr)
        return 2
    load_after = os.getloadavg()[0]
    summaries = summarise(results)
    print_tables(summaries)
    print_off_topic(results)
    if args.worst:
        print_worst(results, args.worst)
    for failure in failures:
        print(f"FAILED {failure}")
    print(f"\nmachine: {os.cpu_count()} cores, cpu_threads={args.threads}, int8; load average "
          f"at end {load_after:.2f} (other processes inflate RTF)")
    if args.json:
        doc = {"variants": {n: VARIANTS[n].description for n in args.variants},
               "threads": args.threads, "cores": os.cpu_count(),
               "summaries": {v: {s: sm.as_dict() for s, sm in per.items()}
                             for v, per in summaries.items()},
               "clips": [r.__dict__ for r in results]}
        text = json.dumps(doc, ensure_ascii=False, indent=1)
        if str(args.json) == "-":
            print(text)
        else:
            args.json.write_text(text + "\n", encoding="utf-8")
    print(greppable(summaries))
    return 0


if __name__ == "__main__":
    sys.exit(main())
