"""Turn a score into short feedback sentences, in the question's language, from templates.

Templates are data (`prompts/feedback.toml`); this module only chooses which ones apply
and fills them in. The result is both spoken and printed, so it stays brief: the score,
what was covered, what was missed, at most one warning (bad practice, a list of terms, an
answer off the topic), and one way to make the most important missed point.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from simulator.data import PROMPTS_DIR, read_toml
from simulator.errors import DataFileError
from simulator.scoring.result import KeyPointResult, Score

TEMPLATE_KEYS = ("separator", "score", "covered", "missed", "all_covered", "breach",
                 "critical_missed", "empty", "list", "off_topic", "vague", "example", "summary",
                 "next_question")
DEFAULT_TEMPLATES_PATH = PROMPTS_DIR / "feedback.toml"
MAX_TEMPLATES_BYTES = 1_000_000
WELL_DONE_MIN_FRACTION = 0.75
"""Share of the marks below which "every key point covered, well done" is not said even when
each point earned some credit: the answer as a whole read thinner than its points
(`scoring/overall.py`), so the points are listed and the weakest one is taught."""


@dataclass(frozen=True)
class Feedback:
    """What the candidate hears (and reads) after an answer."""

    sentences: tuple[str, ...]

    @property
    def text(self) -> str:
        """All sentences as one string, for speaking (no spaces after Chinese full stops)."""
        return re.sub(r"(?<=[。！？：；]) ", "", " ".join(self.sentences))


Templates = Mapping[str, Mapping[str, str]]
"""language -> template key -> template text."""


def load_templates(path: Path = DEFAULT_TEMPLATES_PATH) -> Templates:
    """Read and check the feedback templates.

    Raises:
        DataFileError: the file is missing, not TOML, or a language lacks a key (names both).
    """
    data = read_toml(path, "feedback templates", MAX_TEMPLATES_BYTES)
    for language, table in data.items():
        if not isinstance(table, dict):
            raise DataFileError(f"{path}: [{language}] must be a table of templates")
        for key in TEMPLATE_KEYS:
            if not isinstance(table.get(key), str):
                raise DataFileError(f"{path}: [{language}] is missing template '{key}'")
    return data


def format_points(value: float) -> str:
    """2.0 -> "2", 2.5 -> "2.5"."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def render_feedback(score: Score, language: str, templates: Templates,
                    heard_nothing: bool = False) -> Feedback:
    """Build the feedback for one scored answer.

    Args:
        score: the scorer's result.
        language: "zh" or "en"; selects the template table.
        templates: from `load_templates`.
        heard_nothing: the transcript was empty (timeout, silence): say so instead.
    """
    t = templates.get(language) or templates["en"]
    if heard_nothing:
        return Feedback((t["empty"],))
    join = t["separator"].join
    sentences = [t["score"].format(points=format_points(score.points),
                                   max_points=format_points(score.max_points))]
    if score.covered and not score.missed and score.fraction >= WELL_DONE_MIN_FRACTION:
        sentences.append(t["all_covered"])
    else:
        if score.covered:
            sentences.append(t["covered"].format(items=join(k.label for k in score.covered)))
        critical = [k.label for k in score.missed if k.critical]
        if critical:
            sentences.append(t["critical_missed"].format(items=join(critical)))
        others = [k.label for k in score.missed if not k.critical]
        if others:
            sentences.append(t["missed"].format(items=join(others)))
    if score.breaches:
        sentences.append(t["breach"].format(items=join(b.label for b in score.breaches)))
    elif score.list_like:
        sentences.append(t["list"])
    elif score.off_topic:
        sentences.append(t["off_topic"])
    elif score.vague:
        sentences.append(t["vague"])
    teach = most_important_missed(score) or (
        weakest_made(score) if score.fraction < WELL_DONE_MIN_FRACTION else None)
    if teach is not None and teach.example:
        sentences.append(t["example"].format(example=teach.example.rstrip("。.！!")))
    return Feedback(tuple(sentences))


def most_important_missed(score: Score) -> KeyPointResult | None:
    """The missed point to teach first: a critical one, else the heaviest (first in the bank
    order among equals)."""
    missed = score.missed
    if not missed:
        return None
    return max(missed, key=lambda k: (k.critical, k.weight, -score.key_points.index(k)))


def weakest_made(score: Score) -> KeyPointResult | None:
    """Of the points made only in part, the one the judge was least sure of (a critical one
    first): the one to teach when none was missed."""
    partly = [k for k in score.key_points if 0.0 < k.credit < 1.0]
    return min(partly, key=lambda k: (not k.critical, k.probability), default=None)


def render_summary(total: float, max_total: float, count: int, language: str,
                   templates: Templates) -> Feedback:
    """The end-of-session summary, said aloud: the points, not where the record went (a
    folder path read out is noise; the screen shows it once, after the summary)."""
    t = templates.get(language) or templates["en"]
    sentences = [t["summary"].format(total=format_points(total), max_total=format_points(max_total),
                                     count=count)]
    return Feedback(tuple(sentences))
