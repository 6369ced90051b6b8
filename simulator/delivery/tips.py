"""The spoken delivery tip: the templates in `prompts/delivery.toml`, checked, and filled in."""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from simulator.config import TipCode
from simulator.data import PROMPTS_DIR, read_toml
from simulator.delivery.model import TIP_PARAMS, Delivery, TipParam
from simulator.errors import DataFileError

DEFAULT_DELIVERY_TEMPLATES_PATH = PROMPTS_DIR / "delivery.toml"
"""The shipped spoken delivery tips."""
MAX_TEMPLATES_BYTES = 1_000_000


DeliveryTemplates = dict[str, dict[str, Any]]
"""language -> {"examples_separator": str, "tips": {code: text}}."""


def load_delivery_templates(path: Path = DEFAULT_DELIVERY_TEMPLATES_PATH) -> DeliveryTemplates:
    """Read and check the spoken delivery tips.

    Every language table needs `examples_separator`, a template for every `TipCode` under
    `tips` (using only that tip's placeholders, see `TIP_PARAMS`); "zh" and "en" must both
    be present.

    Raises:
        DataFileError: the file is unreadable, not TOML, or lacks a key (names the file and key).
    """
    path = Path(path)
    data = read_toml(path, "delivery templates", MAX_TEMPLATES_BYTES)
    for language in ("zh", "en"):
        if not isinstance(data.get(language), dict):
            raise DataFileError(f"{path}: missing table [{language}]")
    templates: DeliveryTemplates = {}
    for language, table in data.items():
        if not isinstance(table, dict):
            raise DataFileError(f"{path}: [{language}] must be a table")
        if not isinstance(table.get("examples_separator"), str):
            raise DataFileError(f"{path}: [{language}] is missing key 'examples_separator'")
        tips = _string_table(table, "tips", path, language)
        for code in TipCode:
            if code.value not in tips:
                raise DataFileError(f"{path}: [{language}.tips] is missing key '{code.value}'")
            unknown = _placeholders(tips[code.value], path, f"{language}.tips", code.value)
            unknown -= TIP_PARAMS[code]
            if unknown:
                allowed = ", ".join(sorted(TIP_PARAMS[code])) or "none"
                raise DataFileError(f"{path}: [{language}.tips] key '{code.value}' uses unknown "
                                f"placeholder {{{sorted(unknown)[0]}}}; allowed: {allowed}")
        templates[language] = {"examples_separator": table["examples_separator"],
                               "tips": dict(tips)}
    return templates


def _string_table(table: Mapping[str, Any], key: str, path: Path,
                  language: str) -> Mapping[str, str]:
    value = table.get(key)
    if not isinstance(value, dict):
        raise DataFileError(f"{path}: [{language}] is missing table '{key}'")
    for name, text in value.items():
        if not isinstance(text, str) or not text.strip():
            raise DataFileError(f"{path}: [{language}.{key}] key '{name}' must be a non-empty "
                                "string")
    return value


def _placeholders(template: str, path: Path, table: str, key: str) -> set[str]:
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
    except ValueError as e:
        raise DataFileError(f"{path}: [{table}] key '{key}' is not a valid template: {e}") from e
    names = {re.split(r"[.\[]", name, maxsplit=1)[0] for name in fields}
    if "" in names:
        raise DataFileError(f"{path}: [{table}] key '{key}' has an empty placeholder {{}}")
    return names


def _speakable(value: TipParam, separator: str) -> str:
    if isinstance(value, tuple):
        return separator.join(value)
    if isinstance(value, float):
        return f"{value:.1f}".rstrip("0").rstrip(".")
    return str(value)


def _language_table(templates: Mapping[str, Mapping[str, Any]], language: str) -> Mapping[str, Any]:
    table = templates.get(language) or templates.get("en")
    if table is None:
        raise DataFileError(f"delivery templates have no [{language}] or [en] table")
    return table


def render_tip(delivery: Delivery, language: str,
               templates: Mapping[str, Mapping[str, Any]]) -> str | None:
    """The one delivery sentence worth saying after this answer, or None if all was fine.

    Args:
        delivery: from `measure_delivery`.
        language: the language to speak ("zh" or "en"), normally `delivery.language`.
        templates: from `load_delivery_templates`.
    """
    if not delivery.tips:
        return None
    table = _language_table(templates, language)
    tip = delivery.tips[0]
    separator = table["examples_separator"]
    values = {name: _speakable(value, separator) for name, value in tip.params}
    return str(table["tips"][tip.code.value].format(**values))
