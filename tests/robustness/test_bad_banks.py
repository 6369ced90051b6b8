"""Bad question banks and bad import documents: only `BankError` escapes, always as one line
naming the source; the CLI turns it into exit code 2.

Hand-written cases cover each documented mistake (TOML syntax, missing fields, duplicate ids,
zero points, a key point with no cues, an unknown language, a huge file); hypothesis fuzzes
`parse_bank` with arbitrary nested data, `load_bank` with arbitrary file contents, and the
importer with arbitrary (and importer-shaped) text.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.bank.importer import import_document
from simulator.bank.loader import MAX_BANK_BYTES, load_bank, parse_bank
from simulator.cli import main
from simulator.errors import BankError

SOURCE = "fuzz/bank-under-test.toml"

VALID_TOML = """\
[bank]
id = "tiny"
title = "Tiny bank"
language = "en"

[[sections]]
id = "s"
title = "Scenarios"

[[questions]]
id = "1"
section = "s"
points = 2
prompt = "A customer is angry. What do you do?"

  [[questions.key_points]]
  label = "apologise"
  cues = ["sorry", "apologise"]

  [[questions.key_points]]
  label = "offer a fix"
  cues = ["refund", "replace"]
"""

VALID_DATA: dict[str, Any] = {
    "bank": {"id": "tiny", "title": "Tiny bank", "language": "en"},
    "sections": [{"id": "s", "title": "Scenarios"}],
    "questions": [{"id": "1", "section": "s", "points": 2, "prompt": "Angry customer?",
                   "key_points": [{"label": "apologise", "cues": ["sorry"]}]}],
}


def _assert_one_line_naming(error: BankError, source: str) -> None:
    message = str(error)
    assert len(message.splitlines()) == 1, repr(message)
    assert source in message, message


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bank.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_valid_tiny_bank_loads(tmp_path: Path) -> None:
    """The baseline the mutations below start from is itself valid."""
    bank = load_bank(_write(tmp_path, VALID_TOML))
    assert [q.id for q in bank.questions] == ["1"]


DUPLICATE = VALID_TOML + VALID_TOML[VALID_TOML.index("[[questions]]"):]

BAD_BANKS = [
    pytest.param(VALID_TOML.replace('title = "Tiny bank"', 'title = "Tiny bank'),
                 "TOML syntax error", id="toml-unclosed-string"),
    pytest.param(VALID_TOML.replace("[bank]", "[bank"), "TOML syntax error", id="toml-bad-header"),
    pytest.param(VALID_TOML + "\n[bank]\nid = 'again'\n", "TOML syntax error",
                 id="toml-table-twice"),
    pytest.param(VALID_TOML.replace("[bank]", "[bench]"), "missing table [bank]",
                 id="missing-bank-table"),
    pytest.param(VALID_TOML.replace('prompt = "A customer is angry. What do you do?"\n', ""),
                 "field 'prompt'", id="missing-prompt"),
    pytest.param(VALID_TOML.replace('section = "s"\n', ""), "field 'section'",
                 id="missing-section-field"),
    pytest.param(VALID_TOML.replace('id = "tiny"\n', ""), "field 'id'", id="missing-bank-id"),
    pytest.param(VALID_TOML.replace('section = "s"', 'section = "elsewhere"'),
                 "not a section of this bank", id="unknown-section"),
    pytest.param(DUPLICATE, "duplicate question id '1'", id="duplicate-question-id"),
    pytest.param(VALID_TOML.replace("points = 2", "points = 0"),
                 "field 'points' must be a number greater than 0", id="zero-points"),
    pytest.param(VALID_TOML.replace("points = 2", "points = -3"), "field 'points'",
                 id="negative-points"),
    pytest.param(VALID_TOML.replace("points = 2", "points = nan"), "field 'points'",
                 id="nan-points"),
    pytest.param(VALID_TOML.replace("points = 2", "points = inf"), "finite", id="inf-points"),
    pytest.param(VALID_TOML.replace('points = 2', 'points = "two"'), "field 'points'",
                 id="points-as-text"),
    pytest.param(VALID_TOML.replace('cues = ["sorry", "apologise"]', "cues = []"),
                 "key point 1 (apologise): field 'cues'", id="key-point-without-cues"),
    pytest.param(VALID_TOML.replace('  cues = ["sorry", "apologise"]\n', ""),
                 "field 'cues'", id="key-point-cues-missing"),
    pytest.param(VALID_TOML.replace('cues = ["sorry", "apologise"]', 'cues = ["sorry", " "]'),
                 "only non-empty strings", id="blank-cue"),
    pytest.param(VALID_TOML.replace('language = "en"', 'language = "fr"'),
                 "field 'language' is 'fr'", id="unknown-language"),
    pytest.param(VALID_TOML.replace('label = "apologise"', 'label = "apologise"\n  mode = "most"'),
                 "field 'mode' is 'most'", id="unknown-mode"),
    pytest.param(VALID_TOML.replace('label = "apologise"',
                                    'label = "apologise"\n  min_cues = 5\n  mode = "n_of"'),
                 "min_cues", id="min-cues-too-many"),
    pytest.param(VALID_TOML.replace('label = "apologise"', 'label = "apologise"\n  critical = 1'),
                 "field 'critical'", id="critical-not-bool"),
    pytest.param(VALID_TOML.split("[[questions]]")[0], "field 'questions'", id="no-questions"),
    pytest.param("", "missing table [bank]", id="empty-file"),
]


@pytest.mark.parametrize(("text", "needle"), BAD_BANKS)
def test_bad_bank_file_is_one_line_naming_file(tmp_path: Path, text: str, needle: str) -> None:
    """Each documented mistake: a BankError naming the file and the field."""
    path = _write(tmp_path, text)
    with pytest.raises(BankError) as info:
        load_bank(path)
    _assert_one_line_naming(info.value, str(path))
    assert needle in str(info.value)


@pytest.mark.parametrize(("text", "needle"), BAD_BANKS[:3] + BAD_BANKS[8:10] + BAD_BANKS[14:15])
def test_bad_bank_through_cli_exits_2(tmp_path: Path, text: str, needle: str,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    """`score --bank BAD.toml`: exit 2 and one stderr line naming the file, no traceback."""
    path = _write(tmp_path, text)
    assert main(["score", "--bank", str(path), "--question", "1", "--text", "sorry"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert str(path) in err and needle in err


def test_huge_bank_file_is_refused_before_parsing(tmp_path: Path) -> None:
    """A bank file over MAX_BANK_BYTES is refused by size, without reading it."""
    path = tmp_path / "huge.toml"
    with path.open("wb") as handle:
        handle.truncate(MAX_BANK_BYTES + 1)  # sparse: no 5 MB written
    with pytest.raises(BankError, match="larger than") as info:
        load_bank(path)
    _assert_one_line_naming(info.value, str(path))


def test_not_utf8_bank_is_named(tmp_path: Path) -> None:
    """A bank saved as GBK is refused as not UTF-8, naming the file."""
    path = tmp_path / "gbk.toml"
    path.write_bytes(VALID_TOML.replace("apologise", "道歉").encode("gbk"))
    with pytest.raises(BankError, match="not UTF-8") as info:
        load_bank(path)
    _assert_one_line_naming(info.value, str(path))


def test_bank_with_utf8_bom_is_a_one_line_error_at_worst(tmp_path: Path) -> None:
    """A bank saved with a UTF-8 byte-order mark (Windows editors) never crashes."""
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + VALID_TOML.encode("utf-8"))
    try:
        load_bank(path)
    except BankError as e:
        _assert_one_line_naming(e, str(path))


def test_bank_that_is_a_folder_is_named(tmp_path: Path) -> None:
    """`--bank some-folder.toml/` (a directory) is a BankError, not IsADirectoryError."""
    folder = tmp_path / "folder.toml"
    folder.mkdir()
    with pytest.raises(BankError) as info:
        load_bank(folder)
    _assert_one_line_naming(info.value, str(folder))


@pytest.mark.parametrize("mutation", [
    pytest.param(('label = "apologise"', 'label = "apologise\\nfirst"',
                  'cues = ["sorry", "apologise"]', "cues = []"), id="label-with-newline"),
    pytest.param(('id = "1"', 'id = """1\nb"""', "points = 2", "points = 0"),
                 id="question-id-with-newline"),
])
def test_bank_error_with_newline_in_a_name_stays_one_line(tmp_path: Path,
                                                         mutation: tuple[str, ...]) -> None:
    """A label or id containing a newline is quoted, so the message stays one line."""
    old1, new1, old2, new2 = mutation
    path = _write(tmp_path, VALID_TOML.replace(old1, new1, 1).replace(old2, new2, 1))
    with pytest.raises(BankError) as info:
        load_bank(path)
    _assert_one_line_naming(info.value, str(path))


# --- fuzzing --------------------------------------------------------------------------------

# Text without line breaks: a newline inside a name is the known bug above, tested exactly.
_LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_text = st.text(st.characters(blacklist_characters=_LINE_BREAKS, blacklist_categories=("Cs",)),
                max_size=12)
_FIELDS = ["bank", "id", "title", "language", "description", "sections", "questions", "section",
           "points", "prompt", "model_answer", "key_points", "label", "cues", "mode",
           "min_cues", "weight", "critical", "probe"]
_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), _text,
                     st.sampled_from(["zh", "en", "any", "all", "n_of", "none", "s", "1", ""]))
_keys = st.one_of(st.sampled_from(_FIELDS), _text)
_values = st.recursive(
    _scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_keys, inner, max_size=6),
    max_leaves=40)

_PATHS: list[tuple[Any, ...]] = [
    ("bank",), ("bank", "id"), ("bank", "title"), ("bank", "language"), ("bank", "description"),
    ("sections",), ("sections", 0), ("sections", 0, "id"), ("sections", 0, "title"),
    ("questions",), ("questions", 0), ("questions", 0, "id"), ("questions", 0, "section"),
    ("questions", 0, "points"), ("questions", 0, "prompt"), ("questions", 0, "model_answer"),
    ("questions", 0, "key_points"), ("questions", 0, "key_points", 0),
    ("questions", 0, "key_points", 0, "label"), ("questions", 0, "key_points", 0, "cues"),
    ("questions", 0, "key_points", 0, "mode"), ("questions", 0, "key_points", 0, "min_cues"),
    ("questions", 0, "key_points", 0, "weight"), ("questions", 0, "key_points", 0, "critical"),
    ("questions", 0, "key_points", 0, "probe"),
]


@st.composite
def _mutated_bank(draw: st.DrawFn) -> Any:
    """The valid bank with one to three fields replaced by arbitrary data (reaches deep checks)."""
    data: Any = copy.deepcopy(VALID_DATA)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_PATHS))
        node = data
        try:
            for key in path[:-1]:
                node = node[key]
            node[path[-1]] = draw(_values)
        except (KeyError, IndexError, TypeError):
            pass
    return data


@settings(max_examples=300, deadline=None)
@given(st.one_of(_values, _mutated_bank()))
def test_parse_bank_fuzz_only_bank_error_escapes(data: Any) -> None:
    """Arbitrary nested data: a Bank or a one-line BankError naming the source, nothing else."""
    try:
        parse_bank(data, source=SOURCE)
    except BankError as e:
        _assert_one_line_naming(e, SOURCE)


_toml_tokens = st.sampled_from([
    "[bank]", "[[sections]]", "[[questions]]", "[[questions.key_points]]", "id = ", "title = ",
    "language = ", "section = ", "points = ", "prompt = ", "label = ", "cues = ", "mode = ",
    '"en"', '"zh"', '"s"', '"1"', "2", "0", "-1", "nan", "inf", "[]", '["sorry"]', "{}", "=",
    "\n", " ", '"', "'", '"""', "[", "]", "#", "\\", "1979-05-27", "true", "\ufeff", "\x00",
])
_file_text = st.one_of(st.text(max_size=300),
                       st.lists(_toml_tokens, max_size=60).map("".join),
                       st.just(VALID_TOML).flatmap(
                           lambda base: st.integers(0, len(base)).map(lambda cut: base[:cut])))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(_file_text.map(lambda t: t.encode("utf-8", errors="surrogatepass")),
                 st.binary(max_size=200)))
def test_load_bank_fuzz_only_bank_error_escapes(tmp_path_factory: pytest.TempPathFactory,
                                                content: bytes) -> None:
    """Arbitrary file contents (text, truncated banks, bytes): a Bank or a one-line BankError."""
    path = tmp_path_factory.getbasetemp() / "fuzzed-bank.toml"
    path.write_bytes(content)
    try:
        load_bank(path)
    except BankError as e:
        _assert_one_line_naming(e, str(path))


_doc_tokens = st.sampled_from([
    "题目", "1", "12", "(4分)", "（2分）", "答案要点", "答：", "参考答案", "？", "?", "一、",
    "二、", "每题2分", "(共3题)", "\n", " ", "1.", "2.", "3、", "(1)", "(2)", "- ", "首先",
    "向客户道歉", "核实订单信息", "跟进处理结果", "服務(wù)", "第1页", "。", "，", "：",
    "下载本文档", "关键在于", "《", "》", "“", "”", "24小时", "\u3000", "\ufffd",
])
_documents = st.one_of(st.text(max_size=400), st.lists(_doc_tokens, max_size=80).map("".join))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_documents)
def test_import_document_fuzz_only_bank_error_escapes(text: str) -> None:
    """Arbitrary interview documents: a validated bank or a one-line BankError naming the source."""
    source = "fuzz/interview-document.txt"
    try:
        result = import_document(text, bank_id="fuzzed", source=source)
    except BankError as e:
        _assert_one_line_naming(e, source)
        return
    assert result.bank.questions
    assert all(kp.cues for q in result.bank.questions for kp in q.key_points)


# --- the import command ---------------------------------------------------------------------

GBK_DOCUMENT = "题目1(4分)：客户投诉怎么办？答案要点 1.道歉 2.核实".encode("gbk")
"""An importable-looking document saved in GBK, as many Chinese documents are."""


@pytest.mark.parametrize("content", [
    pytest.param(b"", id="empty"),
    pytest.param(b"just a sentence, no questions here\n", id="no-questions"),
    pytest.param(GBK_DOCUMENT, id="gbk-encoded"),
])
def test_import_error_names_the_document(tmp_path: Path, content: bytes,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    """`import DOC` with nothing importable: exit 2, one line naming DOC."""
    document = tmp_path / "interview.txt"
    document.write_bytes(content)
    assert main(["import", str(document), "-o", str(tmp_path / "out.toml")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert str(document) in err, err


@pytest.mark.parametrize("content", [
    pytest.param(b"", id="empty"),
    pytest.param(GBK_DOCUMENT, id="gbk-encoded"),
])
def test_import_refusal_is_one_line_exit_2(tmp_path: Path, content: bytes,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    """Whatever it names, an unimportable document is one line and exit 2, no file written."""
    document = tmp_path / "interview.txt"
    document.write_bytes(content)
    output = tmp_path / "out.toml"
    assert main(["import", str(document), "-o", str(output)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert not output.exists()


def test_import_to_unwritable_output_names_it(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    """`import -o` under a regular file (fails for root too): exit 2 naming the output."""
    document = tmp_path / "interview.txt"
    document.write_text("题目1(4分)：客户投诉说订单没有发货，你怎么处理？\n答案要点\n"
                        "1. 先向客户道歉，安抚情绪\n2. 核实订单信息，查明原因\n"
                        "3. 给出解决方案和时间\n4. 跟进处理结果\n", encoding="utf-8")
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    output = blocker / "sub" / "bank.toml"
    assert main(["import", str(document), "-o", str(output)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and str(output) in err, err
    assert not any(p.name.endswith(".tmp") for p in tmp_path.rglob("*"))
    assert os.path.isfile(blocker)
