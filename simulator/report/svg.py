"""Hand-written inline SVG charts: no script, no library, nothing fetched.

Chosen by measurement over uPlot and Chart.js (docs/report.md): the charts here are a few
dozen shapes each, so inline SVG costs a few hundred bytes per chart against 51 kB (uPlot)
or 210 kB (Chart.js) of vendored JavaScript per report, renders without JavaScript (mail
previews, locked-down viewers), and prints as vectors. Every data point carries
`data-metric` and `data-value` attributes, so tests (and curious users) can read the
numbers back out of the page.

All coordinates are in a 600-unit-wide viewBox scaled to the page width by CSS.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

WIDTH = 600
"""viewBox width; charts scale to the column width."""
_PAD_L, _PAD_R = 46, 14


def esc(text: object) -> str:
    """Escape for HTML text and attribute values."""
    return html.escape(str(text), quote=True)


def _attrs(data: Mapping[str, object]) -> str:
    return "".join(f' data-{esc(k)}="{esc(v)}"' for k, v in data.items() if v is not None)


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _svg(height: int, label: str, body: str, css_class: str) -> str:
    return (f'<svg class="chart {css_class}" viewBox="0 0 {WIDTH} {height}" role="img" '
            f'aria-label="{esc(label)}" xmlns="http://www.w3.org/2000/svg">'
            f"<title>{esc(label)}</title>{body}</svg>")


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 x 10^k at or above `value` (a tidy axis maximum)."""
    if value <= 0:
        return 1.0
    scale = 10 ** math.floor(math.log10(value))
    return next(m * scale for m in (1, 2, 2.5, 5, 10) if m * scale >= value - 1e-12)


def _tick_step(span: float, max_ticks: int = 8) -> float:
    for step in (0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 20, 30, 50, 60, 100, 120, 300, 600):
        if span / step <= max_ticks:
            return step
    return span / max_ticks


def pace_chart(value: float | None, band: tuple[float, float] | None, unit: str,
               label: str, turn: int | str | None = None) -> str:
    """A horizontal scale with the target band shaded and the answer's pace marked."""
    low, high = band if band else (0.0, 0.0)
    top = max(high * 1.4, (value or 0) * 1.1, 1.0)
    x = lambda v: _PAD_L + (WIDTH - _PAD_L - _PAD_R) * min(v, top) / top  # noqa: E731
    parts = [f'<line class="axis" x1="{_PAD_L}" y1="30" x2="{WIDTH - _PAD_R}" y2="30"/>']
    step = _tick_step(top, 6)
    tick = 0.0
    while tick <= top + 1e-9:
        parts.append(f'<line class="tick" x1="{x(tick):.1f}" y1="30" x2="{x(tick):.1f}" y2="34"/>'
                     f'<text class="tick-label" x="{x(tick):.1f}" y="46" text-anchor="middle">'
                     f"{_num(tick)}</text>")
        tick += step
    if band:
        parts.append(f'<rect class="band" x="{x(low):.1f}" y="14" width="{x(high) - x(low):.1f}" '
                     f'height="16"{_attrs({"low": low, "high": high})}/>')
    if value is not None:
        parts.append(f'<circle class="point pace" cx="{x(value):.1f}" cy="22" r="6"'
                     f'{_attrs({"metric": "pace", "value": value, "turn": turn})}/>'
                     f'<text class="value-label" x="{x(value):.1f}" y="10" text-anchor="middle">'
                     f"{esc(_num(value))} {esc(unit)}</text>")
    parts.append(f'<text class="unit-label" x="4" y="26">{esc(unit)}</text>')
    return _svg(50, label, "".join(parts), "pace-chart")


@dataclass(frozen=True, kw_only=True)
class Timeline:
    """What happened during one answer, in seconds from the start of its recording."""

    duration_s: float
    speech: tuple[float, float] | None = None
    fillers: Sequence[tuple[float, str]] = field(default=())
    """(start_s, filler text)."""
    pauses: Sequence[tuple[float, float, bool]] = field(default=())
    """(start_s, length_s, dead_air)."""


def answer_timeline(timeline: Timeline, label: str, turn: int | str | None = None) -> str:
    """Speech span, long pauses (dead air darker) and filler ticks along the answer."""
    total = max(timeline.duration_s, 1.0)
    x = lambda t: _PAD_L + (WIDTH - _PAD_L - _PAD_R) * max(0.0, min(t, total)) / total  # noqa
    parts = [f'<rect class="track" x="{_PAD_L}" y="18" width="{WIDTH - _PAD_L - _PAD_R}" '
             'height="18"/>']
    if timeline.speech:
        start, end = timeline.speech
        parts.append(f'<rect class="speech" x="{x(start):.1f}" y="18" '
                     f'width="{max(x(end) - x(start), 1):.1f}" height="18"'
                     f'{_attrs({"start-s": start, "end-s": end})}/>')
    for start, length, dead in timeline.pauses:
        parts.append(f'<rect class="pause{" dead-air" if dead else ""}" x="{x(start):.1f}" '
                     f'y="18" width="{max(x(start + length) - x(start), 2):.1f}" height="18"'
                     f'{_attrs({"metric": "pause", "value": length, "start-s": start})}>'
                     f"<title>{esc(_num(length))} s</title></rect>")
    for start, text in timeline.fillers:
        data = {"metric": "filler", "value": start, "text": text}
        parts.append(f'<g class="filler"{_attrs(data)}>'
                     f'<line x1="{x(start):.1f}" y1="12" x2="{x(start):.1f}" y2="40"/>'
                     f'<text x="{x(start):.1f}" y="9" text-anchor="middle">{esc(text)}</text></g>')
    step = _tick_step(total)
    tick = 0.0
    while tick <= total + 1e-9:
        parts.append(f'<text class="tick-label" x="{x(tick):.1f}" y="52" text-anchor="middle">'
                     f"{_num(tick)}s</text>")
        tick += step
    body = "".join(parts)
    return _svg(58, label, body, "timeline-chart" + (f" turn-{turn}" if turn else ""))


def line_chart(points: Sequence[tuple[str, float | None, Mapping[str, object]]], *,
               metric: str, label: str, y_max: float | None = None,
               percent: bool = False) -> str:
    """Values over sessions: a polyline with a labelled dot per session (gaps for None)."""
    values = [v for _, v, _ in points if v is not None]
    top = y_max if y_max is not None else nice_ceiling(max(values + [0.0]) * 1.1)
    height, plot_top, plot_bottom = 150, 12, 118
    n = max(len(points), 1)
    x = lambda i: _PAD_L + (WIDTH - _PAD_L - _PAD_R) * (i + 0.5) / n  # noqa: E731
    y = lambda v: plot_bottom - (plot_bottom - plot_top) * min(v, top) / top  # noqa: E731
    fmt = (lambda v: f"{round(v * 100)}%") if percent else _num
    parts = []
    mantissa = top / 10 ** math.floor(math.log10(top)) if top > 0 else 1.0
    divisions = 4 if percent or round(mantissa, 6) == 2 else 5
    for k in range(divisions + 1):
        level = top * k / divisions
        parts.append(f'<line class="grid" x1="{_PAD_L}" y1="{y(level):.1f}" '
                     f'x2="{WIDTH - _PAD_R}" y2="{y(level):.1f}"/>'
                     f'<text class="tick-label" x="{_PAD_L - 6}" y="{y(level) + 4:.1f}" '
                     f'text-anchor="end">{esc(fmt(level))}</text>')
    path: list[str] = []
    segments: list[list[str]] = []
    for i, (_, value, _) in enumerate(points):
        if value is None:
            if path:
                segments.append(path)
            path = []
            continue
        path.append(f"{x(i):.1f},{y(value):.1f}")
    if path:
        segments.append(path)
    parts.extend(f'<polyline class="line" points="{" ".join(s)}"/>' for s in segments if len(s) > 1)
    for i, (name, value, data) in enumerate(points):
        parts.append(f'<text class="tick-label" x="{x(i):.1f}" y="{height - 16}" '
                     f'text-anchor="middle">{esc(name)}</text>')
        if value is not None:
            parts.append(f'<circle class="point" cx="{x(i):.1f}" cy="{y(value):.1f}" r="4"'
                         f'{_attrs({"metric": metric, "value": value, **data})}>'
                         f"<title>{esc(name)}: {esc(fmt(value))}</title></circle>")
    return _svg(height, label, "".join(parts), f"line-chart {metric}")


def bar_chart(bars: Sequence[tuple[str, float, Mapping[str, object]]], *, metric: str,
              label: str) -> str:
    """One vertical bar per item, as a share of 100% (score fraction per answer)."""
    height, plot_top, plot_bottom = 130, 14, 100
    n = max(len(bars), 1)
    slot = (WIDTH - _PAD_L - _PAD_R) / n
    parts = []
    for k in (0, 0.5, 1):
        y = plot_bottom - (plot_bottom - plot_top) * k
        parts.append(f'<line class="grid" x1="{_PAD_L}" y1="{y:.1f}" x2="{WIDTH - _PAD_R}" '
                     f'y2="{y:.1f}"/><text class="tick-label" x="{_PAD_L - 6}" y="{y + 4:.1f}" '
                     f'text-anchor="end">{round(k * 100)}%</text>')
    for i, (name, value, data) in enumerate(bars):
        h = (plot_bottom - plot_top) * max(0.0, min(value, 1.0))
        bx = _PAD_L + slot * i + slot * 0.15
        level = "good" if value >= 0.7 else "fair" if value >= 0.4 else "low"
        parts.append(f'<rect class="bar {level}" x="{bx:.1f}" y="{plot_bottom - h:.1f}" '
                     f'width="{slot * 0.7:.1f}" height="{max(h, 1):.1f}"'
                     f'{_attrs({"metric": metric, "value": value, **data})}>'
                     f"<title>{esc(name)}: {round(value * 100)}%</title></rect>"
                     f'<text class="tick-label" x="{bx + slot * 0.35:.1f}" y="{plot_bottom + 16}" '
                     f'text-anchor="middle">{esc(name)}</text>')
    return _svg(height, label, "".join(parts), f"bar-chart {metric}")


def call_timeline(segments: Sequence[tuple[str, float, float, Mapping[str, object]]],
                  dead_air: Sequence[tuple[float, float]], lanes: Mapping[str, str],
                  label: str) -> str:
    """Two lanes (customer, trainee) of speaking stretches over the call, dead air marked."""
    total = max([end for _, _, end, _ in segments] + [1.0])
    x = lambda t: _PAD_L + 40 + (WIDTH - _PAD_L - 40 - _PAD_R) * t / total  # noqa: E731
    rows = {lane: 14 + 26 * k for k, lane in enumerate(lanes)}
    parts = [f'<text class="lane-label" x="4" y="{y + 14}">{esc(name)}</text>'
             for lane, name in lanes.items() for y in [rows[lane]]]
    for lane, start, end, data in segments:
        attrs = {"lane": lane, "start-s": round(start, 2), "end-s": round(end, 2), **data}
        parts.append(f'<rect class="seg {esc(lane)}" x="{x(start):.1f}" y="{rows[lane]}" '
                     f'width="{max(x(end) - x(start), 1.5):.1f}" height="18"{_attrs(attrs)}/>')
    bottom = 14 + 26 * len(lanes)
    for start, length in dead_air:
        attrs = {"metric": "dead-air", "value": round(length, 2), "start-s": round(start, 2)}
        parts.append(f'<rect class="dead-air" x="{x(start):.1f}" y="8" '
                     f'width="{max(x(start + length) - x(start), 2):.1f}" height="{bottom - 6}"'
                     f'{_attrs(attrs)}/>')
    step = _tick_step(total)
    tick = 0.0
    while tick <= total + 1e-9:
        parts.append(f'<text class="tick-label" x="{x(tick):.1f}" y="{bottom + 12}" '
                     f'text-anchor="middle">{_num(tick)}s</text>')
        tick += step
    return _svg(bottom + 18, label, "".join(parts), "call-timeline")
