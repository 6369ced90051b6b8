"""The body of a practice (or replay) session report: summary, overview, one card per answer."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from simulator.report.highlight import find_marks, render_marked
from simulator.report.parts import (
    Doc,
    audio,
    delivery_block,
    fmt,
    get,
    level,
    meta_list,
    num,
    progress_section,
    text_for,
    when,
)
from simulator.report.svg import bar_chart, esc


def practice_body(document: Doc, folder: Path | None, strings: Mapping[str, str],
                  script: str | None, history: Mapping[str, Any] | None) -> str:
    """Everything inside <main> for a session record."""
    turns = [t for t in get(document, "turns") or [] if isinstance(t, Mapping)]
    points = num(get(document, "totals", "points"))
    max_points = num(get(document, "totals", "max_points"))
    fraction = points / max_points if points is not None and max_points else None
    header = (
        f'<header class="top"><h1>{esc(strings["title_practice"])}</h1>'
        + meta_list([(strings["started"], when(get(document, "started_at"))),
                     (strings["mode"], get(document, "mode")),
                     (strings["bank"], get(document, "bank")),
                     (strings["answers"], get(document, "totals", "answered")),
                     (strings["model"], get(document, "model")),
                     (strings["status"], get(document, "status"))])
        + (f'<p><span class="score-big" data-metric="total" data-value="{esc(points)}">'
           f'{esc(fmt(points))}</span> / {esc(fmt(max_points))} '
           f'<span class="pill {level(fraction)}">{round(fraction * 100)}%</span></p>'
           if fraction is not None else "")
        + (f'<p class="summary">{esc(text_for(get(document, "summary"), script))}</p>'
           if get(document, "summary") else "")
        + "</header>")
    overview = ""
    bars = [(str(get(t, "index") or k), num(get(t, "score", "fraction")) or 0.0,
             {"turn": get(t, "index") or k}) for k, t in enumerate(turns, start=1)
            if num(get(t, "score", "fraction")) is not None]
    if bars:
        overview = (f'<section class="card"><h2>{esc(strings["overview"])}</h2>'
                    + bar_chart(bars, metric="fraction", label=strings["overview"])
                    + "</section>")
    progress = progress_section(history, strings, get(document, "session_id"))
    cards = []
    for k, turn in enumerate(turns, 1):
        cards.append(_answer(turn, k, folder, strings, script))
        follow_ups = turn.get("follow_up")  # a field to come: one object or a list
        if isinstance(follow_ups, Mapping):
            follow_ups = [follow_ups]
        for j, follow_up in enumerate(follow_ups if isinstance(follow_ups, list) else [], 1):
            if isinstance(follow_up, Mapping):
                cards.append(_answer(follow_up, f"{get(turn, 'index') or k}.{j}", folder,
                                     strings, script, follow_up=True))
    return header + overview + progress + "".join(cards)


def _answer(turn: Doc, k: int | str, folder: Path | None, strings: Mapping[str, str],
            script: str | None, *, follow_up: bool = False) -> str:
    index = k if follow_up else get(turn, "index") or k
    score = get(turn, "score") or {}
    fraction = num(get(score, "fraction"))
    section = get(turn, "question", "section")
    title = (f'{strings["follow_up"]} {index}' if follow_up else
             f'{strings["question"]} {index}{strings["question_suffix"]}'
             + (f" · {section}" if section else ""))
    text = text_for(get(turn, "transcript", "text"), script)
    key_points = [p for p in get(score, "key_points") or [] if isinstance(p, Mapping)]
    marks = find_marks(text, key_points,
                       [f for f in get(turn, "delivery", "fillers", "items") or []
                        if isinstance(f, Mapping)],
                       [w for w in get(turn, "transcript", "words") or []
                        if isinstance(w, Mapping)])
    head = (f'<div class="answer-head"><h2>{esc(title)}</h2>'
            + (f'<span class="pill {level(fraction)}" data-metric="fraction" '
               f'data-value="{esc(fraction)}">{esc(fmt(num(get(score, "points"))))}/'
               f'{esc(fmt(num(get(score, "max_points"))))}</span>' if fraction is not None
               else "")
            + "</div>")
    parts = [head, f'<p class="prompt">{esc(text_for(get(turn, "question", "prompt"), script))}'
                   "</p>",
             audio(folder, get(turn, "answer", "wav"), strings),
             f'<h3>{esc(strings["your_answer"])}</h3>',
             f'<div class="transcript">{render_marked(text, marks) or "—"}</div>']
    if key_points:
        parts.append(f'<h3>{esc(strings["key_points"])}</h3><ul class="kps">')
        for point in key_points:
            covered = point.get("covered") is True
            heard = ", ".join(text_for(e.get("heard"), script)
                              for e in point.get("evidence") or [] if isinstance(e, Mapping))
            parts.append(
                f'<li class="{"covered" if covered else "missed"}" '
                f'data-credit="{esc(point.get("credit"))}">'
                f'{esc(text_for(point.get("label"), script))}'
                + (f' <span class="heard">({esc(strings["heard"])}: {esc(heard)})</span>'
                   if covered and heard else "")
                + "</li>")
        parts.append("</ul>")
    parts.append(delivery_block(turn, strings, index))
    feedback = text_for(get(turn, "feedback", "text"), script)
    if feedback:
        parts.append(f'<p class="feedback"><b>{esc(strings["feedback"])}:</b> '
                     f"{esc(feedback)}</p>")
    return f'<article class="answer" id="answer-{esc(index)}">{"".join(parts)}</article>'
