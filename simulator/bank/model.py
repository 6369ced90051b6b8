"""The question-bank data model: banks, questions and key points, as frozen values.

A bank is data (see `prompts/README.md` for the file format); these classes are what the
rest of the program sees once a bank file has been loaded and validated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class MatchMode(StrEnum):
    """How a key point's cues decide whether the point was made."""

    ANY = "any"
    """At least one cue heard."""
    ALL = "all"
    """Every cue heard."""
    N_OF = "n_of"
    """At least `min_cues` different cues heard."""
    NONE = "none"
    """Old form of a breach (a forbidden phrase); the loader turns it into a `Breach`."""


class Severity(StrEnum):
    """How much a breach costs."""

    SERIOUS = "serious"
    """Privacy, security, dishonesty, abuse: the answer scores 0."""
    MINOR = "minor"
    """Arguing, blaming, brushing off...: the answer is capped low."""


@dataclass(frozen=True, kw_only=True)
class KeyPoint:
    """One thing a good answer says (答案要点), with the words that show it was said."""

    label: str
    """Short name of the point, spoken in feedback ("apologise first")."""
    cues: tuple[str, ...]
    """Words or short phrases, any of which shows the point was made (paraphrases welcome)."""
    weight: float = 1.0
    """Relative weight of this point within the question (> 0)."""
    mode: MatchMode = MatchMode.ANY
    """How cues combine; see `MatchMode`."""
    min_cues: int = 1
    """For `MatchMode.N_OF`: how many distinct cues must be heard."""
    critical: bool = False
    """If True, missing this point caps the question's score (see ScoringConfig)."""
    probe: str = ""
    """Optional follow-up question to ask when the point is missed."""
    examples: tuple[str, ...] = ()
    """Sentences a candidate might say that make this point, in several registers (plain,
    everyday, concrete): the judge compares each clause of an answer with them by meaning,
    and feedback quotes the first as a way to say it."""


@dataclass(frozen=True, kw_only=True)
class Breach:
    """A bad practice an examiner penalises in an answer (giving out another customer's
    data, blaming the customer...), however it is worded."""

    label: str
    """What must not be done, as spoken in feedback."""
    cues: tuple[str, ...]
    """Short phrases that show it when said with their own polarity."""
    examples: tuple[str, ...]
    """Sentences of someone doing or recommending it (compared by meaning)."""
    patterns: tuple[str, ...] = ()
    """Regular expressions over a normalised clause (Mandarin without spaces) for the shapes
    a cue list cannot enumerate: "把.{0,6}(电话|地址).{0,4}(告诉|发给)" catches 把那位客户的电话和
    地址告诉他. Like cues, they count when said with their own polarity."""
    severity: Severity = Severity.MINOR
    violates: str = ""
    """Label of the key point it breaks ("" when none); that point then earns nothing."""


@dataclass(frozen=True, kw_only=True)
class Question:
    """One interview question with its point value and key points."""

    id: str
    """Identifier unique within its bank (the document's numbering for imported banks)."""
    section: str
    """Id of the section this question belongs to."""
    points: float
    """Marks available for this question (> 0)."""
    prompt: str
    """The question as spoken to the candidate."""
    key_points: tuple[KeyPoint, ...]
    """What a good answer covers."""
    language: str = "zh"
    """Language of the prompt and of the expected answer: "zh" or "en"."""
    model_answer: str = ""
    """Optional example of a strong answer."""
    breaches: tuple[Breach, ...] = ()
    """Bad practices to penalise in answers to this question."""
    bank: str = ""
    """Id of the bank it came from (set by the loader; "" for a question built alone)."""


@dataclass(frozen=True, kw_only=True)
class Section:
    """A group of questions (自我认知与动机, 服务场景实操...)."""

    id: str
    title: str


@dataclass(frozen=True, kw_only=True)
class Bank:
    """A validated question bank."""

    id: str
    """Identifier used on the command line (`--bank cs-zh`)."""
    title: str
    language: str
    """"zh" or "en"; every question inherits it."""
    sections: tuple[Section, ...]
    questions: tuple[Question, ...]
    source: str = ""
    """Where the bank was loaded from (file path), for messages."""
    description: str = field(default="")

    def question(self, question_id: str) -> Question | None:
        """Return the question with this id, or None."""
        for question in self.questions:
            if question.id == question_id:
                return question
        return None

    def section_counts(self) -> dict[str, int]:
        """Number of questions per section id, in section order."""
        counts = {section.id: 0 for section in self.sections}
        for question in self.questions:
            counts[question.section] = counts.get(question.section, 0) + 1
        return counts
