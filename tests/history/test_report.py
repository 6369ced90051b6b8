"""HTML report: escaping, script conversion, data points in the DOM, self-containment."""

from __future__ import annotations

import copy
import re
import stat
import time
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from simulator.history import history_db_path, history_summary, import_sessions
from simulator.report import build_report, write_report
from simulator.report.call import call_segments
from tests.history.records import CALL_EN, CALL_ZH, DATA, REPLAY_MIXED, REPLAY_ZH, load


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text outside tags."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def with_attr(self, name: str, value: str) -> list[dict[str, str | None]]:
        return [a for _, a in self.tags if a.get(name) == value]


def parse(page: str) -> Elements:
    """Parse a page with the stdlib HTML parser."""
    parser = Elements()
    parser.feed(page)
    return parser


def values(parser: Elements, metric: str) -> list[float]:
    """The `data-value` of every element with `data-metric=metric`, in page order."""
    return [float(a["data-value"] or "nan") for a in parser.with_attr("data-metric", metric)]


def test_user_text_is_escaped_everywhere() -> None:
    """A transcript, prompt, label or summary containing markup shows as text, never runs."""
    document = copy.deepcopy(load(REPLAY_MIXED))
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    turn = document["turns"][0]
    turn["transcript"]["text"] = f"Um, I {evil} would say sorry"
    turn["question"]["prompt"] = evil
    turn["question"]["section"] = '"><b>'
    turn["score"]["key_points"][0]["label"] = evil
    turn["feedback"]["text"] = "</p></article>" + evil
    turn["answer"]["wav"] = '"><script>x</script>.wav'
    document["summary"] = "</style>" + evil
    page = build_report(document, DATA / REPLAY_MIXED)
    assert "<script" not in page.lower() and "<img" not in page.lower()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    tags = {tag for tag, _ in parse(page).tags}
    assert not tags & {"script", "img", "iframe", "object"}
    assert "&quot;&gt;&lt;b&gt;" in page


def test_a_traditional_session_reads_in_traditional_characters() -> None:
    """script=traditional: interface, prompts, transcripts and labels in traditional."""
    document = {**load(REPLAY_ZH), "script": "traditional"}
    page = build_report(document, DATA / REPLAY_ZH)
    assert '<html lang="zh-Hant">' in page
    text = "".join(parse(page).text)
    for traditional in ("面試練習報告", "答案要點", "說聲對不起", "先向客戶道歉"):
        assert traditional in text
    for simplified in ("面试练习报告", "答案要点", "说声对不起", "先向客户道歉"):
        assert simplified not in text
    plain = build_report(load(REPLAY_ZH), DATA / REPLAY_ZH)
    assert '<html lang="zh-Hans">' in plain and "面试练习报告" in plain
    assert "说声对不起" in "".join(parse(plain).text)


def test_an_english_session_has_an_english_interface() -> None:
    """Most questions in English: the interface is English."""
    page = build_report(load(REPLAY_MIXED), DATA / REPLAY_MIXED)
    assert '<html lang="en">' in page and "Interview practice report" in page


def test_data_points_in_the_dom_match_the_session() -> None:
    """Pace, fillers, pauses, per-answer scores and key points are in data attributes."""
    document = load(REPLAY_ZH)
    parser = parse(build_report(document, DATA / REPLAY_ZH))
    turns = document["turns"]
    assert values(parser, "pace") == [t["delivery"]["pace"]["per_min"] for t in turns]
    assert values(parser, "fraction") == [t["score"]["fraction"] for t in turns] * 2
    fillers = [f["start_s"] for t in turns for f in t["delivery"]["fillers"]["items"]]
    assert values(parser, "filler") == fillers and len(fillers) == 3
    assert values(parser, "pause") == [p["length_s"] for t in turns
                                       for p in t["delivery"]["pauses"]["items"]]
    credits = [float(a["data-credit"] or "nan") for _, a in parser.tags
               if a.get("class") in ("covered", "missed")]
    assert credits == [k["credit"] for t in turns for k in t["score"]["key_points"]]
    bands = [(float(a["data-low"] or 0), float(a["data-high"] or 0))
             for a in parser.with_attr("class", "band")]
    assert bands == [tuple(t["delivery"]["pace"]["band"]) for t in turns]


def test_covered_key_points_and_fillers_are_highlighted() -> None:
    """Evidence spans become <mark class="kp">, fillers <span class="filler">."""
    page = build_report(load(REPLAY_ZH), DATA / REPLAY_ZH)
    assert re.search(r'<mark class="kp" title="先向客户道歉">对不起</mark>', page)
    assert page.count('<span class="filler"') == 3
    assert '<span class="filler" title="就是说">就是说</span>' in page
    english = build_report(load(REPLAY_MIXED), DATA / REPLAY_MIXED)
    assert re.search(r'<span class="filler" title="um">Um</span>', english)


def test_the_page_is_self_contained() -> None:
    """No script, no stylesheet link, no external URL; audio is a relative WAV path."""
    for name in (REPLAY_ZH, CALL_EN):
        page = build_report(load(name), DATA / name)
        assert "<script" not in page and "<link" not in page
        urls = re.findall(r"https?://[^\s\"'<>]+", page)
        assert set(urls) <= {"http://www.w3.org/2000/svg"}
        assert "@media print" in page
        for src in re.findall(r'src="([^"]*)"', page):
            assert not src.startswith(("http", "//"))


def test_audio_players_point_at_the_answers_wavs(tmp_path: Path) -> None:
    """A WAV present in the folder gets a player; a missing one gets a note instead."""
    document = load(REPLAY_ZH)
    (tmp_path / "answer-01-q12.wav").write_bytes(b"RIFF")
    parser = parse(build_report(document, tmp_path))
    assert [a["src"] for t, a in parser.tags if t == "audio"] == ["answer-01-q12.wav"]
    assert "".join(parser.text).count("answer-02-q12.wav") == 1


def test_call_report_has_timeline_talk_share_and_scorecard() -> None:
    """Who spoke when, talk/listen ratio, dead air and the scorecard rows."""
    document = load(CALL_ZH)
    parser = parse(build_report(document, DATA / CALL_ZH))
    trainee = [a for _, a in parser.tags if a.get("data-lane") == "trainee"]
    assert len(trainee) == len(document["turns"])
    assert [float(a["data-start-s"] or 0) for a in trainee] == [
        round(start, 2) for lane, start, _, _ in call_segments(document)[0] if lane == "trainee"]
    (share,) = values(parser, "talk-share")
    assert 0 < share < 1
    items = [a["data-item"] for _, a in parser.tags if "data-item" in a]
    assert items == [i["id"] for i in document["scorecard"]["items"]]
    assert values(parser, "call-score") == [16.0]
    assert '<mark class="kp" title="道歉和安抚">对不起</mark>' in build_report(document, None)


def test_progress_charts_come_from_the_history(sessions_dir: Path) -> None:
    """With a history summary, one point per practice session, the current one flagged."""
    db = history_db_path(sessions_dir)
    import_sessions(db, sessions_dir)
    summary = history_summary(db)
    parser = parse(build_report(load(REPLAY_MIXED), sessions_dir / REPLAY_MIXED, summary))
    points = parser.with_attr("data-metric", "fraction")
    per_session = [a for a in points if a.get("data-session")]
    assert [a["data-session"] for a in per_session] == [REPLAY_ZH, REPLAY_MIXED]
    assert [a.get("data-current") for a in per_session] == [None, "1"]
    assert [float(a["data-value"] or 0) for a in per_session] == [
        s["fraction"] for s in summary["sessions"] if s["kind"] != "call"]


def test_write_report_is_atomic_and_private(tmp_path: Path) -> None:
    """report.html appears whole, readable by the user only, with no temp file left."""
    folder = tmp_path / CALL_EN
    folder.mkdir()
    (folder / "call.json").write_bytes((DATA / CALL_EN / "call.json").read_bytes())
    path = write_report(folder)
    assert path == folder / "report.html" and path.read_text(encoding="utf-8").startswith(
        "<!DOCTYPE html>")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in folder.iterdir()) == ["call.json", "report.html"]
    with pytest.raises(ValueError, match="no session.json or call.json"):
        write_report(tmp_path)


def test_follow_ups_get_a_card_after_their_answer() -> None:
    """`turns[].follow_up` (a field to come) renders as its own card after the answer."""
    document = copy.deepcopy(load(REPLAY_ZH))
    follow_up = {**copy.deepcopy(document["turns"][2]), "question": {"prompt": "还有呢？"}}
    document["turns"][0]["follow_up"] = follow_up
    page = build_report(document, DATA / REPLAY_ZH)
    ids = re.findall(r'<article class="answer" id="answer-([^"]+)"', page)
    assert ids == ["1", "1.1", "2", "3"] and "追问 1.1" in page


def test_sparse_records_still_render() -> None:
    """Missing delivery, score or transcript fields leave gaps, not exceptions."""
    document: dict[str, Any] = {"schema": "interview-sim/session/1", "turns": [
        {}, {"question": {"prompt": "Why?"}, "delivery": None, "score": {"fraction": None}}]}
    assert "<article" in build_report(document)
    call: dict[str, Any] = {"schema": "interview-sim/call/1", "turns": [{"answer": {}}]}
    assert "<article" in build_report(call)


def test_a_twenty_answer_report_builds_fast_and_small() -> None:
    """20 real answers: built well under a second, a few hundred kB at most."""
    document = copy.deepcopy(load(REPLAY_ZH))
    turns = (document["turns"] + load(REPLAY_MIXED)["turns"]) * 4
    document["turns"] = [{**copy.deepcopy(t), "index": k} for k, t in enumerate(turns[:20], 1)]
    started = time.perf_counter()
    page = build_report(document, DATA / REPLAY_ZH)
    elapsed = time.perf_counter() - started
    assert page.count('<article class="answer"') == 20
    assert elapsed < 2.0, elapsed
    assert len(page.encode()) < 400_000


def test_the_report_package_and_the_record_writers_are_separate() -> None:
    """`simulator.report` is the HTML report; the session record writers live in
    `simulator.records` (the old `simulator/report.py` they replaced is gone, so the
    package no longer needs the `html_report` name it had to avoid shadowing it)."""
    import simulator.records.documents
    import simulator.report

    assert callable(simulator.report.write_report)
    assert callable(simulator.records.documents.session_json)


def test_report_command_last_all_and_one_folder(sessions_dir: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    """`report --last`, `--all` and `report FOLDER` write report.html where they belong."""
    from simulator.cli import main

    assert main(["report", "--sessions-dir", str(sessions_dir), "--last"]) == 0
    written = capsys.readouterr().out.split()
    assert written == [str(sessions_dir / CALL_EN / "report.html")]  # the newest folder
    assert main(["report", "--sessions-dir", str(sessions_dir), "--all"]) == 0
    assert len(capsys.readouterr().out.split()) == 4
    record = sessions_dir / REPLAY_ZH / "session.json"
    assert main(["report", str(record), "--no-history"]) == 0
    assert capsys.readouterr().out.strip() == str(sessions_dir / REPLAY_ZH / "report.html")
    page = (sessions_dir / REPLAY_MIXED / "report.html").read_text(encoding="utf-8")
    assert 'data-current="1"' in page  # progress charts came from the history


def test_report_command_names_a_bad_folder_in_one_line(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """An unreadable record or an empty sessions folder: one line, exit 2, no traceback."""
    from simulator.cli import main

    bad = tmp_path / "s" / "20260101-000000-beef"
    bad.mkdir(parents=True)
    (bad / "session.json").write_text("{oops", encoding="utf-8")
    assert main(["report", str(bad), "--no-history"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert "not valid JSON" in line and str(bad) in line
    assert main(["report", "--sessions-dir", str(tmp_path / "empty"), "--last"]) == 2
    assert "no session folders" in capsys.readouterr().err
