"""A story told in an answer, and the key points that ask for a part of one.

"Tell me about a time..." questions have key points that name a part of the story, not its
content: "sets the scene", "took concrete action", "gives the outcome", "用具体经历支撑".
Examiners credit any story of the speaker's own that has the part; the sentence encoder
reads "Bag was at her hotel by eleven" or "后来她还常来买" far from "gives the outcome" or
"讲出结果", and on the development split the eleven questions with such points read own-words
answers at 0.70 of the marks against the graders' 0.89.

`story_parts` finds the parts an answer tells (by where its story markers, the speaker's
actions and its turns of outcome stand), `point_roles` which part a key point's label asks
for; the judge gives such a point at least the belief of full credit and quotes the clause
(`Judge._decide`). The patterns are data: `prompts/story.toml`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from simulator import data
from simulator.errors import DataFileError
from simulator.scoring.clauses import Clause
from simulator.scoring.result import Evidence

DEFAULT_STORY_PATH = data.PROMPTS_DIR / "story.toml"
MAX_STORY_BYTES = 50_000
ROLES = ("example", "scene", "action", "result")
_MARKERS = ("story", "narrated", "worked", "action", "result")
_MIN_ACTIONS = 2
"""A story whose speaker acts in fewer clauses than this tells no action."""
_MIN_NARRATED = 3
"""Clauses of the speaker's own past acts that make a story without a marker."""


@dataclass(frozen=True)
class StoryCues:
    """One language's patterns (each a union of the file's alternatives)."""

    points: Mapping[str, re.Pattern[str]]
    """Per role, what a key point's label says when it asks for that part."""
    story: re.Pattern[str]
    narrated: re.Pattern[str]
    worked: re.Pattern[str]
    action: re.Pattern[str]
    result: re.Pattern[str]


def load_story_cues(path: Path = DEFAULT_STORY_PATH) -> dict[str, StoryCues]:
    """The patterns by language.

    Raises:
        DataFileError: the file is missing, not TOML, a table or field is missing or unknown,
            or a pattern is not a regular expression (names the file, table and field).
    """
    document = data.read_toml(path, "story patterns", MAX_STORY_BYTES)
    data.no_unknown(document, set(data.LANGUAGES), str(path), kind="table")
    cues = {}
    for language, table in document.items():
        where = f"{path}: [{language}]"
        if not isinstance(table, Mapping) or not isinstance(table.get("points"), Mapping):
            raise DataFileError(f"{where} must be a table with a 'points' table")
        data.no_unknown(table, {"points", *_MARKERS}, where)
        data.no_unknown(table["points"], set(ROLES), f"{where}.points")
        points = {role: _union(table["points"], role, f"{where}.points")
                  for role in table["points"]}
        cues[language] = StoryCues(points, *(_union(table, m, where) for m in _MARKERS))
    return cues


def _union(table: Mapping[str, object], key: str, where: str) -> re.Pattern[str]:
    alternatives = data.strings(table, key, where)
    try:
        return re.compile("|".join(f"(?:{a})" for a in alternatives))
    except re.error as e:
        raise DataFileError(f"{where}: field '{key}' holds a pattern that is not a regular "
                            f"expression ({e})") from None


def point_roles(label: str, cues: StoryCues) -> tuple[str, ...]:
    """The parts of a story a key point's label asks for (usually none)."""
    return tuple(role for role, pattern in cues.points.items()
                 if pattern.search(label.lower()))


def story_parts(clauses: Sequence[Clause], language: str,
                cues: StoryCues) -> dict[str, int]:
    """Which parts of a story of the speaker's own the answer tells, each with the index of
    the clause that tells it.

    A story begins at its first marker ("有一次", "one time", "a guy called in") or, without
    one, at the first of three clauses or more that narrate the speaker's own past acts
    ("I walked over", "我们还是把钱退了"); without either, work the speaker did before
    ("我在银行柜台干了四年") is still an example. The scene is told when the story begins
    in the answer's first third (or its first two clauses), the action when the speaker
    acts in two clauses or more from there, the result when, after an action, a clause in
    the second half turns to how it ended ("后来", "turned out")."""
    texts = [c.plain if language == "zh" else c.plain.lower() for c in clauses]
    begins = next((k for k, t in enumerate(texts) if cues.story.search(t)), None)
    if begins is None:
        narrated = [k for k, t in enumerate(texts) if cues.narrated.search(t)]
        begins = narrated[0] if len(narrated) >= _MIN_NARRATED else None
    if begins is None:
        worked = next((k for k, t in enumerate(texts) if cues.worked.search(t)), None)
        return {} if worked is None else {"example": worked}
    parts = {"example": begins}
    if begins <= max(1, len(texts) // 3):
        parts["scene"] = begins
    acts = [k for k in range(begins, len(texts)) if cues.action.search(texts[k])]
    if len(acts) >= _MIN_ACTIONS:
        parts["action"] = acts[0]
        ends = [k for k in range(acts[0] + 1, len(texts))
                if k >= len(texts) / 2 and cues.result.search(texts[k])]
        if ends:
            parts["result"] = ends[0]
    return parts


def told_parts(labels: Sequence[str], clauses: Sequence[Clause], language: str,
               cues: Mapping[str, StoryCues]) -> tuple[tuple[str, int] | None, ...]:
    """Per key point, the part of the story it asks for that the answer tells, with its
    clause (None for a point that asks for none, or one the answer does not tell)."""
    language_cues = cues.get(language)
    if language_cues is None:
        return (None,) * len(labels)
    wanted = [point_roles(label, language_cues) for label in labels]
    if not any(wanted):
        return (None,) * len(labels)
    parts = story_parts(clauses, language, language_cues)
    return tuple(next(((role, parts[role]) for role in roles if role in parts), None)
                 for roles in wanted)


def story_quote(part: tuple[str, int] | None, clauses: Sequence[Clause]) -> tuple[Evidence, ...]:
    """The clause that told the part of the story a point asks for, quoted ("story: result")."""
    if part is None:
        return ()
    role, clause = part
    return (Evidence(f"story: {role}", clauses[clause].text, 100.0, "story"),)
