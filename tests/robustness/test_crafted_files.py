"""Issue 15, crafted files: a 50,000-deep array, fields of the wrong type, a FIFO or
`/dev/zero` in place of a file, documents in other encodings or formats, a cue that can
never be heard, an import that would make a bank the loader refuses, a bad file among good
ones for `transcribe`, and the "Press Enter" hint where it does not belong. Each is one line
naming the file (and field), exit 2, and nothing hangs or grows without bound.

Runs are in-process (`cli.main`, scripted transcriber where one is needed) under an alarm,
so a hang fails the test instead of stalling the suite.
"""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from simulator.app import ENTER_LINE
from simulator.bank.importer import write as write_module
from simulator.cli import main
from simulator.ports import AudioSource
from simulator.schemas import validate
from tests.fakes import ListSource, ScriptedParts, ScriptedTranscriber, run_scripted, silence, tone

ROOT = Path(__file__).resolve().parents[2]
BANK = ROOT / "prompts" / "banks" / "cs-en.toml"
SCENARIO = ROOT / "prompts" / "scenarios" / "en-long-wait.toml"
WAV = ROOT / "audio_fixtures" / "en-2-strong.wav"
ANSWER = "I'm so sorry. I'll check the order in our system; it ships today."
DOCUMENT = ("题目1(4分)：客户投诉说订单没有发货，你怎么处理？\n答案要点\n"
            "1. 先向客户道歉，安抚情绪\n2. 核实订单信息，查明原因\n3. 给出解决方案和时间\n"
            "4. 跟进处理结果\n")
TRADITIONAL_DOCUMENT = ("題目1(4分)：客戶投訴說訂單沒有發貨，你怎麼處理？\n答案要點\n"
                        "1. 先向客戶道歉，安撫情緒\n2. 核實訂單資訊，查明原因\n"
                        "3. 給出解決方案和時間\n4. 跟進處理結果\n")
"""The same document in traditional script (which Big5 can encode)."""
DEEP = 50_000


@pytest.fixture(autouse=True)
def _no_hang() -> Iterator[None]:
    """Fail (instead of hanging the suite) if a run blocks, as reading a FIFO would."""

    def _timeout(signum: int, frame: Any) -> None:
        raise TimeoutError("the run blocked for 120 s")

    old = signal.signal(signal.SIGALRM, _timeout)
    signal.alarm(120)  # generous: runs that score load the judge's encoder
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def _one_line(capsys: pytest.CaptureFixture[str], *needles: str) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    assert err.startswith("interview-sim: error: "), err
    for needle in needles:
        assert needle in err, err
    return err


def _run(argv: list[str]) -> int:
    return run_scripted(ScriptedTranscriber([ANSWER] * 4, language="en"), argv)


def _session_folder(tmp_path: Path, record: str) -> Path:
    folder = tmp_path / "session"
    folder.mkdir(mode=0o700)
    (folder / "session.json").write_text(record, encoding="utf-8")
    return folder


# --- nesting --------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["bank", "scenario", "manifest", "record"])
@pytest.mark.parametrize("depth", [DEEP, 100])
def test_deeply_nested_file_is_one_line(tmp_path: Path, kind: str, depth: int,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    """A bank, scenario, manifest or resumed record nested 50,000 deep (RecursionError
    traceback before) or 100 deep (parses; refused before anything recurses on it)."""
    toml = "[bank]\nid = " + "[" * depth + "]" * depth + "\n"
    json_text = '{"schema": "interview-sim/session/1", "x": ' + "[" * depth + "]" * depth + "}"
    path = tmp_path / ("deep.toml" if kind in ("bank", "scenario") else "manifest.json")
    path.write_text(toml if kind in ("bank", "scenario") else json_text, encoding="utf-8")
    argv = {"bank": ["score", "--bank", str(path), "--question", "1", "--text", "sorry"],
            "scenario": ["call", "--scenario", str(path), "--replay", str(WAV), "--no-voice"],
            "manifest": ["replay", str(path)],
            "record": ["practice", "--resume", str(_session_folder(tmp_path, json_text)),
                       "--no-voice"]}[kind]
    assert _run(argv) == 2
    _one_line(capsys, "is nested")


# --- fields of the wrong type in a manifest -------------------------------------------------------


@pytest.mark.parametrize(("field", "value"), [
    pytest.param("bank", ["cs-en"], id="bank-list"),
    pytest.param("bank", 7, id="bank-number"),
    pytest.param("bank", {"id": "cs-en"}, id="bank-object"),
    pytest.param("question", ["2"], id="question-list"),
    pytest.param("question", True, id="question-bool"),
    pytest.param("id", {"a": 1}, id="id-object"),
    pytest.param("expected", 5, id="expected-number"),
    pytest.param("transcript", ["a"], id="transcript-list"),
])
def test_manifest_field_of_the_wrong_type_is_one_line(tmp_path: Path, field: str, value: Any,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """One line naming the manifest, the fixture and the field, exit 2 (before: TypeError
    tracebacks for a bank that is not a string; the others slipped through as text)."""
    entry = {"id": "x", "file": str(WAV), "bank": "cs-en", "question": "2", field: value}
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"fixtures": [entry]}), encoding="utf-8")
    assert _run(["replay", str(manifest)]) == 2
    _one_line(capsys, str(manifest), f"field '{field}'")


# --- things that are not regular files ------------------------------------------------------------


def _special(tmp_path: Path, kind: str, name: str) -> Path:
    if kind == "fifo":
        path = tmp_path / name
        os.mkfifo(path)
        return path
    return Path("/dev/zero")


@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
@pytest.mark.parametrize("use", ["bank", "import", "manifest", "scenario", "record"])
def test_fifo_or_device_is_refused_at_once(tmp_path: Path, kind: str, use: str,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    """A FIFO or /dev/zero as a bank, import document, manifest, scenario or session record:
    one line saying it is not a regular file, at once (before: a hang, or MemoryError)."""
    if use == "record":
        folder = tmp_path / "session"
        folder.mkdir()
        if kind == "fifo":
            os.mkfifo(folder / "session.json")
        else:
            (folder / "session.json").symlink_to("/dev/zero")
        argv = ["practice", "--resume", str(folder), "--no-voice"]
    else:
        name = {"bank": "bank.toml", "import": "doc.txt", "manifest": "manifest.json",
                "scenario": "scenario.toml"}[use]
        path = _special(tmp_path, kind, name)
        argv = {"bank": ["score", "--bank", str(path), "--question", "1", "--text", "sorry"],
                "import": ["import", str(path), "-o", str(tmp_path / "out.toml")],
                "manifest": ["replay", str(path)] + (["--bank", "cs-en", "--question", "2"]
                                                     if kind != "fifo" else []),
                "scenario": ["call", "--scenario", str(path), "--replay", str(WAV)]}[use]
    code = _run(argv)
    err = capsys.readouterr().err
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert "not a regular file" in err or (use == "manifest" and kind != "fifo"), err
    assert not (tmp_path / "out.toml").exists()


# --- import: encodings, formats, size of the result -----------------------------------------------


@pytest.mark.parametrize(("content", "needles"), [
    pytest.param(DOCUMENT.encode("gbk"), ["not UTF-8", "GBK"], id="gbk"),
    pytest.param(TRADITIONAL_DOCUMENT.encode("big5"), ["not UTF-8", "Big5"], id="big5"),
    pytest.param(DOCUMENT.encode("utf-16-le"), ["UTF-16"], id="utf16-without-bom"),
    pytest.param(b"PK\x03\x04\x14\x00\x06\x00word/document.xml", [".docx"], id="docx"),
    pytest.param(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64), [".doc"], id="doc"),
    pytest.param(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", ["PDF"], id="pdf"),
])
def test_document_that_is_not_utf8_text_is_named(tmp_path: Path, content: bytes,
                                                 needles: list[str],
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """GBK, Big5, UTF-16 without a byte-order mark, .docx, .doc, PDF: one line saying what
    the file is, exit 2, no bank written (before: "no questions found", or garbage)."""
    document = tmp_path / "interview.txt"
    document.write_bytes(content)
    output = tmp_path / "out.toml"
    assert main(["import", str(document), "-o", str(output)]) == 2
    _one_line(capsys, str(document), *needles)
    assert not output.exists()


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-8-sig"])
def test_document_in_utf16_with_a_bom_imports(tmp_path: Path, encoding: str,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    """UTF-16 with a byte-order mark (Windows "Unicode") and UTF-8 with one import like
    plain UTF-8 (before: UTF-16 was mangled into "no questions found")."""
    document = tmp_path / "interview.txt"
    data = DOCUMENT.encode(encoding)
    document.write_bytes(data if encoding != "utf-16-be" else b"\xfe\xff" + data)
    output = tmp_path / "out.toml"
    assert main(["import", str(document), "-o", str(output), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["questions"] == 1
    assert "先向客户道歉" in output.read_text(encoding="utf-8")


def test_import_that_would_make_a_bank_too_large_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """A bank larger than the loader accepts is not written: one line naming the output
    (before: a 4.8 MB document wrote a 16 MB bank the loader then refused). The limit is
    lowered here so that a small document crosses it."""
    monkeypatch.setattr(write_module, "MAX_BANK_BYTES", 500)
    document = tmp_path / "interview.txt"
    document.write_text(DOCUMENT, encoding="utf-8")
    output = tmp_path / "out.toml"
    assert main(["import", str(document), "-o", str(output)]) == 2
    _one_line(capsys, str(output), "bytes", "500")
    assert not output.exists() and not list(tmp_path.glob(".*.tmp"))


# --- cues that can never be heard -----------------------------------------------------------------


@pytest.mark.parametrize("cue", ["？！", "...", "—", "😀"])
def test_cue_of_only_punctuation_is_refused(tmp_path: Path, cue: str,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    """A cue with no letter or digit can never match: one line naming the bank file, the
    question, the key point and the field (before: accepted)."""
    bank = tmp_path / "bank.toml"
    bank.write_text(BANK.read_text(encoding="utf-8").replace(
        'cues = [', f'cues = ["{cue}", ', 1), encoding="utf-8")
    assert main(["score", "--bank", str(bank), "--question", "1", "--text", "sorry"]) == 2
    _one_line(capsys, str(bank), "question 1", "field 'cues'", "never be heard")


def test_breach_cue_of_only_punctuation_is_refused(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """The same for a question's breach (a phrase an examiner penalises), whose cues can
    never be heard either."""
    bank = tmp_path / "bank.toml"
    bank.write_text(BANK.read_text(encoding="utf-8").replace(
        'cues = ["just for the money",', 'cues = ["!!", "just for the money",', 1),
        encoding="utf-8")
    assert main(["score", "--bank", str(bank), "--question", "1", "--text", "sorry"]) == 2
    _one_line(capsys, str(bank), "field 'cues'", "never be heard")


def test_scenario_cue_of_only_punctuation_is_refused(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """The same in a call scenario's branch (a `heard_none` cue of "!!" is always "not
    heard"): one line naming the scenario, the step and the field."""
    scenario = tmp_path / "scenario.toml"
    scenario.write_text(SCENARIO.read_text(encoding="utf-8").replace(
        'heard_any = ["sorry",', 'heard_any = ["!!", "sorry",', 1), encoding="utf-8")
    assert _run(["call", "--scenario", str(scenario), "--replay", str(WAV), "--no-voice"]) == 2
    _one_line(capsys, str(scenario), "field 'heard_any'", "never be heard")


# --- transcribe: a bad file among good ones -------------------------------------------------------


@pytest.mark.parametrize("as_json", [True, False])
def test_transcribe_keeps_good_results_when_a_file_is_bad(
        tmp_path: Path, as_json: bool, capsys: pytest.CaptureFixture[str]) -> None:
    """`transcribe [--json] good bad good`: both good transcripts are printed, the bad file is
    one line on stderr (and an `error` entry in the document), exit 2 (before: a's result was
    thrown away)."""
    bad = tmp_path / "bad.wav"
    bad.write_text("not audio")
    argv = ["transcribe", str(WAV), str(bad), str(WAV)] + (["--json"] if as_json else [])
    assert _run(argv) == 2
    out, err = capsys.readouterr()
    assert len(err.strip().splitlines()) == 1 and str(bad) in err, err
    if as_json:
        validate(json.loads(out), "transcribe")  # the published schema allows error entries
        files = json.loads(out)["files"]
        assert [f["file"] for f in files] == [str(WAV), str(bad), str(WAV)]
        assert files[0]["text"] == ANSWER and files[2]["text"] == ANSWER
        assert str(bad) in files[1]["error"] and "text" not in files[1]
    else:
        assert out.count(ANSWER) == 2


# --- "Press Enter" only where Enter works ---------------------------------------------------------


class _Parts(ScriptedParts):
    """A fake microphone when `mic` (one tone per answer); none otherwise."""

    mic = True

    def microphone_problem(self) -> str | None:
        return None if self.mic else "no input device"

    def microphone(self) -> AudioSource:
        return ListSource([np.concatenate([silence(0.3), tone(1.5)])] * 4)


class _NoMicParts(_Parts):
    mic = False


@pytest.mark.parametrize(("argv", "parts", "expected"), [
    pytest.param(["practice", "--bank", "nope"], _Parts, 0, id="practice-error"),
    pytest.param(["practice", "--bank", "cs-en", "--count", "1"], _NoMicParts, 0,
                 id="practice-without-mic-replays"),
    pytest.param(["call", "--scenario", "en-long-wait", "--replay", str(WAV)], _Parts, 0,
                 id="call-replay"),
    pytest.param(["call", "--scenario", "nope"], _Parts, 0, id="call-error"),
    pytest.param(["practice", "--bank", "cs-en", "--count", "2"], _Parts, 1, id="practice-live"),
])
def test_press_enter_is_printed_only_when_a_microphone_listens(
        tmp_path: Path, argv: list[str], parts: type[_Parts], expected: int,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The hint appears once in a live microphone session and never before an error or in a
    replay, where Enter does nothing (before: printed first in all of them)."""
    transcriber = ScriptedTranscriber([ANSWER] * 4, language="en")
    main([*argv, "--no-voice", "--sessions-dir", str(tmp_path / "s")],
         parts=lambda config, echo: parts(config, echo, transcriber))
    out, err = capsys.readouterr()
    assert (out + err).count(ENTER_LINE) == expected, out + err


# --- attacks of our own (beyond the list) -------------------------------------------------


def test_dotted_key_50000_parts_long_is_refused_at_once(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """`a.a.a...= 1` with 50,000 parts (100 kB): tomllib's time grows with the square of a
    key's length, so this ran for minutes; now one line, at once."""
    bank = tmp_path / "bank.toml"
    bank.write_text("[bank]\n" + ".".join(["a"] * DEEP) + " = 1\n", encoding="utf-8")
    assert main(["score", "--bank", str(bank), "--question", "1", "--text", "x"]) == 2
    _one_line(capsys, str(bank), "is nested", "dotted key")


@pytest.mark.parametrize("field", ["file", "bank"])
def test_manifest_name_with_a_nul_byte_is_one_line(tmp_path: Path, field: str,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """A NUL byte in a manifest's file or bank name (ValueError traceback before)."""
    entry = {"id": "x", "file": str(WAV), "bank": "cs-en", "question": "2"}
    entry[field] = "a\x00b.toml" if field == "bank" else "a\x00b.wav"
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"fixtures": [entry]}), encoding="utf-8")
    assert _run(["replay", str(manifest)]) == 2
    _one_line(capsys, "NUL" if field == "bank" else "field 'file'")


def test_import_never_replaces_a_special_file(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    """`import -o` naming a FIFO (or, as root, `/dev/null`): refused, the node left alone
    (before: the bank was renamed over it)."""
    document = tmp_path / "interview.txt"
    document.write_text(DOCUMENT, encoding="utf-8")
    fifo = tmp_path / "out.toml"
    os.mkfifo(fifo)
    assert main(["import", str(document), "-o", str(fifo)]) == 2
    _one_line(capsys, str(fifo), "not a regular file")
    assert fifo.is_fifo()


def test_import_onto_the_document_itself_is_refused(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """`import doc.txt -o doc.txt` would replace the document with the bank: refused."""
    document = tmp_path / "interview.txt"
    document.write_text(DOCUMENT, encoding="utf-8")
    assert main(["import", str(document), "-o", str(document)]) == 2
    _one_line(capsys, str(document), "the document itself")
    assert document.read_text(encoding="utf-8") == DOCUMENT


@pytest.mark.parametrize("target", ["a-file", "missing"])
def test_resume_of_something_that_is_not_a_session_folder(
        tmp_path: Path, target: str, capsys: pytest.CaptureFixture[str]) -> None:
    """`--resume` of a file or of nothing: one line naming it, nothing else on stderr."""
    path = tmp_path / target
    if target == "a-file":
        path.write_text("{}")
    assert _run(["practice", "--resume", str(path), "--no-voice"]) == 2
    _one_line(capsys, str(path), "session folder")
