"""Pieces shared by the practice and call reports: page frame, audio, delivery, progress."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from simulator.report.script import for_script
from simulator.report.strings import verdict
from simulator.report.style import CSS
from simulator.report.svg import Timeline, answer_timeline, esc, line_chart, pace_chart

Doc = Mapping[str, Any]


def get(doc: object, *keys: str | int) -> Any:
    """`doc[k1][k2]...`, or None where any step is missing or of the wrong type."""
    for key in keys:
        if isinstance(key, int):
            doc = doc[key] if isinstance(doc, list) and -len(doc) <= key < len(doc) else None
        else:
            doc = doc.get(key) if isinstance(doc, Mapping) else None
        if doc is None:
            return None
    return doc


def num(value: object) -> float | None:
    """A JSON number as float, else None (booleans are not numbers here)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def fmt(value: float | None, digits: int = 1) -> str:
    """A number without trailing zeros ("4", "2.5"); "-" for None."""
    if value is None:
        return "-"
    return f"{value:.{digits}f}".rstrip("0").rstrip(".") if digits else f"{value:.0f}"


def level(fraction: float | None) -> str:
    """CSS class for a score: good (70% or more), fair (40%), low."""
    if fraction is None:
        return ""
    return "good" if fraction >= 0.7 else "fair" if fraction >= 0.4 else "low"


def html_lang(language: str | None, script: str | None) -> str:
    """The page's `lang`: zh-Hant/zh-Hans picks the right glyph forms for Chinese."""
    if language == "zh":
        return "zh-Hant" if script == "traditional" else "zh-Hans"
    return "en"


def page(*, title: str, lang: str, body: str, strings: Mapping[str, str]) -> str:
    """A whole self-contained HTML document (inline CSS, no script, no external URL)."""
    return (
        f'<!DOCTYPE html>\n<html lang="{esc(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        # Nothing on this page may load from the network; the policy makes sure of it.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:; media-src file: data: blob: 'self'\">\n"
        f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n{body}\n"
        f'<footer>{esc(strings["generated"])} · {esc(strings["print_hint"])}</footer>\n'
        "</main>\n</body>\n</html>\n"
    )


def meta_list(items: Sequence[tuple[str, object]]) -> str:
    """The grey "label: value" line under a title (empty values left out)."""
    return '<ul class="meta">' + "".join(
        f"<li>{esc(label)}: {esc(value)}</li>" for label, value in items
        if value not in (None, "")) + "</ul>"


def when(iso: object) -> str:
    """An ISO timestamp as "2026-12-02 16:22" (left as given when it does not parse)."""
    if not isinstance(iso, str):
        return ""
    try:
        return dt.datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return iso


def audio(folder: Path | None, wav: object, strings: Mapping[str, str]) -> str:
    """An <audio> player for the answer WAV, referenced relative to the report's folder."""
    if not isinstance(wav, str) or not wav:
        return ""
    path = Path(wav)
    if folder is not None and not path.is_absolute():
        if not (folder / path).is_file():
            return f'<p class="note">{esc(strings["no_recording"])}: {esc(wav)}</p>'
        src = quote(path.as_posix())
    elif path.is_absolute() and path.is_file():
        src = path.as_uri()
    else:
        return f'<p class="note">{esc(strings["no_recording"])}: {esc(wav)}</p>'
    return (f'<audio controls preload="metadata" src="{esc(src)}" '
            f'aria-label="{esc(strings["recording"])}"></audio>')


def delivery_block(turn: Doc, strings: Mapping[str, str], turn_no: int | str) -> str:
    """Pace against its band, a timeline of fillers and pauses, and the other verdicts."""
    delivery = get(turn, "delivery")
    if not isinstance(delivery, Mapping):
        return ""
    pace = get(delivery, "pace") or {}
    band_raw = get(pace, "band")
    band = ((float(band_raw[0]), float(band_raw[1])) if isinstance(band_raw, list)
            and len(band_raw) == 2 and all(num(b) is not None for b in band_raw) else None)
    per_min = num(get(pace, "per_min"))
    unit = str(get(pace, "unit") or "")
    parts = [f'<h3>{esc(strings["delivery"])}</h3>']
    if per_min is not None:
        label = f'{strings["pace"]}: {fmt(per_min)} {unit}'
        if band:
            label += f' ({strings["target"]} {fmt(band[0], 0)}-{fmt(band[1], 0)})'
        parts.append(pace_chart(per_min, band, unit, label, turn_no))
    fillers = [(num(get(f, "start_s")), str(get(f, "text") or ""))
               for f in get(delivery, "fillers", "items") or []]
    pauses = [(num(get(p, "start_s")), num(get(p, "length_s")) or 0.0,
               get(p, "dead_air") is True) for p in get(delivery, "pauses", "items") or []]
    duration = num(get(turn, "answer", "duration_s")) or num(get(turn, "transcript", "audio_s"))
    if duration:
        start, end = num(get(turn, "answer", "speech_start_s")), num(
            get(turn, "answer", "speech_end_s"))
        timeline = Timeline(duration_s=duration,
                            speech=(start, end) if start is not None and end is not None
                            else None,
                            fillers=[(s, t) for s, t in fillers if s is not None],
                            pauses=[(s, n, d) for s, n, d in pauses if s is not None])
        parts.append(answer_timeline(timeline, strings["timeline"], turn_no))
        parts.append('<div class="legend"><span><i style="background:#cfe0fb"></i>'
                     f'{esc(strings["legend_speech"])}</span><span><i style="background:'
                     f'#d08b12"></i>{esc(strings["legend_filler"])}</span><span><i style='
                     f'"background:#9aa3b3"></i>{esc(strings["legend_pause"])}</span></div>')
    facts = [
        (strings["fillers"], f'{get(delivery, "fillers", "count") or 0} '
                             f'{_verdict(strings, get(delivery, "fillers", "verdict"))}'),
        (strings["pauses"], f'{get(delivery, "pauses", "long_count") or 0}'
         + (f' ({get(delivery, "pauses", "dead_air_count")} {strings["dead_air"]})'
            if get(delivery, "pauses", "dead_air_count") else "")),
        (strings["start_after"], _seconds(num(get(delivery, "response_latency_s")), strings)
         + " " + _verdict(strings, get(delivery, "latency_verdict"))),
        (strings["loudness"], _verdict(strings, get(delivery, "loudness", "verdict")) or "-"),
    ]
    if per_min is not None:
        facts.insert(0, (strings["pace"], f"{fmt(per_min)} {unit} "
                                          f"{_verdict(strings, get(pace, 'verdict'))}"))
    parts.append('<div class="facts">' + "".join(
        f"<span>{esc(k)}: <b>{esc(v.strip())}</b></span>" for k, v in facts) + "</div>")
    return "".join(parts)


def _verdict(strings: Mapping[str, str], value: object) -> str:
    return f"({verdict(strings, value)})" if isinstance(value, str) and value else ""


def _seconds(value: float | None, strings: Mapping[str, str]) -> str:
    return "-" if value is None else f'{fmt(value)}{strings["seconds"]}'


def progress_section(history: Mapping[str, Any] | None, strings: Mapping[str, str],
                     current_id: str | None) -> str:
    """The progress charts from a `history_summary` document (score, pace, fillers)."""
    sessions = [s for s in (get(history, "sessions") or []) if isinstance(s, Mapping)]
    if not sessions:
        return ""
    trends = {str(t.get("session_id")): t for t in get(history, "trends") or []
              if isinstance(t, Mapping)}

    def label(s: Mapping[str, Any]) -> str:
        return when(s.get("started_at"))[5:16]

    def data(s: Mapping[str, Any]) -> dict[str, object]:
        return {"session": s.get("session_id"),
                "current": 1 if s.get("session_id") == current_id else None}

    practice = [s for s in sessions if s.get("kind") != "call"]
    charts = []
    if practice:
        charts.append(f'<h3>{esc(strings["progress_score"])}</h3>' + line_chart(
            [(label(s), num(s.get("fraction")), data(s)) for s in practice], metric="fraction",
            label=strings["progress_score"], y_max=1.0, percent=True))
    for key, unit in (("pace_cpm", "cpm"), ("pace_wpm", "wpm")):
        points = [(label(s), num(get(trends, str(s.get("session_id")), key)), data(s))
                  for s in sessions]
        if sum(1 for _, v, _ in points if v is not None) >= 1:
            charts.append(f'<h3>{esc(strings["progress_pace"])} ({unit})</h3>' + line_chart(
                points, metric=key, label=f'{strings["progress_pace"]} ({unit})'))
    fillers = [(label(s), num(get(trends, str(s.get("session_id")), "fillers_per_min")), data(s))
               for s in sessions]
    charts.append(f'<h3>{esc(strings["progress_fillers"])}</h3>' + line_chart(
        fillers, metric="fillers_per_min", label=strings["progress_fillers"]))
    return (f'<section class="card progress"><h2>{esc(strings["progress"])}</h2>'
            + "".join(charts) + "</section>")


def text_for(value: object, script: str | None) -> str:
    """A record string in the session's script ("" for anything that is not text)."""
    return for_script(value, script) if isinstance(value, str) else ""
