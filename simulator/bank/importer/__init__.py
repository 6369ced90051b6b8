"""Import an interview document (a scraped question-and-answer page) into a question bank.

This module turns the plain text of an interview document into the bank data of
`prompts/README.md`, validated by `loader.parse_bank`. It understands two layouts: marked
questions (`题目12(4分)...？答案要点 1. ... 2. ...`, key points numbered or bulleted with `-`)
and numbered questions with a model answer (`4.请...？` then `答：...`, key points taken from
the answer's `(1)(2)` steps or its sentences). Every step is a small pure function: remove
debris (bracketed pinyin after characters, web-page boilerplate, page markers), convert to
simplified script, find sections and questions, split answers into key points, and derive
matching cues with jieba. Nothing here touches the file system except `read_document` (the
document file: plain text only) and `write_bank_toml`.
The steps are modules: `clean`, `structure`, `answers`, `asked`, `cues`, `assemble` (the entry
point, `import_document`) and `write`.

Choices, for the record:
  * Points come from the question (`(4分)`), else from its section (`每题2分`), else
    `DEFAULT_POINTS`.
  * The closing remark after the last key point (`关键在于...`, `需体现...`) is not a key point;
    it stays in `model_answer`, which holds the whole answer text with one item per line.
  * A question whose text is cut off (the document ends inside it, or it announces more steps
    than it has) is imported with what it has, provided it has a prompt and at least one key
    point, and a warning names it. A question with no prompt or no key points is skipped and
    listed in `ImportResult.skipped` with the reason.
  * A model answer told as a story (no list) is cut into its sentences, unless the question
    lists what the answer must include (`需包含教育背景、过往客服经验、…`): then those items are
    the key points, each with the story's sentences about it (`asked`).
  * Cues are jieba TF-IDF keywords (nouns, verbs, adjectives, idioms) minus a stop list,
    plus "number + unit" phrases (`24小时`), all in `normalise`d form, 1 to `MAX_CUES` per point.
"""

from simulator.bank.importer.answers import (
    LABEL_MAX_CHARS,
    MAX_DERIVED_POINTS,
    AnswerParts,
    PointDraft,
    short_label,
    split_answer,
    split_sentences,
)
from simulator.bank.importer.assemble import (
    DEFAULT_POINTS,
    MAX_KEY_POINTS,
    ImportResult,
    SkippedItem,
    format_report,
    import_document,
)
from simulator.bank.importer.clean import (
    MAX_DOCUMENT_BYTES,
    CleanText,
    clean_document,
    read_document,
    remove_boilerplate,
    strip_pinyin,
)
from simulator.bank.importer.cues import DOMAIN_WORDS, MAX_CUES, STOP_WORDS, derive_cues
from simulator.bank.importer.structure import (
    RawQuestion,
    SectionHeading,
    find_questions,
    find_sections,
)
from simulator.bank.importer.write import render_bank_toml, write_bank_toml

__all__ = [
    "DEFAULT_POINTS", "DOMAIN_WORDS", "LABEL_MAX_CHARS", "MAX_CUES", "MAX_DERIVED_POINTS",
    "MAX_DOCUMENT_BYTES", "MAX_KEY_POINTS", "STOP_WORDS", "AnswerParts", "CleanText",
    "ImportResult", "PointDraft", "RawQuestion", "SectionHeading", "SkippedItem",
    "clean_document", "derive_cues", "find_questions", "find_sections", "format_report",
    "import_document", "read_document", "remove_boilerplate", "render_bank_toml", "short_label",
    "split_answer", "split_sentences", "strip_pinyin", "write_bank_toml",
]
