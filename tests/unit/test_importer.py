"""Tests for the interview-document importer (simulator.bank.importer).

The two seed documents are read from ../shared/seeds at run time; expected values (question
numbers, points, sections) are computed from the seed text itself with simple patterns, so no
seed text is copied into this file.
"""

from __future__ import annotations

import os
import random
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.bank.importer import (
    DEFAULT_POINTS,
    MAX_CUES,
    MAX_DOCUMENT_BYTES,
    MAX_KEY_POINTS,
    ImportResult,
    derive_cues,
    format_report,
    import_document,
    remove_boilerplate,
    split_answer,
    strip_pinyin,
    write_bank_toml,
)
from simulator.bank.importer.answers import PointDraft
from simulator.bank.importer.asked import asked_items, asked_points
from simulator.bank.loader import load_bank, parse_bank
from simulator.errors import BankError
from simulator.text.normalise import normalise, to_simplified

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
SEED_MARKED = "000_1e2ed2bcea4e66bd.txt"
SEED_NUMBERED = "003_57e0a3ce9bfbd22b.txt"

TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
PINYIN_DEBRIS = re.compile(f"[(（][a-z{TONED}ü]{{1,6}}[)）]|[{TONED}]")


def _seed_text(name: str) -> str:
    path = SEEDS / name
    if not path.is_file():
        pytest.skip(f"seed document {path} not found (the seeds live in ../shared/seeds)")
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def marked_text() -> str:
    """The seed with `题目N(X分)` questions, as stored (traditional script with pinyin)."""
    return _seed_text(SEED_MARKED)


@pytest.fixture(scope="module")
def numbered_text() -> str:
    """The seed with `N.` questions and `答：` model answers."""
    return _seed_text(SEED_NUMBERED)


@pytest.fixture(scope="module")
def marked(marked_text: str) -> ImportResult:
    """The marked-question seed, imported."""
    return import_document(marked_text, bank_id="seed-marked", source=SEED_MARKED)


@pytest.fixture(scope="module")
def numbered(numbered_text: str) -> ImportResult:
    """The numbered-question seed, imported."""
    return import_document(numbered_text, bank_id="seed-numbered", source=SEED_NUMBERED)


def _plain(text: str) -> str:
    """Seed text in simplified script without bracketed pinyin, for computing expectations."""
    return to_simplified(re.sub(f"[(（?][a-z{TONED}ü]{{1,6}}[)）]", "", text))


def _marked_headers(text: str) -> list[tuple[int, str, float]]:
    """(position, number, points) of every `题目N(X分)` header in the seed."""
    pattern = re.compile(r"题目\s*(\d+)\s*[(（]\s*(\d+)\s*分\s*[)）]")
    return [(m.start(), m.group(1), float(m.group(2))) for m in pattern.finditer(_plain(text))]


def _marked_sections(text: str) -> list[tuple[int, str, float]]:
    """(position, title, points each) of every `一、标题(共N题,每题X分...)` heading in the seed."""
    pattern = re.compile(r"[一二三四五六七八九十]、([^(（、]{1,20})[(（]共\d+题[,，]每题(\d+)分")
    return [(m.start(), m.group(1), float(m.group(2))) for m in pattern.finditer(_plain(text))]


# --- seed 000: marked questions -----------------------------------------------------------


def test_marked_seed_imports_every_question_in_order(marked_text: str,
                                                     marked: ImportResult) -> None:
    """Every 题目N header in the seed becomes a question with id N, in document order."""
    headers = _marked_headers(marked_text)
    expected = [number for _, number, _ in headers]
    assert len(expected) >= 20
    assert expected == [str(n) for n in range(1, len(expected) + 1)]
    assert [q.id for q in marked.bank.questions] == expected
    assert not [item for item in marked.skipped if item.kind == "question"]


def test_marked_seed_points_per_question(marked_text: str, marked: ImportResult) -> None:
    """Each question carries the points written in its header."""
    expected = {number: points for _, number, points in _marked_headers(marked_text)}
    assert {q.id: q.points for q in marked.bank.questions} == expected


def test_marked_seed_questions_sit_in_their_sections(marked_text: str,
                                                     marked: ImportResult) -> None:
    """Each question belongs to the section heading that precedes it, titled as in the text."""
    sections = _marked_sections(marked_text)
    assert len(sections) == len(marked.bank.sections) >= 3
    titles = {s.id: s.title for s in marked.bank.sections}
    for position, number, points in _marked_headers(marked_text):
        heading = [s for s in sections if s[0] < position][-1]
        question = marked.bank.question(number)
        assert question is not None
        assert titles[question.section] == heading[1]
        assert question.points == heading[2] == points
    assert [s.id for s in marked.bank.sections] == [f"s{k}" for k in range(1, len(sections) + 1)]


def test_marked_seed_truncated_last_question_is_flagged(marked_text: str,
                                                        marked: ImportResult) -> None:
    """The question the document breaks off in is imported with what it has, and flagged."""
    last = _marked_headers(marked_text)[-1][1]
    question = marked.bank.question(last)
    assert question is not None and question.key_points
    assert any(f"question {last}:" in w and "ends inside" in w for w in marked.warnings)


def test_marked_seed_closing_remark_stays_out_of_key_points(marked: ImportResult) -> None:
    """The examiner's closing remark is kept in the model answer, not as a key point."""
    question = marked.bank.question("12")
    assert question is not None
    assert len(question.key_points) == 4
    assert question.model_answer.splitlines()[-1].startswith("关键在于")
    assert not any("关键在于" in kp.label for kp in question.key_points)


def test_marked_seed_title_from_document(marked: ImportResult) -> None:
    """The bank title is the document's own title line."""
    assert "面试" in marked.bank.title and len(marked.bank.title) <= 60


# --- seed 003: numbered questions with model answers --------------------------------------


def test_numbered_seed_imports_questions_with_model_answers(numbered_text: str,
                                                            numbered: ImportResult) -> None:
    """Every `N.` question followed by `答：` becomes question N with its model answer."""
    lines = [line.strip() for line in numbered_text.splitlines() if line.strip()]
    expected = [re.match(r"(\d+)\.", line).group(1)  # type: ignore[union-attr]
                for line, after in zip(lines, lines[1:], strict=False)
                if re.match(r"\d+\.", line) and after.startswith("答")]
    assert len(expected) >= 3
    assert [q.id for q in numbered.bank.questions] == expected
    for question, line in zip(numbered.bank.questions, lines, strict=False):
        assert question.model_answer
        assert question.points == DEFAULT_POINTS
        del line
    answers = [after for line, after in zip(lines, lines[1:], strict=False)
               if re.match(r"\d+\.", line) and after.startswith("答")]
    for question, answer in zip(numbered.bank.questions, answers, strict=True):
        assert answer[2:10] in question.model_answer


def test_numbered_seed_sections(numbered_text: str, numbered: ImportResult) -> None:
    """Sections come from the `一、` heading lines, with stable ASCII ids."""
    titles = [m.group(1).strip() for m in re.finditer(r"^[一二三四五六七八九十]、(.+)$",
                                                      numbered_text, re.MULTILINE)]
    assert [s.title for s in numbered.bank.sections] == titles
    assert all(re.fullmatch(r"s\d+", s.id) for s in numbered.bank.sections)


def test_numbered_seed_steps_become_key_points(numbered: ImportResult) -> None:
    """An answer written as (1)(2)(3) steps gets one key point per step."""
    stepped = [q for q in numbered.bank.questions if "(3)" in q.model_answer]
    assert stepped
    for question in stepped:
        steps = len(re.findall(r"^\(\d+\)", question.model_answer, re.MULTILINE))
        assert len(question.key_points) >= steps >= 3


def test_numbered_seed_asked_contents_become_key_points(numbered: ImportResult) -> None:
    """A question that lists what the answer must include (需包含A、B、C) and has a story as
    its model answer is marked on A, B and C, not on the story's sentences; each item keeps
    the story's sentences about it as its examples, in order."""
    (question,) = [q for q in numbered.bank.questions if "需包含" in q.prompt]
    labels = [kp.label for kp in question.key_points]
    assert labels == ["教育背景", "过往客服经验", "上海本地客户服务相关的优势"], labels
    education, experience, _local = question.key_points
    assert any("本科" in e for e in education.examples)
    assert any("客服" in e for e in experience.examples)
    assert not any("本科" in e for e in experience.examples)


def test_numbered_seed_cut_off_steps_are_flagged(numbered: ImportResult) -> None:
    """A question announcing more steps than the text has is imported and flagged."""
    assert any("announces" in w and "steps" in w for w in numbered.warnings)


# --- both seeds ---------------------------------------------------------------------------


@pytest.fixture(params=["marked", "numbered"])
def seed_result(request: pytest.FixtureRequest) -> ImportResult:
    """Each imported seed in turn."""
    return request.getfixturevalue(request.param)


def test_every_key_point_has_cues(seed_result: ImportResult) -> None:
    """Every key point has 1..MAX_CUES unique cues of two or more characters, and a label."""
    for question in seed_result.bank.questions:
        assert question.key_points, question.id
        for kp in question.key_points:
            assert 1 <= len(kp.cues) <= MAX_CUES
            assert len(set(kp.cues)) == len(kp.cues)
            assert all(len(cue) >= 2 for cue in kp.cues)
            assert all(cue == normalise(cue).replace(" ", "") for cue in kp.cues)
            assert 2 <= len(kp.label) <= 20


def test_no_pinyin_or_boilerplate_survives(seed_result: ImportResult) -> None:
    """No bracketed pinyin, tone-marked letters or site notices remain in the bank."""
    for question in seed_result.bank.questions:
        texts = [question.prompt, question.model_answer]
        texts += [kp.label for kp in question.key_points]
        texts += [cue for kp in question.key_points for cue in kp.cues]
        for text in texts:
            assert not PINYIN_DEBRIS.search(text), text
            assert "VIP" not in text and "本站" not in text and "_第" not in text, text
    assert any(item.kind == "boilerplate" for item in seed_result.skipped)


def test_bank_passes_parse_bank(seed_result: ImportResult) -> None:
    """The TOML-ready data validates on its own and gives the same bank."""
    again = parse_bank(seed_result.data, source="again")
    assert [q.id for q in again.questions] == [q.id for q in seed_result.bank.questions]
    assert again.sections == seed_result.bank.sections


def test_round_trip_through_toml(seed_result: ImportResult, tmp_path: Path) -> None:
    """write_bank_toml + load_bank gives back the same questions, key points and cues."""
    path = tmp_path / "imported.toml"
    write_bank_toml(seed_result.data, path)
    loaded = load_bank(path)
    assert loaded.id == seed_result.bank.id and loaded.title == seed_result.bank.title
    assert loaded.sections == seed_result.bank.sections
    for mine, theirs in zip(seed_result.bank.questions, loaded.questions, strict=True):
        assert (mine.id, mine.section, mine.points, mine.prompt) == \
            (theirs.id, theirs.section, theirs.points, theirs.prompt)
        assert mine.model_answer == theirs.model_answer
        assert mine.key_points == theirs.key_points
    assert [p.name for p in tmp_path.iterdir()] == ["imported.toml"]


def test_written_toml_has_the_bank_file_layout(marked: ImportResult, tmp_path: Path) -> None:
    """The file reads like a hand-written bank: [[sections]] tables and one-line cue lists."""
    path = tmp_path / "imported.toml"
    write_bank_toml(marked.data, path)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("[bank]\n")
    assert text.count("[[sections]]") == len(marked.bank.sections)
    assert text.count("  [[questions.key_points]]") == sum(
        len(q.key_points) for q in marked.bank.questions)
    cue_lines = [line for line in text.splitlines() if line.startswith("  cues = ")]
    assert cue_lines and all(line.endswith("]") for line in cue_lines)


def test_model_answer_hits_its_own_cues(seed_result: ImportResult) -> None:
    """Reading a question's model answer aloud would hit at least one cue of each question."""
    for question in seed_result.bank.questions:
        spoken = normalise(question.model_answer).replace(" ", "")
        assert any(cue in spoken for kp in question.key_points for cue in kp.cues), question.id


def test_apology_point_scores_an_apology(marked: ImportResult) -> None:
    """The apologise-first point of question 12 is hit by a plain spoken apology."""
    question = marked.bank.question("12")
    assert question is not None
    spoken = normalise("非常抱歉给您带来不便")
    first = question.key_points[0]
    assert "歉" in first.label
    assert any(cue in spoken for cue in first.cues)


def test_traditional_and_simplified_input_agree(marked_text: str, marked: ImportResult) -> None:
    """Converting the document to simplified script first changes nothing."""
    again = import_document(to_simplified(marked_text), bank_id="seed-marked",
                            source=SEED_MARKED)
    assert again.data == marked.data


def test_format_report_summarises(marked: ImportResult) -> None:
    """The report lists every section and the warnings, and counts boilerplate lines."""
    report = format_report(marked)
    for section in marked.bank.sections:
        assert section.id in report and section.title in report
    assert "ends inside" in report
    assert "boilerplate lines" in report
    assert "本站" not in report


# --- the steps, on small made-up inputs ---------------------------------------------------


def test_strip_pinyin_keeps_real_brackets() -> None:
    """Bracketed pinyin after a character goes; points, examples and English stay."""
    text = "服務(wù)熱線(2分)(例:周會)模型(Focus-Build-Impact)學(xué)習(xí)知(zhi)"
    cleaned, removed = strip_pinyin(text)
    assert cleaned == "服務熱線(2分)(例:周會)模型(Focus-Build-Impact)學習知"
    assert removed == 4


def test_strip_pinyin_leaves_lone_untoned_syllable() -> None:
    """An untoned `(ai)` in a clean document is not debris."""
    assert strip_pinyin("智能客服(ai)助手")[0] == "智能客服(ai)助手"


def test_remove_boilerplate_drops_notices_markers_and_footer() -> None:
    """Page markers, download notices and everything after the footer heading are dropped."""
    body = "一、服务意识(共1题,每题2分)题目1(2分)你为什么应聘?答案要点1.喜欢与人沟通" * 10
    text = "\n".join(["资料汇编_第1页", "已阅读5页,还剩3页未读", "下载本文档", body,
                      "温馨提示", "1. 本站资源仅供学习", "内容末尾"])
    kept, removed = remove_boilerplate(text)
    assert kept.strip() == body
    assert [line for _, line in removed][:3] == ["资料汇编_第1页", "已阅读5页,还剩3页未读",
                                                 "下载本文档"]
    assert len(removed) == 6


def test_split_answer_numbered_bullets_and_closing() -> None:
    """Numbered items, dash bullets under a heading and the closing remark are told apart."""
    parts = split_answer(
        '1.先道歉:"给您添麻烦了"2.查原因:核对订单(例:查看"申请-审核-发货"记录)'
        "做法:-当天回复-2-3天内补发关键在于及时", with_closing=True)
    labels = [p.label for p in parts.points]
    assert labels == ["先道歉：给您添麻烦了", "查原因：核对订单", "做法：当天回复",
                      "做法：2-3天内补发"]
    assert parts.closing == "关键在于及时"
    assert parts.listed == 2


def test_split_answer_without_list_uses_sentences() -> None:
    """A model answer with no list gives one key point per sentence."""
    parts = split_answer("我会先安抚客户情绪。然后核实订单信息。最后跟进处理结果。",
                         with_closing=False)
    assert [p.label for p in parts.points] == ["我会先安抚客户情绪", "然后核实订单信息",
                                               "最后跟进处理结果"]


@pytest.mark.parametrize(("prompt", "items"), [
    ("请做自我介绍，需包含教育背景、客服经验和本地优势。", ("教育背景", "客服经验", "本地优势")),
    ("谈谈你的规划，包括短期目标及长期目标", ("短期目标", "长期目标")),
    ("回答应涵盖：安抚情绪、核实信息、给出时间。", ("安抚情绪", "核实信息", "给出时间")),
    ("你为什么换工作？请结合这个行业的特点来谈。", ()),
    ("请说明优先级与具体操作步骤。", ()),
    ("需包含你在上一家公司做过的所有让你觉得特别有成就感的事情。", ()),
])
def test_asked_items_are_what_the_question_lists(prompt: str, items: tuple[str, ...]) -> None:
    """Only a list after 包含/包括/涵盖/涉及 counts; one item or a sentence is no list."""
    assert asked_items(prompt) == items


def test_asked_points_take_the_story_in_turn() -> None:
    """Consecutive sentences go to the items in order, by the words they share; a word the
    whole story says does not pull a sentence away from its place."""
    sentences = tuple(PointDraft(label="", text=t) for t in (
        "我本科在上海读的工商管理", "毕业后在上海做了三年电话客服", "我熟悉上海各区的情况"))
    points = asked_points(("教育背景", "客服经验", "本地优势"), sentences)
    assert [p.label for p in points] == ["教育背景", "客服经验", "本地优势"]
    assert ["本科" in p.text for p in points] == [True, False, False]
    assert ["三年电话客服" in p.text for p in points] == [False, True, False]


def test_an_example_sentence_is_no_key_point_of_its_own() -> None:
    """A sentence that starts with 例如/比如 illustrates the sentence before it."""
    parts = split_answer("离职是为了职业发展。例如去年我做的方案没法落地。我想做更灵活的服务。",
                         with_closing=False)
    assert [p.label for p in parts.points] == ["离职是为了职业发展", "我想做更灵活的服务"]
    assert "方案没法落地" in parts.points[0].text


def test_a_word_of_the_question_is_no_cue() -> None:
    """The question's own words name its topic: an answer that repeats them ("说到发货")
    has not made any point, so a point's cues leave them out (while other cues remain)."""
    document = ("一、服务场景(共1题,每题4分,总计4分)\n"
                "题目1(4分)顾客说因为系统出了故障，他的订单到现在还没发货，你怎么处理？答案要点"
                "1.致歉安抚:先向客户道歉"
                "2.实时反馈:查询发货进度，今天下午告知客户"
                "3.补偿:申请优惠券")
    question = import_document(document, bank_id="t").bank.questions[0]
    feedback = question.key_points[1]
    assert "发货" not in feedback.cues and "今天下午" in feedback.cues, feedback.cues
    assert all(point.cues for point in question.key_points)


def test_derive_cues_normalises_numbers_and_drops_stop_words() -> None:
    """Cues are in normalised form (二十四小时 -> 24小时) and skip generic words."""
    cues = derive_cues("承诺二十四小时内给客户答复处理结果", "承诺答复")
    assert "24小时" in cues
    assert "答复" in cues and "承诺" in cues
    assert "客户" not in cues and "处理" not in cues


def test_full_width_brackets_and_default_points() -> None:
    """`题目N（X分）` with full-width brackets works; points fall back to section, then default."""
    text = ("一、服务意识(共2题,每题3分)\n题目1（5分）你为什么想做客服？"
            "答案要点1.喜欢帮助别人解决问题2.有耐心\n"
            "题目2 如何面对投诉？答案要点1.先道歉安抚情绪2.再核实原因\n"
            "二、其他\n题目3 你的优点？答案要点1.做事认真负责")
    result = import_document(text, bank_id="t")
    assert [(q.id, q.points, q.section) for q in result.bank.questions] == [
        ("1", 5, "s1"), ("2", 3, "s1"), ("3", DEFAULT_POINTS, "s2")]
    assert any("question 1: marked 5 points" in w for w in result.warnings)


def test_numbering_restarting_per_section_keeps_ids_unique() -> None:
    """Question numbers that restart in each section get section-prefixed ids, with a warning."""
    text = ("一、基础\n1.请介绍你的客服经验？\n答：我做过两年电话客服，处理投诉和咨询。\n"
            "二、进阶\n1.如何处理客户投诉？\n答：先道歉安抚情绪，再核实原因并给出方案。\n")
    result = import_document(text, bank_id="t")
    assert [q.id for q in result.bank.questions] == ["1", "s2-1"]
    assert any("used twice" in w for w in result.warnings)


def test_key_points_are_capped() -> None:
    """An answer with very many items keeps MAX_KEY_POINTS key points and reports the rest."""
    items = "".join(f"{n}.第{n}项要点需要认真核实订单" for n in range(1, 16))
    result = import_document(f"题目1(2分)如何处理投诉？答案要点{items}", bank_id="t")
    question = result.bank.questions[0]
    assert len(question.key_points) == MAX_KEY_POINTS
    assert any(item.kind == "key_point" and "more than" in item.reason
               for item in result.skipped)


# --- malformed input ----------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   \n\t  ", "\x00\x01\x02", "下载本文档\n温馨提示\n"])
def test_empty_documents_raise_bank_error(text: str) -> None:
    """Empty or debris-only documents give a one-line BankError."""
    with pytest.raises(BankError) as info:
        import_document(text, bank_id="t", source="doc.txt")
    assert "\n" not in str(info.value) and "doc.txt" in str(info.value)


def test_random_bytes_do_not_crash() -> None:
    """Random bytes decoded with errors='replace' import or raise BankError, nothing else."""
    rng = random.Random(1234)
    for _ in range(20):
        text = bytes(rng.randrange(256) for _ in range(2000)).decode("utf-8", errors="replace")
        try:
            import_document(text, bank_id="t")
        except BankError:
            pass
    blob = os.urandom(4000).decode("utf-8", errors="replace")
    with pytest.raises(BankError, match="no questions"):
        import_document(blob, bank_id="t")


def test_section_heading_without_questions_raises() -> None:
    """A document with a section heading and no question raises 'no questions found'."""
    with pytest.raises(BankError, match="no questions found"):
        import_document("一、岗位认识(共4题,每题3分,总计12分)\n这里什么都没有。",
                        bank_id="t")


def test_question_without_key_points_is_skipped() -> None:
    """A question with no answer text is listed as skipped; the rest still imports."""
    text = "题目1(2分)你为什么想做客服？答案要点\n题目2(2分)如何面对投诉？答案要点1.先道歉安抚情绪"
    result = import_document(text, bank_id="t")
    assert [q.id for q in result.bank.questions] == ["2"]
    skipped = [item for item in result.skipped if item.kind == "question"]
    assert len(skipped) == 1 and skipped[0].location == "question 1"
    assert "no key points" in skipped[0].reason
    with pytest.raises(BankError):
        import_document("题目1(2分)你为什么想做客服？答案要点", bank_id="t")


def test_oversized_and_non_text_input_raise() -> None:
    """Input above MAX_DOCUMENT_BYTES, or not a str, raises BankError."""
    with pytest.raises(BankError, match="larger than"):
        import_document("a" * (MAX_DOCUMENT_BYTES + 1), bank_id="t")
    with pytest.raises(BankError, match="expected text"):
        import_document(b"bytes", bank_id="t")  # type: ignore[arg-type]


def test_bad_options_raise() -> None:
    """An unknown language or an empty bank id raises BankError."""
    with pytest.raises(BankError, match="language"):
        import_document("题目1 问？答案要点1.回答内容", bank_id="t", language="fr")
    with pytest.raises(BankError, match="bank id"):
        import_document("题目1 问？答案要点1.回答内容", bank_id=" ")


def test_write_bank_toml_reports_unwritable_path(marked: ImportResult, tmp_path: Path) -> None:
    """Writing into a missing folder raises BankError and leaves no temporary file."""
    with pytest.raises(BankError, match="cannot write"):
        write_bank_toml(marked.data, tmp_path / "missing" / "bank.toml")
    assert list(tmp_path.iterdir()) == []


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_any_text_imports_or_raises_bank_error(text: str) -> None:
    """For any text, import_document returns a result or raises BankError, never anything else."""
    try:
        result = import_document(text, bank_id="t")
    except BankError:
        return
    assert result.bank.questions


_FRAGMENTS = st.sampled_from([
    "题目", "题目1", "题目2(3分)", "（4分）", "答案要点", "答：", "答案", "一、", "二、",
    "(共3题,每题2分)", "1.", "2.", "3、", "(1)", "(2)", "①", "-", ":", "：", "？", "?", "。", "\n",
    "关键在于", "需体现",
    "客户", "道歉", "核实订单", "二十四小时", "(wù)", "(例:", ")", '"', "“", "”", "服務(wù)", "x",
    "优点:", "下载本文档", "温馨提示", "_第1页", "   ", "9999999999", "同理心强",
])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(_FRAGMENTS, st.text(max_size=5)), max_size=40))
def test_document_like_text_imports_or_raises_bank_error(parts: list[str]) -> None:
    """Random documents built from the importer's own markers never crash it."""
    try:
        result = import_document("".join(parts), bank_id="t")
    except BankError:
        return
    for question in result.bank.questions:
        assert question.prompt and question.key_points
        assert all(kp.cues for kp in question.key_points)
