"""Progress over time, read from the history database: what `interview-sim history` shows.

`history_summary` returns one JSON-ready document (schema `interview-sim/history/1`,
published in `simulator/schemas/history.json`): the sessions in time order, the average
score per section, the key points missed most often, delivery trends per session (pace,
fillers, pauses, response latency) and the best and latest take of each question.
`answer_rows` gives one flat row per answer for `history --csv`. All of it can be narrowed
to a bank, a section and a first date.

Questions are told apart by bank, language and id: a replay session mixing both shipped
banks records no bank (only a practice session does), and "q1" exists in both.

Scores are fractions of the question's points (0-1), so questions worth 2 and 5 points
average fairly. Follow-ups count in the delivery trends but not in the per-question best
and latest takes (they answer a different question).
"""

from __future__ import annotations

import csv
import datetime as dt
import sqlite3
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from simulator.history.db import connect

HISTORY_SCHEMA = "interview-sim/history/1"

CSV_COLUMNS = (
    "session_id", "started_at", "session_kind", "position", "kind", "take", "bank", "section",
    "question_id", "language", "points", "max_points", "fraction", "key_points_covered",
    "key_points_total", "missed_key_points", "duration_s", "response_latency_s", "pace_unit",
    "pace_per_min", "pace_verdict", "filler_count", "filler_per_min", "long_pauses",
    "dead_air", "longest_pause_s", "loudness_verdict", "end_reason", "prompt", "transcript",
)
"""The header of `history --csv`, one row per answer."""


@dataclass(frozen=True, kw_only=True)
class HistoryFilter:
    """Which answers a history query looks at (None: no restriction)."""

    bank: str | None = None
    """Only answers to questions of this bank (calls have no bank and drop out)."""
    section: str | None = None
    """Only answers to questions of this section."""
    since: dt.date | None = None
    """Only sessions started on or after this date (compared with the recorded timestamp)."""

    def as_json(self) -> dict[str, Any]:
        """The filter as it appears in the `history --json` document."""
        return {"bank": self.bank, "section": self.section,
                "since": self.since.isoformat() if self.since else None}


def history_summary(db_path: Path, filters: HistoryFilter | None = None, *,
                    top_missed: int = 10) -> dict[str, Any]:
    """Everything `history` shows, as one JSON-ready document.

    Args:
        db_path: the history database (created empty if missing).
        filters: bank, section and since restrictions.
        top_missed: how many most-missed key points to list.

    Raises:
        HistoryError: the database cannot be opened.
    """
    filters = filters or HistoryFilter()
    conn = connect(db_path)
    conn.row_factory = sqlite3.Row
    try:
        answers = _answers(conn, filters)
        sessions = _sessions(conn, filters, answers)
        key_points = _key_points(conn, filters)
    finally:
        conn.close()
    scored = [a for a in answers if a["kind"] in ("answer", "take") and a["fraction"] is not None]
    return {
        "schema": HISTORY_SCHEMA,
        "database": str(db_path),
        "filters": filters.as_json(),
        "totals": {
            "sessions": len(sessions),
            "calls": sum(1 for s in sessions if s["kind"] == "call"),
            "answers": len(scored),
            "average_fraction": _mean([a["fraction"] for a in scored]),
            "first_at": sessions[0]["started_at"] if sessions else None,
            "last_at": sessions[-1]["started_at"] if sessions else None,
        },
        "sessions": sessions,
        "sections": _sections(scored),
        "missed_key_points": _missed(key_points)[:top_missed],
        "trends": _trends(sessions, answers),
        "questions": _questions(scored),
    }


def answer_rows(db_path: Path, filters: HistoryFilter | None = None) -> list[dict[str, Any]]:
    """One flat row per answer (columns `CSV_COLUMNS`), oldest session first."""
    filters = filters or HistoryFilter()
    conn = connect(db_path)
    conn.row_factory = sqlite3.Row
    try:
        answers = _answers(conn, filters)
        points = defaultdict(list)
        for kp in _key_points(conn, filters):
            points[(kp["session_id"], kp["answer_position"])].append(kp)
    finally:
        conn.close()
    rows = []
    for a in answers:
        kps = points[(a["session_id"], a["position"])]
        rows.append({
            **{c: a.get(c) for c in CSV_COLUMNS if c in a},
            "session_kind": a["session_kind"],
            "key_points_covered": sum(1 for k in kps if k["covered"]) if kps else None,
            "key_points_total": len(kps) if kps else None,
            "missed_key_points": "; ".join(k["label"] for k in kps if not k["covered"]),
        })
    return [{c: row.get(c) for c in CSV_COLUMNS} for row in rows]


def write_csv(rows: Sequence[dict[str, Any]], stream: IO[str]) -> None:
    """Write `answer_rows` as CSV with a header (RFC 4180 quoting, `\\r\\n` line ends)."""
    writer = csv.DictWriter(stream, fieldnames=list(CSV_COLUMNS), extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else v for k, v in row.items()})


def _where(filters: HistoryFilter, answers_alias: str = "a") -> tuple[str, list[Any]]:
    clauses, params = [], []
    if filters.bank is not None:
        clauses.append(f"{answers_alias}.bank = ?")
        params.append(filters.bank)
    if filters.section is not None:
        clauses.append(f"{answers_alias}.section = ?")
        params.append(filters.section)
    if filters.since is not None:
        clauses.append("s.started_at >= ?")
        params.append(filters.since.isoformat())
    return (" AND ".join(clauses) or "1"), params


def _answers(conn: sqlite3.Connection, filters: HistoryFilter) -> list[dict[str, Any]]:
    where, params = _where(filters)
    cursor = conn.execute(
        "SELECT a.*, s.started_at, s.kind AS session_kind FROM answers a "
        f"JOIN sessions s USING (session_id) WHERE {where} "
        "ORDER BY s.started_at, a.session_id, a.position", params)
    return [dict(row) for row in cursor]


def _key_points(conn: sqlite3.Connection, filters: HistoryFilter) -> list[dict[str, Any]]:
    where, params = _where(filters)
    cursor = conn.execute(
        "SELECT k.*, a.bank, a.language, a.question_id, a.kind FROM key_points k "
        "JOIN answers a ON a.session_id = k.session_id AND a.position = k.answer_position "
        f"JOIN sessions s ON s.session_id = a.session_id WHERE {where} "
        "ORDER BY s.started_at, k.session_id, k.answer_position, k.position", params)
    return [dict(row) for row in cursor]


def _sessions(conn: sqlite3.Connection, filters: HistoryFilter,
              answers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_session: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for a in answers:
        by_session[a["session_id"]].append(a)
    where = "s.started_at >= ?" if filters.since else "1"
    params = [filters.since.isoformat()] if filters.since else []
    out = []
    for s in conn.execute(f"SELECT * FROM sessions s WHERE {where} ORDER BY started_at, "
                          "session_id", params):
        mine = by_session.get(s["session_id"], [])
        narrowed = filters.bank is not None or filters.section is not None
        if narrowed and not mine:
            continue
        scored = [a for a in mine if a["kind"] in ("answer", "take")]
        points = sum(a["points"] or 0.0 for a in scored) if narrowed else s["points"]
        max_points = sum(a["max_points"] or 0.0 for a in scored) if narrowed else s["max_points"]
        out.append({
            "session_id": s["session_id"], "kind": s["kind"], "started_at": s["started_at"],
            "status": s["status"], "bank": s["bank"], "language": s["language"],
            "script": s["script"], "answers": len(scored) if s["kind"] != "call" else len(mine),
            "points": None if points is None else round(points, 2),
            "max_points": max_points,
            "fraction": round(points / max_points, 3) if points is not None and max_points
            else None,
            "average_fraction": _mean([a["fraction"] for a in scored]),
            "call_score": s["call_score"], "call_outcome": s["call_outcome"],
            "scenario": s["scenario_id"], "folder": s["folder"],
        })
    return out


def _sections(scored: list[dict[str, Any]]) -> list[dict[str, Any]]:
    groups: dict[tuple[str | None, ...], list[dict[str, Any]]] = defaultdict(list)
    for a in scored:
        groups[(a["bank"], a["language"], a["section"])].append(a)
    return [{"bank": bank, "language": language, "section": section, "answers": len(rows),
             "average_fraction": _mean([a["fraction"] for a in rows]),
             "average_points": _mean([a["points"] for a in rows]),
             "best_fraction": max(a["fraction"] for a in rows)}
            for (bank, language, section), rows in sorted(groups.items(),
                                                          key=lambda kv: _key(kv[0]))]


def _missed(key_points: list[dict[str, Any]]) -> list[dict[str, Any]]:
    groups: dict[tuple[str | None, ...], list[bool]] = defaultdict(list)
    for kp in key_points:
        if kp["kind"] in ("answer", "take"):
            key = (kp["bank"], kp["language"], kp["question_id"], kp["label"])
            groups[key].append(bool(kp["covered"]))
    rows = [{"bank": bank, "language": language, "question_id": qid, "label": label,
             "asked": len(covered), "missed": covered.count(False),
             "miss_rate": round(covered.count(False) / len(covered), 3)}
            for (bank, language, qid, label), covered in groups.items() if False in covered]
    return sorted(rows, key=lambda r: (-r["missed"], -r["miss_rate"],
                                       _key((r["bank"], r["language"], r["label"]))))


def _trends(sessions: list[dict[str, Any]], answers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_session: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for a in answers:
        by_session[a["session_id"]].append(a)
    out = []
    for s in sessions:
        rows = by_session.get(s["session_id"], [])
        spoken = [a for a in rows if a["talk_s"]]
        out.append({
            "session_id": s["session_id"], "started_at": s["started_at"], "answers": len(rows),
            "pace_cpm": _mean([a["pace_per_min"] for a in spoken if a["pace_unit"] == "cpm"]),
            "pace_wpm": _mean([a["pace_per_min"] for a in spoken if a["pace_unit"] == "wpm"]),
            "fillers_per_min": _mean([a["filler_per_min"] for a in spoken]),
            "fillers": sum(a["filler_count"] or 0 for a in rows),
            "long_pauses": sum(a["long_pauses"] or 0 for a in rows),
            "dead_air": sum(a["dead_air"] or 0 for a in rows),
            "response_latency_s": _mean([a["response_latency_s"] for a in rows]),
        })
    return out


def _questions(scored: list[dict[str, Any]]) -> list[dict[str, Any]]:
    groups: dict[tuple[str | None, ...], list[dict[str, Any]]] = defaultdict(list)
    for a in scored:  # already in time order, so the last one is the latest
        groups[(a["bank"], a["language"], a["question_id"])].append(a)
    out = []
    for (bank, language, qid), rows in sorted(groups.items(), key=lambda kv: _key(kv[0])):
        best = max(enumerate(rows), key=lambda ir: (ir[1]["fraction"], ir[0]))[1]
        out.append({"bank": bank, "language": language, "question_id": qid,
                    "section": rows[-1]["section"],
                    "prompt": rows[-1]["prompt"], "attempts": len(rows),
                    "average_fraction": _mean([a["fraction"] for a in rows]),
                    "best": _take_json(best), "latest": _take_json(rows[-1])})
    return out


def _take_json(a: dict[str, Any]) -> dict[str, Any]:
    return {"session_id": a["session_id"], "position": a["position"],
            "started_at": a["started_at"], "points": a["points"],
            "max_points": a["max_points"], "fraction": a["fraction"], "wav": a["wav"]}


def _mean(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return round(sum(present) / len(present), 3) if present else None


def _key(parts: tuple[str | None, ...]) -> tuple[str, ...]:
    """Sort key that puts None first and orders question ids "2" before "12"."""
    return tuple(p.zfill(8) if p and p.isdigit() else (p or "") for p in parts)
