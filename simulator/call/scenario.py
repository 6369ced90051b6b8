"""Role-play call scenarios: the data model, loading and validation of `prompts/scenarios/*.toml`.

A scenario is a simulated customer as a small state machine. Each step is a mood of the
customer (annoyed, angry, calming down...) with the line(s) the customer says on entering it
and branches, tried in order on the trainee's last answer, that choose the next step; the
last branch of a step has no condition (the default). Terminal steps end the call: the
customer is satisfied (the trainee gets one closing answer) or hangs up. The file format
is documented in `prompts/scenarios/README.md`. Every problem is a `DataFileError` naming the
file, the step, the branch and the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from simulator.data import (
    LANGUAGES,
    PROMPTS_DIR,
    cues,
    no_unknown,
    optional_text,
    read_toml,
    resolve_data_file,
    strings,
    text,
)
from simulator.errors import DataFileError

SCENARIOS_DIR = PROMPTS_DIR / "scenarios"
"""The shipped scenarios."""
MAX_SCENARIO_BYTES = 200_000
MAX_TURNS_LIMIT = 20
"""The largest `max_turns` a scenario may ask for."""

_HEAD_FIELDS = {"id", "title", "language", "persona", "opening", "out_of_turns", "max_turns",
                "start", "briefing", "topic"}
_STEP_FIELDS = {"id", "mood", "lines", "end", "branches"}
_CUE_CONDITIONS = ("heard_any", "heard_all", "heard_none")
_FLAG_CONDITIONS = ("heard_time", "silent")
_BRANCH_FIELDS = {"goto", "label", *_CUE_CONDITIONS, *_FLAG_CONDITIONS}


class Ending(StrEnum):
    """How a terminal step ends the call."""

    SATISFIED = "satisfied"
    """The customer is content; the trainee gets one more answer to close the call."""
    HUNG_UP = "hung_up"
    """The customer hangs up after the step's line; nothing more is recorded."""


@dataclass(frozen=True)
class Branch:
    """One way out of a step: every condition given must hold (none given: the default)."""

    goto: str
    """The step to go to."""
    label: str = ""
    """Why this branch exists, for the record ("no apology")."""
    heard_any: tuple[str, ...] = ()
    """At least one of these cues was heard (matched like scorecard cues)."""
    heard_all: tuple[str, ...] = ()
    """Every one of these cues was heard."""
    heard_none: tuple[str, ...] = ()
    """None of these cues was heard."""
    heard_time: bool | None = None
    """True: a concrete time was given (今天, 3点, 24小时, "by 3 pm"); False: none was."""
    silent: bool | None = None
    """True: the trainee said nothing; False: something was heard."""

    @property
    def is_default(self) -> bool:
        """True when the branch has no condition."""
        return not (self.heard_any or self.heard_all or self.heard_none
                    or self.heard_time is not None or self.silent is not None)


@dataclass(frozen=True)
class Step:
    """One state of the customer."""

    id: str
    mood: str
    """Free label for the record: "annoyed", "angry", "calm"..."""
    lines: tuple[str, ...]
    """What the customer says on entering the step; a step visited again says the next one."""
    branches: tuple[Branch, ...] = ()
    end: Ending | None = None
    """Set on terminal steps (which have no branches)."""

    def line(self, visit: int) -> str:
        """The line for the `visit`-th time the step is entered (1 is the first)."""
        return self.lines[(visit - 1) % len(self.lines)]


@dataclass(frozen=True)
class Scenario:
    """A validated role-play call."""

    id: str
    title: str
    language: str
    """"zh" or "en": the customer's language, and the trainee's."""
    persona: str
    """Who is calling and why (shown to the trainee, kept in the record)."""
    opening: str
    """The customer's first words; the call is then in the `start` step."""
    out_of_turns: str
    """What the customer says when `max_turns` answers have not settled the call."""
    max_turns: int
    """Most answers the customer reacts to (a closing answer after "satisfied" is extra)."""
    start: str
    steps: Mapping[str, Step]
    source: str
    """The file it was loaded from."""
    briefing: str = ""
    """Said by the narrator before the call (optional)."""
    topic: tuple[str, ...] = ()
    """Sentences a trainee addressing the customer's problem might say (optional): with the
    persona and the customer's lines, what an answer must be about to calm the customer."""

    @property
    def topic_texts(self) -> tuple[str, ...]:
        """What the call is about: the persona, every customer line and the topic."""
        lines = (line for step in self.steps.values() for line in step.lines)
        return (self.persona, self.opening, *lines, *self.topic)

    @property
    def start_step(self) -> Step:
        """The step the call begins in."""
        return self.steps[self.start]


def load_scenario(path: Path) -> Scenario:
    """Read, parse and validate one scenario file.

    Raises:
        DataFileError: the file is missing, too large, not TOML or invalid (names file, step and
            field).
    """
    data = read_toml(path, "scenario", MAX_SCENARIO_BYTES)
    return parse_scenario(data, source=str(path))


def parse_scenario(data: Mapping[str, Any], source: str) -> Scenario:
    """Validate a scenario already parsed into plain data and build a `Scenario`.

    Raises:
        DataFileError: with `source`, the step, the branch and the field in the message.
    """
    head = data.get("scenario")
    if not isinstance(head, Mapping):
        raise DataFileError(f"{source}: missing table [scenario]")
    where = f"{source}: [scenario]"
    no_unknown(head, _HEAD_FIELDS, where)
    no_unknown(data, {"scenario", "steps"}, source, kind="table")
    language = text(head, "language", where)
    if language not in LANGUAGES:
        raise DataFileError(f"{where}: field 'language' is {language!r}; use one of {LANGUAGES}")
    max_turns = head.get("max_turns")
    if (not isinstance(max_turns, int) or isinstance(max_turns, bool)
            or not 1 <= max_turns <= MAX_TURNS_LIMIT):
        raise DataFileError(f"{where}: field 'max_turns' must be an integer from 1 to "
                        f"{MAX_TURNS_LIMIT}")
    raw_steps = data.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        raise DataFileError(f"{source}: field 'steps' must be a non-empty list of tables "
                            "([[steps]])")
    steps: dict[str, Step] = {}
    for i, raw in enumerate(raw_steps):
        step = _step(raw, i, source)
        if step.id in steps:
            raise DataFileError(f"{source}: step {step.id}: duplicate step id")
        steps[step.id] = step
    start = head.get("start", next(iter(steps)))
    if start not in steps:
        raise DataFileError(f"{where}: field 'start' is {start!r}, not a step id "
                        f"({', '.join(steps)})")
    _check_graph(steps, start, source)
    return Scenario(id=text(head, "id", where), title=text(head, "title", where),
                    language=language, persona=text(head, "persona", where),
                    opening=text(head, "opening", where),
                    out_of_turns=text(head, "out_of_turns", where), max_turns=max_turns,
                    start=start, steps=steps, source=source,
                    briefing=optional_text(head, "briefing", where),
                    topic=strings(head, "topic", where, required=False))


def _step(raw: Any, index: int, source: str) -> Step:
    where = f"{source}: step {index + 1}"
    if not isinstance(raw, Mapping):
        raise DataFileError(f"{where}: not a table")
    step_id = text(raw, "id", where)
    where = f"{source}: step {step_id}"
    no_unknown(raw, _STEP_FIELDS, where)
    end_text = raw.get("end")
    end = None
    if end_text is not None:
        try:
            end = Ending(end_text)
        except ValueError as e:
            raise DataFileError(f"{where}: field 'end' is {end_text!r}; use "
                            f"{' or '.join(repr(x.value) for x in Ending)}") from e
    lines = strings(raw, "lines", where) if "lines" in raw else ()
    raw_branches = raw.get("branches", [])
    if not isinstance(raw_branches, list):
        raise DataFileError(f"{where}: field 'branches' must be a list of tables "
                            "([[steps.branches]])")
    branches = tuple(_branch(b, f"{where}, branch {k + 1}") for k, b in enumerate(raw_branches))
    if end is not None and branches:
        raise DataFileError(f"{where}: field 'branches' must be empty: the step ends the call "
                        f"(end = {end.value!r})")
    if end is None:
        defaults = [k for k, b in enumerate(branches) if b.is_default]
        if not defaults:
            raise DataFileError(f"{where}: field 'branches' needs a last branch with no condition "
                            "(the default), or set 'end'")
        if defaults != [len(branches) - 1]:
            raise DataFileError(f"{where}, branch {defaults[0] + 1}: a branch with no condition "
                            "must be the last one (branches are tried in order)")
    return Step(id=step_id, mood=text(raw, "mood", where), lines=lines, branches=branches,
                end=end)


def _branch(raw: Any, where: str) -> Branch:
    if not isinstance(raw, Mapping):
        raise DataFileError(f"{where}: not a table")
    no_unknown(raw, _BRANCH_FIELDS, where)
    heard = {name: cues(raw, name, where) if name in raw else () for name in _CUE_CONDITIONS}
    flags: dict[str, bool | None] = {}
    for name in _FLAG_CONDITIONS:
        value = raw.get(name)
        if value is not None and not isinstance(value, bool):
            raise DataFileError(f"{where}: field '{name}' must be true or false")
        flags[name] = value
    return Branch(goto=text(raw, "goto", where), label=optional_text(raw, "label", where),
                  heard_any=heard["heard_any"], heard_all=heard["heard_all"],
                  heard_none=heard["heard_none"], heard_time=flags["heard_time"],
                  silent=flags["silent"])


def _check_graph(steps: Mapping[str, Step], start: str, source: str) -> None:
    """Targets exist and can speak; every step is reachable; the call can end."""
    if steps[start].end is not None:
        raise DataFileError(f"{source}: step {start}: the start step cannot end the call "
                        "(field 'end')")
    for step in steps.values():
        for k, branch in enumerate(step.branches):
            where = f"{source}: step {step.id}, branch {k + 1}"
            if branch.goto not in steps:
                raise DataFileError(f"{where}: field 'goto' is {branch.goto!r}, not a step id "
                                f"({', '.join(steps)})")
            if not steps[branch.goto].lines:
                raise DataFileError(f"{source}: step {branch.goto}: field 'lines' is needed: "
                                f"branch {k + 1} of step {step.id} goes there")
        if step.end is not None and not step.lines:
            raise DataFileError(f"{source}: step {step.id}: field 'lines' is needed on a step "
                            "that ends the call")
    seen, todo = {start}, [start]
    while todo:
        for branch in steps[todo.pop()].branches:
            if branch.goto not in seen:
                seen.add(branch.goto)
                todo.append(branch.goto)
    unreachable = [step_id for step_id in steps if step_id not in seen]
    if unreachable:
        raise DataFileError(f"{source}: step {unreachable[0]}: no branch leads there from the "
                        f"start step {start!r}")
    if not any(steps[step_id].end is not None for step_id in seen):
        raise DataFileError(f"{source}: no step ends the call; give one step end = \"satisfied\" "
                        "or \"hung_up\"")


def scenario_paths() -> list[Path]:
    """The scenario files shipped in `prompts/scenarios/`, sorted by name."""
    return sorted(SCENARIOS_DIR.glob("*.toml"))


def resolve_scenario(name_or_path: str) -> Scenario:
    """Load a scenario given a file path or the id of a shipped scenario.

    Raises:
        DataFileError: no such file or id (lists the shipped ids), or the file is invalid.
    """
    return load_scenario(resolve_data_file(name_or_path, scenario_paths(), "scenario"))
