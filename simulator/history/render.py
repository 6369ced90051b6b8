"""The `history` summary as plain-text tables for a terminal or a pipe.

No colours or cursor control, so `history | less` and `history > file.txt` read the same
as the screen. Columns are padded by display width, so Mandarin (two columns per
character) lines up with English.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

MAX_CELL_COLUMNS = 44
"""Longer cells (key point labels, prompts) are cut with an ellipsis."""


def render_text(summary: Mapping[str, Any]) -> str:
    """Render a `history_summary` document as plain-text tables."""
    totals = summary["totals"]
    if not totals["sessions"]:
        return ("No sessions in the history yet" + _filters_note(summary["filters"]) + ".\n"
                "Practise (`interview-sim practice`) or add old folders with "
                "`interview-sim history import DIR`.\n")
    lines = [f"History: {totals['sessions']} sessions ({totals['calls']} calls), "
             f"{totals['answers']} scored answers, average {_pct(totals['average_fraction'])}"
             f"{_filters_note(summary['filters'])}", ""]
    lines += _section("Sessions", ("date", "kind", "answers", "score"), [
        (_date(s["started_at"]), s["kind"], str(s["answers"]), _session_score(s))
        for s in summary["sessions"]])
    lines += _section("Average score per section", ("bank", "section", "answers", "average",
                                                    "best"), [
        (s["bank"] or s["language"] or "?", s["section"] or "?", str(s["answers"]),
         _pct(s["average_fraction"]), _pct(s["best_fraction"])) for s in summary["sections"]])
    lines += _section("Key points missed most often", ("missed", "question", "key point"), [
        (f"{m['missed']}/{m['asked']}", _question(m), m["label"])
        for m in summary["missed_key_points"]])
    lines += _section("Delivery per session", ("date", "pace", "fillers/min", "long pauses",
                                               "dead air", "start after"), [
        (_date(t["started_at"]), _pace(t), _num(t["fillers_per_min"]), str(t["long_pauses"]),
         str(t["dead_air"]), _secs(t["response_latency_s"])) for t in summary["trends"]])
    lines += _section("Best and latest take per question", ("question", "tries", "best",
                                                            "latest", "prompt"), [
        (_question(q), str(q["attempts"]), _take(q["best"]), _take(q["latest"]),
         q["prompt"] or "") for q in summary["questions"]])
    return "\n".join(lines).rstrip() + "\n"


def _section(title: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    if not rows:
        return []
    cells = [[_cut(c) for c in row] for row in [tuple(header), *rows]]
    widths = [max(_width(row[i]) for row in cells) for i in range(len(header))]
    out = [title]
    for row in cells:
        out.append("  " + "  ".join(_pad(c, w) for c, w in zip(row, widths, strict=True))
                   .rstrip())
    return [*out, ""]


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _cut(text: str) -> str:
    text = " ".join(text.split())
    if _width(text) <= MAX_CELL_COLUMNS:
        return text
    out = ""
    for ch in text:
        if _width(out + ch) > MAX_CELL_COLUMNS - 1:
            break
        out += ch
    return out + "…"


def _filters_note(filters: Mapping[str, Any]) -> str:
    parts = [f"{k} {v}" for k, v in filters.items() if v]
    return f" ({', '.join(parts)})" if parts else ""


def _date(iso: str) -> str:
    return iso[:16].replace("T", " ")


def _pct(fraction: float | None) -> str:
    return "-" if fraction is None else f"{round(fraction * 100)}%"


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _secs(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} s"


def _pace(trend: Mapping[str, Any]) -> str:
    parts = [f"{round(trend[k])} {k[-3:]}" for k in ("pace_cpm", "pace_wpm")
             if trend[k] is not None]
    return ", ".join(parts) or "-"


def _session_score(s: Mapping[str, Any]) -> str:
    if s["kind"] == "call":
        score = "-" if s["call_score"] is None else f"{s['call_score']:g}/100"
        return f"call {score} ({s['call_outcome'] or '?'}, {s['scenario'] or '?'})"
    if s["points"] is None or not s["max_points"]:
        return "-"
    return f"{s['points']:g}/{s['max_points']:g} ({_pct(s['fraction'])})"


def _question(item: Mapping[str, Any]) -> str:
    return f"{item['bank'] or item['language'] or '?'} q{item['question_id'] or '?'}"


def _take(take: Mapping[str, Any]) -> str:
    return f"{_pct(take['fraction'])} ({take['started_at'][5:10]})"
