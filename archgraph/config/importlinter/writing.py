"""A translation written as an archgraph contract file (TOML)."""

from __future__ import annotations

import json
import textwrap

from archgraph.config.importlinter.translation import Translation


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # JSON string escapes are valid TOML
    if isinstance(value, list) or type(value) is tuple:  # not a named tuple (a record)
        items = [_toml(item) for item in value]
        one_line = "[" + ", ".join(items) + "]"
        if len(one_line) <= 80:
            return one_line
        return "[\n" + "".join(f"    {item},\n" for item in items) + "]"
    raise TypeError(f"cannot write {value!r} as TOML")


def _comment(text: str) -> list[str]:
    wrapped = [part for line in text.splitlines() for part in textwrap.wrap(line, 96) or [""]]
    return [f"# {line}".rstrip() for line in wrapped] or ["#"]


_LEADING_KEYS = ("id", "name", "type")


def render_toml(translation: Translation) -> str:
    """An archgraph contract file equivalent to the import-linter configuration."""
    sources = ", ".join(p.name for p in translation.files)
    lines = [
        f"# Converted from import-linter configuration ({sources}) by",
        "# `archgraph convert-importlinter`; `archgraph check` gives the same verdicts.",
        "",
        "[archgraph]",
    ]
    for key, value in translation.settings.items():
        if value is False and key not in translation.settings_notes:
            continue  # archgraph's default too
        if key in translation.settings_notes:
            lines += _comment(translation.settings_notes[key])
        lines.append(f"{key} = {_toml(value)}")
    for contract in translation.contracts:
        lines.append("")
        for note in contract.notes:
            lines += _comment(note)
        lines.append("[[contracts]]")
        data = contract.table.data
        for key in sorted(data, key=lambda k: (_LEADING_KEYS.index(k) if k in _LEADING_KEYS else 3)):
            lines.append(f"{key} = {_toml(data[key])}")
    return "\n".join(lines) + "\n"

