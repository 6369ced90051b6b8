"""One self-contained HTML report per session or call: `build_report`, `write_report`.

Depends only on the JSON records (`session.json`, `call.json`) and, for the progress
charts, on a `history_summary` document; `simulator.text`'s OpenCC helpers are reached
through `script._opencc` alone.
"""

from simulator.report.build import REPORT_FILENAME, build_report, write_report

__all__ = ["REPORT_FILENAME", "build_report", "write_report"]
