"""The body of a role-play call report: who spoke when, talk/listen, scorecard, each turn.

`call.json` records how long each answer took but not how long the customer's lines
took to say (with `--no-voice` nothing was said at all), so the customer's stretches on
the timeline are estimated from each line's length at a typical speaking rate, and the
page says so. A record that carries `turns[].customer_speech_s` is used as is.
"""

from __future__ import annotations

import re
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
from simulator.report.svg import call_timeline, esc

ZH_CHARS_PER_S = 4.5
"""Typical Mandarin speaking rate (characters a second) for estimating a customer line."""
EN_WORDS_PER_S = 2.6
"""Typical English speaking rate (words a second)."""
DEAD_AIR_S = 3.0
"""Silence at least this long counts as dead air (as in the delivery metrics)."""
_CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def customer_seconds(line: str, recorded: float | None = None) -> float:
    """How long a customer line takes to say: the recorded time, else an estimate."""
    if recorded is not None:
        return recorded
    chars = len(_CJK_RE.findall(line))
    words = len(_CJK_RE.sub(" ", line).split())
    return round(chars / ZH_CHARS_PER_S + words / EN_WORDS_PER_S, 2)


def call_segments(document: Doc) -> tuple[list[tuple[str, float, float, dict[str, object]]],
                                           list[tuple[float, float]]]:
    """Speaking stretches (lane, start_s, end_s, data) and dead air (start_s, length_s)."""
    segments: list[tuple[str, float, float, dict[str, object]]] = []
    dead: list[tuple[float, float]] = []
    t = 0.0
    for k, turn in enumerate(get(document, "turns") or [], start=1):
        if not isinstance(turn, Mapping):
            continue
        line = str(turn.get("customer_line") or "")
        said = customer_seconds(line, num(turn.get("customer_speech_s")))
        if said > 0:
            segments.append(("customer", t, t + said, {"turn": k}))
        t += said
        answer = turn.get("answer") if isinstance(turn.get("answer"), Mapping) else {}
        start, end = num(get(answer, "speech_start_s")), num(get(answer, "speech_end_s"))
        latency = num(get(answer, "response_latency_s"))
        if latency is not None and latency >= DEAD_AIR_S:
            dead.append((t, latency))
        for pause in get(turn, "delivery", "pauses", "items") or []:
            if get(pause, "dead_air") is True and num(get(pause, "start_s")) is not None:
                dead.append((t + (num(get(pause, "start_s")) or 0.0),
                             num(get(pause, "length_s")) or 0.0))
        if start is not None and end is not None and end > start:
            talk = num(get(turn, "delivery", "talk_s"))
            segments.append(("trainee", t + start, t + end,
                             {"turn": k, "talk-s": talk if talk is not None else end - start}))
        t += num(get(answer, "duration_s")) or (end or 0.0)
    final = str(get(document, "final_customer_line") or "")
    if final:
        segments.append(("customer", t, t + customer_seconds(final), {"turn": "final"}))
    return segments, dead


def call_body(document: Doc, folder: Path | None, strings: Mapping[str, str],
              script: str | None, history: Mapping[str, Any] | None) -> str:
    """Everything inside <main> for a call record."""
    card = get(document, "scorecard") or {}
    score = num(get(card, "score"))
    header = (
        f'<header class="top"><h1>{esc(strings["title_call"])}</h1>'
        f'<p><b>{esc(text_for(get(document, "scenario", "title"), script))}</b></p>'
        + meta_list([(strings["started"], when(get(document, "started_at"))),
                     (strings["scenario"], get(document, "scenario", "id")),
                     (strings["outcome"], get(document, "outcome")),
                     (strings["model"], get(document, "model"))])
        + (f'<p><span class="score-big" data-metric="call-score" data-value="{esc(score)}">'
           f'{esc(fmt(score, 0))}</span> / 100</p>' if score is not None else "")
        + (f'<p class="summary">{esc(text_for(get(document, "summary"), script))}</p>'
           if get(document, "summary") else "")
        + f'<p class="note">{esc(text_for(get(document, "scenario", "persona"), script))}</p>'
        + "</header>")
    segments, dead = call_segments(document)
    talk = sum(float(str(d.get("talk-s"))) for lane, _, _, d in segments if lane == "trainee")
    listen = sum(end - start for lane, start, end, _ in segments if lane == "customer")
    share = talk / (talk + listen) if talk + listen else None
    lanes = {"customer": strings["customer"], "trainee": strings["you"]}
    timeline = (
        f'<section class="card"><h2>{esc(strings["call_timeline"])}</h2>'
        + call_timeline(segments, dead, lanes, strings["call_timeline"])
        + f'<div class="facts"><span>{esc(strings["talk_listen"])}: <b data-metric="talk-share" '
        f'data-value="{esc(round(share, 3) if share is not None else "")}">'
        + (f"{round(share * 100)}% / {100 - round(share * 100)}%" if share is not None else "-")
        + f'</b> ({fmt(talk)}{esc(strings["seconds"])} / {fmt(listen)}'
        f'{esc(strings["seconds"])})</span><span>{esc(strings["dead_air"])}: '
        f'<b data-metric="dead-air-count" data-value="{len(dead)}">{len(dead)}</b></span></div>'
        f'<p class="note">{esc(strings["talk_listen_note"])}</p></section>')
    return (header + timeline + _scorecard(card, strings, script)
            + progress_section(history, strings, get(document, "session_id"))
            + "".join(_turn(t, k, folder, strings, script, card)
                      for k, t in enumerate(get(document, "turns") or [], start=1)
                      if isinstance(t, Mapping)))


def _scorecard(card: Doc, strings: Mapping[str, str], script: str | None) -> str:
    items = [i for i in get(card, "items") or [] if isinstance(i, Mapping)]
    if not items:
        return ""
    rows = []
    for item in items:
        credit = num(item.get("credit"))
        rows.append(
            f'<tr data-item="{esc(item.get("id"))}" data-credit="{esc(credit)}">'
            f'<td>{esc(text_for(item.get("label"), script))}</td>'
            f'<td>{esc(fmt(num(item.get("weight")), 0))}</td>'
            f'<td><span class="pill {level(credit)}">'
            f'{esc(round(credit * 100) if credit is not None else "-")}%</span></td>'
            f'<td>{esc(text_for(item.get("advice"), script)) if (credit or 0) < 1 else ""}</td>'
            "</tr>")
    courtesy = get(card, "courtesy", "markers")
    extra = []
    if get(card, "best"):
        extra.append(f'<b>{esc(strings["best"])}:</b> {esc(text_for(get(card, "best"), script))}')
    if get(card, "fix", "advice"):
        extra.append(f'<b>{esc(strings["fix"])}:</b> '
                     f'{esc(text_for(get(card, "fix", "advice"), script))}')
    if isinstance(courtesy, Mapping):
        extra.append(f'<b>{esc(strings["courtesy"])}:</b> ' + esc(", ".join(
            f"{text_for(k, script)} ×{v}" for k, v in courtesy.items())))
    return (f'<section class="card"><h2>{esc(strings["scorecard"])}</h2><table><thead><tr>'
            f'<th>{esc(strings["item"])}</th><th>{esc(strings["weight"])}</th>'
            f'<th>{esc(strings["credit"])}</th><th>{esc(strings["advice"])}</th></tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>'
            + "".join(f'<p class="feedback">{e}</p>' for e in extra) + "</section>")


def _turn(turn: Doc, k: int, folder: Path | None, strings: Mapping[str, str],
          script: str | None, card: Doc) -> str:
    text = text_for(get(turn, "transcript", "text"), script)
    marks = find_marks(text, [], [f for f in get(turn, "delivery", "fillers", "items") or []
                                  if isinstance(f, Mapping)],
                       [w for w in get(turn, "transcript", "words") or []
                        if isinstance(w, Mapping)])
    # The scorecard's evidence for this turn, marked like a practice answer's key points.
    evidence = [{"covered": True, "label": text_for(item.get("label"), script),
                 "evidence": [{"heard": e.get("span")} for e in item.get("evidence") or []
                              if isinstance(e, Mapping) and e.get("turn_index") == k - 1]}
                for item in get(card, "items") or [] if isinstance(item, Mapping)]
    marks += find_marks(text, evidence, [], [])
    branch = get(turn, "branch", "label")
    return (
        f'<article class="turn" id="turn-{k}"><div class="answer-head"><h2>'
        f'{esc(strings["turn"])} {k}</h2><span class="pill">{esc(get(turn, "mood") or "")}'
        f'</span></div><p class="prompt"><b>{esc(strings["customer"])}:</b> '
        f'{esc(text_for(turn.get("customer_line"), script))}</p>'
        + audio(folder, get(turn, "answer", "wav"), strings)
        + f'<h3>{esc(strings["your_answer"])}</h3>'
        f'<div class="transcript">{render_marked(text, marks) or "—"}</div>'
        + (f'<p class="feedback"><b>{esc(strings["branch"])}:</b> '
           f'{esc(text_for(branch, script))}</p>' if branch else "")
        + delivery_block(turn, strings, k) + "</article>")
