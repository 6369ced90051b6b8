"""Exports: JUnit XML (validated against an XSD), import --json, pipe-safe stdout."""

from __future__ import annotations

import copy
import json
import shlex
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from simulator.exports.import_json import import_report_json
from simulator.exports.junit import junit_xml, write_junit
from simulator.schemas import validate
from tests.history.records import REPLAY_CHECK

XSD = Path(__file__).resolve().parent.parent / "data" / "junit.xsd"
IMPORT_DOCUMENT = """一、服务场景(共3题,每题2分,总计6分)
题目1(2分)客户投诉物流太慢，你会怎么处理？
答案要点1.先向客户道歉 2.查询物流信息 3.告诉客户预计到达时间
题目2(2分)你为什么想做客服？
答案要点
题目3(3分)客户要求退款但已超过期限，你怎么办？
答案要点1.耐心解释政策 2.提供替代方案
"""
"""A small interview document with one skipped question and three warnings."""


def junit_schema() -> object:
    """The JUnit XSD of tests/data, loaded with xmlschema."""
    import xmlschema

    return xmlschema.XMLSchema(XSD)


def test_junit_from_a_real_replay_validates_against_the_schema() -> None:
    """One test case per fixture, named by fixture id; the out-of-band one is a failure."""
    document = json.loads(REPLAY_CHECK.read_text(encoding="utf-8"))
    xml = junit_xml(document)
    junit_schema().validate(xml)  # type: ignore[attr-defined]
    root = ET.fromstring(xml)
    cases = root.findall("testsuite/testcase")
    assert [c.get("name") for c in cases] == [t["fixture"]["id"] for t in document["turns"]]
    failed = {c.get("name"): c.find("failure") for c in cases if c.find("failure") is not None}
    assert list(failed) == ["zh-12-long-pauses"]
    failure = failed["zh-12-long-pauses"]
    assert failure is not None
    assert failure.get("message") == "scored 0.45, expected strong (0.70-1.00)"
    assert "missed key points:" in (failure.text or "")
    assert root.get("tests") == "4" and root.get("failures") == "1"
    assert document["check_failures"][0].startswith("zh-12-long-pauses: scored 0.45")


def test_junit_marks_fixtures_without_a_band_skipped_and_escapes_text(tmp_path: Path) -> None:
    """No expected band: <skipped>; markup in a transcript stays text; file written whole."""
    document = copy.deepcopy(json.loads(REPLAY_CHECK.read_text(encoding="utf-8")))
    document["turns"][0]["fixture"].update(expected=None, in_expected_band=None)
    document["turns"][1]["transcript"]["text"] = "</system-out><x a='1'>&"
    del document["turns"][3]["fixture"]  # a plain file replayed with --question
    path = write_junit(tmp_path / "junit.xml", document)
    junit_schema().validate(str(path))  # type: ignore[attr-defined]
    root = ET.parse(path).getroot()
    cases = root.findall("testsuite/testcase")
    assert cases[0].find("skipped") is not None and cases[3].find("skipped") is not None
    assert root.get("skipped") == "2"
    assert "</system-out><x a='1'>&" in (cases[1].findtext("system-out") or "")
    assert cases[3].get("name") == "en-1-short"  # from the source file's name
    assert [p.name for p in tmp_path.iterdir()] == ["junit.xml"]


def test_the_xsd_rejects_a_broken_junit_file() -> None:
    """The schema is not a rubber stamp: a test case without a name fails it."""
    import xmlschema

    broken = ('<testsuites><testsuite name="s" tests="1" failures="0" errors="0" time="0" '
              'timestamp="2026-01-01T00:00:00" hostname="h"><testcase classname="c" time="0"/>'
              "</testsuite></testsuites>")
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        junit_schema().validate(broken)  # type: ignore[attr-defined]


def test_import_json_has_the_warnings_and_skipped_items_of_the_text_report(
        tmp_path: Path) -> None:
    """import_report_json: proper JSON objects, and the same facts as the text output."""
    from simulator.bank.importer import format_report, import_document

    result = import_document(IMPORT_DOCUMENT, bank_id="doc", source="doc.txt")
    document = import_report_json(result, tmp_path / "doc.toml")
    validate(document, "import")
    assert json.loads(json.dumps(document, ensure_ascii=False)) == document
    text = format_report(result)
    assert len(document["warnings"]) == 3
    for warning in document["warnings"]:
        assert warning in text
    (skipped,) = document["skipped"]
    assert skipped == {"kind": "question", "location": "question 2",
                       "snippet": "你为什么想做客服？", "reason": "no key points (no answer text)"}
    assert document["questions"] == 2 and document["sections"][0]["question_ids"] == ["1", "3"]


def _pipe(code: str) -> subprocess.CompletedProcess[str]:
    command = f"{sys.executable} -c {shlex.quote(code)} | head -1; exit ${{PIPESTATUS[0]}}"
    return subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=120)


def test_banks_json_into_head_exits_0_without_a_traceback() -> None:
    """The fix for `banks --json | head -1`: exit 0, nothing on stderr (cli.main itself
    wraps the command in pipe_safe_stdout)."""
    done = _pipe("import sys\nfrom simulator.cli import main\n"
                 "sys.exit(main(['banks', '--json']))")
    assert (done.returncode, done.stdout, done.stderr) == (0, "{\n", "")


def test_a_closed_pipe_keeps_the_commands_own_exit_code() -> None:
    """A command that fails (exit 1, like a failed --check) still says 1 into a closed pipe."""
    done = _pipe("import sys\nfrom simulator.exports.pipes import pipe_safe_stdout\n"
                 "with pipe_safe_stdout():\n"
                 "    for k in range(200000):\n        print('line', k)\n"
                 "sys.exit(1)")
    assert (done.returncode, done.stderr) == (1, "")
