"""`import --json`: the document the text report describes, as proper JSON.

`import --json` used to print `{"bank", "questions", "skipped": [str(item), ...]}`: the
skipped items were Python dataclass reprs and the warnings the text output lists were
missing. `import_report_json` keeps `bank` (the file written) and `questions` (the count)
and adds the bank's id, title, language and sections, the warnings, and each skipped item
as an object (`kind`, `location`, `snippet`, `reason`), with boilerplate lines counted the
way the text output counts them. Schema: `simulator/schemas/import.json`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from simulator.bank.importer import ImportResult


def import_report_json(result: ImportResult, output: Path) -> dict[str, Any]:
    """The `import --json` document for an import written to `output`."""
    bank = result.bank
    sections = []
    for section in bank.sections:
        questions = [q for q in bank.questions if q.section == section.id]
        sections.append({"id": section.id, "title": section.title,
                         "questions": len(questions),
                         "question_ids": [q.id for q in questions],
                         "points": sum(q.points for q in questions)})
    content = [s for s in result.skipped if s.kind != "boilerplate"]
    return {
        "bank": str(output),
        "bank_id": bank.id,
        "title": bank.title,
        "language": bank.language,
        "questions": len(bank.questions),
        "sections": sections,
        "warnings": list(result.warnings),
        "skipped": [{"kind": s.kind, "location": s.location, "snippet": s.snippet,
                     "reason": s.reason} for s in content],
        "boilerplate_lines": len(result.skipped) - len(content),
    }
