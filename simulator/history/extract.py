"""Turn one saved session or call document into history rows (pure; no I/O, no database).

The input is the JSON the tool already writes (`session.json`, `call.json`; README "Session
record and --json"), read as plain data: nothing here imports the simulator's own types, so
the history survives a reshuffle of the modules that write those documents. Every field is
optional on the way in: a missing or mistyped value becomes `None` in its row, and only a
document that is not an interview-sim record at all is refused (`AlienDocument`).

Fields designed for before they exist, and tolerated when absent:
- `turns[].take`: the take number of this answer to its question (1 = first try), as an
  integer or `{"number": n}`; a take of 2 or more is stored with kind "take".
- `turns[].follow_up`: a turn-shaped object, or a list of them (`question.prompt` or
  `prompt`, `transcript`, `score`, `delivery`, `answer`, `timings`), stored as rows of kind
  "follow_up" whose `parent_position` is the turn they follow.
- `script` (top level): "simplified" or "traditional".
- `bank` per question (`turns[].question.bank`), else the session's `bank`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

SESSION_SCHEMA_PREFIX = "interview-sim/session/"
CALL_SCHEMA_PREFIX = "interview-sim/call/"


class AlienDocument(ValueError):
    """The JSON is valid but is not an interview-sim session or call record."""


@dataclass(frozen=True, kw_only=True)
class SessionRow:
    """One practice, replay or call session."""

    session_id: str
    kind: str
    """"practice", "replay" or "call" (the document's `mode`; "call" for call records)."""
    schema: str
    bank: str | None
    language: str | None
    """The language most turns were in ("zh", "en")."""
    script: str | None
    """"traditional" or "simplified" when the record says; None: not recorded."""
    started_at: str
    """ISO 8601 (UTC offset kept as written); falls back to the folder name's timestamp."""
    updated_at: str | None
    status: str | None
    answered: int
    points: float | None
    max_points: float | None
    call_score: float | None
    """Calls: the phone-manner score out of 100."""
    call_outcome: str | None
    scenario_id: str | None
    title: str | None
    """Calls: the scenario title."""


@dataclass(frozen=True, kw_only=True)
class AnswerRow:
    """One spoken answer: a practice answer, a take, a follow-up or a call turn."""

    position: int
    """Order within the session, from 1; follow-ups come right after their turn."""
    kind: str
    """"answer", "take", "follow_up" or "call_turn"."""
    turn_index: int | None
    parent_position: int | None
    take: int | None
    question_id: str | None
    """Practice: the bank's question id; calls: the scenario step."""
    section: str | None
    bank: str | None
    language: str | None
    prompt: str | None
    """Practice: the question; calls: the customer's line."""
    points: float | None
    max_points: float | None
    fraction: float | None
    transcript: str | None
    wav: str | None
    """Relative to the session folder, as recorded."""
    duration_s: float | None
    end_reason: str | None
    speech_start_s: float | None
    speech_end_s: float | None
    response_latency_s: float | None
    talk_s: float | None
    pace_unit: str | None
    """"cpm" (Mandarin characters a minute) or "wpm"."""
    pace_per_min: float | None
    pace_low: float | None
    pace_high: float | None
    pace_verdict: str | None
    filler_count: int | None
    filler_per_min: float | None
    filler_verdict: str | None
    long_pauses: int | None
    dead_air: int | None
    longest_pause_s: float | None
    latency_verdict: str | None
    loudness_dbfs: float | None
    clipped_share: float | None
    loudness_verdict: str | None
    first_tip: str | None
    transcribe_s: float | None
    feedback_latency_s: float | None


@dataclass(frozen=True, kw_only=True)
class KeyPointRow:
    """One key point of one answer, with the credit it got."""

    answer_position: int
    position: int
    label: str
    weight: float | None
    critical: bool
    covered: bool
    credit: float | None


@dataclass(frozen=True, kw_only=True)
class FillerRow:
    """One filler heard in one answer."""

    answer_position: int
    position: int
    text: str
    start_s: float | None


@dataclass(frozen=True, kw_only=True)
class PauseRow:
    """One long pause inside one answer."""

    answer_position: int
    position: int
    start_s: float | None
    length_s: float | None
    dead_air: bool


@dataclass(frozen=True, kw_only=True)
class ScorecardRow:
    """One checklist item of a call's phone-manner scorecard."""

    position: int
    item_id: str | None
    label: str
    weight: float | None
    credit: float | None


@dataclass(frozen=True, kw_only=True)
class SessionRecord:
    """Everything the history keeps about one session document."""

    session: SessionRow
    answers: tuple[AnswerRow, ...] = ()
    key_points: tuple[KeyPointRow, ...] = ()
    fillers: tuple[FillerRow, ...] = ()
    pauses: tuple[PauseRow, ...] = ()
    scorecard: tuple[ScorecardRow, ...] = field(default=())


def document_kind(document: object) -> str:
    """"session" or "call" for an interview-sim record.

    Raises:
        AlienDocument: anything else (names what was found).
    """
    if not isinstance(document, Mapping):
        raise AlienDocument(f"expected a JSON object, found {type(document).__name__}")
    schema = document.get("schema")
    if isinstance(schema, str) and schema.startswith(SESSION_SCHEMA_PREFIX):
        return "session"
    if isinstance(schema, str) and schema.startswith(CALL_SCHEMA_PREFIX):
        return "call"
    raise AlienDocument(f"not an interview-sim session or call record (schema {schema!r})")


def extract(document: Mapping[str, Any], folder_name: str) -> SessionRecord:
    """All history rows for one session or call document.

    Args:
        document: the parsed `session.json` or `call.json`.
        folder_name: the session folder's name (the id when the document has none).

    Returns:
        The session row and its answer, key point, filler, pause and scorecard rows.

    Raises:
        AlienDocument: not an interview-sim record, or `turns` is not a list.
    """
    kind = document_kind(document)
    turns = document.get("turns", [])
    if not isinstance(turns, list):
        raise AlienDocument("field 'turns' is not a list")
    rows = _Rows()
    for turn in turns:
        if isinstance(turn, Mapping):
            if kind == "call":
                rows.add_turn(turn, kind="call_turn", parent=None, bank=None)
            else:
                rows.add_practice_turn(turn, _text(document.get("bank")))
    session = _session_row(document, kind, folder_name, rows.answers)
    scorecard = _scorecard_rows(document.get("scorecard")) if kind == "call" else ()
    return SessionRecord(session=session, answers=tuple(rows.answers),
                         key_points=tuple(rows.key_points), fillers=tuple(rows.fillers),
                         pauses=tuple(rows.pauses), scorecard=scorecard)


class _Rows:
    """Collects rows in document order, numbering answers from 1."""

    def __init__(self) -> None:
        self.answers: list[AnswerRow] = []
        self.key_points: list[KeyPointRow] = []
        self.fillers: list[FillerRow] = []
        self.pauses: list[PauseRow] = []

    def add_practice_turn(self, turn: Mapping[str, Any], session_bank: str | None) -> None:
        take = _take(turn.get("take"))
        kind = "take" if take is not None and take >= 2 else "answer"
        parent = self.add_turn(turn, kind=kind, parent=None, bank=session_bank, take=take)
        follow_ups = turn.get("follow_up")
        if isinstance(follow_ups, Mapping):
            follow_ups = [follow_ups]
        if isinstance(follow_ups, list):
            for follow_up in follow_ups:
                if isinstance(follow_up, Mapping):
                    self.add_turn(follow_up, kind="follow_up", parent=parent,
                                  bank=session_bank, inherit=turn)

    def add_turn(self, turn: Mapping[str, Any], *, kind: str, parent: int | None,
                 bank: str | None, take: int | None = None,
                 inherit: Mapping[str, Any] | None = None) -> int:
        position = len(self.answers) + 1
        question = _map(turn.get("question"))
        parent_question = _map(inherit.get("question")) if inherit is not None else {}
        answer, transcript = _map(turn.get("answer")), _map(turn.get("transcript"))
        score, delivery, timings = (_map(turn.get("score")), _map(turn.get("delivery")),
                                    _map(turn.get("timings")))
        pace, fillers, pauses = (_map(delivery.get("pace")), _map(delivery.get("fillers")),
                                 _map(delivery.get("pauses")))
        loudness = _map(delivery.get("loudness"))
        raw_band = pace.get("band")
        band: list[Any] = list(raw_band) if isinstance(raw_band, list) else []
        tips = delivery.get("tips") if isinstance(delivery.get("tips"), list) else []
        first_tip = _map(tips[0]).get("code") if tips else None
        if kind == "call_turn":
            question_id, prompt, section = (_text(turn.get("step")),
                                            _text(turn.get("customer_line")), None)
        else:
            question_id = _text(question.get("id")) or _text(parent_question.get("id"))
            prompt = _text(question.get("prompt")) or _text(turn.get("prompt"))
            section = _text(question.get("section")) or _text(parent_question.get("section"))
        self.answers.append(AnswerRow(
            position=position, kind=kind, turn_index=_int(turn.get("index")),
            parent_position=parent, take=take, question_id=question_id, section=section,
            bank=_text(question.get("bank")) or _text(parent_question.get("bank")) or bank,
            language=_text(question.get("language")) or _text(transcript.get("language"))
            or _text(delivery.get("language")),
            prompt=prompt, points=_num(score.get("points")),
            max_points=_num(score.get("max_points")), fraction=_fraction(score),
            transcript=_text(transcript.get("text")), wav=_text(answer.get("wav")),
            duration_s=_num(answer.get("duration_s")), end_reason=_text(answer.get("end_reason")),
            speech_start_s=_num(answer.get("speech_start_s")),
            speech_end_s=_num(answer.get("speech_end_s")),
            response_latency_s=_num(answer.get("response_latency_s")),
            talk_s=_num(delivery.get("talk_s")),
            pace_unit=_text(pace.get("unit")), pace_per_min=_num(pace.get("per_min")),
            pace_low=_num(band[0]) if len(band) > 0 else None,
            pace_high=_num(band[1]) if len(band) > 1 else None,
            pace_verdict=_text(pace.get("verdict")),
            filler_count=_int(fillers.get("count")), filler_per_min=_num(fillers.get("per_min")),
            filler_verdict=_text(fillers.get("verdict")),
            long_pauses=_int(pauses.get("long_count")), dead_air=_int(pauses.get("dead_air_count")),
            longest_pause_s=_num(pauses.get("longest_s")),
            latency_verdict=_text(delivery.get("latency_verdict")),
            loudness_dbfs=_num(loudness.get("speech_dbfs")),
            clipped_share=_num(loudness.get("clipped_share")),
            loudness_verdict=_text(loudness.get("verdict")), first_tip=_text(first_tip),
            transcribe_s=_num(timings.get("transcribe_s")),
            feedback_latency_s=_num(timings.get("feedback_latency_s")),
        ))
        for k, point in enumerate(_maps(score.get("key_points")), start=1):
            self.key_points.append(KeyPointRow(
                answer_position=position, position=k, label=_text(point.get("label")) or "",
                weight=_num(point.get("weight")), critical=point.get("critical") is True,
                covered=point.get("covered") is True, credit=_num(point.get("credit"))))
        for k, item in enumerate(_maps(fillers.get("items")), start=1):
            self.fillers.append(FillerRow(answer_position=position, position=k,
                                          text=_text(item.get("text")) or "",
                                          start_s=_num(item.get("start_s"))))
        for k, item in enumerate(_maps(pauses.get("items")), start=1):
            self.pauses.append(PauseRow(answer_position=position, position=k,
                                        start_s=_num(item.get("start_s")),
                                        length_s=_num(item.get("length_s")),
                                        dead_air=item.get("dead_air") is True))
        return position


def _session_row(document: Mapping[str, Any], kind: str, folder_name: str,
                 answers: list[AnswerRow]) -> SessionRow:
    totals = _map(document.get("totals"))
    scenario = _map(document.get("scenario"))
    scorecard = _map(document.get("scorecard"))
    languages = Counter(a.language for a in answers if a.language)
    language = (_text(scenario.get("language")) if kind == "call" else None) or (
        languages.most_common(1)[0][0] if languages else None)
    banks = {a.bank for a in answers if a.bank}
    script = _text(document.get("script"))
    scored = [a for a in answers if a.kind != "call_turn"]
    points = _num(totals.get("points"))
    max_points = _num(totals.get("max_points"))
    if points is None and scored:
        points = round(sum(a.points or 0.0 for a in scored), 1)
        max_points = sum(a.max_points or 0.0 for a in scored)
    return SessionRow(
        session_id=_text(document.get("session_id")) or folder_name,
        kind="call" if kind == "call" else (_text(document.get("mode")) or "practice"),
        schema=str(document.get("schema")),
        bank=_text(document.get("bank")) or (banks.pop() if len(banks) == 1 else None),
        language=language,
        script=script if script in ("simplified", "traditional") else None,
        started_at=_text(document.get("started_at")) or _text(document.get("updated_at"))
        or _time_from_folder(folder_name),
        updated_at=_text(document.get("updated_at")), status=_text(document.get("status")),
        answered=_int(totals.get("answered")) or len([a for a in answers
                                                      if a.kind != "follow_up"]),
        points=points if kind != "call" else None,
        max_points=max_points if kind != "call" else None,
        call_score=_num(scorecard.get("score")) if kind == "call" else None,
        call_outcome=_text(document.get("outcome")), scenario_id=_text(scenario.get("id")),
        title=_text(scenario.get("title")),
    )


def _scorecard_rows(scorecard: object) -> tuple[ScorecardRow, ...]:
    return tuple(ScorecardRow(position=k, item_id=_text(item.get("id")),
                              label=_text(item.get("label")) or _text(item.get("id")) or "",
                              weight=_num(item.get("weight")), credit=_num(item.get("credit")))
                 for k, item in enumerate(_maps(_map(scorecard).get("items")), start=1))


def _time_from_folder(name: str) -> str:
    """The folder name's `YYYYMMDD-HHMMSS` as ISO 8601 (local time, as the folder was named)."""
    try:
        return dt.datetime.strptime(name[:15], "%Y%m%d-%H%M%S").isoformat()
    except ValueError:
        return "1970-01-01T00:00:00"


def _fraction(score: Mapping[str, Any]) -> float | None:
    fraction = _num(score.get("fraction"))
    if fraction is not None:
        return fraction
    points, max_points = _num(score.get("points")), _num(score.get("max_points"))
    return round(points / max_points, 3) if points is not None and max_points else None


def _take(value: object) -> int | None:
    if isinstance(value, Mapping):
        value = value.get("number")
    return _int(value)


def _map(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _maps(value: object) -> list[Mapping[str, Any]]:
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


def _text(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _num(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def _int(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None
