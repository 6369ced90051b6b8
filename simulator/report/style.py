"""The report's stylesheet, inlined into every page (screen and print)."""

CSS = """
:root { --ink:#1d2330; --muted:#5b6475; --line:#d9dee7; --accent:#2f6fde; --good:#1e8e5a;
  --fair:#d08b12; --low:#c8423b; --band:#cfe8d9; --paper:#fff; --soft:#f4f6fa; }
* { box-sizing:border-box; }
body { margin:0; background:var(--soft); color:var(--ink); line-height:1.55;
  font:15px/1.55 system-ui,-apple-system,"Segoe UI","PingFang SC","Hiragino Sans GB",
  "Microsoft YaHei","WenQuanYi Micro Hei","Noto Sans CJK SC",sans-serif; }
main { max-width:860px; margin:0 auto; padding:24px 20px 48px; }
header.top { background:var(--paper); border:1px solid var(--line); border-radius:10px;
  padding:18px 22px; margin-bottom:18px; }
h1 { font-size:1.5em; margin:0 0 6px; }
h2 { font-size:1.15em; margin:26px 0 10px; }
h3 { font-size:1.02em; margin:12px 0 6px; }
section.card > h2:first-child, .answer-head h2 { margin-top:0; }
.meta { color:var(--muted); font-size:.9em; display:flex; flex-wrap:wrap; gap:4px 18px;
  margin:0; padding:0; list-style:none; }
.score-big { font-size:2.2em; font-weight:700; }
.summary { margin:10px 0 0; }
section.card, article.answer, article.turn { background:var(--paper);
  border:1px solid var(--line); border-radius:10px; padding:16px 20px; margin:12px 0; }
.answer-head { display:flex; justify-content:space-between; gap:12px; align-items:baseline; }
.pill { display:inline-block; border-radius:999px; padding:1px 10px; font-size:.85em;
  font-weight:600; background:var(--soft); white-space:nowrap; }
.pill.good { background:#dff3e8; color:var(--good); } .pill.fair { background:#fbefd9;
  color:#8a5a00; } .pill.low { background:#f8e0de; color:var(--low); }
.prompt { color:var(--muted); margin:0 0 10px; }
.transcript { background:var(--soft); border-radius:8px; padding:10px 12px; margin:6px 0 10px;
  white-space:pre-wrap; word-break:break-word; }
mark.kp { background:#d8ecff; color:inherit; border-bottom:2px solid var(--accent);
  padding:0 1px; }
span.filler { background:#fde2c4; text-decoration:underline wavy #d08b12; }
ul.kps { list-style:none; padding:0; margin:6px 0 10px; }
ul.kps li { padding:2px 0; }
ul.kps li.covered::before { content:"✓ "; color:var(--good); font-weight:700; }
ul.kps li.missed::before { content:"✗ "; color:var(--low); font-weight:700; }
ul.kps li.missed { color:var(--muted); }
.heard { color:var(--muted); font-size:.88em; }
.facts { display:flex; flex-wrap:wrap; gap:4px 18px; font-size:.92em; margin:4px 0; }
.feedback { border-left:3px solid var(--accent); padding-left:10px; margin:8px 0 0; }
audio { width:100%; margin:4px 0 8px; }
.note { color:var(--muted); font-size:.85em; }
svg.chart { width:100%; height:auto; display:block; margin:4px 0 8px; overflow:visible; }
svg .axis, svg .tick, svg .grid { stroke:var(--line); stroke-width:1; }
svg text { font-size:11px; fill:var(--muted); font-family:inherit; }
svg .value-label { fill:var(--ink); font-weight:600; }
svg .band { fill:var(--band); }
svg .point { fill:var(--accent); stroke:#fff; stroke-width:1.5; }
svg .line { fill:none; stroke:var(--accent); stroke-width:2; }
svg .track { fill:var(--soft); stroke:var(--line); }
svg .speech { fill:#cfe0fb; }
svg .pause { fill:#9aa3b3; } svg .pause.dead-air { fill:var(--low); }
svg .filler line { stroke:var(--fair); stroke-width:2; } svg .filler text { fill:#8a5a00; }
svg .bar.good { fill:var(--good); } svg .bar.fair { fill:var(--fair); }
svg .bar.low { fill:var(--low); }
svg .seg.customer { fill:#9aa3b3; } svg .seg.trainee { fill:var(--accent); }
svg .dead-air { fill:var(--low); fill-opacity:.18; }
svg .lane-label { fill:var(--ink); font-size:12px; }
.legend { font-size:.82em; color:var(--muted); display:flex; gap:14px; flex-wrap:wrap; }
.legend i { display:inline-block; width:10px; height:10px; border-radius:2px;
  margin-right:4px; vertical-align:-1px; }
table { border-collapse:collapse; width:100%; font-size:.92em; }
th, td { text-align:left; padding:5px 8px; border-bottom:1px solid var(--line);
  vertical-align:top; }
th { color:var(--muted); font-weight:600; }
.grid2 { display:grid; grid-template-columns:1fr 1fr; gap:12px; }
footer { color:var(--muted); font-size:.8em; margin-top:24px; text-align:center; }
@media (max-width:640px) { .grid2 { grid-template-columns:1fr; } }
@media print {
  body { background:#fff; font-size:10.5pt; }
  main { max-width:none; padding:0; }
  header.top, section.card, article.answer, article.turn { border:none; border-radius:0;
    padding:6px 0; margin:6px 0; border-top:1px solid var(--line); }
  article.answer, article.turn, section.card, svg.chart { break-inside:avoid; }
  audio, .screen-only { display:none; }
  * { -webkit-print-color-adjust:exact; print-color-adjust:exact; }
  @page { margin:14mm 12mm; }
}
"""
